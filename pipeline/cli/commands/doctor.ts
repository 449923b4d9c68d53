import type { Command } from 'commander';

/** `pipeline doctor` — not built yet. */
export function register(_program: Command): void {}
