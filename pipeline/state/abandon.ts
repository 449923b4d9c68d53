/**
 * Abandoning a run: the supported way out for a maintainer whose interrupted run must not be
 * resumed (it would, say, upload a second backport), instead of deleting its state directory.
 *
 * A `run-abandoned` entry is appended to the run's journal (fsynced like every entry) and the
 * run's index says `abandoned`; from then on `pipeline resume`, a `promote` finishing unfinished
 * runs first, and a new run of the same command all pass it by. The journal stays, for the record.
 *
 * Done under the package lock, so no promote can pick the run up between the check and the
 * append. Refused for an unknown run, a finished one, and one whose package is locked by a live
 * process (running, or about to be resumed by it). A run whose publish step started and never
 * ended needs `force`: its upload may or may not be in the target, and only a look at the target
 * (`pipeline status PKG`) tells — resuming would have found out by itself.
 */
import { userInfo } from 'node:os';
import type { Workspace } from '../config/workspace.js';
import { PipelineError } from '../errors.js';
import { Journal, journalFile, readRun, readRunIndex, summarize, unfinishedPublishSteps, writeRunIndex } from './journal.js';
import { acquireLock, LOCK_BUSY_EXIT, lockHolder, packageLockName } from './lock.js';

export interface AbandonOptions {
  /** Abandon even though a publish step started and did not finish. */
  force?: boolean;
  reason?: string;
  /** Who abandons it (default: PIPELINE_USER, SUDO_USER, the login name). */
  by?: string;
  /** Called with the takeover line when a dead holder's package lock is taken over. */
  note?(message: string): void;
}

export interface AbandonResult {
  runId: string;
  package: string;
  command: string;
  /** It was abandoned before: nothing was written. */
  already: boolean;
  /** Publish steps started and never ended: the upload may or may not be in the target. */
  unfinishedPublish: string[];
  /** Steps finished before it was abandoned. */
  done: string[];
}

function whoAmI(): string {
  try {
    return process.env.PIPELINE_USER ?? process.env.SUDO_USER ?? userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** Mark a run abandoned: it is never resumed. Throws a one-line PipelineError when refused. */
export async function abandonRun(ws: Workspace, runId: string, options: AbandonOptions = {}): Promise<AbandonResult> {
  const file = journalFile(ws.stateDir, runId); // also refuses a malformed id
  const known = readRun(ws.stateDir, runId) ?? readRunIndex(ws.stateDir, runId);
  if (!known) throw new PipelineError(`no such run: ${runId}`, { hint: 'see pipeline runs' });
  const pkg = known.package;

  const holder = lockHolder(ws.stateDir, packageLockName(pkg));
  if (holder) {
    const what = holder.runId === runId ? `run ${runId} is running` : `${pkg} is locked by another run, which may resume run ${runId}`;
    throw new PipelineError(`${what}: pid ${holder.pid} (${holder.command}) since ${holder.since}`, {
      exitCode: LOCK_BUSY_EXIT, hint: 'wait for it to end (or stop it), then abandon the run',
    });
  }
  const lock = await acquireLock(ws.stateDir, packageLockName(pkg), {
    command: `pipeline runs abandon ${runId}`,
    runId,
    onTakeover: (h, why) => options.note?.(`took over the lock of ${pkg} from pid ${h.pid} (${why})`),
  });
  try {
    // Under the lock, from the journal itself (a torn tail is set aside, as a resume would).
    const { journal } = Journal.open(ws.stateDir, runId);
    const index = readRunIndex(ws.stateDir, runId);
    if (journal.entries.length === 0 && index) {
      // Crashed before its plan was journaled (nothing ran): journal the plan from run.json first,
      // so the journal reads as this run, abandoned.
      journal.append({ type: 'run-planned', runId, package: pkg, command: index.command, args: index.args, ...(index.standalone ? { standalone: true } : {}), steps: index.steps, pid: index.pid });
    }
    const summary = summarize(journal.entries);
    const unfinishedPublish = unfinishedPublishSteps(journal.entries);
    const result = {
      runId, package: pkg, command: summary?.command ?? known.command, unfinishedPublish, done: summary?.done ?? [],
    };
    if (summary?.state === 'abandoned') return { ...result, already: true, unfinishedPublish: summary.abandoned?.unfinishedPublish ?? [] };
    if (summary?.state === 'done') {
      throw new PipelineError(`run ${runId} is done: there is nothing to abandon`, { file, hint: 'see pipeline runs' });
    }
    if (unfinishedPublish.length && !options.force) {
      throw new PipelineError(
        `run ${runId}: ${unfinishedPublish.join(', ')} started and never finished, so the upload of ${pkg} may or may not be in the target; `
        + `abandoning leaves it that way (resuming would check the target and finish or confirm it)`,
        { exitCode: 1, hint: `look with pipeline status ${pkg}, then pipeline runs abandon ${runId} --force` },
      );
    }
    journal.append({
      type: 'run-abandoned', pid: process.pid, by: options.by ?? whoAmI(),
      ...(options.reason ? { reason: options.reason } : {}),
      ...(unfinishedPublish.length ? { unfinishedPublish } : {}),
    });
    const now = new Date().toISOString();
    writeRunIndex(ws.stateDir, {
      runId, package: pkg, command: result.command, args: summary?.args ?? index?.args ?? null, steps: summary?.steps ?? index?.steps ?? [],
      stepsDone: result.done.length, startedAt: summary?.startedAt ?? index?.startedAt ?? now, updatedAt: now, pid: process.pid,
      state: 'abandoned', ...(summary?.error ? { error: summary.error } : {}),
    });
    return { ...result, already: false };
  } finally {
    lock.release();
  }
}
