/**
 * `promote`: find where a package stands (the last stage its current version reached), and run
 * the lifecycle of every stage from the next one up to `--to` (default: one step), through the
 * journaled runner. `--dry-run` runs only the steps that write nothing and reports the plan.
 * `promoteAll` does the package set in dependency order and stops the dependants of a package
 * that fails or is blocked.
 */
import type { Workspace } from '../config/workspace.js';
import { loadPackage, stage as stageConfig } from '../config/workspace.js';
import { packagesInOrder } from '../config/packages.js';
import { isPipelineError, PipelineError } from '../errors.js';
import { wantsGenerated } from '../source/fetch.js';
import type { GateVerdict, PublishRecord } from '../state/records.js';
import { packageLockName, withLock } from '../state/lock.js';
import { resumeRun, runSteps, unfinishedRuns, type RunProgress } from '../state/runner.js';
import type { StepContext } from '../state/steps.js';
import { blocking, GATES, type PlannedStep, type Waiver } from './gates.js';
import type { TagOutput } from '../git/tagStep.js';
import { planTags, pushLandedTags, requireRepoForPush } from '../git/push.js';
import { updateLtsLists } from './backports.js';
import { promoteSteps, stepName } from './lifecycle.js';
import { planStage, type StagePlan } from './plan.js';
import { isBlockedError, type LintOutput, type PrepareOutput, type QaOutput, type PromoteArgs, type VerifyOutput } from './stage.js';

export interface StandPoint {
  package: string;
  baseVersion: string;
  /** Version of the current base in each stage (undefined: not reached). */
  landed: Record<string, string | undefined>;
  /** The last stage reached (in progression order), if any. */
  current?: string;
  /** The stage a plain `promote` goes to next; undefined when the last stage was reached. */
  next?: string;
  plans: StagePlan[];
}

export async function standPoint(ws: Workspace, pkg: string): Promise<StandPoint> {
  const plans: StagePlan[] = [];
  for (const s of ws.config.stages) plans.push(await planStage(ws, pkg, s.name));
  const landed = Object.fromEntries(plans.map((p) => [p.stage, p.landed]));
  let lastIdx = -1;
  plans.forEach((p, i) => { if (p.landed) lastIdx = i; });
  return {
    package: pkg,
    baseVersion: plans[0]?.baseVersion ?? '',
    landed,
    ...(lastIdx >= 0 ? { current: plans[lastIdx]!.stage } : {}),
    ...(lastIdx + 1 < plans.length ? { next: plans[lastIdx + 1]!.stage } : {}),
    plans,
  };
}

export interface PromoteOptions {
  to?: string;
  dryRun?: boolean;
  waivers?: Waiver[];
  builder?: string;
  force?: boolean;
  ffe?: string;
  /** `--approval N` (release-team approval after FinalFreeze) for the freeze gate. */
  approval?: string;
  /** (package, stage) pairs promoted earlier in the same invocation (promoteAll's dry run). */
  planned?: PlannedStep[];
  progress?: RunProgress;
  /** Package lock busy: wait (true / ms) or refuse (default). */
  wait?: boolean | number;
  /** `--generated`: the generated upstream tree for packages whose upstream cannot be reached. */
  generated?: boolean;
  /** `--push REMOTE`: push each stage's DEP-14 tag there after confirm. */
  push?: string;
}

export interface StageReport {
  stage: string;
  version: string;
  distribution: string;
  changesSince?: string;
  includeOrig: boolean;
  changelogEntry?: string;
  upload?: { host: string; command: string[] };
  target: string;
  verdicts: GateVerdict[];
  /** Steps of this stage that finished (dry run: verify, prepare). */
  done: string[];
  published?: PublishRecord;
  /** The DEP-14 tag step's result. */
  tag?: TagOutput;
  /** The QA checks of the stage and their severity (off: not run); their verdicts join `verdicts` after the qa step. */
  qa?: PrepareOutput['qa'];
}

export type PromoteState = 'done' | 'dry-run' | 'nothing-to-do' | 'blocked' | 'failed' | 'skipped';

export interface PromoteResult {
  package: string;
  state: PromoteState;
  dryRun: boolean;
  from?: string;
  stages: string[];
  reports: StageReport[];
  runId?: string;
  /** One line: why it failed, was blocked, skipped or had nothing to do. */
  message?: string;
  /** What fixes it, when known. */
  fix?: string;
  exitCode: number;
}

