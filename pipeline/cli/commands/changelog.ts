import type { Command } from 'commander';
import { draftChangelog, renderDraft } from '../../git/changelogDraft.js';
import { action } from '../action.js';

/** `pipeline changelog PKG [--dry-run]` — the next changelog entry from the unreleased commits, through dch. */
export function register(program: Command): void {
  program.command('changelog')
    .description('draft the next debian/changelog entry from the commits under packages/PKG/ since its last release tag (as gbp dch), through dch')
    .argument('<pkg>', 'package under packages/')
    .option('--dry-run', 'show the entry; write nothing')
    .action(action(async (ctx, pkg: string, opts: { dryRun?: boolean }) => {
      const d = await draftChangelog(ctx.workspace(), pkg, { dryRun: Boolean(opts.dryRun) });
      ctx.out.result(d, () => renderDraft(d));
      return 0;
    }));
}
