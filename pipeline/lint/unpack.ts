/**
 * A .dsc to lint, verified (debian/verifyDsc.ts, as dscverify) and unpacked once into
 * <cacheDir>/lint-trees/<sha>-shipped/src: the source *as shipped* — the orig tarball(s) with
 * debian/ from the Debian tarball, patches not applied — which is what debian/copyright's Files
 * patterns describe. 3.0 (quilt) and native sources are unpacked by tar directly, every tarball at
 * once (dpkg-source would also apply the patches, in Perl, one after another: 3 s of ZooKeeper's
 * 4); any other format (1.0 with a .diff.gz) by `dpkg-source -x`.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { verifySourceControlFile } from '../debian/verifyDsc.js';
import { PipelineError } from '../errors.js';
import type { Progress } from '../source/fetch.js';

const TARBALL = /\.tar(?:\.(?:gz|xz|bz2|lzma|zst))?$/;

export async function unpackDsc(cacheDir: string, dsc: string, progress?: Progress): Promise<string> {
  const sc = await verifySourceControlFile(dsc, displayPath(dsc));
  const key = createHash('sha256').update(readFileSync(dsc)).digest('hex').slice(0, 16);
  const dir = join(cacheDir, 'lint-trees', `${key}-shipped`);
  const tree = join(dir, 'src');
  if (existsSync(tree)) return tree;
  mkdirSync(join(cacheDir, 'lint-trees'), { recursive: true });
  const tmp = mkdtempSync(join(cacheDir, 'lint-trees', '.unpack-'));
  const phase = progress?.phase(`unpack ${dsc.split('/').pop()}`);
  try {
    const names = sc.files.map((f) => f.name);
    const tarOnly = /^3\.0 \((?:quilt|native)\)$/.test(sc.format?.trim() ?? '') && names.every((n) => TARBALL.test(n) || n.endsWith('.asc'));
    if (tarOnly) await extractShipped(dirname(dsc), names.filter((n) => TARBALL.test(n)), tmp, dsc);
    else await dpkgSource(dsc, join(tmp, 'src'));
    try {
      renameSync(tmp, dir);
    } catch (e) {
      if (!existsSync(tree)) throw e;
    }
    phase?.done();
    return tree;
  } catch (e) {
    phase?.fail();
    throw e;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function dpkgSource(dsc: string, dest: string): Promise<void> {
  const { execa } = await import('execa');
  // No --no-check: dpkg-source checks the checksums again itself (an unsigned .dsc is only a warning).
  const r = await execa('dpkg-source', ['-x', dsc, dest], { reject: false, all: true, env: { LC_ALL: 'C.UTF-8' } });
  if (r.exitCode !== 0) {
    const why = (r.all ?? '').split('\n').filter((l) => /error/.test(l)).pop() ?? `exit ${r.exitCode}`;
    throw new PipelineError(`dpkg-source -x failed: ${why}`, { file: dsc });
  }
}

/** Each tarball into its own directory at once; then orig, components (orig-NAME → NAME/) and debian/ assembled into tmp/src. */
async function extractShipped(from: string, tarballs: string[], tmp: string, dsc: string): Promise<void> {
  // execa is loaded here, not at start-up: a lint of an already unpacked source spawns nothing.
  const { execa } = await import('execa');
  const parts = tarballs.map((name, k) => ({ name, into: join(tmp, `part${k}`) }));
  await Promise.all(parts.map(async (p) => {
    mkdirSync(p.into);
    // GNU tar refuses members with `..` and strips a leading `/`; owners are never taken from the archive.
    const r = await execa('tar', ['-xf', join(from, p.name), '-C', p.into, '--no-same-owner', '--no-same-permissions'], { reject: false, all: true, env: { LC_ALL: 'C.UTF-8' } });
    if (r.exitCode !== 0) throw new PipelineError(`cannot unpack ${p.name}: ${(r.all ?? '').split('\n').filter(Boolean).pop() ?? `tar exit ${r.exitCode}`}`, { file: dsc });
  }));
  const src = join(tmp, 'src');
  const debian = parts.find((p) => /\.debian\.tar/.test(p.name));
  const main = parts.find((p) => /\.orig\.tar/.test(p.name)) ?? parts.find((p) => p !== debian);
  if (!main) throw new PipelineError('lists no source tarball', { file: dsc });
  renameSync(topDir(main.into), src);
  for (const p of parts) {
    const comp = /\.orig-([A-Za-z0-9][A-Za-z0-9-]*)\.tar/.exec(p.name);
    if (!comp) continue;
    rmSync(join(src, comp[1]), { recursive: true, force: true });
    renameSync(topDir(p.into), join(src, comp[1]));
  }
  if (debian && debian !== main) {
    if (!existsSync(join(debian.into, 'debian'))) throw new PipelineError(`${debian.name} holds no debian/ directory`, { file: dsc });
    rmSync(join(src, 'debian'), { recursive: true, force: true });
    renameSync(join(debian.into, 'debian'), join(src, 'debian'));
  }
}

/** A tarball's single top directory (as dpkg-source strips it), or the directory itself. */
function topDir(dir: string): string {
  const entries = readdirSync(dir);
  if (entries.length === 1 && statSync(join(dir, entries[0])).isDirectory()) return join(dir, entries[0]);
  return dir;
}

export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}
