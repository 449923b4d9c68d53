import type { Command } from 'commander';

/** `pipeline version` — not built yet. */
export function register(_program: Command): void {}
