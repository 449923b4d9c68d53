import type { Command } from 'commander';

/** `pipeline new` — not built yet. */
export function register(_program: Command): void {}
