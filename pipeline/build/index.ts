/**
 * buildPackage: a package's source package built for a stage inside an sbuild container, then its
 * binaries test-built from that .dsc in the same kind of container.
 *
 *   buildPackage(ws, { pkg: 'zookeeper' }, 'ppa')                → BuildRecord
 *   buildPackage(ws, { dir: 'test/fixtures/packages/hello-native' }, 'backports', { plan })
 *
 * Results land in <stateDir>/builds/<name>_<version>_<stage>/ (source artifacts and the source
 * .build log; binary/ for the test-build), written under a temporary name and renamed when
 * complete, and the BuildRecord goes to the state store. A build whose inputs (source content,
 * stage config, plan, chroot key and mtime) match the recorded one is returned from the record
 * without starting sbuild (`cached: true`) unless `force`. A build whose binary test-build would
 * repeat a recorded one (same tree but the stage's changelog entry, same chroot) takes that
 * build's verdict instead (reuse.ts) unless `force` or the stage's `builder.reuse: false`.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import lockfile from 'proper-lockfile';
import { stage as stageConfig, type Workspace } from '../config/workspace.js';
import { planStage, stageDistribution, type SourcePlan } from '../stages/plan.js';
import type { Artifact, BuildRecord, GitRef, SbuildSummary } from '../state/records.js';
import { gitField, packageRef } from '../git/repo.js';
import { StateStore } from '../state/store.js';
import { artifactOf } from '../state/artifact.js';
import type { SbuildResult } from '../tools/sbuild.js';
import { buildBinary } from './binary.js';
import { chrootSpecFor, ensureChroot, findChroot, type ChrootStatus } from './chroots.js';
import { resolveInput, type BuildInput, type ResolvedInput } from './input.js';
import { previousPhaseTimes } from './estimate.js';
import { requireBuildEnvironment } from './preflight.js';
import { silentProgress, type ProgressSink } from './progress.js';
import { binaryInputsHash, describeOrigin, findBinaryOrigin, INFRASTRUCTURE_STAGE, lendBinaryVerdict, reuseAllowed } from './reuse.js';
import { failureMessage } from './sbuildLog.js';
import { buildSource, noEpoch, resultFiles } from './source.js';
import { inSetBuildDeps, stageArchiveInputs, stageArchiveKey, stageArchiveRecord, stageArchiveViewDir, type StageArchiveInputs } from './stageArchive.js';
import { chrootRepository, type ChrootRepository } from '../archive/stageRepository.js';
import { buildTmpDir } from './tmpdir.js';
import { selectLayer } from './layerSelect.js';
import { builderStandIn } from '../schedule/seriesTable.js';

export type { BuildInput } from './input.js';
export type { ProgressSink, ProgressPhase } from './progress.js';
export type { SourcePlan };

export interface BuildOptions {
  /** The stage's source plan (version, distribution, changelog message, -v, -sa/-sd). Default:
   * planStage() for a workspace package; for a directory, its own top changelog version with the
   * stage's distribution. */
  plan?: SourcePlan;
  /** Build even when a recorded build has the same inputs, and test-build the binaries anew (`--rebuild`). */
  force?: boolean;
  /** Re-create the chroot first (`--refresh`). */
  refreshChroot?: boolean;
  /** Skip (false) or force (true) the binary test-build; default the package's `build.binary`. */
  binary?: boolean;
  progress?: ProgressSink;
  /** The commit the package tree is taken from (default: packages/PKG/'s in its git repository, if any). */
  git?: GitRef;
}

/** Bump when the build procedure changes in a way that invalidates recorded results. */
const BUILD_FORMAT = 1;
const BUILD_TOOLS = ['sbuild', 'mmdebstrap', 'newuidmap', 'newgidmap', 'zstd', 'dch', 'dpkg-source'];

export function buildDirName(name: string, version: string, stage: string): string {
  return `${name}_${noEpoch(version)}_${stage}`;
}

function planFields(p: SourcePlan): SourcePlan {
  const { version, distribution, message, newEntry, changesSince, includeOrig } = p;
  return { version, distribution, message, newEntry, ...(changesSince ? { changesSince } : {}), includeOrig };
}

async function defaultPlan(ws: Workspace, input: BuildInput | string, resolved: ResolvedInput, stageName: string): Promise<SourcePlan> {
  if (typeof input === 'string' || 'pkg' in input) return planFields(await planStage(ws, resolved.name, stageName));
  const st = stageConfig(ws, stageName);
  return { version: resolved.version, distribution: stageDistribution(st), message: '', newEntry: false, includeOrig: true };
}

