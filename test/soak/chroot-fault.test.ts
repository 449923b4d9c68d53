// The chroot.refresh fault point (pipeline/build/chroots.ts): a crash between the refreshed
// tarball and its metadata must leave a usable cache entry that the next refresh completes.
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { chrootPaths, chrootSpecForSuite, ensureChroot, findChroot } from '../../pipeline/build/chroots.js';
import { loadWorkspace } from '../../pipeline/config/workspace.js';
import { configureFaults, InjectedFault, parseFaultSpec } from '../../pipeline/state/faults.js';
// @ts-expect-error plain ESM module without types
import { REPO } from './fixture.mjs';
import { scratchDir } from '../helpers/scratch.js';

afterEach(() => configureFaults(undefined));

/** mmdebstrap stand-in that writes `content` to its target (the argument before the mirror). */
function fakeTools(dir: string, content: string): string {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  for (const t of ['newuidmap', 'newgidmap', 'zstd']) writeFileSync(join(bin, t), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  writeFileSync(join(bin, 'mmdebstrap'), [
    '#!/bin/sh',
    'if [ "$1" = --version ]; then echo "mmdebstrap 0.0-test"; exit 0; fi',
    'i=0; for a; do i=$((i+1)); if [ $i -eq $(($# - 1)) ]; then target=$a; fi; done',
    `printf '%s' '${content}' > "$target"`,
  ].join('\n'), { mode: 0o755 });
  return bin;
}

describe('fault at chroot.refresh', () => {
  it('leaves the cache entry usable, and the next refresh completes it', async () => {
    const root = scratchDir('chroot-fault-');
    cpSync(join(REPO, 'pipeline.yaml'), join(root, 'pipeline.yaml'));
    const ws = loadWorkspace({ config: join(root, 'pipeline.yaml'), env: { PIPELINE_CACHE_DIR: join(root, 'cache'), PIPELINE_STATE_DIR: join(root, 'state') } });
    const spec = chrootSpecForSuite(ws, 'bookworm');
    const oldPath = process.env.PATH;
    process.env.PATH = `${fakeTools(root, 'refreshed tarball')}:/usr/bin:/bin`;
    try {
      const first = await ensureChroot(ws, spec);
      configureFaults(parseFaultSpec('7:1:throw', 'chroot.refresh'), { logFile: join(root, 'faults.log') });
      await expect(ensureChroot(ws, spec, { refresh: true })).rejects.toBeInstanceOf(InjectedFault);
      expect(readFileSync(join(root, 'faults.log'), 'utf8')).toContain('"point":"chroot.refresh"');
      configureFaults(undefined);
      // The new tarball is in place, the metadata still the old entry's: usable, not half-written.
      const between = findChroot(ws, spec);
      expect(between?.createdAt).toBe(first.createdAt);
      expect(readFileSync(chrootPaths(ws, spec).tarball, 'utf8')).toBe('refreshed tarball');
      const again = await ensureChroot(ws, spec, { refresh: true });
      expect(again.createdAt > first.createdAt).toBe(true);
      expect(findChroot(ws, spec)?.stale).toBe(false);
    } finally {
      process.env.PATH = oldPath;
    }
  });
});
