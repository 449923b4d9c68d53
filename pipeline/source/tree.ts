/**
 * The unpacked source tree of a package, as lint and build see it: the verified orig tarball(s)
 * from fetchSource, unpacked the way dpkg-source unpacks them, with packages/<pkg>/debian laid
 * over it and its quilt patches applied (`dpkg-source --before-build`).
 *
 *   sourceTree(ws, 'zookeeper')  → <cacheDir>/trees/zookeeper/<key>/zookeeper-3.9.3
 *   prepareSourceTree(ws, pkg, { into })  → { tree, parent, source, version, upstreamVersion, origTarballs }
 *
 * Trees are cached by a key over the orig tarballs' sha256 and the contents of debian/, so an
 * edited debian/ gives a new tree and an unchanged one is reused. The orig tarballs are linked
 * next to the tree (in `parent`) so `dpkg-source -b` can run there. Cached trees are shared:
 * treat them as read-only, and pass `into: DIR` for a private, writable copy (e.g. to add a
 * changelog entry for a stage's version before building).
 */
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, lstatSync, readlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import { execa } from 'execa';
import type { Workspace } from '../config/workspace.js';
import { loadPackage } from '../config/workspace.js';
import { PipelineError } from '../errors.js';
import { readChangelogTop } from '../stages/changelog.js';
import { fetchSource, type FetchOptions, type SourceFile } from './fetch.js';

export interface SourceTree {
  /** The unpacked tree: <parent>/<source>-<upstreamVersion>. */
  tree: string;
  /** Directory holding the tree and the orig tarball(s) under their Debian names. */
  parent: string;
  /** Source package name and full version, from debian/changelog. */
  source: string;
  version: string;
  upstreamVersion: string;
  origTarballs: SourceFile[];
  /** The cache key (orig tarballs + debian/ contents). */
  key: string;
}

export interface SourceTreeOptions extends FetchOptions {
  /** Materialise a private writable copy under this directory instead of returning the cache. */
  into?: string;
}

const READY = '.pipeline-tree-ready';

/** Path of the unpacked tree (orig + packages/<pkg>/debian, patches applied). */
export async function sourceTree(ws: Workspace, pkgName: string, opts: SourceTreeOptions = {}): Promise<string> {
  return (await prepareSourceTree(ws, pkgName, opts)).tree;
}

/** Upstream part of a Debian version: no epoch, no revision. */
export function upstreamOf(version: string): string {
  const noEpoch = version.replace(/^\d+:/, '');
  const dash = noEpoch.lastIndexOf('-');
  return dash < 0 ? noEpoch : noEpoch.slice(0, dash);
}

/** Stable hash of a directory's files (relative path, mode, content), symlinks by target. */
export function hashTree(dir: string, skip?: (rel: string) => boolean): string {
  const hash = createHash('sha256');
  const walk = (rel: string) => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      if (skip?.(r)) continue;
      const st = lstatSync(join(dir, r));
      if (st.isDirectory()) walk(r);
      else if (st.isSymbolicLink()) hash.update(`L ${r} ${readlinkSync(join(dir, r))}\n`);
      else {
        hash.update(`F ${r} ${(st.mode & 0o111) ? 'x' : '-'} ${st.size}\n`);
        hash.update(readFileSync(join(dir, r)));
      }
    }
  };
  walk('');
  return hash.digest('hex');
}

function linkOrCopy(from: string, to: string): void {
  try { linkSync(from, to); } catch { copyFileSync(from, to); }
}

