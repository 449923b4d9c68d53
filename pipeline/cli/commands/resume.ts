import type { Command } from 'commander';

/** `pipeline resume` — not built yet. */
export function register(_program: Command): void {}