function reportsFrom(args: PromoteArgs, outputs: Record<string, unknown>): StageReport[] {
  const out: StageReport[] = [];
  for (const stage of args.stages) {
    const verify = outputs[stepName(stage, 'verify')] as VerifyOutput | undefined;
    if (!verify) break;
    const prepare = outputs[stepName(stage, 'prepare')] as PrepareOutput | undefined;
    const lint = outputs[stepName(stage, 'lint')] as LintOutput | undefined;
    const qa = outputs[stepName(stage, 'qa')] as QaOutput | undefined;
    const published = outputs[stepName(stage, 'confirm')] as PublishRecord | undefined;
    const tag = outputs[stepName(stage, 'tag')] as TagOutput | undefined;
    const p = verify.plan;
    out.push({
      stage, version: p.version, distribution: p.distribution, includeOrig: p.includeOrig,
      ...(p.changesSince ? { changesSince: p.changesSince } : {}),
      ...(prepare ? { changelogEntry: prepare.changelogEntry, upload: prepare.upload } : {}),
      target: `${p.target.upload} (${p.target.series})`,
      // Until the lint step has judged the signed .dsc, the early lint of debian/ stands for it (a dry run stops there).
      verdicts: [...(lint?.verdicts ?? [...verify.verdicts, ...(prepare?.debianLint ? [prepare.debianLint] : [])]), ...(qa?.verdicts ?? [])],
      ...(prepare?.qa ? { qa: prepare.qa } : {}),
      done: Object.keys(outputs).filter((k) => k.startsWith(`${stage}:`)).map((k) => k.slice(stage.length + 1)),
      ...(published ? { published } : {}),
      ...(tag ? { tag } : {}),
    });
  }
  return out;
}

/** The stages a promote of `pkg` goes through (empty: nothing to do). */
export async function stagesToRun(ws: Workspace, pkg: string, to?: string): Promise<{ stand: StandPoint; stages: string[] }> {
  const stand = await standPoint(ws, pkg);
  const names = ws.config.stages.map((s) => s.name);
  if (to !== undefined) stageConfig(ws, to); // unknown stage → one clear error
  if (!stand.next) return { stand, stages: [] };
  const from = names.indexOf(stand.next);
  const until = to ? names.indexOf(to) : from;
  return { stand, stages: until < from ? [] : names.slice(from, until + 1) };
}

export async function promote(ws: Workspace, pkg: string, options: PromoteOptions = {}): Promise<PromoteResult> {
  // Bad input is refused before anything is written (the lock file included).
  loadPackage(ws, pkg);
  if (options.to !== undefined) stageConfig(ws, options.to);
  if (options.push !== undefined) await requireRepoForPush(ws, pkg, options.push);
  if (options.dryRun) return promoteUnderLock(ws, pkg, options); // writes nothing, not even a lock
  // Plan under the package lock (runSteps takes it again, re-entrantly): a promote that waited for
  // another one must plan from what that one published, not from what was there before it.
  return withLock(ws.stateDir, packageLockName(pkg), {
    wait: options.wait,
    command: `pipeline promote ${pkg}`,
    onWait: (h) => options.progress?.note(`waiting for ${pkg}: locked by pid ${h.pid} (${h.command}) since ${h.since}`),
    onTakeover: (h, why) => options.progress?.note(`took over the lock of ${pkg} from pid ${h.pid} (${why})`),
  }, () => promoteUnderLock(ws, pkg, options));
}

/**
 * A backport must sort above everything the LTS has in release, -updates and -security, and the
 * gate reads those pockets from the private apt lists without fetching. A promote fetches its
 * upstream online anyway (from the archive or a URL), so before a backport it refreshes the LTS
 * lists too (apt-get update, skipped while they are fresh) — for a URL upstream as well: the LTS
 * may carry the package even when we do not take its source from there. Best effort: when the
 * mirror cannot be reached the gate says which pockets it left unchecked. Generated upstreams
 * (offline, tests) never fetch.
 */
export async function refreshLtsLists(ws: Workspace, pkg: string, stages: string[], progress?: RunProgress): Promise<void> {
  if (!stages.some((name) => stageConfig(ws, name).kind === 'backports')) return;
  loadPackage(ws, pkg); // an unknown package is still refused here
  if (wantsGenerated()) return;
  try {
    await updateLtsLists(ws, progress);
  } catch (e) {
    if (!isPipelineError(e)) throw e;
    progress?.note(`LTS lists not refreshed: ${e.oneLine()}`);
  }
}

