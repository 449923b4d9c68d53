import type { Command } from 'commander';
import { ensureChroot, listChroots, stageChrootSpecs, type ChrootStatus } from '../../build/chroots.js';
import { action } from '../action.js';
import type { CommandContext } from '../context.js';

const mib = (n: number) => `${(n / 1048576).toFixed(0)} MiB`;

function describe(e: ChrootStatus): string {
  const extra = e.spec.extraPackages.length ? ` +${e.spec.extraPackages.join(',')}` : '';
  return `${e.spec.suite}-${e.spec.architecture}${extra}  ${e.key.slice(0, 8)}  ${e.createdAt.slice(0, 16).replace('T', ' ')}  ${e.ageDays.toFixed(1)}d${e.stale ? ' (stale)' : ''}  ${mib(e.sizeBytes)}  ${e.tarball}`;
}

function toJson(e: ChrootStatus) {
  return { suite: e.spec.suite, architecture: e.spec.architecture, key: e.key, tarball: e.tarball, createdAt: e.createdAt, ageDays: Number(e.ageDays.toFixed(3)), stale: e.stale, sizeBytes: e.sizeBytes, spec: e.spec };
}

async function createOrRefresh(ctx: CommandContext, suite: string | undefined, refresh: boolean) {
  const ws = ctx.workspace();
  const done: ChrootStatus[] = [];
  for (const spec of stageChrootSpecs(ws, suite)) done.push(await ensureChroot(ws, spec, { refresh, progress: ctx.out }));
  ctx.out.result({ chroots: done.map(toJson) }, () => done.map(describe).join('\n'));
  return 0;
}

/** `pipeline chroot list|create [SUITE]|refresh [SUITE]` — the cached buildd tarballs. */
export function register(program: Command): void {
  const chroot = program.command('chroot').description('cached mmdebstrap buildd chroot tarballs used by sbuild (unshare mode)');
  chroot.command('list').description('list cached chroots with their age')
    .action(action(async (ctx) => {
      const entries = listChroots(ctx.workspace());
      ctx.out.result({ chroots: entries.map(toJson) }, () => (entries.length ? entries.map(describe).join('\n') : 'no cached chroots (pipeline chroot create)'));
      return 0;
    }));
  chroot.command('create').argument('[suite]', 'series name from pipeline.yaml (default: every builder suite of the stages)')
    .description('create missing or stale chroots')
    .option('--refresh', 're-create even when the cached one is fresh')
    .action(action(async (ctx, suite: string | undefined, opts: { refresh?: boolean }) => createOrRefresh(ctx, suite, Boolean(opts.refresh))));
  chroot.command('refresh').argument('[suite]', 'series name from pipeline.yaml (default: every builder suite of the stages)')
    .description('re-create chroots; the old tarball stays usable until the new one is complete')
    .action(action(async (ctx, suite: string | undefined) => createOrRefresh(ctx, suite, true)));
}
