import type { Command } from 'commander';

/** `pipeline packages` — not built yet. */
export function register(_program: Command): void {}
