/**
 * debian/control: one source paragraph, then one paragraph per binary package. A broken file is
 * one PipelineError naming FILE:LINE (what dpkg-source would refuse, said before it runs); the
 * finer checks (field values, relations, policy) are lint's job, which uses the tolerant
 * parseDeb822 and parseRelations directly.
 */
import { readFileSync } from 'node:fs';
import { PipelineError } from '../errors.js';
import { parseDeb822, type Deb822Document, type Deb822Paragraph } from './deb822.js';

export { parseRelations, parseFieldRelations, formatRelation, formatRelations } from './relations.js';
export type { Relation, RelationGroup, RelationProblem, ParsedRelations, VersionConstraint, Restriction, RelationOperator } from './relations.js';

export interface ControlFile {
  file: string;
  source: Deb822Paragraph;
  binaries: Deb822Paragraph[];
  document: Deb822Document;
  /** The Source field's value. */
  sourceName: string;
  /** The Package field of each binary paragraph, in file order. */
  packageNames: string[];
}

/** Policy 5.6.1/5.6.7: lower-case letters, digits, + - . ; at least two characters, starting alphanumeric. */
export function isValidPackageName(name: string): boolean {
  if (name.length < 2) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    const alnum = (c >= 48 && c <= 57) || (c >= 97 && c <= 122);
    if (i === 0 ? !alnum : !(alnum || c === 43 || c === 45 || c === 46)) return false;
  }
  return true;
}

export interface ControlProblem {
  message: string;
  line: number;
  key?: string;
}

/**
 * What makes a deb822-clean control file unusable for dpkg-source (no source paragraph, no binary
 * paragraph, invalid or duplicate package names), in file order. parseControl refuses the first;
 * lint reports each (lint/metadata/control.ts), so the two agree on every file.
 */
export function controlStructureProblems(document: Deb822Document): ControlProblem[] {
  const out: ControlProblem[] = [];
  const [source, ...binaries] = document.paragraphs;
  if (!source) return [{ message: 'no paragraphs: a control file needs a Source paragraph and at least one Package paragraph', line: 1 }];
  const sourceField = source.get('Source');
  if (!sourceField) {
    const pkg = source.get('Package');
    out.push({
      message: pkg ? `the first paragraph must be the source paragraph (Source: ...), but it is binary package '${pkg.value}'` : 'missing Source field in the first (source) paragraph',
      line: source.line,
      key: 'Source',
    });
  } else if (!isValidPackageName(sourceField.value)) {
    out.push({ message: `invalid source package name '${sourceField.value}' (lower-case letters, digits, + - . ; at least two characters)`, line: sourceField.line, key: 'Source' });
  }
  if (binaries.length === 0) out.push({ message: 'no binary package paragraph (Package: ...) after the source paragraph', line: source.endLine });
  const seen = new Map<string, number>();
  for (const para of binaries) {
    const pkg = para.get('Package');
    if (!pkg) {
      const src = para.get('Source');
      out.push({
        message: src ? `a second Source paragraph (first at line ${source.line}); binary paragraphs need a Package field` : 'binary paragraph without a Package field',
        line: para.line,
        key: 'Package',
      });
      continue;
    }
    if (!isValidPackageName(pkg.value)) {
      out.push({ message: `invalid binary package name '${pkg.value}' (lower-case letters, digits, + - . ; at least two characters)`, line: pkg.line, key: 'Package' });
      continue;
    }
    const earlier = seen.get(pkg.value);
    if (earlier !== undefined) out.push({ message: `binary package '${pkg.value}' defined twice (first at line ${earlier})`, line: pkg.line, key: 'Package' });
    else seen.set(pkg.value, pkg.line);
  }
  return out;
}

/** Parses debian/control text; throws one PipelineError (file:line) for a structurally broken file. */
export function parseControl(text: string, file: string): ControlFile {
  const document = parseDeb822(text, { file, strict: true });
  const first = controlStructureProblems(document)[0];
  if (first) throw new PipelineError(first.message, { file, line: first.line, ...(first.key ? { key: first.key } : {}) });
  const [source, ...binaries] = document.paragraphs;
  const packageNames = binaries.map((b) => b.value('Package')!);
  return { file, source: source!, binaries, document, sourceName: source!.value('Source')!, packageNames };
}

/** Reads and parses a debian/control file. */
export function parseControlFile(path: string, displayName = path): ControlFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new PipelineError(`cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file: displayName, cause: e });
  }
  return parseControl(text, displayName);
}
