import type { Command } from 'commander';

/** `pipeline report` — not built yet. */
export function register(_program: Command): void {}
