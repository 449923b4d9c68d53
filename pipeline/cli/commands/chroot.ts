import type { Command } from 'commander';

/** `pipeline chroot` — not built yet. */
export function register(_program: Command): void {}
