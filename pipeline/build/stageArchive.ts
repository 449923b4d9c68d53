/**
 * The stage's own archive in a build (archive/stageRepository.ts), as a Launchpad PPA's builds see
 * the PPA: before the build, which binaries of the stage's suite the package's Build-Depends name
 * (`offered`: hashed into the build's inputs, so a new upload of an in-set build dependency means a
 * new test-build, while ppa and devel of a package without one still share a test-build whatever
 * the archive's URL); during it, the suite's snapshot and bind mount sbuild gets; after it, which
 * version of each binary of the package set the build installed, read from sbuild's log (the
 * `Package versions:` line of its Build environment section).
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTmpDir } from './tmpdir.js';
import type { Workspace } from '../config/workspace.js';
import { packageNames } from '../config/workspace.js';
import { parseControlFile } from '../debian/control.js';
import { parseFieldRelations } from '../debian/relations.js';
import { readPackagesIndex } from '../archive/packagesIndex.js';
import { stageRepository, type StageRepository } from '../archive/stageRepository.js';
import type { BuildRecord, InSetBuildDep } from '../state/records.js';

export interface StageArchiveInputs {
  /** The repository the build gets (absent: the record's `none` says why). */
  repo?: StageRepository;
  /** `name=version` of each binary in the stage's suite that the package's Build-Depends* name, sorted. */
  offered: string[];
  /**
   * `name=version` of every binary the stage's suite holds: what says whether an installed
   * package came from it (a dependency of an in-set build dependency, e.g. libzookeeper-mt2 for
   * python3-zookeeper, is not offered but comes from the stage too). Not part of the inputs.
   */
  held?: string[];
  none?: string;
}

/** Every package name the Build-Depends, -Arch and -Indep fields of debian/control name (any alternative). */
export function buildDependencyNames(debianDir: string): Set<string> {
  const names = new Set<string>();
  const file = join(debianDir, 'control');
  if (!existsSync(file)) return names;
  let control;
  try { control = parseControlFile(file); } catch { return names; } // sbuild reports a broken control itself
  for (const key of ['Build-Depends', 'Build-Depends-Arch', 'Build-Depends-Indep']) {
    const field = control.source.get(key);
    if (!field) continue;
    for (const group of parseFieldRelations(field).groups) for (const r of group) if (!r.substvar) names.add(r.name);
  }
  return names;
}

/** What the stage's archive offers a build of the package whose debian/ is `debianDir`. */
export function stageArchiveInputs(ws: Workspace, stageName: string, debianDir: string): StageArchiveInputs {
  const repo = stageRepository(ws, stageName);
  if (!repo) return { offered: [], none: `the target of ${stageName} is no apt repository a build can use` };
  if (!repo.available) return { offered: [], none: repo.why };
  if (repo.kind === 'remote') return { repo, offered: [] };
  const wanted = buildDependencyNames(debianDir);
  const index = readPackagesIndex(repo.archiveDir!, repo.suite, repo.architectures);
  const offered = index.filter((e) => wanted.has(e.package)).map((e) => `${e.package}=${e.version}`);
  return { repo, offered: [...new Set(offered)].sort(), held: [...new Set(index.map((e) => `${e.package}=${e.version}`))].sort() };
}

/**
 * The part of a build's inputs hash the stage's archive adds: the in-set build dependencies it
 * offers (a remote PPA's content is not known before the build: its apt line stands for it).
 * Undefined when it offers nothing, so the hash of such a build is what it was before.
 */
export function stageArchiveKey(i: StageArchiveInputs): { offered: string[]; remote?: string } | undefined {
  if (i.repo?.kind === 'remote') return { offered: [], remote: i.repo.line };
  return i.offered.length ? { offered: i.offered } : undefined;
}

/** `Package versions: a_1.0 b:amd64_2.0 …` of sbuild's Build environment section: name → version. */
export function installedVersions(log: string): Map<string, string> {
  const line = /^Package versions: (.*)$/m.exec(log)?.[1] ?? '';
  const out = new Map<string, string>();
  for (const item of line.split(/\s+/).filter(Boolean)) {
    const i = item.indexOf('_'); // package names never hold `_`; versions may
    if (i > 0) out.set(item.slice(0, i).replace(/:[a-z0-9-]+$/, ''), item.slice(i + 1));
  }
  return out;
}

/** The binary package names of the set: every Package of packages/<name>/debian/control. */
export function setBinaryNames(ws: Workspace): Set<string> {
  const names = new Set<string>();
  for (const pkg of packageNames(ws)) {
    const file = join(ws.packagesDir, pkg, 'debian', 'control');
    if (!existsSync(file)) continue;
    try { for (const n of parseControlFile(file).packageNames) names.add(n); } catch { /* lint reports it */ }
  }
  return names;
}

/**
 * Each binary of the package set (or of the stage's suite) the build installed, with its version,
 * and whether it came from the stage's archive (the version its suite holds).
 */
export function inSetBuildDeps(ws: Workspace, log: string, offered: readonly string[], held: readonly string[] = offered): InSetBuildDep[] {
  const byName = (entries: readonly string[]) => new Map(entries.map((o) => [o.slice(0, o.indexOf('=')), o.slice(o.indexOf('=') + 1)]));
  const offeredBy = byName(offered);
  const heldBy = byName(held);
  const set = setBinaryNames(ws);
  return [...installedVersions(log)]
    .filter(([name, version]) => set.has(name) || offeredBy.has(name) || heldBy.get(name) === version)
    .map(([name, version]) => ({ package: name, version, fromStage: offeredBy.get(name) === version || heldBy.get(name) === version }))
    .sort((a, b) => a.package.localeCompare(b.package));
}

/** The stage-archive fields of a build record. */
export function stageArchiveRecord(i: StageArchiveInputs): Pick<BuildRecord, 'stageArchive'> {
  if (!i.repo) return { stageArchive: { offered: [], none: i.none ?? 'none' } };
  return { stageArchive: { suite: i.repo.suite, line: i.repo.line, offered: i.offered } };
}

/**
 * "built against liba 2.0-1~ppa1 (from the ppa stage's archive)": the in-set build dependencies a
 * build used, for the binary-build verdict, status and the report. Empty when it used none.
 */
export function describeInSetBuildDeps(build: Pick<BuildRecord, 'inSetBuildDeps' | 'stage'>): string {
  const deps = build.inSetBuildDeps ?? [];
  if (!deps.length) return '';
  return `built against ${deps.map((d) => `${d.package} ${d.version} (${d.fromStage ? `from the ${build.stage} stage's archive` : 'not from the stage\'s archive'})`).join(', ')}`;
}

const VIEW_PREFIX = 'pipeline-stage-archive-';

const alive = (pid: number) => {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
};

/**
 * A fresh directory for a build's stage-archive snapshot, beside where sbuild unpacks the chroot
 * (/dev/shm or /tmp: world-searchable, as the unshare chroot needs). Snapshots left by builds
 * whose process died (a SIGKILL skips the clean-up) are removed first.
 */
export function stageArchiveViewDir(): string {
  const base = buildTmpDir() ?? tmpdir();
  for (const n of existsSync(base) ? readdirSync(base) : []) {
    const pid = Number(/^pipeline-stage-archive-(\d+)-/.exec(n)?.[1]);
    if (pid && !alive(pid)) rmSync(join(base, n), { recursive: true, force: true });
  }
  return mkdtempSync(join(base, `${VIEW_PREFIX}${process.pid}-`));
}
