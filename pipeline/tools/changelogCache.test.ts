import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readChangelog } from './changelog.js';

const ENTRY = (version: string) =>
  `pkg (${version}) unstable; urgency=medium\n\n  * Change.\n\n -- A Person <a@example.org>  Mon, 01 Jan 2024 12:00:00 +0000\n`;

let dir: string;
let cache: string;
const saved = { cache: process.env.PIPELINE_CACHE_DIR, path: process.env.PATH };
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'changelog-cache-test-'));
  cache = join(dir, 'cache');
  process.env.PIPELINE_CACHE_DIR = cache;
});
afterEach(() => {
  if (saved.cache === undefined) delete process.env.PIPELINE_CACHE_DIR;
  else process.env.PIPELINE_CACHE_DIR = saved.cache;
  process.env.PATH = saved.path;
});

const entries = () => (existsSync(join(cache, 'changelog-parse')) ? readdirSync(join(cache, 'changelog-parse')) : []);

describe('dpkg-parsechangelog answers remembered by content (changelogCache.ts)', () => {
  it('keeps a clean answer on disk and gives it back for the same bytes', async () => {
    const file = join(dir, 'changelog');
    writeFileSync(file, ENTRY('1.0-1'));
    expect((await readChangelog(file)).version).toBe('1.0-1');
    expect(entries()).toHaveLength(1);
    // Another copy of the same bytes elsewhere: the same entry, nothing new written.
    const copy = join(dir, 'copy');
    writeFileSync(copy, ENTRY('1.0-1'));
    expect((await readChangelog(copy)).version).toBe('1.0-1');
    expect(entries()).toHaveLength(1);
  });

  it('never answers a changed file from the cache', async () => {
    const file = join(dir, 'changelog');
    writeFileSync(file, ENTRY('2.0-1'));
    expect((await readChangelog(file)).version).toBe('2.0-1');
    writeFileSync(file, ENTRY('2.0-2') + '\n' + ENTRY('2.0-1'));
    expect((await readChangelog(file)).version).toBe('2.0-2');
    expect(entries()).toHaveLength(2);
  });

  it('keys on the tool itself: another dpkg-parsechangelog on PATH is asked, not the cache', async () => {
    const file = join(dir, 'changelog');
    writeFileSync(file, ENTRY('1.0-1'));
    expect((await readChangelog(file)).version).toBe('1.0-1');
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    const standIn = join(bin, 'dpkg-parsechangelog');
    writeFileSync(standIn, '#!/bin/sh\nprintf "Source: pkg\\nVersion: 9.9-9\\nDistribution: unstable\\n"\n');
    chmodSync(standIn, 0o755);
    process.env.PATH = `${bin}:${saved.path}`;
    expect((await readChangelog(file)).version).toBe('9.9-9');
  });

  it('does not keep answers with warnings (they name the path)', async () => {
    const file = join(dir, 'changelog');
    writeFileSync(file, 'pkg (1.0-1) unstable; urgency=medium\n\n  * Change.\n\n -- nobody\n');
    await expect(readChangelog(file)).rejects.toThrow(/malformed changelog/);
    expect(entries()).toHaveLength(0);
  });
});
