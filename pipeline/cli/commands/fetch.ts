import type { Command } from 'commander';
import { action } from '../action.js';
import { fetchSource } from '../../source/fetch.js';
import { updateLtsLists } from '../../stages/backports.js';

/** `pipeline fetch PKG` — the package's original source into the cache, verified. */
export function register(program: Command): void {
  program
    .command('fetch')
    .description('fetch a package\'s source into the cache and verify its checksums')
    .argument('<pkg>', 'package name (packages/<pkg>/package.yaml)')
    .option('--generated', 'for upstreams that cannot be reached: use the generated test tree (fallback: generated)')
    .option('--lists', 'also update the apt lists of the LTS series (release, -updates, -security) the backport version gate reads')
    .action(action(async (ctx, pkg: string, opts: { generated?: boolean; lists?: boolean }) => {
      const ws = ctx.workspace();
      const fetched = await fetchSource(ws, pkg, { progress: ctx.out, generated: opts.generated });
      const lists = opts.lists ? await updateLtsLists(ws, ctx.out) : undefined;
      ctx.out.result(lists ? { ...fetched, lists } : fetched, () => [
        `${fetched.package} ${fetched.version} (${fetched.origin}${fetched.downloaded ? '' : ', cached'}): ${fetched.origin === 'generated' ? 'generated test tree (deterministic)' : 'verified'}`,
        `  ${fetched.dir}`,
        ...fetched.files.map((f) => `  ${f.sha256}  ${f.size}  ${f.name}`),
        ...(lists ?? []).map((l) => `apt lists of ${l.series}: ${l.suites.join(', ')}${l.missing ? ` (missing: ${l.missing.join(', ')}: the backport version gate names them unchecked${l.warning ? `; ${l.warning}` : ''})` : ''}`),
      ].join('\n'));
      return 0;
    }));
}