async function promoteUnderLock(ws: Workspace, pkg: string, options: PromoteOptions): Promise<PromoteResult> {
  const dryRun = Boolean(options.dryRun);
  // Finish this package's unfinished runs before planning: the plan must start from what they
  // publish, or a run resumed after planning would land a stage this plan then uploads again.
  if (!dryRun) {
    for (const run of unfinishedRuns(ws, pkg).filter((r) => !r.standalone)) {
      options.progress?.note(`resuming unfinished run ${run.runId} of ${pkg} first`);
      await resumeRun(ws, run.runId, { progress: options.progress, wait: options.wait });
    }
  }
  const { stand, stages } = await stagesToRun(ws, pkg, options.to);
  const base = { package: pkg, dryRun, stages, ...(stand.current ? { from: stand.current } : {}) };
  if (stages.length === 0) {
    const where = stand.current ? `${stand.current} (${stand.landed[stand.current]})` : 'no stage';
    const pushed = options.push && !dryRun ? await pushLandedTags(ws, pkg, Object.values(stand.landed).filter((v): v is string => Boolean(v)), options.push) : [];
    return {
      ...base, state: 'nothing-to-do', reports: [], exitCode: 0,
      message: `${pkg} ${stand.baseVersion} has already reached ${options.to ?? where}${options.to ? '' : ', the last stage'}${pushed.length ? `; pushed ${pushed.join(', ')} to ${options.push}` : ''}`,
    };
  }
  if (!dryRun) await refreshLtsLists(ws, pkg, stages, options.progress);
  const args: PromoteArgs = {
    package: pkg, stages,
    ...(options.waivers?.length ? { waivers: options.waivers } : {}),
    ...(options.builder ? { builder: options.builder } : {}),
    ...(options.force ? { force: true } : {}),
    ...(options.ffe ? { ffe: options.ffe } : {}),
    ...(options.approval ? { approval: options.approval } : {}),
    ...(options.planned?.length ? { planned: options.planned } : {}),
    ...(options.generated ? { generated: true } : {}),
    ...(options.push ? { push: options.push } : {}),
  };
  const table = promoteSteps(ws, args, options.progress);
  let outputs: Record<string, unknown>;
  let runId: string | undefined;
  try {
    const r = await runSteps(ws, { package: pkg, command: 'promote', args, steps: table.steps, dryRun, progress: options.progress, wait: options.wait });
    outputs = r.outputs;
    runId = r.runId;
  } catch (e) {
    if (!isPipelineError(e)) throw e;
    const ctx: StepContext | undefined = table.lastContext();
    const reports = reportsFrom(args, ctx?.outputs ?? {});
    const blocked = isBlockedError(e);
    if (blocked && e.plan) {
      // Blocked in verify: that stage has no outputs yet; report its plan and verdicts.
      const existing = reports.find((x) => x.stage === e.stage);
      if (existing) existing.verdicts = e.verdicts;
      else reports.push({
        stage: e.stage, version: e.plan.version, distribution: e.plan.distribution, includeOrig: e.plan.includeOrig,
        ...(e.plan.changesSince ? { changesSince: e.plan.changesSince } : {}),
        target: `${e.plan.target.upload} (${e.plan.target.series})`, verdicts: e.verdicts, done: [],
      });
    }
    // Errors before any step ran (lock busy, bad input) are the command's errors, not a run's.
    if (!ctx && !blocked) throw e;
    const fix = e.hint ?? (blocked ? blocking(e.verdicts).map((v) => v.fix).filter(Boolean).join(' && ') : undefined);
    return { ...base, state: blocked ? 'blocked' : 'failed', reports, message: e.oneLine(), ...(fix ? { fix } : {}), ...(ctx ? { runId: ctx.runId } : {}), exitCode: e.exitCode || 1 };
  }
  const reports = reportsFrom(args, outputs);
  if (dryRun) {
    await planTags(ws, pkg, reports, options.push);
    // A dirty tree is reported, not blocking: a dry run is how one looks at uncommitted edits.
    const all = reports.flatMap((r) => blocking(r.verdicts).map((v) => ({ ...v, stage: r.stage })));
    const blockedVerdicts = all.filter((v) => v.gate !== GATES.cleanTree);
    const dirty = all.find((v) => v.gate === GATES.cleanTree);
    if (blockedVerdicts.length) {
      const first = blockedVerdicts[0]!;
      return { ...base, state: 'blocked', reports, exitCode: 1, message: `${pkg} → ${first.stage} would be blocked: ${first.gate}: ${first.reason}`, ...(first.fix ? { fix: first.fix } : {}) };
    }
    return { ...base, state: 'dry-run', reports, exitCode: 0, ...(dirty ? { message: `a real promote would be blocked: ${dirty.gate}: ${dirty.reason}`, fix: dirty.fix } : {}) };
  }
  return { ...base, state: 'done', reports, exitCode: 0, ...(runId ? { runId } : {}) };
}

export interface PromoteAllResult {
  results: PromoteResult[];
  exitCode: number;
}

/** Promote every package of the set, in dependency order; a failure stops its dependants only. */
export async function promoteAll(ws: Workspace, options: PromoteOptions = {}): Promise<PromoteAllResult> {
  const results: PromoteResult[] = [];
  const failed = new Set<string>();
  const planned: PlannedStep[] = [...(options.planned ?? [])];
  for (const pkg of packagesInOrder(ws)) {
    const name = pkg.definition.name;
    const stoppedBy = pkg.definition.depends.filter((d) => failed.has(d));
    if (stoppedBy.length) {
      failed.add(name);
      results.push({ package: name, state: 'skipped', dryRun: Boolean(options.dryRun), stages: [], reports: [], exitCode: 1, message: `skipped: ${stoppedBy.join(', ')} did not get through`, fix: `pipeline promote ${stoppedBy[0]}` });
      continue;
    }
    let r: PromoteResult;
    try {
      r = await promote(ws, name, { ...options, planned });
    } catch (e) {
      if (!(e instanceof PipelineError)) throw e;
      r = { package: name, state: 'failed', dryRun: Boolean(options.dryRun), stages: [], reports: [], exitCode: e.exitCode, message: e.oneLine() };
    }
    results.push(r);
    if (r.exitCode !== 0) failed.add(name);
    else if (r.dryRun) planned.push(...r.stages.map((s) => ({ package: name, stage: s })));
  }
  return { results, exitCode: results.some((r) => r.exitCode !== 0) ? 1 : 0 };
}
