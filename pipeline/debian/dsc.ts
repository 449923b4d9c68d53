/**
 * .dsc and .changes: the source package (or upload) and the files it lists, with their sizes and
 * checksums merged from Files (md5), Checksums-Sha1 and Checksums-Sha256. Checksums-Sha256 is
 * required (Debian and Launchpad refuse uploads without it, and gates bind to sha256). The
 * OpenPGP signature is unwrapped, not verified (that is gpg's job: pipeline/tools).
 */
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PipelineError } from '../errors.js';
import { parseDeb822, type Deb822Document, type Deb822Field, type Deb822Paragraph } from './deb822.js';
import { parseVersion } from './version.js';

export interface ListedFile {
  name: string;
  size: number;
  sha256: string;
  sha1?: string;
  md5?: string;
  /** Lines of the file's entry in Checksums-Sha256, Checksums-Sha1 and Files. */
  lines: { sha256: number; sha1?: number; md5?: number };
  /** .changes only. */
  section?: string;
  priority?: string;
}

export interface SourceControl {
  kind: 'dsc' | 'changes';
  file: string;
  /** Source package name (a .changes `Source: name (version)` gives the name only). */
  source: string;
  version: string;
  /** .dsc Format (`3.0 (quilt)`) or .changes Format (`1.8`). */
  format?: string;
  /** .changes: Distribution; .dsc: undefined. */
  distribution?: string;
  architecture?: string;
  files: ListedFile[];
  signed: boolean;
  paragraph: Deb822Paragraph;
  document: Deb822Document;
}

function listLines(field: Deb822Field): { words: string[]; line: number }[] {
  const out: { words: string[]; line: number }[] = [];
  const numbers = field.lineNumbers ?? field.lines.map((_, k) => field.line + k);
  field.lines.forEach((l, k) => {
    const t = l.trim();
    if (t !== '') out.push({ words: t.split(/[ \t]+/), line: numbers[k]! });
  });
  return out;
}

const HEX = /^[0-9a-f]+$/;

