/**
 * The step runner: executes a table of StepDefinitions (a promote's verify → prepare → build → lint →
 * publish → confirm) as a journaled run that survives crashes.
 *
 * - New run: take the package lock, journal the plan, then per step journal its start (fsynced before
 *   the step's effect), run it, journal its end with the output and its hash.
 * - Resume (`resumeRun`, `resumeAll`, or a new run of the same package finding an unfinished one):
 *   finished steps are not run again — their outputs come from the journal; a step that was started
 *   and never ended is first asked `reconcile(ctx)` (publish: is the version already in the archive or
 *   in dput's .upload record?) and only run again when the world does not hold its effect.
 * - Failures: transient ones are retried with backoff (retry.ts), each failure and retry journaled;
 *   the crash-loop guard counts failures *and* crash-resumes at the same step without progress from
 *   the journal, so a run that keeps dying there is halted after `retry.limit` of them within
 *   `retry.intervalSeconds`, with the command to look at it and to force it on.
 * - Injected faults (PIPELINE_FAULTS) that throw outside a step — a journal append, run.json, the
 *   package lock — are retried on the spot (faults.ts retryInjected), like a step's transient failure.
 *
 * A resumed run's steps table is rebuilt from the run's kind and arguments (run.json / the plan entry)
 * through `registerRunKind(kind, (ws, args) => steps)`, which the module defining the kind calls at
 * import time (promote registers 'promote'). PIPELINE_RUN_KINDS=/path/a.js,/path/b.js imports further
 * kind modules (tests, plugins).
 */
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Output } from '../cli/output.js';
import type { Workspace } from '../config/workspace.js';
import { EXIT, isPipelineError, PipelineError } from '../errors.js';
import { faultPoint, retryInjected, retryInjectedAsync, setFaultLog } from './faults.js';
import {
  canonicalJson, findPlan, hashValue, Journal, journalFile, readRun, readRunIndex, summarize, writeRunIndex,
  type JournalDamage, type JournalEntry, type NewEntry, type RunState, type RunSummary,
} from './journal.js';
import { runsHeldElsewhere, unfinishedRuns } from './listing.js';
import { acquireLock, LOCK_BUSY_EXIT, packageLockName, updateLock } from './lock.js';
import { classifyError, CrashLoopError, CrashLoopGuard, failuresWithoutProgress, retryPolicy, withRetry, type RetryPolicy } from './retry.js';
import type { StepContext, StepDefinition } from './steps.js';

export type RunProgress = Pick<Output, 'phase' | 'note'>;
const silent: RunProgress = { phase: () => ({ update() {}, done() {}, fail() {} }), note() {} };

// ---- Run kinds: how a resumed run gets its steps table back ----

export type RunKindBuilder = (ws: Workspace, args: any) => StepDefinition[] | Promise<StepDefinition[]>; // eslint-disable-line @typescript-eslint/no-explicit-any
const kinds = new Map<string, RunKindBuilder>();
const standaloneKinds = new Set<string>();

export interface RunKindOptions {
  /**
   * The run's effects stay in its own outputs (a build directory), nothing published: other runs
   * of the package neither resume it first nor are resumed first by it (they still never run at
   * the same time: the package lock). `build` is standalone; `promote` is not.
   */
  standalone?: boolean;
}

export function registerRunKind(kind: string, build: RunKindBuilder, options: RunKindOptions = {}): void {
  kinds.set(kind, build);
  if (options.standalone) standaloneKinds.add(kind);
  else standaloneKinds.delete(kind);
}
export const isStandaloneKind = (kind: string): boolean => standaloneKinds.has(kind);
export function registeredRunKinds(): string[] {
  return [...kinds.keys()].sort();
}

/** Import the kind modules named in PIPELINE_RUN_KINDS (comma-separated paths). */
export async function loadRunKinds(env = process.env): Promise<void> {
  for (const file of (env.PIPELINE_RUN_KINDS ?? '').split(',').map((s) => s.trim()).filter(Boolean))
    await import(pathToFileURL(resolve(file)).href);
}

// ---- Running ----

