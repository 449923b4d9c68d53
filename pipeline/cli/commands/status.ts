import type { Command } from 'commander';
import { renderStatus, status } from '../../stages/status.js';
import { action } from '../action.js';

/** `pipeline status [PKG...]` — packages × stages, versions in each target, what blocks the next step. */
export function register(program: Command): void {
  program.command('status')
    .description('packages × stages: the version in each target archive and the verdicts that block the next step')
    .argument('[pkgs...]', 'only these packages (default: the whole set)')
    .action(action(async (ctx, pkgs: string[]) => {
      const report = await status(ctx.workspace(), pkgs);
      ctx.out.result(report, () => renderStatus(report));
      return 0;
    }));
}