/** Unpack a tarball as dpkg-source does: a single top-level directory is stripped. */
async function unpack(tarball: string, into: string): Promise<void> {
  mkdirSync(into, { recursive: true });
  const list = await execa('tar', ['-tf', tarball], { maxBuffer: 256 * 1024 * 1024 });
  const tops = new Set(list.stdout.split('\n').filter(Boolean).map((p) => p.replace(/^\.\//, '').split('/')[0]).filter(Boolean));
  const strip = tops.size === 1 && list.stdout.split('\n').some((p) => p.replace(/^\.\//, '').includes('/'));
  await execa('tar', ['-xf', tarball, '--no-same-owner', '-C', into, ...(strip ? ['--strip-components=1'] : [])]);
}

export async function prepareSourceTree(ws: Workspace, pkgName: string, opts: SourceTreeOptions = {}): Promise<SourceTree> {
  const pkg = loadPackage(ws, pkgName);
  const { source, version } = await readChangelogTop(pkg.debianDir);
  const fetched = await fetchSource(ws, pkgName, opts);
  const upstreamVersion = upstreamOf(version);
  const isNative = !version.replace(/^\d+:/, '').includes('-');

  // The orig tarballs under the names dpkg-source expects for this changelog version.
  const origs = fetched.origTarballs.map((f) => {
    const m = /\.orig(-[A-Za-z0-9][A-Za-z0-9-]*)?\.tar\.([a-z0-9]+)$/.exec(f.name);
    if (!m) throw new PipelineError(`not an orig tarball: ${f.name}`, { file: fetched.dir });
    return { file: f, component: m[1]?.slice(1), debianName: `${source}_${upstreamVersion}.orig${m[1] ?? ''}.tar.${m[2]}` };
  });
  const main = origs.find((o) => !o.component);
  if (!main && !isNative)
    throw new PipelineError(`no orig tarball for ${source} ${upstreamVersion} in ${fetched.dir}`, { file: relative(process.cwd(), pkg.file) });
  const fetchedUpstream = fetched.origin === 'apt' ? upstreamOf(fetched.version) : fetched.version;
  if (fetchedUpstream !== upstreamVersion)
    throw new PipelineError(`debian/changelog is for upstream ${upstreamVersion} but the fetched source is ${fetchedUpstream}`, {
      file: relative(process.cwd(), join(pkg.debianDir, 'changelog')),
      hint: 'add a changelog entry for the new upstream version, or fix package.yaml upstream.version/source',
    });

  const key = createHash('sha256')
    .update(origs.map((o) => `${o.debianName} ${o.file.sha256}`).join('\n'))
    .update(hashTree(pkg.debianDir))
    .digest('hex').slice(0, 16);
  const base = join(ws.cacheDir, 'trees', pkgName);
  const parent = join(base, key);
  const treeName = `${source}-${upstreamVersion}`;
  const result = (p: string): SourceTree => ({
    tree: join(p, treeName), parent: p, source, version, upstreamVersion, key,
    origTarballs: origs.map((o) => ({ ...o.file, name: o.debianName, path: join(p, o.debianName) })),
  });

  if (!existsSync(join(parent, READY))) {
    const phase = opts.progress?.phase(`unpack ${treeName} + debian/ (${key})`);
    mkdirSync(base, { recursive: true });
    const tmp = mkdtempSync(join(base, '.build-'));
    try {
      const tree = join(tmp, treeName);
      for (const o of origs) linkOrCopy(o.file.path, join(tmp, o.debianName));
      if (main) await unpack(main.file.path, tree);
      for (const o of origs.filter((x) => x.component)) await unpack(o.file.path, join(tree, o.component!));
      rmSync(join(tree, 'debian'), { recursive: true, force: true });
      cpSync(pkg.debianDir, join(tree, 'debian'), { recursive: true, preserveTimestamps: true });
      const before = await execa('dpkg-source', ['--before-build', tree], { reject: false, all: true });
      if (before.exitCode !== 0) {
        const line = (before.all ?? '').split('\n').find((l) => /error|fail/i.test(l)) ?? (before.all ?? '').split('\n').pop();
        throw new PipelineError(`dpkg-source --before-build failed: ${line}`, { file: relative(process.cwd(), pkg.debianDir), exitCode: 1 });
      }
      writeFileSync(join(tmp, READY), `${new Date().toISOString()}\n`);
      try {
        renameSync(tmp, parent);
      } catch (e) {
        // Another process built the same key first: theirs is equivalent.
        if (!existsSync(join(parent, READY))) throw e;
      }
      phase?.done();
    } catch (e) {
      phase?.fail();
      throw e;
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    pruneOldTrees(base, key);
  }

  if (!opts.into) return result(parent);
  mkdirSync(opts.into, { recursive: true });
  const target = join(opts.into, treeName);
  if (existsSync(target)) throw new PipelineError(`${target} already exists`, { hint: 'pass an empty directory as into' });
  await execa('cp', ['-a', '--reflink=auto', join(parent, treeName), target]);
  for (const o of origs) if (!existsSync(join(opts.into, o.debianName))) linkOrCopy(join(parent, o.debianName), join(opts.into, o.debianName));
  return result(opts.into);
}

/** Keep the cache bounded: drop other keys' trees not used for a day. */
function pruneOldTrees(base: string, keep: string): void {
  const dayAgo = Date.now() - 24 * 3600 * 1000;
  for (const name of readdirSync(base)) {
    if (name === keep) continue;
    const p = join(base, name);
    try {
      if (statSync(p).mtimeMs < dayAgo) rmSync(p, { recursive: true, force: true });
    } catch { /* raced with another pruner */ }
  }
}