export interface RunOptions {
  /** Resume this run (its journal must exist); otherwise a new run, or an unfinished one of the same package. */
  runId?: string;
  package: string;
  /** The run kind (`promote`, `build`...): with `args`, enough to rebuild `steps` on resume. */
  command: string;
  args?: unknown;
  steps: StepDefinition[];
  dryRun?: boolean;
  progress?: RunProgress;
  /** Package lock busy: false refuses, true waits, a number waits that many ms. */
  wait?: boolean | number;
  /** Ignore the crash-loop guard and resume a run that failed (a human decided: upstart's manual intervention). */
  force?: boolean;
}

export interface RunResult {
  runId?: string;
  state: 'done' | 'dry-run';
  outputs: Record<string, unknown>;
  resumed: boolean;
  /** Steps whose outputs came from the journal. */
  skipped: string[];
  /** Interrupted steps whose effect was found already done. */
  reconciled: string[];
  retries: number;
  damage?: JournalDamage;
  /** Other unfinished runs of this package that were resumed first. */
  resumedFirst: string[];
}

export function newRunId(pkg: string, now = new Date()): string {
  // UTC to the millisecond first, so ids sort by start time.
  const stamp = now.toISOString().replace(/[-:.]/g, '');
  return `${stamp}-${pkg}-${randomBytes(3).toString('hex')}`;
}

/** Run a steps table as a journaled run (or resume it). Resolves to the steps' outputs by name. */
export async function runSteps(ws: Workspace, opts: RunOptions): Promise<RunResult> {
  if (opts.dryRun) return dryRun(opts);
  setFaultLog(join(ws.stateDir, 'faults.log'));
  const progress = opts.progress ?? silent;
  const lock = await retryInjectedAsync(() => acquireLock(ws.stateDir, packageLockName(opts.package), {
    wait: opts.wait,
    command: `pipeline ${opts.command} ${opts.package}`,
    runId: opts.runId,
    onWait: (h) => progress.note(`waiting for ${opts.package}: locked by pid ${h.pid} (${h.command}) since ${h.since}`),
    onTakeover: (h, why) => progress.note(`took over the lock of ${opts.package} from pid ${h.pid} (${why})`),
  }));
  try {
    const resumedFirst: string[] = [];
    let runId = opts.runId;
    if (!runId) {
      for (const other of unfinishedRuns(ws, opts.package)) {
        if (other.command === opts.command && canonicalJson(other.args) === canonicalJson(opts.args ?? null)) {
          progress.note(`resuming unfinished run ${other.runId} of ${opts.package}`);
          runId = other.runId;
          break;
        }
        // A different unfinished run of this package is pending work: finish it first, unless
        // one of the two is standalone (a build does not publish, and needs nothing published).
        if (isStandaloneKind(opts.command) || other.standalone) continue;
        const build = kinds.get(other.command);
        if (!build) throw new PipelineError(`${opts.package} has an unfinished run ${other.runId} (${other.command}) that must be resumed first`, { hint: `pipeline resume ${other.runId}` });
        progress.note(`resuming unfinished run ${other.runId} of ${opts.package} first`);
        retryInjected(() => updateLock(lock, { runId: other.runId }));
        await execute(ws, other.runId, { ...opts, command: other.command, args: other.args, steps: await build(ws, other.args) }, progress);
        resumedFirst.push(other.runId);
      }
    }
    const isNew = !runId;
    runId ??= newRunId(opts.package);
    retryInjected(() => updateLock(lock, { runId }));
    const result = await execute(ws, runId, opts, progress, isNew);
    return { ...result, resumedFirst };
  } finally {
    lock.release();
  }
}

async function dryRun(opts: RunOptions): Promise<RunResult> {
  const outputs: Record<string, unknown> = {};
  const ctx: StepContext = { runId: 'dry-run', outputs, dryRun: true, note: (m) => opts.progress?.note(m) };
  for (const step of opts.steps) if (step.dryRun) outputs[step.name] = await step.run(ctx);
  return { state: 'dry-run', outputs, resumed: false, skipped: [], reconciled: [], retries: 0, resumedFirst: [] };
}

/** The crash-loop guard for where the run stands, primed with its failures from the journal. */
function guardFor(entries: JournalEntry[], policy: RetryPolicy): { guard: CrashLoopGuard; step?: string } {
  const { step, times } = failuresWithoutProgress(entries);
  return { guard: new CrashLoopGuard(policy.limit, policy.intervalMs, times), step };
}

