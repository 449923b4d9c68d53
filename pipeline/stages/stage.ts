/**
 * The Stage interface: one upload to one stage of the progression, read as a lifecycle —
 *   verify   gates that need no artifact: version policy, progression, dependencies, freeze
 *   prepare  the plan: version, changelog entry (as dch writes it), upload target and command
 *   build    the source package (and binary test-build) for the plan
 *   sign     the exact upload set, debsigned; every later gate is bound to its sha256
 *   lint     lint the signed .dsc as unpacked (+ the real lintian on the .changes for container
 *            builds); binary-build verdict; all verdicts recorded
 *   qa       the stage's QA checks on the build (pipeline/qa: installability, upgrade path,
 *            autopkgtest, reverse dependencies, debdiff, reproducibility), added to the record
 *   publish  dput (+ reprepro processincoming for the local archive)
 *   confirm  read the target's index, record the landed version (PublishRecord + history)
 * BaseStage implements the lifecycle; PpaStage, DevelStage and BackportStage (one file each)
 * supply their version policy and extra gates.
 */
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { StageConfig } from '../config/schema.js';
import { loadPackage, type Workspace } from '../config/workspace.js';
import { PipelineError } from '../errors.js';
import { lintPackage } from '../lint/index.js';
import type { BuildRecord, GateVerdict, GitRef, PublishRecord, Severity, StageKind } from '../state/records.js';
import type { RunProgress } from '../state/runner.js';
import type { StepContext } from '../state/steps.js';
import { StateStore } from '../state/store.js';
import { ensureSigningKey } from '../archive/signing.js';
import { describeOrigin } from '../build/reuse.js';
import { describeInSetBuildDeps } from '../build/stageArchive.js';
import { builderName, getBuilder } from './builders.js';
import {
  applyWaiver, bind, blocking, dependenciesGate, describeBlocked, findWaiver, GATES, progressionGate, readGateRecord,
  withVerdicts, writeGateRecord, type PlannedStep, type Waiver,
} from './gates.js';
import { planStage, type StagePlan } from './plan.js';
import { changelogEntryOf, lintDebianDir, withStageDebianDir } from './prelint.js';
import { confirmUpload, publishUpload, reconcilePublish, type PublishOutput } from './publish.js';
import { changedFiles, describeUpload, prepareUpload, uploadDir, uploadSourceId, writeUploadEvidence, type UploadSet } from './upload.js';
import { dputInvocation } from '../archive/dput.js';
import { plannedChecks, qaWorkDir, runQa } from '../qa/run.js';
import { publishStageBinaries } from '../archive/stageBinaries.js';
import { cleanTreeGate } from '../git/cleanTree.js';
import { gitField, packageRef } from '../git/repo.js';
import { tagUpload, type TagOutput } from '../git/tagStep.js';

export const STEPS = ['verify', 'prepare', 'build', 'sign', 'lint', 'qa', 'publish', 'confirm', 'tag'] as const;
export type StepName = (typeof STEPS)[number];

/** What a promote run was asked to do (journaled: a resumed run rebuilds its steps from it). */
export interface PromoteArgs {
  package: string;
  /** The stages this run goes through, in progression order. */
  stages: string[];
  /** `--waive GATE --reason R` (applies to every stage of the run unless `stage` is set). */
  waivers?: Waiver[];
  /** Builder name (`sbuild`, `host`); default $PIPELINE_BUILDER or sbuild. */
  builder?: string;
  /** Rebuild even when the build cache holds a result. */
  force?: boolean;
  /** (package, stage) pairs an earlier part of the same invocation promotes (`--all --dry-run`). */
  planned?: PlannedStep[];
  /** `--ffe N` for the freeze gate. */
  ffe?: string;
  /** `--approval N`: the release team's approval after FinalFreeze, for the freeze gate. */
  approval?: string;
  /** `--generated`: upstreams that cannot be reached use the generated tree (journaled: a resume does too). */
  generated?: boolean;
  /** `--push REMOTE`: push the run's DEP-14 tags there. */
  push?: string;
}

export interface StageRun {
  ws: Workspace;
  pkg: string;
  args: PromoteArgs;
  ctx: StepContext;
  progress?: RunProgress;
}

export interface VerifyOutput {
  plan: StagePlan;
  verdicts: GateVerdict[];
}

