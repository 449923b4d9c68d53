import type { Command } from 'commander';
import { listRuns, type RunListing } from '../../state/runner.js';
import { action } from '../action.js';

/** `pipeline runs` — the journaled runs and their state (running, interrupted, failed, done). */
export function register(program: Command): void {
  program.command('runs')
    .description('list journaled runs (promote, build): state, steps done, what was interrupted')
    .option('--package <pkg>', 'only runs of this package')
    .option('--state <state>', 'only runs in this state (running, interrupted, failed, done)')
    .action(action(async (ctx, opts: { package?: string; state?: string }) => {
      const ws = ctx.workspace();
      const runs = listRuns(ws).filter((r) => (!opts.package || r.package === opts.package) && (!opts.state || r.state === opts.state));
      ctx.out.result(runs.map(toJson), () => render(runs));
      return 0;
    }));
}

function toJson(r: RunListing) {
  return {
    runId: r.runId, package: r.package, command: r.command, args: r.args, state: r.state,
    stepsDone: r.done.length, stepsTotal: r.steps.length, steps: r.steps, done: r.done,
    interrupted: r.interrupted ?? null, startedAt: r.startedAt, updatedAt: r.updatedAt,
    retries: r.retries, resumes: r.resumes, error: r.error ?? null, permanent: r.permanent ?? false, halted: r.halted ?? false,
    journalDamage: r.damage ?? null,
  };
}

function render(runs: RunListing[]): string {
  if (runs.length === 0) return 'no runs\n';
  const rows = runs.map((r) => [
    r.runId, r.package, r.command, r.state + (r.halted ? ' (halted)' : r.permanent ? ' (permanent)' : ''), r.progress,
    r.startedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
    r.interrupted ? `interrupted in ${r.interrupted}` : r.state !== 'done' && r.error ? r.error : '',
  ]);
  const head = ['RUN', 'PACKAGE', 'COMMAND', 'STATE', 'STEPS', 'STARTED', ''];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const pending = runs.filter((r) => r.state === 'interrupted').length;
  return [line(head), ...rows.map(line), ...(pending ? [`\n${pending} interrupted: pipeline resume`] : [])].join('\n');
}
