import type { Command } from 'commander';
import { relative } from 'node:path';
import { buildPackage } from '../../build/index.js';
import { describeOrigin } from '../../build/reuse.js';
import { buildRun } from '../../build/run.js';
import type { BuildRecord } from '../../state/records.js';
import { PipelineError } from '../../errors.js';
import { action } from '../action.js';
import { parseWait } from './resume.js';

/** Paths below the working directory relative, others absolute. */
const rel = (p?: string) => {
  if (!p) return '-';
  const r = relative(process.cwd(), p);
  return r && !r.startsWith('..') ? r : p;
};

function render(r: BuildRecord & { runId?: string }): string {
  const lines = [
    `${r.package} ${r.version} (${r.stage}): ${r.status}${r.cached ? ' (cached: inputs unchanged, sbuild not run)' : ''}`,
  ];
  if (r.status === 'failed') {
    lines.push(`  failed: ${r.failedPart} build at ${r.failStage ?? '?'}`);
    if (r.message) lines.push(`  ${r.message}`);
    lines.push(`  log: ${rel(r.failedPart === 'binary' ? r.binaryLog : r.sourceLog)}`);
  }
  lines.push(`  output: ${rel(r.outDir)}`);
  if (r.runId) lines.push(`  run: ${r.runId} (pipeline runs)`);
  if (r.dsc) lines.push(`  dsc: ${rel(r.dsc.path)}  sha256 ${r.dsc.sha256}`);
  if (r.sourceChanges) lines.push(`  changes: ${rel(r.sourceChanges.path)}`);
  for (const [part, s, log] of [['source', r.sourceSummary, r.sourceLog], ['binary', r.binarySummary, r.binaryLog]] as const) {
    if (!s) continue;
    const times = [s.installTime && `install ${s.installTime}s`, s.buildTime && `build ${s.buildTime}s`, s.buildSpace && `space ${s.buildSpace} KiB`].filter(Boolean).join(', ');
    const from = part === 'binary' && r.binaryFrom ? `, reused: the verdict of ${describeOrigin(r.binaryFrom)}` : '';
    lines.push(`  ${part}: ${s.status}${s.failStage ? ` at ${s.failStage}` : ''}${times ? ` (${times}${from})` : from ? ` (${from.slice(2)})` : ''}  log ${rel(log)}`);
  }
  if (r.layer && !r.binaryFrom) {
    const l = r.layer;
    lines.push(`  build-deps layer: ${l.status}${l.packages ? `, ${l.packages} packages` : ''}${l.reason ? ` (${l.reason})` : ''}, ${l.seconds}s${l.status === 'bypassed' ? '' : `  ${rel(l.tarball)}`}`);
  }
  return lines.join('\n');
}

/** `pipeline build PKG --stage STAGE` — source package + binary test-build in an sbuild container. */
export function register(program: Command): void {
  program.command('build')
    .description('build the source package for a stage inside an sbuild (unshare) container, then test-build its binaries')
    .argument('[pkg]', 'package under packages/ (or use --dir)')
    .option('--stage <stage>', 'stage whose version, changelog entry and chroot to use (default: the first stage)')
    .option('--dir <dir>', 'build this source tree instead of a workspace package (fixtures)')
    .option('--orig <tarball...>', 'with --dir: the orig tarball(s) beside it, under their Debian names')
    .option('--rebuild', 'build anew: no recorded result, no binary verdict reused from another stage\'s build')
    .option('--force', 'same as --rebuild')
    .option('--refresh', 're-create the chroot before building')
    .option('--no-binary', 'skip the binary test-build')
    .option('--wait [seconds]', 'if another run of the package holds its lock, wait for it (forever, or SECONDS) instead of refusing')
    .action(action(async (ctx, pkg: string | undefined, opts: { stage?: string; dir?: string; orig?: string[]; force?: boolean; rebuild?: boolean; refresh?: boolean; binary?: boolean; wait?: boolean | string }) => {
      const ws = ctx.workspace();
      const stageName = opts.stage ?? ws.config.stages[0]!.name;
      if (pkg && opts.dir) throw new PipelineError('name a package or pass --dir DIR, not both');
      if (!pkg && !opts.dir) throw new PipelineError('name a package or pass --dir DIR', { hint: 'pipeline build PKG --stage STAGE' });
      const binary = opts.binary === false ? false : undefined;
      const force = Boolean(opts.force || opts.rebuild);
      // A package's build is a journaled run under its lock (pipeline runs / resume); a --dir tree is not a package.
      const record = opts.dir
        ? await buildPackage(ws, { dir: opts.dir, origTarballs: opts.orig }, stageName, { force, refreshChroot: opts.refresh, binary, progress: ctx.out })
        : await buildRun(ws, {
          package: pkg!, stage: stageName,
          ...(force ? { force: true } : {}), ...(opts.refresh ? { refresh: true } : {}), ...(binary === false ? { binary } : {}),
        }, { progress: ctx.out, wait: parseWait(opts.wait) });
      ctx.out.result(record, () => render(record));
      return record.status === 'successful' ? 0 : 1;
    }));
}
