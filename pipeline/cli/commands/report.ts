import type { Command } from 'commander';
import writeFileAtomic from 'write-file-atomic';
import { resolve } from 'node:path';
import { PipelineError } from '../../errors.js';
import { type ReportFormat } from '../../report/index.js';
import { report as runReport } from '../../report/run.js';
import { action } from '../action.js';

const FORMATS: ReportFormat[] = ['text', 'md', 'json', 'html'];

/**
 * `pipeline report [--release SERIES] [--format text|md|json|html] [--out FILE]` — are we ready
 * for the release? Exit code 1 when not (CI uses it), 0 when ready.
 */
export function register(program: Command): void {
  program
    .command('report')
    .description('release-readiness report for every package (exit 1 when not ready)')
    .argument('[pkgs...]', 'only these packages (default: the whole set)')
    .option('--release <series>', "the release series (default: the devel stage's series)")
    .option('--format <format>', 'text, md, json or html', 'text')
    .option('--out <file>', 'write the report to FILE (atomically) instead of stdout')
    .option('--offline', 'do not fetch the main index for the MIR dependency check')
    .action(action(async (ctx, pkgs: string[], opts: { release?: string; format: string; out?: string; offline?: boolean }) => {
      const ws = ctx.workspace();
      if (ctx.options.json && !['text', 'json'].includes(opts.format)) throw new PipelineError(`--json asks for JSON, --format for ${opts.format}: give one`, { key: '--format' });
      const format = (ctx.options.json ? 'json' : opts.format) as ReportFormat;
      if (!FORMATS.includes(format)) throw new PipelineError(`--format: unknown format "${opts.format}" (${FORMATS.join(', ')})`);
      const { report, text } = await runReport(ws, { release: opts.release, format, offline: opts.offline, progress: ctx.out, packages: pkgs });
      if (opts.out) {
        const file = resolve(opts.out);
        try {
          writeFileAtomic.sync(file, text, { fsync: true });
        } catch (e) {
          throw new PipelineError(`cannot write the report: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, { file: opts.out });
        }
        ctx.out.note(`${report.overall.verdict}: ${report.overall.summary} — wrote ${opts.out}`);
      } else {
        process.stdout.write(text);
      }
      return report.overall.ready ? 0 : 1;
    }));
}
