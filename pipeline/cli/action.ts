import type { Command } from 'commander';
import { contextFor, type CommandContext, type CommandResult } from './context.js';

/**
 * Adapts `(ctx, ...args) => exitCode` to commander's action signature: commander passes the
 * positional arguments, then the options object, then the Command itself.
 */
export function action<A extends unknown[]>(
  fn: (ctx: CommandContext, ...args: A) => Promise<CommandResult> | CommandResult,
) {
  return async (...raw: unknown[]) => {
    const command = raw[raw.length - 1] as Command & { _exitCode?: number };
    const args = raw.slice(0, -1) as A;
    const code = await fn(contextFor(command), ...args);
    if (typeof code === 'number') command._exitCode = code;
  };
}
