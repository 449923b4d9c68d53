import { Option, type Command } from 'commander';
import { PipelineError } from '../../errors.js';
import { allTags, formatHuman, formatLintian, lintPackage, tagInfo } from '../../lint/index.js';
import type { CommandContext } from '../context.js';
import { action } from '../action.js';
import { cutLongLines } from '../output.js';

interface LintCliOptions {
  stage?: string;
  format?: 'text' | 'lintian' | 'json';
  lintian?: string | boolean;
  licensecheck?: boolean;
  licenses?: boolean;
  showOverrides?: boolean;
  failOn?: 'error' | 'warning' | 'info' | 'pedantic';
  generated?: boolean;
  explain?: string | boolean;
}

/** `pipeline lint PKG|DIR|X.dsc [--stage S]` — DEP-5 copyright and metadata checks; exit 1 when the stage's gate is hit. */
export function register(program: Command): void {
  program
    .command('lint')
    .description("check debian/copyright (DEP-5) and the package's metadata, in lintian's tags; exit 1 when the stage's lint gate is hit")
    .argument('[target]', 'package name (packages/<name>), an unpacked source tree, or a .dsc')
    .option('--explain [tag]', 'print the explanation of TAG (or list every tag) and exit, like lintian-explain-tags')
    .option('--stage <stage>', "stage whose gate applies (pipeline.yaml stages[].gates.lint) and whose series the changelog must name")
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'lintian', 'json']).default('text'))
    .option('--lintian [file]', 'also run the real lintian on FILE (.changes/.dsc; default: the stage\'s last build) and merge its hints')
    .option('--licensecheck', 'ask licensecheck for a second opinion where a file header disagrees with debian/copyright')
    .option('--no-licenses', 'skip per-file license detection (structure and coverage only)')
    .option('--generated', 'use the generated upstream tree for packages that allow it (fallback: generated), e.g. offline')
    .option('--show-overrides', 'also show findings silenced by debian/source/lintian-overrides')
    .addOption(new Option('--fail-on <severity>', "blocking severity instead of the stage's").choices(['error', 'warning', 'info', 'pedantic']))
    .action(
      action(async (ctx, target: string | undefined, opts: LintCliOptions) => {
        if (opts.explain !== undefined) return explain(ctx, opts.explain);
        if (!target) throw new PipelineError('lint needs a package name, a source tree or a .dsc', { hint: 'pipeline lint zookeeper --stage ppa' });
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
          if (text) process.stdout.write(`${cutLongLines(text)}\n`);
        } else {
          ctx.out.result(record, () => formatHuman(record, { showOverridden: opts.showOverrides }));
        }
        return record.gate.verdict === 'blocked' ? 1 : 0;
      }),
    );
}

function explain(ctx: CommandContext, tag: string | boolean): number {
  if (typeof tag === 'string') {
    const t = tagInfo(tag) ?? allTags().find((x) => x.name === tag);
    if (!t) throw new PipelineError(`unknown tag ${JSON.stringify(tag)}`, { hint: 'pipeline lint --explain lists every tag' });
    ctx.out.result(t, () => `N: ${t.name} (${t.severity}${t.lintian ? ', as lintian' : ', pipeline'})\n${wrap(t.explanation).map((l) => `N:   ${l}`).join('\n')}`);
    return 0;
  }
  const tags = allTags().sort((a, b) => a.name.localeCompare(b.name));
  ctx.out.result(tags, () => tags.map((t) => `${t.severity.padEnd(8)} ${t.lintian ? 'L' : 'P'} ${t.name}`).join('\n'));
  return 0;
}

function wrap(text: string, width = 76): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}
