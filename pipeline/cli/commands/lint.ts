import type { Command } from 'commander';

/** `pipeline lint` — not built yet. */
export function register(_program: Command): void {}
