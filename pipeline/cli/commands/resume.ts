import type { Command } from 'commander';
import { PipelineError } from '../../errors.js';
import { LOCK_BUSY_EXIT } from '../../state/lock.js';
import { loadRunKinds, resumeAll, resumeRun, type ResumeAllResult } from '../../state/runner.js';
import { action } from '../action.js';

/**
 * `pipeline resume [RUN_ID]` — pick interrupted runs up from their journals: finished steps are not
 * repeated, an interrupted step is checked against the world (reconcile) before it runs again.
 * Exit 0 when all went well, 1 when a run failed, 75 (locked) when the only trouble is runs another
 * live process holds (it is running or resuming them).
 */
export function register(program: Command): void {
  program.command('resume')
    .description('resume interrupted runs from their journals (every unfinished run, or RUN_ID)')
    .argument('[run-id]', 'the run to resume (see pipeline runs)')
    .option('--wait [seconds]', 'if the package is locked by a live run, wait for it (forever, or SECONDS)')
    .option('--force', 'resume a run the crash-loop guard halted (or that failed permanently) anyway')
    .action(action(async (ctx, runId: string | undefined, opts: { wait?: boolean | string; force?: boolean }) => {
      const ws = ctx.workspace();
      // The built-in run kinds register themselves when their modules load (not the whole library,
      // index.js: a resume is started again after every crash); PIPELINE_RUN_KINDS adds more.
      await Promise.all([import('../../stages/lifecycle.js'), import('../../build/run.js'), import('../../backport/run.js')]);
      await loadRunKinds();
      const wait = parseWait(opts.wait);
      const options = { progress: ctx.out, wait, force: opts.force };
      // With a RUN_ID its failure is the command's error; without, each run reports on its own.
      const results: ResumeAllResult[] = runId
        ? [{ runId, package: '', ok: true, result: await resumeRun(ws, runId, options) }]
        : await resumeAll(ws, options);
      ctx.out.result(results.map((r) => ({
        runId: r.runId, ok: r.ok, locked: r.locked ?? false, error: r.error ?? null,
        skipped: r.result?.skipped ?? [], reconciled: r.result?.reconciled ?? [], retries: r.result?.retries ?? 0,
        journalDamage: r.result?.damage ?? null,
      })), () => results.length === 0 ? 'nothing to resume\n' : results.map((r) => r.ok
        ? `${r.runId}: done (${r.result!.skipped.length} step(s) from the journal${r.result!.reconciled.length ? `, reconciled: ${r.result!.reconciled.join(', ')}` : ''})`
        : `${r.runId}: ${r.error}`).join('\n'));
      if (results.every((r) => r.ok)) return 0;
      return results.every((r) => r.ok || r.locked) ? LOCK_BUSY_EXIT : 1;
    }));
}

export function parseWait(wait: boolean | string | undefined): boolean | number {
  if (wait === undefined || wait === false) return false;
  if (wait === true) return true;
  if (!/^\d+(\.\d+)?$/.test(wait)) throw new PipelineError(`--wait: not a number of seconds: ${JSON.stringify(wait)}`);
  return Number(wait) * 1000;
}