export interface PrepareOutput {
  plan: StagePlan;
  /** The changelog entry as dch writes it (empty for a devel upload that only sets the distribution). */
  changelogEntry: string;
  upload: { host: string; command: string[] };
  /** The stage's lint gate on debian/ before the build (stages/prelint.ts); the lint step has the final word. */
  debianLint?: GateVerdict;
  /** The QA checks the qa step will run, with their severity (pipeline/qa/checks.ts). */
  qa?: ReturnType<typeof plannedChecks>;
}

export interface LintOutput {
  verdicts: GateVerdict[];
  counts: Record<Severity, number>;
  dscSha256: string;
  changesSha256: string;
  git?: GitRef;
}

export interface QaOutput {
  /** The QA verdicts, bound to the upload's source identity. */
  verdicts: GateVerdict[];
  /** The checks that ran, in order. */
  checks: string[];
}

export interface Stage {
  readonly kind: StageKind;
  readonly config: StageConfig;
  verify(run: StageRun): Promise<VerifyOutput>;
  prepare(run: StageRun): Promise<PrepareOutput>;
  build(run: StageRun): Promise<BuildRecord>;
  sign(run: StageRun): Promise<UploadSet>;
  lint(run: StageRun): Promise<LintOutput>;
  qa(run: StageRun): Promise<QaOutput>;
  publish(run: StageRun): Promise<PublishOutput>;
  confirm(run: StageRun): Promise<PublishRecord>;
  tag(run: StageRun): Promise<TagOutput>;
  reconcileSign(run: StageRun): Promise<UploadSet | undefined>;
  reconcilePublish(run: StageRun): Promise<PublishOutput | undefined>;
}

/** A gate failure: permanent (never retried), exit 1, naming what to do. */
export function blockedError(pkg: string, stage: string, verdicts: readonly GateVerdict[], plan?: StagePlan): BlockedError {
  return Object.assign(new PipelineError(`${pkg} → ${stage} blocked: ${describeBlocked(verdicts)}`, { exitCode: 1 }), {
    permanent: true as const, stage, verdicts: [...verdicts], ...(plan ? { plan } : {}),
  });
}

/** A blocked gate as thrown: the verdicts travel with it so the caller can report them. */
export type BlockedError = PipelineError & { permanent: true; stage: string; verdicts: GateVerdict[]; plan?: StagePlan };

export function isBlockedError(e: unknown): e is BlockedError {
  return e instanceof PipelineError && Array.isArray((e as Partial<BlockedError>).verdicts);
}

export abstract class BaseStage implements Stage {
  abstract readonly kind: StageKind;
  constructor(readonly config: StageConfig) {}

  /** This stage kind's version rules for the planned version. */
  abstract versionGate(ws: Workspace, plan: StagePlan): GateVerdict | Promise<GateVerdict>;

  /** Further gates of this kind (the devel stage's freeze gate). */
  async extraGates(_run: StageRun, _plan: StagePlan): Promise<GateVerdict[]> {
    return [];
  }

  protected out<T>(run: StageRun, step: StepName): T {
    const v = run.ctx.outputs[`${this.config.name}:${step}`];
    if (v === undefined) throw new PipelineError(`internal: step ${this.config.name}:${step} has no output yet`);
    return v as T;
  }

  async verify(run: StageRun): Promise<VerifyOutput> {
    const { ws, pkg, args } = run;
    const plan = await planStage(ws, pkg, this.config.name);
    // Dry runs write nothing, so earlier stages of this run count as reached; real runs check the world.
    const i = args.stages.indexOf(this.config.name);
    const planned: PlannedStep[] = run.ctx.dryRun
      ? [...(args.planned ?? []), ...args.stages.slice(0, Math.max(0, i)).map((s) => ({ package: pkg, stage: s }))]
      : [];
    const raw = [
      await this.versionGate(ws, plan),
      await progressionGate(ws, pkg, this.config.name, planned),
      await dependenciesGate(ws, pkg, this.config.name, planned),
      await cleanTreeGate(ws, pkg),
      ...(await this.extraGates(run, plan)),
    ];
    const verdicts = raw.map((v) => applyWaiver(v, findWaiver(ws, pkg, this.config.name, v.gate, args.waivers)));
    if (!run.ctx.dryRun && blocking(verdicts).length) throw blockedError(pkg, this.config.name, verdicts, plan);
    return { plan, verdicts };
  }

