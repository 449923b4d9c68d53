import type { Command } from 'commander';

/** `pipeline ci` — not built yet. */
export function register(_program: Command): void {}
