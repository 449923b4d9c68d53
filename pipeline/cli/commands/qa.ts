import type { Command } from 'commander';
import { PipelineError } from '../../errors.js';
import { qaStage, type StageQaResult } from '../../qa/stage.js';
import { QA_CHECK_NAMES, type QaCheckName } from '../../qa/checks.js';
import { action } from '../action.js';

/** The --check names, checked in the action so a wrong one is the usual one error line (exit 2). */
function checkNames(names: string[]): QaCheckName[] {
  for (const n of names) if (!(QA_CHECK_NAMES as readonly string[]).includes(n)) throw new PipelineError(`not a QA check: ${n} (${QA_CHECK_NAMES.join(', ')})`, { key: '--check' });
  return names as QaCheckName[];
}

const MARK = { pass: '✓', waived: '~', blocked: '✗' } as const;

export function renderQa(r: StageQaResult): string {
  const lines = [`${r.package} → ${r.stage}: QA of the ${r.subject.state} ${r.subject.version} (source ${r.subject.sourceId.slice(0, 12)})`];
  if (!r.verdicts.length) lines.push('  no QA check runs at this stage (all off or not implemented: pipeline promote --dry-run lists them)');
  for (const v of r.verdicts) {
    const res = r.record.results.find((x) => x.check === v.gate);
    lines.push(`  ${MARK[v.verdict]} ${v.gate}: ${v.verdict}${v.reason ? ` — ${v.reason}` : ''}${v.waiver ? ` (waived by ${v.waiver.by})` : ''}`);
    if (v.verdict === 'blocked' && (v.fix ?? res?.outcome.todo)) lines.push(`      ${v.fix ? 'fix' : 'to do'}: ${v.fix ?? res!.outcome.todo}`);
    if (res?.outcome.log) lines.push(`      log: ${res.outcome.log}`);
  }
  lines.push(`  evidence: ${r.evidenceDir}/qa.json${r.gatesUpdated ? ' (and the upload\'s gate record)' : ''}`);
  return lines.join('\n');
}

/** `pipeline qa PKG --stage S [--force | --check NAME...]` — the stage's QA checks on the artifact it holds; exit 1 when one blocks. */
export function register(program: Command): void {
  program.command('qa')
    .description("run the stage's QA checks (installability, upgrade path, ...) on the artifact the stage holds and record the verdicts; exit 1 when one blocks")
    .argument('<pkg>', 'package under packages/')
    .requiredOption('--stage <stage>', 'the stage whose artifact and QA settings (pipeline.yaml stages[].qa) apply')
    .option('--force', 'run every check again, even one whose verdict for these binaries is kept')
    .option('--check <name>', `run this check again, keeping the others' kept verdicts (${QA_CHECK_NAMES.join(', ')}; repeat for more)`, (v: string, prev: string[]) => [...prev, v], [] as string[])
    .action(action(async (ctx, pkg: string, opts: { stage: string; force?: boolean; check: string[] }) => {
      const checks = checkNames(opts.check);
      const force = opts.force ? true : checks.length ? checks : false;
      const r = await qaStage(ctx.workspace(), pkg, opts.stage, { force, progress: ctx.out });
      ctx.out.result(r, () => renderQa(r));
      return r.verdicts.some((v) => v.verdict === 'blocked') ? 1 : 0;
    }));
}
