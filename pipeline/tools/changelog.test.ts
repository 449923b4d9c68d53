import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeEach, describe, expect, it } from 'vitest';
import { PipelineError } from '../errors.js';
import { addChangelogEntry, changelogField, changelogPathOf, changelogVersions, readChangelog, readChangelogEntries } from './changelog.js';
import { scratchDir } from '../../test/helpers/scratch.js';

const ZK = new URL('../../packages/zookeeper/debian/changelog', import.meta.url).pathname;
const ENTRY = (name: string, version: string, dist = 'unstable', body = '  * Change.') =>
  `${name} (${version}) ${dist}; urgency=medium\n\n${body}\n\n -- A Person <a@example.org>  Mon, 01 Jan 2024 12:00:00 +0000\n`;

async function rejection(p: Promise<unknown>): Promise<PipelineError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof PipelineError) return e;
    throw e;
  }
  throw new Error('expected a PipelineError');
}

let dir: string;
beforeEach(() => {
  dir = scratchDir('changelog-test-');
});

describe('readChangelog (dpkg-parsechangelog)', () => {
  it('reads the top entry of the real zookeeper changelog', async () => {
    const top = await readChangelog(ZK);
    const dpkgVersion = (await execa('dpkg-parsechangelog', ['-l', ZK, '-S', 'Version'])).stdout;
    expect(top.source).toBe('zookeeper');
    expect(top.version).toBe(dpkgVersion);
    expect(top.maintainer).toMatch(/<.+@.+>/);
    expect(top.changes).toMatch(/^ {2}\* /);
    expect(await changelogField(ZK, 'Source')).toBe('zookeeper');
  });

  it('lists every version, and entries since a version', async () => {
    const file = join(dir, 'changelog');
    writeFileSync(file, [ENTRY('foo', '1.2-1', 'unstable', '  * Three.\n    Closes: #123\n  * Fixes (Closes: #456).'), ENTRY('foo', '1.1-1'), ENTRY('foo', '1.0-1')].join('\n'));
    expect(await changelogVersions(file)).toEqual(['1.2-1', '1.1-1', '1.0-1']);
    expect((await readChangelogEntries(file, { since: '1.0-1' })).map((e) => e.version)).toEqual(['1.2-1', '1.1-1']);
    expect((await readChangelogEntries(file, { count: 1 })).map((e) => e.version)).toEqual(['1.2-1']);
    const top = await readChangelog(file);
    expect(top.closes).toEqual(['123', '456']); // dpkg's Closes rule finds both
    expect(top.changes).toBe('  * Three.\n    Closes: #123\n  * Fixes (Closes: #456).');
    expect(top.timestamp).toBe(Date.UTC(2024, 0, 1, 12) / 1000);
    expect((await changelogVersions(ZK)).length).toBeGreaterThan(10);
  });

  const malformed: [string, string, string][] = [
    ['bad heading', 'foo (1.0-1 unstable; urgency=medium\n\n  * x\n\n -- A <a@b.c>  Mon, 01 Jan 2024 00:00:00 +0000\n', 'changelog:1: malformed changelog: badly formatted heading line'],
    ['invalid version', 'foo (1.0-) unstable; urgency=medium\n\n  * x\n\n -- A <a@b.c>  Mon, 01 Jan 2024 00:00:00 +0000\n', "changelog:1: malformed changelog: version '1.0-' is invalid: revision cannot be empty"],
    ['bad trailer', 'foo (1.0-1) unstable; urgency=medium\n\n  * x\n\n -- A <a@b.c>  Mon, 1 Jan 2024\n', 'changelog:5: malformed changelog: badly formatted trailer line'],
    ['empty file', '', 'changelog:1: malformed changelog: found end of file where expected first heading'],
  ];
  it.each(malformed)('%s → one error naming file:line', async (_n, text, line) => {
    const file = join(dir, 'changelog');
    writeFileSync(file, text);
    const e = await rejection(readChangelog(file, { displayName: 'changelog' }));
    expect(e.oneLine()).toBe(line);
  });

  it('a missing changelog is one error naming it', async () => {
    expect((await rejection(readChangelog(join(dir, 'nope'), { displayName: 'debian/changelog' }))).oneLine()).toBe('debian/changelog: no such changelog');
  });
});

