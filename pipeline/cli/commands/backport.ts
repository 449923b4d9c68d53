import type { Command } from 'commander';
import { createInterface } from 'node:readline/promises';
import { backport, type BackportRequest, type BackportResult } from '../../backport/index.js';
import { action } from '../action.js';

const MARK = { pass: '✓', waived: '~', blocked: '✗' } as const;

export function renderBackport(r: BackportResult): string {
  const lines = [`${r.source} ${r.version} (${r.sourceSuite})${r.dryRun ? ' — dry run: nothing written' : ''}`];
  for (const d of r.destinations) {
    lines.push(`  ${d.series}: ${d.version} → ${d.target}, distribution ${d.distribution}, ${d.includeOrig ? '-sa' : '-sd'}${d.changesSince ? ` -v${d.changesSince}` : ''}`);
    for (const v of d.verdicts) lines.push(`    ${MARK[v.verdict]} ${v.gate}: ${v.verdict}${v.reason ? ` — ${v.reason}` : ''}`);
    if (d.upload.command.length) lines.push(`    upload: ${d.upload.command.join(' ')}`);
    if (d.build) lines.push(`    build (${d.build.builder}${d.build.binary ? ', binaries' : ', source only'}): ${d.build.status}  ${d.build.outDir}`);
    if (d.lint) lint(lines, d.lint);
    if (d.signed) lines.push(`    signed by ${d.signed.by.slice(-16)}: ${d.signed.changes}`);
    if (d.published) lines.push(`    landed: ${d.published.version} in ${d.published.target}:${d.published.suite}${d.published.confirmed ? ' (confirmed in the index)' : ` (not confirmed: ${d.published.note ?? 'pending'})`}`);
  }
  const state = { done: 'backported', 'dry-run': 'plan only', blocked: 'blocked', failed: 'failed' }[r.state];
  lines.push(`  ${state}${r.message ? `: ${r.message}` : ''}${r.runId ? ` [run ${r.runId}]` : ''}`);
  return lines.join('\n');
}

function lint(lines: string[], l: NonNullable<BackportResult['destinations'][number]['lint']>): void {
  lines.push(`    lint: ${l.counts.error} errors, ${l.counts.warning} warnings, ${l.counts.info} info${l.lintian ? ' (with lintian)' : ''}`);
}

/** Asks on the terminal; undefined without one (then a remote upload needs -y). */
function terminalQuestion(): ((q: string) => Promise<boolean>) | undefined {
  if (!process.stdin.isTTY) return undefined;
  return async (q) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return /^y(es)?$/i.test((await rl.question(q)).trim());
    } finally {
      rl.close();
    }
  };
}

/**
 * backportpackage's `-v VERSION` (and `--version VERSION`) after `backport`: the global `-v` is
 * --verbose and `--version` the program's, so main() renames them to `--source-version` here first.
 */
export function backportArgv(argv: string[]): string[] {
  const at = argv.findIndex((a, i) => i >= 2 && a === 'backport' && argv[i - 1] !== '--config' && argv[i - 1] !== '--at');
  if (at < 0) return argv;
  return argv.map((a, i) => (i > at && (a === '-v' || a === '--version') && argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('-') ? '--source-version' : a));
}

/** commander's options: BackportRequest's, but -s (the suite), -v and -d under commander's names. */
type BackportCliOptions = Pick<BackportRequest, 'upload' | 'build' | 'builder' | 'key' | 'dontSign' | 'yes' | 'workdir' | 'failOn'>
  & { source: string; sourceVersion?: string; destination?: string[]; dryRun?: boolean; wait?: boolean };

/** `pipeline backport SOURCE -s SUITE -d SERIES... [-u TARGET] [-b] [--builder B] [-k KEY] [--dont-sign] [-y] [-w DIR] [--dry-run]` */
export function register(program: Command): void {
  program.command('backport')
    .description('backport a source package of a reachable suite (not in packages/) to other series, as ubuntu-dev-tools\' backportpackage: fetch, version gate, build, sign, lint, upload')
    .argument('<source>', 'source package name')
    .requiredOption('-s, --source <suite>', 'the suite to fetch it from (a series of pipeline.yaml, e.g. trixie)')
    .option('--source-version <version>', '(-v, --version VERSION) the version to backport (default: the highest the source suite has)')
    .option('-d, --destination <series>', 'backport to SERIES (repeat for more)', (v: string, prev: string[] = []) => [...prev, v])
    .option('-u, --upload <target>', 'a dput host of your dput.cf, ppa:OWNER/NAME (adds ~ppaN), or local (the default: the local archive)')
    .option('-b, --build', 'test-build the binaries before uploading')
    .option('--builder <builder>', 'sbuild (default) or pbuilder')
    .option('-k, --key <keyid>', 'sign with this key (of the pipeline\'s GnuPG home)')
    .option('--dont-sign', 'do not sign: build (and lint) only, upload nothing')
    .option('-y, --yes', 'upload to a remote target without asking')
    .option('-w, --workdir <dir>', 'fetch and unpack here (default: <state>/backport/SOURCE_VERSION), kept afterwards')
    .option('--fail-on <severity>', 'lint findings of this severity or worse block the upload (default error: the source\'s packaging is carried as it is)')
    .option("--dry-run", "the plan: version, changelog distribution, gates, upload command; no source fetched, nothing written to the state (the apt lists in the cache are refreshed)")
    .option('--wait', 'wait for another run of the same package instead of refusing')
    .action(action(async (ctx, source: string, opts: BackportCliOptions) => {
      const ws = ctx.workspace();
      const ask = terminalQuestion();
      const { source: sourceSuite, sourceVersion, destination, dryRun, wait, ...rest } = opts;
      const r = await backport(ws, { ...rest, source, sourceSuite, destinations: destination ?? [], ...(sourceVersion ? { version: sourceVersion } : {}) }, {
        progress: ctx.out, dryRun: Boolean(dryRun), wait: Boolean(wait), ...(ask ? { ask } : {}),
      });
      ctx.out.result(r, () => renderBackport(r));
      return r.exitCode;
    }));
}
