import type { Command } from 'commander';
import { chrootKey, ensureChroot, listChroots, removeChroot, stageChrootSpecs, type ChrootStatus } from '../../build/chroots.js';
import { evictLayers, layerLimitBytes, listLayers, type LayerStatus } from '../../build/layers.js';
import { PipelineError } from '../../errors.js';
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

function describeLayer(l: LayerStatus): string {
  return `${l.suite}-${l.architecture} layer  ${l.key.slice(0, 16)}  base ${l.base.key.slice(0, 8)}${l.stale ? ' (stale: base refreshed)' : ''}  ${l.packages.length} packages  used ${l.lastUsedAt.slice(0, 16).replace('T', ' ')}  made for ${l.madeFor}  ${mib(l.sizeBytes)}  ${l.tarball}`;
}

function layerJson(l: LayerStatus) {
  return { suite: l.suite, architecture: l.architecture, key: l.key, base: l.base, tarball: l.tarball, packages: l.packages, createdAt: l.createdAt, lastUsedAt: l.lastUsedAt, madeFor: l.madeFor, sizeBytes: l.sizeBytes, stale: l.stale };
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
      const ws = ctx.workspace();
      const entries = listChroots(ws);
      const layers = listLayers(ws);
      const total = layers.reduce((n, l) => n + l.sizeBytes, 0);
      ctx.out.result({ chroots: entries.map(toJson), layers: layers.map(layerJson), layersSizeBytes: total, layersLimitBytes: layerLimitBytes(ws) }, () => [
        entries.length ? entries.map(describe).join('\n') : 'no cached chroots (pipeline chroot create)',
        ...(layers.length ? [`build-dependency layers (${mib(total)} of ${mib(layerLimitBytes(ws))}, most recently used first):`, ...layers.map(describeLayer)] : []),
      ].join('\n'));
      return 0;
    }));
  chroot.command('prune')
    .description('remove stale chroots (older than chroots.maxAgeDays: a build would refresh them), layers of a refreshed or removed base, and the least recently used layers beyond chroots.layers.maxSizeMiB')
    .option('--max-size-mib <n>', 'trim the layers to this many MiB instead of the configured bound')
    .option('--unused', 'also remove chroots no stage of this configuration builds in (the cache may be shared with other profiles)')
    .action(action(async (ctx, opts: { maxSizeMib?: string; unused?: boolean }) => {
      const ws = ctx.workspace();
      if (opts.maxSizeMib !== undefined && !/^\d+$/.test(opts.maxSizeMib)) throw new PipelineError(`--max-size-mib: not a number of MiB: ${JSON.stringify(opts.maxSizeMib)}`);
      const used = new Set(stageChrootSpecs(ws).map(chrootKey));
      const unused = listChroots(ws).filter((c) => c.stale || (opts.unused && !used.has(c.key)));
      for (const c of unused) removeChroot(c);
      const limit = opts.maxSizeMib === undefined ? layerLimitBytes(ws) : Number(opts.maxSizeMib) * 1048576;
      const layers = evictLayers(ws, limit);
      ctx.out.result({ removed: { chroots: unused.map(toJson), layers: layers.map(layerJson) } }, () => [
        ...unused.map((c) => `removed chroot ${describe(c)}`),
        ...layers.map((l) => `removed ${describeLayer(l)}`),
        ...(unused.length + layers.length ? [] : ['nothing to prune']),
      ].join('\n'));
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
