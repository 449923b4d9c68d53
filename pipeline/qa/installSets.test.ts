import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { debFields, installSets, isDebugSymbols } from './installSets.js';

const dir = mkdtempSync(join(tmpdir(), 'install-sets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A real .deb made by dpkg-deb with the given control fields. */
async function deb(name: string, fields: Record<string, string> = {}): Promise<string> {
  const root = join(dir, name);
  mkdirSync(join(root, 'DEBIAN'), { recursive: true });
  const extra = Object.entries(fields).map(([k, v]) => `${k}: ${v}\n`).join('');
  writeFileSync(join(root, 'DEBIAN', 'control'), `Package: ${name}\nVersion: 1.0-1\nArchitecture: all\nMaintainer: T <t@example.org>\nDescription: test\n${extra}`);
  const out = join(dir, `${name}_1.0-1_all.deb`);
  await execa('dpkg-deb', ['--root-owner-group', '--build', root, out]);
  return out;
}

describe('installSets (which binaries piuparts can install together)', () => {
  it('puts packages that Provide and Conflict with one virtual package (ZooKeeper\'s -mt-dev and -st-dev) apart', async () => {
    const debs = await Promise.all([
      deb('libz-java'),
      deb('libz-mt-dev', { Provides: 'libz-dev', Conflicts: 'libz-dev', Replaces: 'libz-dev' }),
      deb('libz-st-dev', { Provides: 'libz-dev', Conflicts: 'libz-dev', Replaces: 'libz-dev' }),
      deb('zd', { Breaks: 'oldz (<< 2)' }),
    ].map(async (p) => debFields(await p)));
    // The second set holds the rest of the build beside -st-dev: its own dependencies are among them.
    expect(installSets(debs).map((s) => s.map((d) => d.name))).toEqual([['libz-java', 'libz-mt-dev', 'zd'], ['libz-st-dev', 'libz-java', 'zd']]);
  });

  it('keeps a package that conflicts with a name it provides itself in one set with the rest', async () => {
    const debs = await Promise.all([deb('a1', { Provides: 'v', Conflicts: 'v' }), deb('b1')].map(async (p) => debFields(await p)));
    expect(installSets(debs)).toHaveLength(1);
  });

  it('a Breaks on a sibling package splits too', async () => {
    const debs = await Promise.all([deb('p1'), deb('p2', { Breaks: 'p1' })].map(async (p) => debFields(await p)));
    expect(installSets(debs).map((s) => s.map((d) => d.name))).toEqual([['p1'], ['p2']]);
    expect(installSets([]).length).toBe(0);
  });

  it('knows debug-symbol packages', () => {
    expect(isDebugSymbols('/x/zookeeper-bin-dbgsym_3.9.3-2_amd64.deb')).toBe(true);
    expect(isDebugSymbols('/x/zookeeper-bin_3.9.3-2_amd64.deb')).toBe(false);
  });
});
