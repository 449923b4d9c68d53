import type { Command } from 'commander';

/** `pipeline build` — not built yet. */
export function register(_program: Command): void {}
