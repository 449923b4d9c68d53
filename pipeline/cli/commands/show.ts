import type { Command } from 'commander';

/** `pipeline show` — not built yet. */
export function register(_program: Command): void {}