function inputsHash(parts: { content: string; stage: unknown; plan: SourcePlan; build: unknown; chroot: ChrootStatus; binary: boolean; stageArchive?: unknown }): string {
  return createHash('sha256')
    .update(JSON.stringify({
      format: BUILD_FORMAT,
      content: parts.content,
      stage: parts.stage,
      plan: parts.plan,
      build: parts.build,
      binary: parts.binary,
      chroot: { key: parts.chroot.key, mtimeMs: Math.round(parts.chroot.mtimeMs) },
      stageArchive: parts.stageArchive, // left out when undefined: earlier records stay valid
    }))
    .digest('hex');
}

/** A recorded build whose files are all still there. */
function reusable(record: BuildRecord | undefined, hash: string): record is BuildRecord {
  if (!record || record.inputsHash !== hash) return false;
  if (record.status === 'failed' && (!record.failStage || INFRASTRUCTURE_STAGE.test(record.failStage))) return false;
  return existsSync(record.outDir) && record.artifacts.every((a) => existsSync(a.path));
}

const artifact = artifactOf;

/** What a build of `input` for a stage depends on, and how to hash it against a chroot. */
async function buildInputs(ws: Workspace, input: BuildInput | string, stageName: string, options: BuildOptions, progress: ProgressSink) {
  const st = stageConfig(ws, stageName);
  const resolved = await resolveInput(ws, input, progress);
  const plan = planFields(options.plan ?? (await defaultPlan(ws, input, resolved, stageName)));
  const binary = options.binary ?? resolved.build.binary;
  const spec = chrootSpecFor(ws, st);
  const content = await resolved.contentHash();
  // `reuse` enters the hash only when off, so records made before it existed stay valid.
  const { reuse, ...builder } = st.builder;
  // The stage's own archive: what it offers the package's Build-Depends enters both hashes.
  const stageArchive = stageArchiveInputs(ws, stageName, resolved.debianDir);
  const archiveKey = stageArchiveKey(stageArchive);
  const hashWith = (chroot: ChrootStatus) =>
    inputsHash({ content, stage: { target: st.target, builder: reuse === false ? st.builder : builder }, plan, build: resolved.build, chroot, binary, stageArchive: archiveKey });
  const tree = await resolved.treeHashButChangelog();
  const binaryHashWith = (chroot: ChrootStatus) =>
    binaryInputsHash({ content: tree, chroot, archAll: resolved.build.archAll, extraRepositories: st.builder.extraRepositories, stageArchive: archiveKey });
  const previous = new StateStore(ws.stateDir).read(resolved.name, stageName, 'build');
  // The cache check needs no tools and no container: the chroot as it is now names the inputs.
  const current = findChroot(ws, spec);
  const cached = current && !current.stale && reusable(previous, hashWith(current)) ? previous : undefined;
  return { st, resolved, plan, binary, spec, hashWith, binaryHashWith, cached, stageArchive };
}

/**
 * The recorded build of these inputs when it can be served as it is (same inputs, chroot fresh,
 * files present), else undefined. Starts no tool: a resumed build run asks this before building.
 */
export async function cachedBuild(ws: Workspace, input: BuildInput | string, stageName: string, options: BuildOptions = {}): Promise<BuildRecord | undefined> {
  const { cached } = await buildInputs(ws, input, stageName, options, options.progress ?? silentProgress);
  return cached ? { ...cached, cached: true } : undefined;
}

