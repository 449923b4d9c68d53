import type { Command } from 'commander';

/** `pipeline status` — not built yet. */
export function register(_program: Command): void {}
