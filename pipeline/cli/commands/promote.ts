import type { Command } from 'commander';

/** `pipeline promote` — not built yet. */
export function register(_program: Command): void {}
