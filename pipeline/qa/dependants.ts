/**
 * The set's reverse dependencies of a package, and what of each one can be tested at a stage: its
 * source and, where they exist, its binaries — each with where it came from, so a verdict can say
 * exactly what was tested.
 *   source    the newest version in the stage's local archive; else the stage's build record's
 *             .dsc; else packages/<dep> as it is now (the tree the next build would use)
 *   binaries  the stage archive's binaries of that source version (when the archive publishes
 *             them); else the stage's build record's .debs when it built that same version
 *             (also for the packages/ tree, when its changelog names the record's version);
 *             else none: autopkgtest builds them in the testbed, against the new binaries
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { repreproArchive, readSourcesIndex, type RepreproArchive } from '../archive/reprepro.js';
import { resolveInput } from '../build/input.js';
import { packagesInOrder } from '../config/packages.js';
import type { StageConfig } from '../config/schema.js';
import { loadPackage, type Workspace } from '../config/workspace.js';
import { EXIT, isPipelineError } from '../errors.js';
import { wantsGenerated } from '../source/fetch.js';
import { parseDeb822File } from '../debian/deb822.js';
import { compareVersions } from '../debian/version.js';
import type { BuildRecord } from '../state/records.js';
import { StateStore } from '../state/store.js';

export interface DependantUnderTest {
  name: string;
  version: string;
  /** A .dsc or an unpacked tree, and where it came from. */
  source: { path: string; from: string };
  /** The dependant's .debs and where they came from; absent: autopkgtest builds them in the testbed. */
  binaries?: { paths: string[]; from: string };
}

/** The set's packages that name `pkg` in their package.yaml `depends`, in dependency order. */
export function dependantsOf(ws: Workspace, pkg: string): string[] {
  return packagesInOrder(ws).filter((p) => p.definition.depends.includes(pkg)).map((p) => p.definition.name);
}

function localArchive(ws: Workspace, stage: StageConfig): RepreproArchive | undefined {
  return ws.config.archives[stage.target.archive]?.kind === 'reprepro' ? repreproArchive(ws, stage.target.archive) : undefined;
}

/** The .debs a suite's Packages indices list for one source version (Source: defaults to Package). */
export function archiveBinaries(archive: RepreproArchive, suite: string, source: string, version: string): string[] {
  const paths: string[] = [];
  for (const arch of archive.config.architectures) {
    const index = join(archive.dir, 'dists', suite, 'main', `binary-${arch}`, 'Packages');
    if (!existsSync(index)) continue;
    for (const p of parseDeb822File(index, { allowEmpty: true }).paragraphs) {
      const m = /^(\S+)(?:\s+\((\S+)\))?$/.exec(p.value('Source')?.trim() ?? p.value('Package') ?? '');
      const srcVersion = m?.[2] ?? p.value('Version');
      const file = p.value('Filename');
      if (m?.[1] === source && srcVersion === version && file && !paths.includes(join(archive.dir, file))) paths.push(join(archive.dir, file));
    }
  }
  return paths.filter((f) => existsSync(f));
}

/** The newest version of `pkg` the stage's suite lists (with a .dsc), if the stage's archive is local. */
function newestInArchive(archive: RepreproArchive | undefined, suite: string, pkg: string) {
  return archive ? readSourcesIndex(archive, suite).filter((e) => e.package === pkg && e.dsc)
    .sort((a, b) => compareVersions(b.version, a.version, { lenient: true }))[0] : undefined;
}

/** A successful build record of `pkg` at the stage whose .debs all still exist. */
function recordedBuild(ws: Workspace, stage: StageConfig, pkg: string): { record: BuildRecord; debs: string[] } | undefined {
  const record = new StateStore(ws.stateDir).read(pkg, stage.name, 'build');
  if (record?.status !== 'successful') return undefined;
  const debs = record.artifacts.map((a) => a.path).filter((p) => p.endsWith('.deb'));
  return debs.length && debs.every((p) => existsSync(p)) ? { record, debs } : undefined;
}

