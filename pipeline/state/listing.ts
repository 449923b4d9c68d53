/**
 * The runs under a state directory as `pipeline runs` shows them: the journal's summary of each,
 * `running` when a live process holds its package lock for it, `empty` for a directory with no plan
 * at all (killed while the run was being created). Which of them are pending work for a resume.
 */
import type { Workspace } from '../config/workspace.js';
import { listRunIds, packageOfRunId, readRun, type RunSummary } from './journal.js';
import { lockHolder, packageLockName, type LockHolder } from './lock.js';

export interface RunListing extends RunSummary {
  /** Steps finished / planned. */
  progress: string;
  /** The live process holding the run's package lock for it (state `running`). */
  holder?: LockHolder;
}

/**
 * Every run, oldest first, with its state: running (its package lock is held for it), interrupted,
 * failed, done, abandoned — or empty: a directory with no plan in its journal nor a run.json (killed
 * while the run was being created; nothing ran), which `pipeline runs prune` removes.
 */
export function listRuns(ws: Workspace): RunListing[] {
  const out: RunListing[] = [];
  for (const id of listRunIds(ws.stateDir)) {
    let s = readRun(ws.stateDir, id);
    if (!s) {
      const at = new Date(0).toISOString();
      out.push({ runId: id, package: packageOfRunId(id) ?? '?', command: '?', args: null, state: 'empty', steps: [], done: [], startedAt: at, updatedAt: at, retries: 0, resumes: 0, progress: '0/0' });
      continue;
    }
    const holder = lockHolder(ws.stateDir, packageLockName(s.package));
    if ((s.state === 'interrupted' || s.state === 'failed') && holder?.runId === id) s = { ...s, state: 'running' };
    out.push({ ...s, progress: `${s.done.length}/${s.steps.length}`, ...(s.state === 'running' ? { holder } : {}) });
  }
  return out;
}

/** Runs being resumed, or run, by another live process (their package lock is held for them). */
export function runsHeldElsewhere(ws: Workspace): RunListing[] {
  return listRuns(ws).filter((r) => r.state === 'running' && r.holder?.pid !== process.pid);
}

/**
 * Pending work: runs interrupted by a crash, or failed for a reason resuming can fix (transient
 * failures after the retries ran out). Not: running ones, done ones, permanent failures, runs
 * the crash-loop guard halted (those wait for a human: `resume RUN --force`), abandoned ones.
 */
export function unfinishedRuns(ws: Workspace, pkg?: string): RunListing[] {
  return listRuns(ws).filter((r) =>
    (r.state === 'interrupted' || (r.state === 'failed' && !r.permanent && !r.halted)) && (pkg === undefined || r.package === pkg));
}