  async prepare(run: StageRun): Promise<PrepareOutput> {
    const { plan, verdicts } = this.out<VerifyOutput>(run, 'verify');
    const changes = join(uploadDir(run.ws, run.pkg, this.config.name, plan.version), `${plan.source}_${plan.version.replace(/^\d+:/, '')}_source.changes`);
    const inv = dputInvocation(run.ws, this.config, changes);
    // Block before a quarter-hour build on what the lint step would block on after it.
    const early = await lintDebianDir(run.ws, run.pkg, this.config, plan);
    const { changelogEntry } = early;
    const debianLint = applyWaiver({ ...early.gate, gate: GATES.lint, ...(early.gate.reason ? { reason: `debian/, before the build: ${early.gate.reason}` } : {}) },
      findWaiver(run.ws, run.pkg, this.config.name, GATES.lint, run.args.waivers));
    if (!run.ctx.dryRun && blocking([debianLint]).length) throw blockedError(run.pkg, this.config.name, [...verdicts, debianLint], plan);
    return { plan, changelogEntry, upload: { host: inv.host, command: [inv.file, ...inv.args] }, debianLint, qa: plannedChecks({ stage: this.config }) };
  }

  async build(run: StageRun): Promise<BuildRecord> {
    const { plan } = this.out<PrepareOutput>(run, 'prepare');
    const builder = await getBuilder(builderName(run.args.builder));
    const git = await packageRef(run.ws, run.pkg); // the commit the builder's copy of packages/PKG/ comes from
    const record = await builder({ ws: run.ws, pkg: run.pkg, stage: this.config.name, plan, force: run.args.force, progress: run.progress, ...gitField(git) });
    // Every builder's result is the stage's build on record (the container build writes it too).
    new StateStore(run.ws.stateDir).write('build', record);
    if (record.status !== 'successful' && record.failedPart !== 'binary') {
      const log = record.sourceLog ? ` (log: ${record.sourceLog})` : '';
      throw Object.assign(new PipelineError(`source build of ${run.pkg} ${plan.version} failed${record.failStage ? ` at ${record.failStage}` : ''}: ${record.message ?? 'see the log'}${log}`, { exitCode: 1 }), { permanent: true });
    }
    return record;
  }

  async sign(run: StageRun): Promise<UploadSet> {
    const build = this.out<BuildRecord>(run, 'build');
    const key = await ensureSigningKey(run.ws, { create: true });
    const set = { ...await prepareUpload(run.ws, build, key), ...gitField(build.git) };
    // The upload keeps its own evidence: the build it came from, then its gates and lint.
    writeUploadEvidence(set, 'build', build);
    return set;
  }

  async reconcileSign(run: StageRun): Promise<UploadSet | undefined> {
    const build = run.ctx.outputs[`${this.config.name}:build`] as BuildRecord | undefined;
    if (!build?.sourceChanges) return undefined;
    const dir = uploadDir(run.ws, run.pkg, this.config.name, build.version);
    const changes = join(dir, basename(build.sourceChanges.path));
    if (!existsSync(changes)) return undefined;
    const key = await ensureSigningKey(run.ws, { create: true });
    try {
      return { ...await describeUpload(dir, changes, key.gnupgHome), ...gitField(build.git) };
    } catch {
      return undefined; // half-signed: sign again
    }
  }

  async lint(run: StageRun): Promise<LintOutput> {
    const { ws, pkg, args } = run;
    const set = this.out<UploadSet>(run, 'sign');
    const { plan, verdicts: verifyVerdicts } = this.out<VerifyOutput>(run, 'verify');
    const build = this.out<BuildRecord>(run, 'build');
    const changed = await changedFiles(set);
    if (changed.length) throw Object.assign(new PipelineError(`the upload set changed after signing (${changed.join(', ')}): its checks must run again`, { file: set.dir, exitCode: 1, hint: `pipeline promote ${pkg} --to ${this.config.name}` }), { permanent: true });
    const record = await lintPackage(ws, set.dsc.path, {
      stage: this.config.name, record: false, ...(run.progress ? { progress: run.progress } : {}),
      ...(useLintian(args) ? { lintian: set.changes.path } : {}),
    });
    const lintVerdict = applyWaiver({ ...record.gate, gate: GATES.lint }, findWaiver(ws, pkg, this.config.name, GATES.lint, args.waivers));
    const id = uploadSourceId(set);
    const verdicts = bind([...verifyVerdicts, lintVerdict, binaryBuildVerdict(ws, pkg, this.config, build, args.waivers)], id);
    const lintian = record.lintian ?? (useLintian(args)
      ? { ran: false }
      : { ran: false, skipped: { by: builderName(args.builder) === 'host' ? 'PIPELINE_BUILDER=host' : 'PIPELINE_LINTIAN=0', reason: 'lintian not run for this promote (PIPELINE_LINTIAN=1 runs it)' } });
    const lintRecord = { ...record, lintian, package: pkg, stage: this.config.name, version: plan.version, artifactSha256: id, gate: verdicts.find((v) => v.gate === GATES.lint)!, ...gitField(build.git) };
    const gateRecord = { package: pkg, stage: this.config.name, version: plan.version, dscSha256: set.dsc.sha256, sourceId: id, changesSha256: set.changes.sha256, verdicts, at: new Date().toISOString(), ...gitField(build.git) };
    new StateStore(ws.stateDir).write('lint', lintRecord);
    writeGateRecord(ws, gateRecord);
    writeUploadEvidence(set, 'lint', lintRecord);
    writeUploadEvidence(set, 'gates', gateRecord);
    if (blocking(verdicts).length) throw blockedError(pkg, this.config.name, verdicts, plan);
    const counts = { error: 0, warning: 0, info: 0, pedantic: 0 } as Record<Severity, number>;
    for (const f of record.findings) if (!f.overridden) counts[f.severity]++;
    return { verdicts, counts, dscSha256: set.dsc.sha256, changesSha256: set.changes.sha256, ...gitField(build.git) };
  }