/** Parses .dsc or .changes text (kind taken from the fields: a .changes has Distribution/Changes). */
export function parseSourceControl(text: string, file: string, kind?: 'dsc' | 'changes'): SourceControl {
  const document = parseDeb822(text, { file, strict: true });
  if (document.paragraphs.length !== 1) {
    const extra = document.paragraphs[1];
    throw new PipelineError(`expected exactly one paragraph, found ${document.paragraphs.length}`, { file, line: extra?.line ?? 1 });
  }
  const p = document.paragraphs[0]!;
  const k = kind ?? (p.has('Distribution') || p.has('Changes') ? 'changes' : 'dsc');
  const need = (name: string): Deb822Field => {
    const f = p.get(name);
    if (!f || f.value.trim() === '') throw new PipelineError(`missing ${name} field`, { file, line: f?.line ?? p.line, key: name });
    return f;
  };

  const sourceField = need('Source');
  const source = sourceField.value.split(/[ \t]/)[0]!;
  const versionField = need('Version');
  parseVersion(versionField.value, { file, line: versionField.line, key: 'Version' });

  const byName = new Map<string, ListedFile>();
  const order: string[] = [];
  const shaField = need('Checksums-Sha256');
  const hashLen = { 'Checksums-Sha256': 64, 'Checksums-Sha1': 40, Files: 32 } as const;
  for (const listName of ['Checksums-Sha256', 'Checksums-Sha1', 'Files'] as const) {
    const f = listName === 'Checksums-Sha256' ? shaField : p.get(listName);
    if (!f) {
      if (listName === 'Files') throw new PipelineError('missing Files field', { file, line: p.line, key: 'Files' });
      continue;
    }
    const seenHere = new Set<string>();
    for (const { words, line } of listLines(f)) {
      const columns = listName === 'Files' && k === 'changes' ? 5 : 3;
      if (words.length !== columns) {
        throw new PipelineError(`line has ${words.length} columns, expected ${columns} (${columns === 5 ? 'md5 size section priority name' : 'checksum size name'})`, { file, line, key: listName });
      }
      const [hash, sizeText] = words as [string, string];
      const name = words[columns - 1]!;
      if (hash.length !== hashLen[listName] || !HEX.test(hash)) {
        throw new PipelineError(`'${hash}' is not a ${hashLen[listName]}-digit lower-case hex checksum`, { file, line, key: listName });
      }
      if (!/^\d+$/.test(sizeText)) throw new PipelineError(`size '${sizeText}' is not a number`, { file, line, key: listName });
      if (name.includes('/') || name === '.' || name === '..') {
        throw new PipelineError(`file name '${name}' must be a plain name in the same directory`, { file, line, key: listName });
      }
      if (seenHere.has(name)) throw new PipelineError(`'${name}' listed twice`, { file, line, key: listName });
      seenHere.add(name);
      const size = Number(sizeText);
      let entry = byName.get(name);
      if (listName === 'Checksums-Sha256') {
        entry = { name, size, sha256: hash, lines: { sha256: line } };
        byName.set(name, entry);
        order.push(name);
        continue;
      }
      if (!entry) throw new PipelineError(`'${name}' is not listed in Checksums-Sha256`, { file, line, key: listName });
      if (entry.size !== size) {
        throw new PipelineError(`size of '${name}' is ${size}, Checksums-Sha256 says ${entry.size}`, { file, line, key: listName });
      }
      if (listName === 'Checksums-Sha1') {
        entry.sha1 = hash;
        entry.lines.sha1 = line;
      } else {
        entry.md5 = hash;
        entry.lines.md5 = line;
        if (columns === 5) {
          entry.section = words[2];
          entry.priority = words[3];
        }
      }
    }
    if (listName === 'Files') {
      const missing = order.filter((n) => !seenHere.has(n));
      if (missing.length) throw new PipelineError(`does not list ${missing.join(', ')} (listed in Checksums-Sha256)`, { file, line: f.line, key: 'Files' });
    }
  }
  if (order.length === 0) throw new PipelineError('Checksums-Sha256 lists no files', { file, line: shaField.line, key: 'Checksums-Sha256' });

  return {
    kind: k,
    file,
    source,
    version: versionField.value,
    format: p.value('Format'),
    distribution: p.value('Distribution'),
    architecture: p.value('Architecture'),
    files: order.map((n) => byName.get(n)!),
    signed: document.signed,
    paragraph: p,
    document,
  };
}

export function parseDsc(text: string, file: string): SourceControl {
  return parseSourceControl(text, file, 'dsc');
}

export function parseChanges(text: string, file: string): SourceControl {
  return parseSourceControl(text, file, 'changes');
}

/** Reads and parses a .dsc or .changes file (kind from the file name). */
export function parseSourceControlFile(path: string): SourceControl {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new PipelineError(`cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file: path, cause: e });
  }
  return parseSourceControl(text, path, path.endsWith('.changes') ? 'changes' : path.endsWith('.dsc') ? 'dsc' : undefined);
}

/** sha256 of a file, streamed. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Checks that every listed file is present in `dir` with the listed size and sha256. Resolves to
 * the list of problems (empty when all match); never throws for a mismatch.
 */
export async function verifyListedFiles(sc: SourceControl, dir: string): Promise<{ name: string; problem: string }[]> {
  const problems: { name: string; problem: string }[] = [];
  for (const f of sc.files) {
    const path = join(dir, f.name);
    let size: number;
    try {
      size = statSync(path).size;
    } catch {
      problems.push({ name: f.name, problem: 'missing' });
      continue;
    }
    if (size !== f.size) {
      problems.push({ name: f.name, problem: `size ${size}, expected ${f.size}` });
      continue;
    }
    const sha = await sha256File(path);
    if (sha !== f.sha256) problems.push({ name: f.name, problem: `sha256 ${sha}, expected ${f.sha256}` });
  }
  return problems;
}
