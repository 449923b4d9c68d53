import { Option, type Command } from 'commander';
import { PipelineError } from '../../errors.js';
import { formatHuman, formatLintian, lintPackage } from '../../lint/index.js';
import { action } from '../action.js';

interface LintCliOptions {
  stage?: string;
  format?: 'text' | 'lintian' | 'json';
  lintian?: string | boolean;
  licensecheck?: boolean;
  licenses?: boolean;
  showOverrides?: boolean;
  failOn?: 'error' | 'warning' | 'info' | 'pedantic';
  generated?: boolean;
}

/** `pipeline lint PKG|DIR|X.dsc [--stage S]` — DEP-5 copyright and metadata checks; exit 1 when the stage's gate is hit. */
export function register(program: Command): void {
  program
    .command('lint')
    .description("check debian/copyright (DEP-5) and the package's metadata, in lintian's tags; exit 1 when the stage's lint gate is hit")
    .argument('<target>', 'package name (packages/<name>), an unpacked source tree, or a .dsc')
    .option('--stage <stage>', "stage whose gate applies (pipeline.yaml stages[].gates.lint) and whose series the changelog must name")
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'lintian', 'json']).default('text'))
    .option('--lintian [file]', 'also run the real lintian on FILE (.changes/.dsc; default: the stage\'s last build) and merge its hints')
    .option('--licensecheck', 'ask licensecheck for a second opinion where a file header disagrees with debian/copyright')
    .option('--no-licenses', 'skip per-file license detection (structure and coverage only)')
    .option('--generated', 'use the generated upstream tree for packages that allow it (fallback: generated), e.g. offline')
    .option('--show-overrides', 'also show findings silenced by debian/source/lintian-overrides')
    .addOption(new Option('--fail-on <severity>', "blocking severity instead of the stage's").choices(['error', 'warning', 'info', 'pedantic']))
    .action(
      action(async (ctx, target: string, opts: LintCliOptions) => {
        const ws = ctx.workspace();
        if (opts.lintian !== undefined && typeof opts.lintian === 'string' && !/\.(changes|dsc)$/.test(opts.lintian))
          throw new PipelineError('--lintian takes a .changes or .dsc file', { file: opts.lintian });
        const record = await lintPackage(ws, target, {
          stage: opts.stage,
          lintian: opts.lintian,
          licensecheck: opts.licensecheck,
          detectLicenses: opts.licenses,
          gate: opts.failOn,
          generated: opts.generated,
          progress: ctx.out.json || opts.format !== 'text' ? undefined : ctx.out,
        });
        if (ctx.out.json || opts.format === 'json') {
          process.stdout.write(`${JSON.stringify(record, null, 2)}\n`);
        } else if (opts.format === 'lintian') {
          const text = formatLintian(record, { showOverridden: opts.showOverrides });
          if (text) process.stdout.write(`${text}\n`);
        } else {
          ctx.out.result(record, () => formatHuman(record, { showOverridden: opts.showOverrides }));
        }
        return record.gate.verdict === 'blocked' ? 1 : 0;
      }),
    );
}
