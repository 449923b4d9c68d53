import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { compareRebuild, diffoscopeMembers } from './rebuildCompare.js';

/** A .deb built by dpkg-deb from `files` (path → content), with its md5sums member as dh_md5sums writes it. */
async function deb(out: string, files: Record<string, string>): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), 'deb-root-'));
  mkdirSync(join(root, 'DEBIAN'));
  writeFileSync(join(root, 'DEBIAN/control'), 'Package: hello\nVersion: 1.0\nArchitecture: all\nMaintainer: T <t@example.org>\nDescription: test\n test\n');
  const sums: string[] = [];
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
    sums.push(`${createHash('md5').update(content).digest('hex')}  ${path}`);
  }
  writeFileSync(join(root, 'DEBIAN/md5sums'), `${sums.join('\n')}\n`);
  mkdirSync(out, { recursive: true });
  const file = join(out, 'hello_1.0_all.deb');
  await execa('dpkg-deb', ['--root-owner-group', '--build', root, file], { env: { SOURCE_DATE_EPOCH: '1764072000' } });
  rmSync(root, { recursive: true, force: true });
  return file;
}

describe('two builds\' .debs compared', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qa-rebuild-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('identical bytes are identical; a differing .deb names its differing file, with diffoscope\'s report', async () => {
    const same = { 'usr/bin/hello': '#!/bin/sh\necho hello\n' };
    const first = await deb(join(dir, 'a'), { ...same, 'usr/share/hello/build-path': '/build/hello-AbC123\n' });
    await deb(join(dir, 'b'), { ...same, 'usr/share/hello/build-path': '/build/reproducible-check/hello\n' });
    const c = await compareRebuild([first], join(dir, 'b'), join(dir, 'work'));
    expect(c.identical).toEqual([]);
    expect(c.differing.map((d) => [d.deb, d.files])).toEqual([['hello_1.0_all.deb', ['/usr/share/hello/build-path']]]);
    expect(c.differing[0]!.diffoscopeMembers).toEqual(expect.arrayContaining(['./usr/share/hello/build-path']));

    await deb(join(dir, 'c'), { ...same, 'usr/share/hello/build-path': '/build/hello-AbC123\n' });
    expect(await compareRebuild([first], join(dir, 'c'), join(dir, 'work2'))).toMatchObject({ identical: ['hello_1.0_all.deb'], differing: [], missing: [], extra: [] });
  });

  it('reads the members a diffoscope text report shows', () => {
    const report = ['--- a.deb', '+++ b.deb', '├── file list', '├── data.tar.xz', '│ ├── data.tar', '│ │ ├── ./usr/share/hello/build-path', '│ │ │ @@ -1 +1 @@'].join('\n');
    expect(diffoscopeMembers(report)).toEqual(['data.tar.xz', 'data.tar', './usr/share/hello/build-path']);
  });
});
