/**
 * What a build starts from: a package of the workspace (orig tarball(s) from the fetch cache +
 * packages/<pkg>/debian, via pipeline/source/tree.ts) or a directory holding a complete source
 * tree (test fixtures), with optional orig tarballs beside it. Either way the build works on a
 * private scratch copy: packages/ and fixture directories are never modified.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, linkSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { execa } from 'execa';
import { loadPackage, type Workspace } from '../config/workspace.js';
import { PipelineError } from '../errors.js';
import { hashTree, prepareSourceTree, upstreamOf } from '../source/tree.js';
import { readChangelogTop } from '../stages/changelog.js';
import type { ProgressSink } from './progress.js';

export type BuildInput =
  | { pkg: string }
  | {
      /** A complete source tree (debian/ included). */
      dir: string;
      /** Orig tarballs for a non-native package, under their Debian names (`src_1.0.orig.tar.gz`). */
      origTarballs?: string[];
      /** Per-package build switches, as package.yaml's `build:` would give them. */
      build?: { binary?: boolean; archAll?: boolean };
    };

export interface ResolvedInput {
  /** Name used for records and output directories (package.yaml name or Source). */
  name: string;
  /** Source package name (debian/changelog). */
  source: string;
  /** Top changelog entry as the input carries it. */
  version: string;
  build: { binary: boolean; archAll: boolean };
  /** The input's debian/ directory as it is (its control names the build dependencies). */
  debianDir: string;
  /** Content hash of everything that goes into the source package (orig tarballs + tree or debian/). */
  contentHash(): Promise<string>;
  /**
   * The same without debian/changelog, plus the source name and upstream version it names: what a
   * binary test-build depends on, whichever changelog entry a stage (or a changelog-only edit)
   * puts on top (build/reuse.ts).
   */
  treeHashButChangelog(): Promise<string>;
  /** Writable copy under `into`: returns the tree path and its parent (holding the orig tarballs). */
  materialize(into: string): Promise<{ tree: string; parent: string; origTarballs: string[] }>;
}

/** A hard link where the filesystem allows one, else a copy. */
export function linkOrCopy(from: string, to: string): void {
  try {
    linkSync(from, to);
  } catch {
    copyFileSync(from, to);
  }
}

/** `changelog`: its path below `dir` (debian/changelog in a whole tree, changelog in a debian/ dir). */
function butChangelogHash(source: string, version: string, origs: string[], dir: string, changelog: string): string {
  return createHash('sha256')
    .update(`${source} ${upstreamOf(version)}\n`)
    .update(origs.join('\n'))
    .update(hashTree(dir, (rel) => rel === changelog))
    .digest('hex');
}

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

export async function resolveInput(ws: Workspace, input: BuildInput | string, progress?: ProgressSink): Promise<ResolvedInput> {
  const spec: BuildInput = typeof input === 'string' ? { pkg: input } : input;
  if ('pkg' in spec) {
    const pkg = loadPackage(ws, spec.pkg);
    const top = await readChangelogTop(pkg.debianDir);
    return {
      name: spec.pkg,
      source: top.source,
      version: top.version,
      build: { binary: pkg.definition.build.binary, archAll: pkg.definition.build.archAll },
      debianDir: pkg.debianDir,
      // The cached tree's key covers the orig tarballs' sha256 and debian/'s content.
      contentHash: async () => (await prepareSourceTree(ws, spec.pkg, { progress })).key,
      async treeHashButChangelog() {
        const t = await prepareSourceTree(ws, spec.pkg, { progress });
        return butChangelogHash(top.source, top.version, t.origTarballs.map((o) => `${o.name} ${o.sha256}`), pkg.debianDir, 'changelog');
      },
      async materialize(into) {
        const t = await prepareSourceTree(ws, spec.pkg, { into, progress });
        return { tree: t.tree, parent: t.parent, origTarballs: t.origTarballs.map((o) => o.path) };
      },
    };
  }
  const dir = resolve(spec.dir);
  if (!existsSync(join(dir, 'debian', 'changelog')))
    throw new PipelineError('not a source tree (no debian/changelog)', { file: dir });
  const top = await readChangelogTop(join(dir, 'debian'));
  const origs = (spec.origTarballs ?? []).map((o) => resolve(o));
  for (const o of origs) if (!existsSync(o)) throw new PipelineError('orig tarball not found', { file: o });
  return {
    name: top.source,
    source: top.source,
    version: top.version,
    build: { binary: spec.build?.binary ?? true, archAll: spec.build?.archAll ?? true },
    debianDir: join(dir, 'debian'),
    contentHash: async () =>
      createHash('sha256').update(hashTree(dir)).update(origs.map((o) => `${basename(o)} ${sha256(o)}`).join('\n')).digest('hex'),
    treeHashButChangelog: async () => butChangelogHash(top.source, top.version, origs.map((o) => `${basename(o)} ${sha256(o)}`), dir, 'debian/changelog'),
    async materialize(into) {
      mkdirSync(into, { recursive: true });
      const tree = join(into, `${top.source}-${upstreamOf(top.version)}`);
      await execa('cp', ['-a', '--reflink=auto', dir, tree]);
      for (const o of origs) linkOrCopy(o, join(into, basename(o)));
      return { tree, parent: into, origTarballs: origs.map((o) => join(into, basename(o))) };
    },
  };
}
