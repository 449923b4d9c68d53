import { execFileSync } from 'node:child_process';
import { linkSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifySourceControlFile } from '../debian/verifyDsc.js';
import { lintTree } from './run.js';
import { scanDsc, scannable } from './scan.js';
import { readTarStream } from './tarStream.js';
import { unpackDsc } from './unpack.js';
import { scratchDir } from '../../test/helpers/scratch.js';

const COPYRIGHT = `Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/

Files: *
Copyright: 2024 X
License: Apache-2.0
 See /usr/share/common-licenses/Apache-2.0.

Files: vendor/*
Copyright: 2020 Y
License: Expat
 Permission is hereby granted...
`;

/**
 * A 3.0 (quilt) source built by dpkg-source: an orig tarball with an upstream debian/ (replaced),
 * a component tarball, a hard link, a symbolic link, a 150-character path (GNU long name / pax),
 * a .git directory and an .xz debian tarball.
 */
function quiltSource(): string {
  const dir = scratchDir('scan-');
  const up = join(dir, 'demo-1.0');
  const long = `${'d'.repeat(60)}/${'e'.repeat(60)}/${'f'.repeat(40)}.c`;
  const files: Record<string, string> = {
    'src/a.c': '/* Licensed under the Apache License, Version 2.0 */\nint a;\n',
    'vendor/lib.js': '// Licensed under the GNU General Public License version 2 or any later version\n',
    'debian/upstream-stale': 'upstream debian dir, replaced by the packaging\n',
    '.git/config': 'x\n',
    [long]: '/* SPDX-License-Identifier: BSD-3-Clause */\n',
    'big.txt': 'x'.repeat(100_000),
  };
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(join(up, f, '..'), { recursive: true });
    writeFileSync(join(up, f), text);
  }
  linkSync(join(up, 'src/a.c'), join(up, 'src/hard.c'));
  symlinkSync('a.c', join(up, 'src/sym.c'));
  execFileSync('tar', ['-czf', join(dir, 'demo_1.0.orig.tar.gz'), '--format=gnu', 'demo-1.0'], { cwd: dir });
  mkdirSync(join(dir, 'comp', 'extra-1'), { recursive: true });
  writeFileSync(join(dir, 'comp', 'extra-1', 'x.py'), '# This file is placed in the public domain.\n');
  execFileSync('tar', ['-cJf', join(dir, 'demo_1.0.orig-extra.tar.xz'), '--format=pax', 'extra-1'], { cwd: join(dir, 'comp') });
  // the unpacked tree dpkg-source -b wants: orig contents, component, debian/
  execFileSync('rm', ['-rf', join(up, 'debian')]);
  mkdirSync(join(up, 'extra'), { recursive: true });
  writeFileSync(join(up, 'extra', 'x.py'), '# This file is placed in the public domain.\n');
  mkdirSync(join(up, 'debian', 'source'), { recursive: true });
  writeFileSync(join(up, 'debian', 'source', 'format'), '3.0 (quilt)\n');
  writeFileSync(join(up, 'debian', 'control'), 'Source: demo\nMaintainer: Demo <demo@example.org>\nStandards-Version: 4.7.0\n\nPackage: demo\nArchitecture: all\nDescription: d\n d.\n');
  writeFileSync(join(up, 'debian', 'changelog'), 'demo (1.0-1) unstable; urgency=medium\n\n  * x\n\n -- Demo <demo@example.org>  Wed, 25 Nov 2026 20:00:37 +0000\n');
  writeFileSync(join(up, 'debian', 'copyright'), COPYRIGHT);
  execFileSync('dpkg-source', ['-b', 'demo-1.0'], { cwd: dir, stdio: 'ignore' });
  return join(dir, 'demo_1.0-1.dsc');
}

describe('a .dsc scanned, not unpacked', () => {
  it('lists the files a full unpack has, with the same headers and the same findings', async () => {
    const dsc = quiltSource();
    const sc = await verifySourceControlFile(dsc);
    expect(scannable(sc)).toBe(true);
    const cacheDir = scratchDir('scan-cache-');
    const full = await unpackDsc(cacheDir, dsc);
    const scanned = await scanDsc(cacheDir, dsc, sc);
    const byWalk = await lintTree(full, { cacheDir: scratchDir('c-') });
    const byScan = await lintTree(scanned.tree, { cacheDir: scratchDir('c-'), scanned });
    expect(scanned.files).toContain('src/hard.c');
    expect(scanned.files).toContain('extra/x.py');
    expect(scanned.files).not.toContain('src/sym.c');
    expect(scanned.files).not.toContain('debian/upstream-stale');
    expect(scanned.files.some((f) => f.startsWith('.git/'))).toBe(false);
    expect(scanned.files.some((f) => f.length > 150)).toBe(true);
    expect(byScan.filesChecked).toBe(byWalk.filesChecked);
    expect(byScan.findings).toEqual(byWalk.findings);
    expect(byScan.findings.map((f) => f.tag)).toContain('license-header-mismatch');
    const blob = readFileSync(scanned.headers.blob);
    const [, offset, length] = scanned.headers.entries.get('big.txt')!;
    expect(length).toBe(8192);
    expect(blob.subarray(offset, offset + length).toString()).toBe('x'.repeat(8192));
    // warm: from the manifest, the same
    const again = await scanDsc(cacheDir, dsc, sc);
    expect(again.files).toEqual(scanned.files);
    expect((await lintTree(again.tree, { cacheDir: scratchDir('c-'), scanned: again })).findings).toEqual(byWalk.findings);
  });

  it('a tarball cut short is an error, not a partial list', async () => {
    const dir = scratchDir('scan-cut-');
    mkdirSync(join(dir, 't'));
    writeFileSync(join(dir, 't', 'a'), 'y'.repeat(20_000));
    execFileSync('tar', ['-cf', join(dir, 'x.tar'), 't'], { cwd: dir });
    writeFileSync(join(dir, 'cut.tar'), readFileSync(join(dir, 'x.tar')).subarray(0, 5000));
    await expect(readTarStream(join(dir, 'cut.tar'), { headBytes: 100 })).rejects.toThrow(/ends inside a member/);
    expect((await readTarStream(join(dir, 'x.tar'), { headBytes: 100 })).map((m) => [m.name, m.head.length])).toEqual([['t/a', 100]]);
  });
});