  /** The stage's QA checks (pipeline/qa/run.ts), appended to the gate record the lint step wrote. */
  async qa(run: StageRun): Promise<QaOutput> {
    const { ws, pkg } = run;
    const set = this.out<UploadSet>(run, 'sign');
    const { plan } = this.out<VerifyOutput>(run, 'verify');
    const build = this.out<BuildRecord>(run, 'build');
    const id = uploadSourceId(set);
    const rec = readGateRecord(ws, pkg, this.config.name);
    if (!rec || rec.sourceId !== id) throw Object.assign(new PipelineError(`the gates of ${pkg} → ${this.config.name} were not given for this upload: its checks must run again`, { file: set.dir, exitCode: 1, hint: `pipeline promote ${pkg} --to ${this.config.name}` }), { permanent: true });
    const { verdicts: qa, record } = await runQa({
      ws, pkg, stage: this.config, plan, build, upload: set, sourceId: id, workDir: qaWorkDir(ws, pkg, this.config.name, plan.version),
      ...(run.progress ? { progress: run.progress } : {}),
    }, run.args.waivers);
    const gateRecord = withVerdicts(rec, qa);
    writeGateRecord(ws, gateRecord);
    writeUploadEvidence(set, 'gates', gateRecord);
    if (blocking(gateRecord.verdicts).length) throw blockedError(pkg, this.config.name, gateRecord.verdicts, plan);
    return { verdicts: qa, checks: record.results.map((r) => r.check) };
  }

  async publish(run: StageRun): Promise<PublishOutput> {
    const set = this.out<UploadSet>(run, 'sign');
    const { plan } = this.out<VerifyOutput>(run, 'verify');
    await assertGatesBound(run.ws, run.pkg, this.config.name, set);
    return { ...await publishUpload(run.ws, this.config, plan, set), ...gitField(set.git) };
  }

  async reconcilePublish(run: StageRun): Promise<PublishOutput | undefined> {
    const set = run.ctx.outputs[`${this.config.name}:sign`] as UploadSet | undefined;
    const verify = run.ctx.outputs[`${this.config.name}:verify`] as VerifyOutput | undefined;
    if (!set || !verify) return undefined;
    const done = await reconcilePublish(run.ws, this.config, verify.plan, set);
    return done && { ...done, ...gitField(set.git) };
  }

  async confirm(run: StageRun): Promise<PublishRecord> {
    const set = this.out<UploadSet>(run, 'sign');
    const { plan } = this.out<VerifyOutput>(run, 'verify');
    const published = this.out<PublishOutput>(run, 'publish');
    const landed = await confirmUpload(run.ws, this.config, plan, set, published, run.progress);
    // The local archive is a PPA: its "builders" publish the stage's binaries beside the source.
    const binaries = landed.confirmed && run.ws.config.archives[this.config.target.archive]?.kind === 'reprepro'
      ? await publishStageBinaries(run.ws, this.config, plan.version, this.out<BuildRecord>(run, 'build'))
      : {};
    const record = { ...landed, ...binaries, ...gitField(set.git) };
    const store = new StateStore(run.ws.stateDir);
    store.write('publish', record);
    store.appendPublishHistory(record);
    return record;
  }