/**
 * Append to the journal, retrying an injected throw fault: one before the write left nothing
 * (append again), one after it left the entry written (done).
 */
function appendTo(journal: Journal, entry: NewEntry): JournalEntry {
  const before = journal.entries.length;
  return retryInjected(() => (journal.entries.length > before ? journal.entries.at(-1)! : journal.append(entry)));
}

async function execute(
  ws: Workspace, runId: string, opts: RunOptions, progress: RunProgress, isNew = false,
): Promise<Omit<RunResult, 'resumedFirst'>> {
  const policy = retryPolicy(ws.config);
  const names = opts.steps.map((s) => s.name);
  // Recorded in the plan and run.json, so processes that never loaded the kind's module know it too.
  const standalone = isStandaloneKind(opts.command) ? { standalone: true } : {};
  let journal: Journal;
  let damage: JournalDamage | undefined;
  const index = (state: RunState, error?: string) => retryInjected(() => writeRunIndex(ws.stateDir, {
    runId, package: opts.package, command: opts.command, args: opts.args ?? null, ...standalone, state, steps: names,
    stepsDone: names.filter((n) => done.has(n)).length, startedAt, updatedAt: new Date().toISOString(), pid: process.pid, error,
  }));
  const append = (entry: NewEntry) => appendTo(journal, entry);
  const plan = (replanned?: boolean) => append({
    type: 'run-planned', runId, package: opts.package, command: opts.command, args: opts.args ?? null, ...standalone, steps: names, pid: process.pid,
    ...(replanned ? { replanned } : {}),
  });
  const done = new Map<string, unknown>();
  let startedAt = new Date().toISOString();

  if (isNew) {
    journal = Journal.create(ws.stateDir, runId);
    // run.json first: if the plan line is torn by a crash, the index still says how to rebuild the run.
    index('running');
    plan();
  } else {
    ({ journal, damage } = Journal.open(ws.stateDir, runId));
    if (damage) {
      progress.note(`journal of run ${runId}: line${damage.discarded > 1 ? 's' : ''} ${damage.lines.join(', ')} damaged (${damage.reason}${damage.discarded > 1 ? ', ...' : ''}; crash mid-write?): `
        + `set aside, the run goes on from the ${journal.entries.length} good entries (steps whose end was lost are reconciled)`);
    }
    const summary = summarize(journal.entries, undefined, findPlan(journal.entries) ? undefined : readRunIndex(ws.stateDir, runId));
    // A crash ended the last process that worked on it (no run-done after its start): one more
    // failure for the crash-loop guard (one that failed cleanly was counted by its step-failed).
    const crashed = lastOf(journal.entries, 'run-done') < lastOf(journal.entries, 'run-resumed', 'run-planned') || !findPlan(journal.entries);
    // The plan was never journaled (a crash right after creating the run) or its line was lost:
    // journal it again from the run's kind and arguments, so the journal describes the run by itself.
    if (!findPlan(journal.entries)) plan(journal.entries.length > 0 || summary !== undefined);
    if (summary) {
      startedAt = summary.startedAt;
      if (summary.state === 'abandoned') throw abandonedError(summary);
      if (canonicalJson(summary.steps) !== canonicalJson(names))
        throw new PipelineError(`run ${runId} was planned as [${summary.steps.join(', ')}], the ${opts.command} steps are now [${names.join(', ')}]`, { hint: 'finish it with the pipeline version that started it, or start a new run' });
      for (const e of journal.entries) if (e.type === 'step-end') done.set(e.step, e.output);
      if (summary.state === 'done') {
        return { runId, state: 'done', outputs: Object.fromEntries(done), resumed: true, skipped: names, reconciled: [], retries: 0, damage };
      }
      if (summary.state === 'failed' && summary.permanent && !opts.force)
        throw new PipelineError(`run ${runId} failed permanently: ${summary.error}`, { exitCode: 1, hint: 'fix the cause and run the command again (or pipeline resume --force)' });
      if (summary.state === 'failed' && summary.halted && !opts.force) throw haltedError(ws, runId, `was stopped by the crash-loop guard: ${summary.error}`);
      const { guard, step } = guardFor(journal.entries, policy);
      if (!opts.force && crashed && guard.record()) {
        const err = new CrashLoopError(guard.recent, policy.limit, policy.intervalMs, undefined, step);
        append({ type: 'run-done', state: 'failed', step, error: err.message, permanent: false, halted: true });
        index('failed', err.message);
        throw haltedError(ws, runId, `halted: ${err.message}`);
      }
      append({ type: 'run-resumed', pid: process.pid, interrupted: summary.interrupted, repaired: damage ? `${damage.reason} at line ${damage.lines.join(', ')}` : undefined, ...(opts.force ? { forced: true } : {}) });
    }
    index('running');
  }

  // Lines were lost (damaged now, or a gap in seq from an earlier repair): a step's start may be
  // among them, so every step that can ask the world does so before running.
  const lossy = damage !== undefined || journal.entries.some((e, i) => e.seq !== i + 1);
  const outputs: Record<string, unknown> = Object.fromEntries(done);
  const ctx: StepContext = { runId, outputs, dryRun: false, note: (m) => progress.note(m) };
  const skipped: string[] = [];
  const reconciled: string[] = [];
  let retries = 0;

  for (const step of opts.steps) {
    if (done.has(step.name)) {
      skipped.push(step.name);
      continue;
    }
    const phase = progress.phase(step.name);
    let attempts = journal.entries.filter((e) => e.type === 'step-start' && e.step === step.name).length;
    let effectStarted = false; // did step.run begin in this attempt (before it, a failure is always safe to retry)
    const { guard } = guardFor(journal.entries, policy);
    try {
      outputs[step.name] = await withRetry(async () => {
        effectStarted = false;
        if ((attempts > 0 || lossy) && step.reconcile) {
          const found = await step.reconcile(ctx);
          if (found !== undefined) {
            append({ type: 'step-end', step: step.name, output: found, outputHash: hashValue(found), reconciled: true });
            reconciled.push(step.name);
            phase.update('already done (reconciled)');
            return found;
          }
        }
        const inputsHash = step.inputs ? hashValue(await step.inputs(ctx)) : undefined;
        append({ type: 'step-start', step: step.name, attempt: ++attempts, inputsHash });
        faultPoint('step.before-run');
        effectStarted = true;
        const out = (await step.run(ctx)) ?? null;
        faultPoint('step.after-run');
        append({ type: 'step-end', step: step.name, output: out, outputHash: hashValue(out) });
        return out;
      }, policy, {
        guard,
        step: step.name,
        retryable: () => step.retryable === true || !effectStarted,
        onFailure: (error, { classification }) => {
          append({ type: 'step-failed', step: step.name, attempt: attempts, error: message(error), transient: classification.kind === 'transient' });
        },
        onRetry: ({ delayMs, reason }) => {
          retries++;
          append({ type: 'retry', step: step.name, attempt: attempts + 1, delayMs, reason });
          phase.update(`retrying in ${(delayMs / 1000).toFixed(1)}s (${reason})`);
        },
      });
      done.set(step.name, outputs[step.name]);
      index('running');
      phase.done();
    } catch (error) {
      phase.fail(message(error));
      const halted = error instanceof CrashLoopError;
      const perm = classifyError(error).kind === 'permanent' && !halted;
      append({ type: 'run-done', state: 'failed', step: step.name, error: message(error), permanent: perm, halted });
      index('failed', message(error));
      if (halted) throw haltedError(ws, runId, `halted: ${message(error)}`);
      if (isPipelineError(error)) throw error;
      throw new PipelineError(`${opts.command} ${opts.package}: step ${step.name} failed: ${message(error)}`, {
        exitCode: perm || halted ? EXIT.blocked : EXIT.environment, cause: error, hint: perm ? undefined : `pipeline resume ${runId}${halted ? ' --force' : ''}`,
      });
    }
  }
  append({ type: 'run-done', state: 'done' });
  index('done');
  return { runId, state: 'done', outputs, resumed: !isNew, skipped, reconciled, retries, damage };
}

