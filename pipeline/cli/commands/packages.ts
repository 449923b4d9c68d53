import type { Command } from 'commander';
import { packagesInOrder } from '../../config/packages.js';
import { action } from '../action.js';

/** `pipeline packages` — the package set in dependency order. */
export function register(program: Command): void {
  program
    .command('packages')
    .description('list the package set in dependency order (a package after those it depends on)')
    .action(action(async (ctx) => {
      const ws = ctx.workspace();
      const list = packagesInOrder(ws).map((p) => ({
        name: p.definition.name,
        upstream: p.definition.upstream.name,
        upstreamVersion: p.definition.upstream.version,
        source: p.definition.source.kind,
        depends: p.definition.depends,
      }));
      ctx.out.result({ packages: list }, () => {
        const w = Math.max(4, ...list.map((p) => p.name.length));
        return list.map((p) => `${p.name.padEnd(w)}  ${p.upstreamVersion.padEnd(8)}  ${p.source.padEnd(3)}  ${p.depends.length ? `needs ${p.depends.join(', ')}` : ''}`.trimEnd()).join('\n');
      });
      return 0;
    }));
}
