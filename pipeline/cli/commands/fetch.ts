import type { Command } from 'commander';
import { action } from '../action.js';
import { fetchSource } from '../../source/fetch.js';

/** `pipeline fetch PKG` — the package's original source into the cache, verified. */
export function register(program: Command): void {
  program
    .command('fetch')
    .description('fetch a package\'s source into the cache and verify its checksums')
    .argument('<pkg>', 'package name (packages/<pkg>/package.yaml)')
    .option('--generated', 'for upstreams that cannot be reached: use the generated test tree (fallback: generated)')
    .action(action(async (ctx, pkg: string, opts: { generated?: boolean }) => {
      const ws = ctx.workspace();
      const fetched = await fetchSource(ws, pkg, { progress: ctx.out, generated: opts.generated });
      ctx.out.result(fetched, () => [
        `${fetched.package} ${fetched.version} (${fetched.origin}${fetched.downloaded ? '' : ', cached'}): ${fetched.origin === 'generated' ? 'generated test tree (deterministic)' : 'verified'}`,
        `  ${fetched.dir}`,
        ...fetched.files.map((f) => `  ${f.sha256}  ${f.size}  ${f.name}`),
      ].join('\n'));
      return 0;
    }));
}
