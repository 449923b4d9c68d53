import type { Command } from 'commander';

/** `pipeline fetch` — not built yet. */
export function register(_program: Command): void {}
