/**
 * A .dsc scanned for lint, not unpacked: every tarball is read once as a stream (decompressed by
 * gzip/xz/bzip2/zstd, the tar members parsed here), keeping each file's name and the first
 * HEADER_BYTES of it, and writing only debian/ to disk. That is all the checks read of a source:
 * debian/'s files, the list of files (coverage) and each file's header (license detection).
 * Writing a source's every file (ZooKeeper: 1,589 files, 21 MB) was most of a cold lint's CPU,
 * in the kernel. The tree laid out as unpack.ts would (dpkg-source's rules: the tarball's single
 * top directory stripped, orig-NAME components in NAME/, debian/ from the debian tarball), kept
 * in <cacheDir>/lint-trees/<sha>-scanned: src/debian/ and files.json (each file with its header's
 * hash, for the license cache). Formats other than 3.0 (quilt)/(native), and --licensecheck
 * (which reads files itself), use the full unpack (unpack.ts).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PipelineError } from '../errors.js';
import type { Progress } from '../source/fetch.js';
import type { SourceControl } from '../debian/dsc.js';
import { HEADER_BYTES } from './licenses/detect.js';
import { readTarStream, type TarMember } from './tarStream.js';

export interface ScannedSource {
  /** The tree's root: holds debian/ only. */
  tree: string;
  /** Every regular file of the source as shipped, relative, sorted (what the walk of a full unpack gives). */
  files: string[];
  /** Each file's header in headers.bin: its sha256 (base64url, the license cache's key), offset and length. */
  headers: ScannedHeaders;
}

export interface ScannedHeaders {
  /** One file holding every header, one after the other (one write, not one per file). */
  blob: string;
  entries: Map<string, [hash: string, offset: number, length: number]>;
}

const TARBALL = /\.tar(?:\.(?:gz|xz|bz2|lzma|zst))?$/;
/** Directories a walk of an unpacked tree skips (lint/context.ts). */
const SKIP_DIRS = new Set(['.git', '.svn', '.bzr', '.hg', 'CVS', '.pc']);

/** Whether this .dsc can be scanned (3.0 quilt or native: tarballs only). */
export function scannable(sc: SourceControl): boolean {
  const names = sc.files.map((f) => f.name);
  return /^3\.0 \((?:quilt|native)\)$/.test(sc.format?.trim() ?? '') && names.every((n) => TARBALL.test(n) || n.endsWith('.asc'));
}

export async function scanDsc(cacheDir: string, dsc: string, sc: SourceControl, progress?: Progress): Promise<ScannedSource> {
  const key = createHash('sha256').update(readFileSync(dsc)).digest('hex').slice(0, 16);
  const dir = join(cacheDir, 'lint-trees', `${key}-scanned`);
  const manifest = join(dir, 'files.json');
  const result = (entries: Array<[string, string, number, number]>): ScannedSource => ({
    tree: join(dir, 'src'),
    files: entries.map(([f]) => f),
    headers: { blob: join(dir, 'headers.bin'), entries: new Map(entries.map(([f, ...h]) => [f, h])) },
  });
  if (existsSync(manifest)) return result(JSON.parse(readFileSync(manifest, 'utf8')) as Array<[string, string, number, number]>);
  mkdirSync(join(cacheDir, 'lint-trees'), { recursive: true });
  const tmp = mkdtempSync(join(cacheDir, 'lint-trees', '.scan-'));
  const phase = progress?.phase(`scan ${dsc.split('/').pop()}`);
  try {
    const tarballs = sc.files.map((f) => f.name).filter((n) => TARBALL.test(n));
    const debianTarball = tarballs.find((n) => /\.debian\.tar/.test(n));
    const main = tarballs.find((n) => /\.orig\.tar/.test(n)) ?? tarballs.find((n) => n !== debianTarball);
    if (!main) throw new PipelineError('lists no source tarball', { file: dsc });
    const parts = await Promise.all(tarballs.map(async (name) => ({ name, members: await readMembers(join(dirname(dsc), name), dsc) })));
    // Assembled as extractShipped (unpack.ts) assembles the directories.
    const tree = new Map<string, TarMember>();
    const put = (prefix: string, members: TarMember[], strip: boolean) => {
      for (const m of members) tree.set(prefix + (strip ? m.name.slice(m.name.indexOf('/') + 1) : m.name), m);
    };
    const removeUnder = (prefix: string) => {
      for (const f of [...tree.keys()]) if (f.startsWith(prefix)) tree.delete(f);
    };
    const mainPart = parts.find((p) => p.name === main)!;
    put('', mainPart.members, singleTopDir(mainPart.members));
    for (const p of parts) {
      const comp = /\.orig-([A-Za-z0-9][A-Za-z0-9-]*)\.tar/.exec(p.name);
      if (!comp) continue;
      removeUnder(`${comp[1]}/`);
      put(`${comp[1]}/`, p.members, singleTopDir(p.members));
    }
    if (debianTarball && debianTarball !== main) {
      const d = parts.find((p) => p.name === debianTarball)!;
      if (!d.members.some((m) => m.name.startsWith('debian/'))) throw new PipelineError(`${debianTarball} holds no debian/ directory`, { file: dsc });
      removeUnder('debian/');
      put('', d.members.filter((m) => m.name.startsWith('debian/')), false);
    }
    const files = [...tree.keys()].filter((f) => f.length > 0 && !f.split('/').some((s) => SKIP_DIRS.has(s))).sort();
    const entries: Array<[string, string, number, number]> = [];
    const heads: Buffer[] = [];
    let offset = 0;
    mkdirSync(join(tmp, 'src'), { recursive: true });
    for (const f of files) {
      const m = tree.get(f)!;
      entries.push([f, createHash('sha256').update(m.head).digest('base64url'), offset, m.head.length]);
      heads.push(m.head);
      offset += m.head.length;
      if (f.startsWith('debian/')) {
        mkdirSync(join(tmp, 'src', dirname(f)), { recursive: true });
        writeFileSync(join(tmp, 'src', f), m.whole ?? m.head);
      }
    }
    writeFileSync(join(tmp, 'headers.bin'), Buffer.concat(heads));
    writeFileSync(join(tmp, 'files.json'), JSON.stringify(entries));
    try {
      renameSync(tmp, dir);
    } catch (e) {
      if (!existsSync(manifest)) throw e;
    }
    phase?.done(`${files.length} files`);
    return result(JSON.parse(readFileSync(manifest, 'utf8')) as Array<[string, string, number, number]>);
  } catch (e) {
    phase?.fail();
    throw e;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** A tarball's members: regular files (hard links resolved to their target's bytes), debian/ whole. */
async function readMembers(path: string, dsc: string): Promise<TarMember[]> {
  try {
    return await readTarStream(path, { headBytes: HEADER_BYTES, whole: (name) => /^(?:[^/]+\/)?debian\//.test(name) });
  } catch (e) {
    throw new PipelineError(`cannot read ${path.split('/').pop()}: ${(e as Error).message}`, { file: dsc });
  }
}

/** dpkg-source strips a tarball's single top directory (unpack.ts topDir). */
function singleTopDir(members: TarMember[]): boolean {
  const tops = new Set(members.map((m) => (m.name.includes('/') ? m.name.slice(0, m.name.indexOf('/')) : `\0${m.name}`)));
  return tops.size === 1 && ![...tops][0].startsWith('\0');
}
