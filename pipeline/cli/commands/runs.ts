import type { Command } from 'commander';
import { abandonRun, type AbandonResult } from '../../state/abandon.js';
import { removeEmptyRun } from '../../state/journal.js';
import { lockHolder, packageLockName } from '../../state/lock.js';
import { listRuns, type RunListing } from '../../state/runner.js';
import { action } from '../action.js';
import { PipelineError } from '../../errors.js';

const RUN_STATES = ['running', 'interrupted', 'failed', 'done', 'abandoned'];

/**
 * `pipeline runs` — the journaled runs and their state (running, interrupted, failed, done,
 * abandoned, empty); `pipeline runs abandon RUN_ID` marks one never to be resumed; `pipeline runs
 * prune` removes the empty ones (directories left by a kill while a run was being created).
 */
export function register(program: Command): void {
  const runs = program.command('runs')
    .description('list journaled runs (promote, build, backport): state, steps done, what was interrupted; abandon one')
    .option('--package <pkg>', 'only runs of this package')
    .option('--state <state>', 'only runs in this state (running, interrupted, failed, done, abandoned, empty)')
    .action(action(async (ctx, opts: { package?: string; state?: string }) => {
      if (opts.state && !RUN_STATES.includes(opts.state)) throw new PipelineError(`--state: unknown state ${JSON.stringify(opts.state)} (states: ${RUN_STATES.join(', ')})`, { key: '--state' });
      const ws = ctx.workspace();
      const list = listRuns(ws).filter((r) => (!opts.package || r.package === opts.package) && (!opts.state || r.state === opts.state));
      ctx.out.result(list.map(toJson), () => render(list));
      return 0;
    }));

  runs.command('prune')
    .description('remove empty run directories (killed while being created: no plan, nothing ran)')
    .action(action(async (ctx) => {
      const ws = ctx.workspace();
      const empty = listRuns(ws).filter((r) => r.state === 'empty');
      // A live process holding the package lock may be creating that run this very moment: leave it.
      const busy = empty.filter((r) => r.package !== '?' && lockHolder(ws.stateDir, packageLockName(r.package)));
      const removed = empty.filter((r) => !busy.includes(r));
      for (const r of removed) removeEmptyRun(ws.stateDir, r.runId);
      ctx.out.result({ removed: removed.map((r) => r.runId), kept: busy.map((r) => r.runId) }, () => [
        removed.length ? `removed ${removed.length} empty run director${removed.length === 1 ? 'y' : 'ies'}: ${removed.map((r) => r.runId).join(', ')}` : 'no empty runs to prune',
        ...busy.map((r) => `kept ${r.runId}: ${r.package} is locked by a live process (it may be creating it)`),
      ].join('\n'));
      return 0;
    }));

  runs.command('abandon')
    .description('mark an interrupted or failed run as abandoned: resume and promote never pick it up again')
    .argument('<run-id>', 'the run (see pipeline runs)')
    .option('--reason <text>', 'why (kept in the journal)')
    .option('--force', 'abandon even though its publish step started and did not finish')
    .action(action(async (ctx, runId: string, opts: { reason?: string; force?: boolean }) => {
      const ws = ctx.workspace();
      const r = await abandonRun(ws, runId, { reason: opts.reason?.trim() || undefined, force: opts.force, note: (m) => ctx.out.note(m) });
      const warning = publishWarning(r);
      ctx.out.result({ ...r, state: 'abandoned', warning: warning ?? null }, () => [
        r.already
          ? `run ${r.runId} (${r.command} ${r.package}) was already abandoned`
          : `run ${r.runId} (${r.command} ${r.package}) abandoned: it will not be resumed (steps done: ${r.done.join(', ') || 'none'})`,
        ...(warning ? [`warning: ${warning}`] : []),
      ].join('\n'));
      return 0;
    }));
}

/** The case where abandoning is dangerous, said plainly. */
function publishWarning(r: AbandonResult): string | undefined {
  if (!r.unfinishedPublish.length) return undefined;
  return `${r.unfinishedPublish.join(', ')} started and never finished: the upload of ${r.package} may or may not be in the target; pipeline status ${r.package} tells`;
}

function toJson(r: RunListing) {
  return {
    runId: r.runId, package: r.package, command: r.command, args: r.args, state: r.state,
    stepsDone: r.done.length, stepsTotal: r.steps.length, steps: r.steps, done: r.done,
    interrupted: r.interrupted ?? null, startedAt: r.startedAt, updatedAt: r.updatedAt,
    retries: r.retries, resumes: r.resumes, error: r.error ?? null, permanent: r.permanent ?? false, halted: r.halted ?? false,
    abandoned: r.abandoned ?? null,
    journalDamage: r.damage ?? null,
  };
}

function detail(r: RunListing): string {
  if (r.abandoned) {
    const a = r.abandoned;
    return `abandoned by ${a.by}${a.reason ? `: ${a.reason}` : ''}${a.unfinishedPublish?.length ? ` (${a.unfinishedPublish.join(', ')} unfinished)` : ''}`;
  }
  if (r.state === 'empty') return 'no plan: killed while being created, nothing ran (pipeline runs prune)';
  if (r.state === 'running' && r.holder) return `pid ${r.holder.pid} (${r.holder.command})`;
  if (r.interrupted) return `interrupted in ${r.interrupted}`;
  return r.state !== 'done' && r.error ? r.error : '';
}

function render(runs: RunListing[]): string {
  if (runs.length === 0) return 'no runs\n';
  const rows = runs.map((r) => [
    r.runId, r.package, r.command, r.state + (r.halted ? ' (halted)' : r.permanent ? ' (permanent)' : ''), r.progress,
    r.state === 'empty' ? '-' : r.startedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
    detail(r),
  ]);
  const head = ['RUN', 'PACKAGE', 'COMMAND', 'STATE', 'STEPS', 'STARTED', ''];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const pending = runs.filter((r) => r.state === 'interrupted').length;
  return [line(head), ...rows.map(line), ...(pending ? [`\n${pending} interrupted: pipeline resume`] : [])].join('\n');
}
