import type { Command } from 'commander';

/** `pipeline schedule` — not built yet. */
export function register(_program: Command): void {}