  /** The upload's DEP-14 tag (pipeline/git/tagStep.ts), pushed with --push. */
  async tag(run: StageRun): Promise<TagOutput> {
    const set = this.out<UploadSet>(run, 'sign');
    return tagUpload({
      ws: run.ws, pkg: run.pkg, build: this.out<BuildRecord>(run, 'build'), published: this.out<PublishRecord>(run, 'confirm'),
      changesPath: set.changes.path, ...(run.args.push ? { push: run.args.push } : {}),
    });
  }
}

/**
 * The gates recorded for this stage must be for exactly these bytes, and none may block: a
 * rebuilt, re-signed or edited artifact needs its checks again.
 */
export async function assertGatesBound(ws: Workspace, pkg: string, stage: string, set: UploadSet): Promise<void> {
  const rec = readGateRecord(ws, pkg, stage);
  const again = { exitCode: 1, hint: `pipeline promote ${pkg} --to ${stage}` };
  const changed = await changedFiles(set);
  if (changed.length) throw Object.assign(new PipelineError(`${changed.join(', ')} changed after its checks: they must run again`, { file: set.dir, ...again }), { permanent: true });
  if (!rec || rec.dscSha256 !== set.dsc.sha256 || rec.changesSha256 !== set.changes.sha256 || (rec.sourceId && rec.sourceId !== uploadSourceId(set))) {
    throw Object.assign(new PipelineError(`the gates of ${pkg} → ${stage} were not given for this .dsc/.changes (sha256 ${set.dsc.sha256.slice(0, 12)}…)`, { file: set.dir, ...again }), { permanent: true });
  }
  const id = uploadSourceId(set);
  const unbound = rec.verdicts.filter((v) => v.artifactSha256 !== id);
  if (unbound.length) throw Object.assign(new PipelineError(`gate ${unbound[0]!.gate} was given for another artifact`, { file: set.dir, ...again }), { permanent: true });
  if (blocking(rec.verdicts).length) throw blockedError(pkg, stage, rec.verdicts);
}

/**
 * The real lintian runs on the exact .changes as well (seconds to minutes) for container builds;
 * the fast `host` builder skips it unless PIPELINE_LINTIAN=1 (PIPELINE_LINTIAN=0 always skips).
 */
export function useLintian(args: PromoteArgs, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.PIPELINE_LINTIAN === '0' || env.PIPELINE_LINTIAN === '1') return env.PIPELINE_LINTIAN === '1';
  return builderName(args.builder, env) !== 'host';
}

/** The binary test-build verdict: blocked when it failed (waivable), not run with the host builder. */
export function binaryBuildVerdict(ws: Workspace, pkg: string, st: StageConfig, build: BuildRecord, extra?: Waiver[]): GateVerdict {
  const gate = GATES.binaryBuild;
  if (!st.gates.binaryBuild) return { gate, verdict: 'pass', reason: `not required for ${st.name} (gates.binaryBuild: false)` };
  if (build.sourceSummary?.builder === 'host') {
    return { gate, verdict: 'waived', reason: 'no binary test-build: source-only host build', waiver: { by: 'PIPELINE_BUILDER=host', reason: 'fast source-only build (tests)' } };
  }
  if (!loadPackage(ws, pkg).definition.build.binary) return { gate, verdict: 'pass', reason: 'binary test-build off in package.yaml (build.binary: false)' };
  // A verdict lent by another build of the same tree (build/reuse.ts) says whose it is.
  const from = build.binaryFrom ? `; the verdict of ${describeOrigin(build.binaryFrom)}, same tree and chroot` : '';
  const deps = describeInSetBuildDeps(build);
  if (build.status === 'successful') return { gate, verdict: 'pass', reason: `sbuild: ${build.binarySummary?.status ?? 'successful'}${from}${deps ? `; ${deps}` : ''}` };
  const v: GateVerdict = {
    gate, verdict: 'blocked',
    reason: `binary test-build failed${build.failStage ? ` at ${build.failStage}` : ''}${build.binaryLog ? ` (log: ${build.binaryLog})` : ''}${from}`,
    fix: `fix the build (a quilt patch in packages/${pkg}/debian/patches), or pipeline promote ${pkg} --waive ${gate} --reason "..."`,
  };
  return applyWaiver(v, findWaiver(ws, pkg, st.name, gate, extra));
}

/** The changelog entry the plan adds, rendered by dch on a scratch copy (packages/ is never touched). */
export async function renderChangelogEntry(ws: Workspace, pkg: string, plan: StagePlan): Promise<string> {
  return withStageDebianDir(ws, pkg, plan, async (tree) => changelogEntryOf(tree));
}