export async function buildPackage(ws: Workspace, input: BuildInput | string, stageName: string, options: BuildOptions = {}): Promise<BuildRecord> {
  const progress = options.progress ?? silentProgress;
  const { st, resolved, plan, binary, spec, hashWith, binaryHashWith, cached, stageArchive } = await buildInputs(ws, input, stageName, options, progress);
  const store = new StateStore(ws.stateDir);
  const spec0 = typeof input === 'string' ? { pkg: input } : input;
  const git = options.git ?? ('pkg' in spec0 ? await packageRef(ws, spec0.pkg) : undefined);
  if (!options.force && !options.refreshChroot && cached) {
    const phase = progress.phase(`build ${resolved.name} ${plan.version} (${stageName})`);
    phase.done(`cached: ${cached.status} ${cached.finishedAt}`);
    // Same inputs, same content: the result stands for the commit packages/PKG/ is at now.
    return { ...cached, cached: true, ...gitField(git ?? cached.git) };
  }

  requireBuildEnvironment(BUILD_TOOLS);
  const chroot = await ensureChroot(ws, spec, { refresh: options.refreshChroot, progress });
  const chrootPhase = progress.phase(`chroot ${spec.suite}-${spec.architecture}`);
  const standIn = builderStandIn(ws.config, st);
  chrootPhase.done(`${basename(chroot.tarball)}, ${chroot.ageDays.toFixed(1)} days old${standIn ? ` — ${standIn}` : ''}`);
  const hash = hashWith(chroot);

  const buildsDir = join(ws.stateDir, 'builds');
  const name = buildDirName(resolved.name, plan.version, stageName);
  const finalDir = join(buildsDir, name);
  mkdirSync(buildsDir, { recursive: true });
  const release = await lockfile.lock(finalDir, {
    realpath: false,
    lockfilePath: `${finalDir}.lock`,
    stale: 30_000,
    retries: { retries: 3600, minTimeout: 1000, maxTimeout: 1000, factor: 1 },
  });
  try {
    // Leftovers of an interrupted build of the same name (we hold its lock).
    for (const n of readdirSync(buildsDir)) if (n.startsWith(`.${name}.`)) rmSync(join(buildsDir, n), { recursive: true, force: true });
    const tmpDir = join(buildsDir, `.${name}.tmp-${process.pid}`);
    mkdirSync(tmpDir, { recursive: true });
    const record = await runBuild({
      ws, resolved, plan, stageName, chroot, tmpDir, binary, progress, hash, extraRepositories: st.builder.extraRepositories, stageArchive, ...(standIn ? { standIn } : {}),
      binaryHash: binaryHashWith(chroot), reuse: reuseAllowed(st, options),
    });
    // Swap the complete result into place; the previous one stays until this moment.
    const old = join(buildsDir, `.${name}.old-${process.pid}`);
    if (existsSync(finalDir)) renameSync(finalDir, old);
    renameSync(tmpDir, finalDir);
    rmSync(old, { recursive: true, force: true });
    const moved = { ...relocate(record, tmpDir, finalDir), ...gitField(git) };
    const summaryPhase = progress.phase('summary');
    if (moved.status === 'successful') summaryPhase.done(`${moved.status}: ${relative(process.cwd(), finalDir) || finalDir}`);
    else summaryPhase.fail(`${moved.failedPart} build failed at ${moved.failStage ?? '?'}: ${moved.message ?? ''}`);
    store.write('build', moved);
    return moved;
  } finally {
    await release();
  }
}

interface RunBuildArgs {
  ws: Workspace;
  resolved: ResolvedInput;
  plan: SourcePlan;
  stageName: string;
  chroot: ChrootStatus;
  tmpDir: string;
  binary: boolean;
  progress: ProgressSink;
  hash: string;
  extraRepositories: string[];
  /** The stage's own archive (build/stageArchive.ts): an extra repository of both builds when it has one. */
  stageArchive: StageArchiveInputs;
  /** The stage's stated chroot override (builder.standIn), recorded with the chroot. */
  standIn?: string;
  binaryHash: string;
  /** May take a recorded build's binary verdict (reuse.ts). */
  reuse: boolean;
}

function failed(part: 'source' | 'binary', r: SbuildResult): Pick<BuildRecord, 'status' | 'failedPart' | 'failStage' | 'message'> {
  const log = r.log ? readFileSync(r.log, 'utf8') : '';
  const failStage = r.summary?.failStage ?? (r.summary ? undefined : 'sbuild');
  return {
    status: 'failed',
    failedPart: part,
    failStage,
    message: failureMessage(log, failStage) ?? `sbuild exited with status ${r.exitCode}`,
  };
}

async function runBuild(a: RunBuildArgs): Promise<BuildRecord> {
  // The stage's archive as the chroot sees it: a snapshot bind-mounted by sbuild, removed after.
  const repo = a.stageArchive.repo;
  const view = repo ? stageArchiveViewDir() : undefined;
  try {
    let seen: ChrootRepository | undefined;
    if (repo && view) {
      const phase = a.progress.phase(`stage archive ${repo.suite}`);
      seen = await chrootRepository(a.ws, repo, view);
      const n = seen.packages.length;
      phase.done(`${n} binar${n === 1 ? 'y' : 'ies'}${a.stageArchive.offered.length ? `; build-depends on ${a.stageArchive.offered.join(', ')}` : ''}`);
    }
    return { ...await runBuildIn(a, seen), ...stageArchiveRecord(a.stageArchive) };
  } finally {
    if (view) rmSync(view, { recursive: true, force: true });
  }
}