describe('addChangelogEntry (dch)', () => {
  const jane = { name: 'Jane Doe', email: 'jane@example.org' };

  it('adds a backport entry to a copy of the real zookeeper changelog, dated as asked', async () => {
    mkdirSync(join(dir, 'debian'));
    const file = join(dir, 'debian/changelog');
    copyFileSync(ZK, file);
    const before = readFileSync(file, 'utf8');
    const top = await addChangelogEntry(join(dir, 'debian'), {
      version: '3.9.3-2~bpo12+1', distribution: 'bookworm-backports', message: 'No-change backport to bookworm.',
      maintainer: jane, date: new Date('2026-11-26T09:30:00Z'),
    });
    expect(top).toMatchObject({ source: 'zookeeper', version: '3.9.3-2~bpo12+1', distribution: 'bookworm-backports', urgency: 'medium', maintainer: 'Jane Doe <jane@example.org>', date: 'Thu, 26 Nov 2026 09:30:00 +0000', changes: '  * No-change backport to bookworm.' });
    const after = readFileSync(file, 'utf8');
    // The old text is untouched below the new entry (dch adds, never rewrites).
    expect(after.endsWith(before)).toBe(true);
    expect(after.slice(0, after.length - before.length)).toBe(
      'zookeeper (3.9.3-2~bpo12+1) bookworm-backports; urgency=medium\n\n  * No-change backport to bookworm.\n\n -- Jane Doe <jane@example.org>  Thu, 26 Nov 2026 09:30:00 +0000\n\n');
    expect((await changelogVersions(file)).slice(0, 2)).toEqual(['3.9.3-2~bpo12+1', '3.9.3-2']);
  });

  it('takes several items, a lower version (ppa) and the tree root as target', async () => {
    mkdirSync(join(dir, 'debian'));
    writeFileSync(join(dir, 'debian/changelog'), ENTRY('foo', '1.0-1'));
    const top = await addChangelogEntry(dir, { version: '1.0-1~ppa1', distribution: 'noble', message: ['PPA test build.', 'Second item.'], maintainer: jane, urgency: 'low' });
    expect(top).toMatchObject({ version: '1.0-1~ppa1', distribution: 'noble', urgency: 'low', changes: '  * PPA test build.\n  * Second item.' });
    expect(changelogPathOf(dir)).toBe(join(dir, 'debian/changelog'));
    expect(changelogPathOf(join(dir, 'debian'))).toBe(join(dir, 'debian/changelog'));
  });

  const refused: [string, Partial<Parameters<typeof addChangelogEntry>[1]>, RegExp][] = [
    ['an invalid version', { version: '1.0-' }, /version: invalid Debian version '1.0-': revision number is empty/],
    ['a distribution with a space', { distribution: 'bookworm backports' }, /distribution 'bookworm backports' is not a suite/],
    ['an empty message', { message: '  ' }, /message is empty/],
    ['a multi-line message', { message: 'a\nb' }, /line break/],
    ['a bad email', { maintainer: { name: 'X', email: 'nope' } }, /maintainer email 'nope'/],
  ];
  it.each(refused)('refuses %s and leaves the file unchanged', async (_n, patch, message) => {
    const file = join(dir, 'changelog');
    writeFileSync(file, ENTRY('foo', '1.0-1'));
    const e = await rejection(addChangelogEntry(file, { version: '1.1-1', distribution: 'unstable', message: 'x', maintainer: jane, ...patch }));
    expect(e.oneLine()).toMatch(message);
    expect(e.file).toBe(file);
    expect(readFileSync(file, 'utf8')).toBe(ENTRY('foo', '1.0-1'));
  });

  it('refuses to add to a malformed changelog', async () => {
    const file = join(dir, 'changelog');
    writeFileSync(file, 'garbage\n');
    const e = await rejection(addChangelogEntry(file, { version: '1.1-1', distribution: 'unstable', message: 'x', maintainer: jane }));
    expect(e.oneLine()).toMatch(/changelog:1: malformed changelog/);
    expect(readFileSync(file, 'utf8')).toBe('garbage\n');
  });
});