export async function dependantUnderTest(ws: Workspace, stage: StageConfig, dep: string, scratch: string): Promise<DependantUnderTest> {
  const archive = localArchive(ws, stage);
  const suite = stage.target.suite;
  const inArchive = newestInArchive(archive, suite, dep);
  const record = new StateStore(ws.stateDir).read(dep, stage.name, 'build');
  const built = recordedBuild(ws, stage, dep);
  const fromRecord = (version: string) => (built?.record.version === version
    ? { paths: built.debs, from: `the ${stage.name} stage's build record (${built.record.finishedAt})` } : undefined);

  if (archive && inArchive) {
    const debs = archiveBinaries(archive, suite, dep, inArchive.version);
    return {
      name: dep, version: inArchive.version,
      source: { path: join(archive.dir, inArchive.directory, inArchive.dsc!), from: `the ${stage.name} stage's archive (${suite})` },
      binaries: debs.length ? { paths: debs, from: `the ${stage.name} stage's archive (${suite})` } : fromRecord(inArchive.version),
    };
  }
  if (record?.status === 'successful' && record.dsc && existsSync(record.dsc.path)) {
    return { name: dep, version: record.version, source: { path: record.dsc.path, from: `the ${stage.name} stage's build record` }, binaries: fromRecord(record.version) };
  }
  const { input, tree, generated } = await dependantTree(ws, dep, join(scratch, dep));
  const binaries = fromRecord(input.version);
  return { name: dep, version: input.version, source: { path: tree, from: `packages/${dep}${generated ? `, with its generated upstream tree (${generated})` : ''}` }, ...(binaries ? { binaries } : {}) };
}

/**
 * packages/<dep> as the next build would use it. A dependant whose upstream cannot be reached from
 * here (txzookeeper on PyPI) and that declares `fallback: generated` is tested with its generated
 * upstream tree — the same tree `promote --generated` builds — and the verdict says so: the test
 * still exercises the new binaries through the dependant's debian/tests.
 */
async function dependantTree(ws: Workspace, dep: string, dir: string): Promise<{ input: Awaited<ReturnType<typeof resolveInput>>; tree: string; generated?: string }> {
  // A tree left by an earlier run of the check (or a failed attempt below) is not this one's.
  rmSync(dir, { recursive: true, force: true });
  try {
    const input = await resolveInput(ws, dep);
    return { input, tree: (await input.materialize(dir)).tree };
  } catch (e) {
    const def = loadPackage(ws, dep).definition;
    if (!isPipelineError(e) || e.exitCode !== EXIT.environment || def.source.kind !== 'url' || def.source.fallback !== 'generated' || wantsGenerated()) throw e;
    const saved = process.env.PIPELINE_UPSTREAM;
    process.env.PIPELINE_UPSTREAM = 'generated';
    rmSync(dir, { recursive: true, force: true });
    try {
      const input = await resolveInput(ws, dep);
      return { input, tree: (await input.materialize(dir)).tree, generated: `${new URL(def.source.url).host} is unreachable` };
    } finally {
      if (saved === undefined) delete process.env.PIPELINE_UPSTREAM; else process.env.PIPELINE_UPSTREAM = saved;
    }
  }
}

export interface SetDependencyBinaries {
  name: string;
  version: string;
  paths: string[];
  from: string;
}

/**
 * The binaries of the set's packages `pkg` depends on, as this stage has them: its archive's
 * newest version, else its build record. A package's own tests then run against the dependency
 * the stage will publish it beside (txzookeeper's against this stage's python3-zookeeper), not the
 * target suite's.
 */
export function setDependencyBinaries(ws: Workspace, stage: StageConfig, pkg: string): SetDependencyBinaries[] {
  const own = packagesInOrder(ws).find((p) => p.definition.name === pkg);
  const archive = localArchive(ws, stage);
  const out: SetDependencyBinaries[] = [];
  for (const dep of own?.definition.depends ?? []) {
    const newest = newestInArchive(archive, stage.target.suite, dep);
    const published = archive && newest ? archiveBinaries(archive, stage.target.suite, dep, newest.version) : [];
    const built = published.length ? undefined : recordedBuild(ws, stage, dep);
    if (published.length) out.push({ name: dep, version: newest!.version, paths: published, from: `the ${stage.name} stage's archive (${stage.target.suite})` });
    else if (built) out.push({ name: dep, version: built.record.version, paths: built.debs, from: `the ${stage.name} stage's build record` });
  }
  return out;
}