async function runBuildIn(a: RunBuildArgs, seen: ChrootRepository | undefined): Promise<BuildRecord> {
  const sbuildTmp = buildTmpDir();
  const stageRepo = seen ? { extraRepositories: [...a.extraRepositories, seen.line], bindMounts: seen.bindMounts } : { extraRepositories: a.extraRepositories };
  const estimates = previousPhaseTimes(a.ws, a.resolved.name, a.chroot.key);
  const src = await buildSource({
    input: a.resolved,
    plan: a.plan,
    chroot: a.chroot.tarball,
    outDir: a.tmpDir,
    workDir: join(a.tmpDir, '.src'),
    tmpDir: sbuildTmp,
    extraRepositories: a.extraRepositories,
    ...(seen ? { stageRepository: { line: seen.line, bindMounts: seen.bindMounts } } : {}),
    maintainer: a.ws.config.maintainer,
    progress: a.progress,
    estimates: estimates.source,
  });
  const base = {
    package: a.resolved.name,
    version: a.plan.version,
    stage: a.stageName,
    outDir: a.tmpDir,
    inputsHash: a.hash,
    chroot: { tarball: a.chroot.tarball, key: a.chroot.key, ...(a.standIn ? { standIn: a.standIn } : {}) },
    sourceSummary: src.summary,
    sourceLog: src.log,
    commands: [src.command],
  };
  const done = async (extra: Partial<BuildRecord>, dirs: string[]): Promise<BuildRecord> => {
    const artifacts = await Promise.all(dirs.flatMap((d) => resultFiles(d)).map(artifact));
    const find = (p?: string) => (p ? artifacts.find((x) => x.path === p) : undefined);
    return {
      ...base,
      status: 'successful',
      artifacts,
      dsc: find(src.dsc),
      sourceChanges: find(src.sourceChanges),
      ...extra,
      finishedAt: new Date().toISOString(),
    } as BuildRecord;
  };
  if (!src.dsc) return done(failed('source', src), [a.tmpDir]);
  if (!a.binary) return done({ message: 'binary test-build skipped (build.binary: false)' }, [a.tmpDir]);
  const binDir = join(a.tmpDir, 'binary');
  const origin = a.reuse ? findBinaryOrigin(a.ws, a.resolved.name, a.binaryHash) : undefined;
  if (origin) {
    const lent = lendBinaryVerdict(origin, binDir);
    const phase = a.progress.phase('binary: reused');
    const verdict = `${origin.status === 'successful' ? 'successful' : `failed at ${origin.failStage}`}: the verdict of ${describeOrigin(lent.binaryFrom!)}`;
    if (origin.status === 'successful') phase.done(verdict);
    else phase.fail(verdict);
    return done({ ...lent, binaryInputsHash: a.binaryHash }, [a.tmpDir]);
  }
  // The layer is an optimisation of the same chroot: the binary inputs hash stays the base's.
  const { pin, ...layer } = await selectLayer(a.ws, {
    chroot: a.chroot, dsc: src.dsc, archAny: true, archAll: a.resolved.build.archAll, ...stageRepo,
    madeFor: `${a.resolved.name} ${a.plan.version}`, tmpDir: sbuildTmp, progress: a.progress,
  });
  const bin = await buildBinary({
    dsc: src.dsc,
    chroot: pin?.path ?? layer.tarball,
    buildDepsInstalled: layer.resolver === 'null',
    distribution: a.plan.distribution,
    outDir: binDir,
    archAll: a.resolved.build.archAll,
    tmpDir: sbuildTmp,
    ...stageRepo,
    progress: a.progress,
    estimates: estimates.binary,
  }).finally(() => pin?.release());
  // The command as it would be run again by hand names the layer, not this build's pin of it.
  if (pin) bin.command = bin.command.map((arg) => (arg === `--chroot=${pin.path}` ? `--chroot=${layer.tarball}` : arg));
  const binOk = bin.exitCode === 0 && bin.summary?.status === 'successful';
  const deps = bin.log ? inSetBuildDeps(a.ws, readFileSync(bin.log, 'utf8'), a.stageArchive.offered, a.stageArchive.held) : [];
  const extra: Partial<BuildRecord> = {
    binarySummary: bin.summary, binaryLog: bin.log, binaryInputsHash: a.binaryHash, layer, commands: [src.command, bin.command],
    ...(deps.length ? { inSetBuildDeps: deps } : {}),
  };
  return done(binOk ? extra : { ...extra, ...failed('binary', bin) }, [a.tmpDir, binDir]);
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The record's paths as they are after the temporary directory was renamed into place. */
function relocate(record: BuildRecord, from: string, to: string): BuildRecord {
  const move = (p: string) => (p.startsWith(`${from}/`) || p === from ? to + p.slice(from.length) : p);
  const art = (x?: Artifact) => (x ? { ...x, path: move(x.path) } : undefined);
  return {
    ...record,
    outDir: to,
    dsc: art(record.dsc),
    sourceChanges: art(record.sourceChanges),
    artifacts: record.artifacts.map((x) => art(x)!),
    sourceLog: record.sourceLog ? move(record.sourceLog) : undefined,
    binaryLog: record.binaryLog ? move(record.binaryLog) : undefined,
    // As they would be run again by hand: the .dsc the binary build used is in the final place.
    commands: record.commands?.map((c) => c.map((arg) => arg.split(`${from}/`).join(`${to}/`).replace(new RegExp(`=${escape(from)}$`), `=${to}`))),
  };
}

export type { SbuildSummary };