/** One line for the journal and the user: the error's first line, plus a tool's last stderr line. */
function message(e: unknown): string {
  if (isPipelineError(e)) return e.oneLine();
  const first = (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
  const stderr = (e as { stderr?: unknown }).stderr;
  const last = typeof stderr === 'string' ? stderr.trim().split('\n').pop()?.trim() : undefined;
  return last && !first.includes(last) ? `${first}: ${last}` : first;
}

/** Position of the last entry of one of these types (-1: none). */
function lastOf(entries: JournalEntry[], ...types: JournalEntry['type'][]): number {
  for (let i = entries.length - 1; i >= 0; i--) if (types.includes(entries[i]!.type)) return i;
  return -1;
}

/** The crash-loop guard's stop: what happened, where to look, and how to go on. */
function haltedError(ws: Workspace, runId: string, what: string): PipelineError {
  return new PipelineError(`run ${runId} ${what}`, {
    exitCode: EXIT.blocked, file: journalFile(ws.stateDir, runId),
    hint: `inspect it with pipeline runs --json (and the journal); when the cause is fixed, pipeline resume ${runId} --force`,
  });
}

/** A run `pipeline runs abandon` marked is never resumed, not even with --force. */
function abandonedError(s: RunSummary): PipelineError {
  const a = s.abandoned!;
  return new PipelineError(`run ${s.runId} was abandoned by ${a.by} at ${a.at}${a.reason ? ` (${a.reason})` : ''}: it is not resumed`, {
    exitCode: 1, hint: `start a new run instead: pipeline ${s.command} ${s.package}`,
  });
}

// ---- Listing and resuming ----

export { listRuns, runsHeldElsewhere, unfinishedRuns, type RunListing } from './listing.js';

export interface ResumeOptions {
  progress?: RunProgress;
  wait?: boolean | number;
  force?: boolean;
}

/** Resume one run: rebuild its steps table from its kind and arguments, then run what is left. */
export async function resumeRun(ws: Workspace, runId: string, options: ResumeOptions = {}): Promise<RunResult> {
  const summary = readRun(ws.stateDir, runId);
  if (summary?.state === 'abandoned') throw abandonedError(summary);
  let s: Pick<RunSummary, 'package' | 'command' | 'args'> | undefined = summary ?? readRunIndex(ws.stateDir, runId);
  if (!s) throw new PipelineError(`no such run: ${runId}`, { file: join(ws.stateDir, 'runs'), hint: 'see pipeline runs' });
  if (!kinds.has(s.command)) await loadRunKinds();
  const build = kinds.get(s.command);
  if (!build) throw new PipelineError(`run ${runId} is a "${s.command}" run, and no module registered how to rebuild its steps`, { hint: `known kinds: ${registeredRunKinds().join(', ') || 'none'}` });
  const steps = await build(ws, s.args);
  return runSteps(ws, { runId, package: s.package, command: s.command, args: s.args, steps, ...options });
}

export interface ResumeAllResult {
  runId: string;
  package: string;
  ok: boolean;
  result?: RunResult;
  error?: string;
  /** Another live process holds the run (its package lock): not resumed here. */
  locked?: boolean;
}

/**
 * Resume every interrupted run, oldest first; one failing does not stop the others. Runs another
 * live process is running or resuming are reported as locked, not skipped in silence.
 */
export async function resumeAll(ws: Workspace, options: ResumeOptions = {}): Promise<ResumeAllResult[]> {
  await loadRunKinds();
  const results: ResumeAllResult[] = runsHeldElsewhere(ws).map((r) => ({
    runId: r.runId, package: r.package, ok: false, locked: true,
    error: `run ${r.runId} is held by another process: pid ${r.holder!.pid} (${r.holder!.command}) since ${r.holder!.since}`,
  }));
  for (const r of unfinishedRuns(ws)) {
    try {
      results.push({ runId: r.runId, package: r.package, ok: true, result: await resumeRun(ws, r.runId, options) });
    } catch (e) {
      const locked = isPipelineError(e) && e.exitCode === LOCK_BUSY_EXIT;
      results.push({ runId: r.runId, package: r.package, ok: false, error: message(e), ...(locked ? { locked } : {}) });
    }
  }
  return results;
}
