import type { Command } from 'commander';

/** `pipeline runs` — not built yet. */
export function register(_program: Command): void {}
