import { chmodSync, mkdirSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { oneLineOf } from '../../test/support/errors.js';
import { parseChanges, parseDsc, parseSourceControlFile, sha256File, verifyListedFiles } from './dsc.js';
import { checkSignatureBlock } from './verifyDsc.js';
import { scratchDir } from '../../test/helpers/scratch.js';

const FIXTURE_DSC = new URL('./fixtures/zookeeper_3.9.3-1+deb13u1.dsc', import.meta.url).pathname;


describe('Debian .dsc fixture', () => {
  it('lists files with size, sha256, sha1 and md5', () => {
    const d = parseSourceControlFile(FIXTURE_DSC);
    expect(d).toMatchObject({ kind: 'dsc', source: 'zookeeper', version: '3.9.3-1+deb13u1', format: '3.0 (quilt)', signed: true });
    expect(d.files).toEqual([
      { name: 'zookeeper_3.9.3.orig.tar.gz', size: 4690314, sha256: '8bf0b9f872b3c0a6e64f8bc55ffb44cbff6e2712f6467ee5164ca6847466b31b', sha1: 'f39280c8cbe58075a84ec4b693d6c1916ae80aab', md5: '09b9ddeeff2a48bc5a2b227bcae35677', lines: { sha256: 31, sha1: 28, md5: 34 } },
      { name: 'zookeeper_3.9.3-1+deb13u1.debian.tar.xz', size: 91244, sha256: '1553fe1e17c918d729ad33e8ba9e831ac2ae4f0e9caa8e2d3481c0dd981f8a3d', sha1: 'ababe38b979674dbd3001d122c3f9206ee03f9d1', md5: '93855cc8286a0fb17797232cc8d76d46', lines: { sha256: 32, sha1: 29, md5: 35 } },
    ]);
    // Debian's real signature armor is whole (CRC-24 and packet lengths agree).
    expect(() => checkSignatureBlock(readFileSync(FIXTURE_DSC, 'utf8'), 'x.dsc')).not.toThrow();
    expect(() => checkSignatureBlock(readFileSync(FIXTURE_DSC, 'utf8').replace(/\n=[A-Za-z0-9+/]{4}\n/, '\n=AAAA\n'), 'x.dsc')).toThrow(/armor checksum/);
  });

  const text = readFileSync(FIXTURE_DSC, 'utf8');
  const broken: [string, string, string][] = [
    ['no sha256', text.replace(/Checksums-Sha256:\n( .*\n)+/, ''), 'x.dsc:4: Checksums-Sha256: missing Checksums-Sha256 field'],
    ['size disagrees', text.replace(' 93855cc8286a0fb17797232cc8d76d46 91244', ' 93855cc8286a0fb17797232cc8d76d46 91245'), "x.dsc:35: Files: size of 'zookeeper_3.9.3-1+deb13u1.debian.tar.xz' is 91245, Checksums-Sha256 says 91244"],
    ['bad version', text.replace('Version: 3.9.3-1+deb13u1', 'Version: 3.9.3-'), "x.dsc:8: Version: invalid Debian version '3.9.3-': revision number is empty"],
    ['short hash', text.replace(' 09b9ddeeff2a48bc5a2b227bcae35677 ', ' 09b9 '), "x.dsc:34: Files: '09b9' is not a 32-digit lower-case hex checksum"],
    ['path in name', text.replace(' 91244 zookeeper_3.9.3-1+deb13u1.debian.tar.xz\nFiles', ' 91244 ../evil.tar.xz\nFiles'), "x.dsc:32: Checksums-Sha256: file name '../evil.tar.xz' must be a plain name in the same directory"],
    ['file missing from Files', text.replace(/ 93855cc8286a0fb17797232cc8d76d46 .*\n/, ''), 'x.dsc:33: Files: does not list zookeeper_3.9.3-1+deb13u1.debian.tar.xz (listed in Checksums-Sha256)'],
    ['no Source', text.replace('Source: zookeeper\n', ''), 'x.dsc:4: Source: missing Source field'],
  ];
  it.each(broken)('%s → one error line', (_name, t, line) => {
    expect(oneLineOf(() => parseDsc(t, 'x.dsc'))).toBe(line);
  });
});

describe('a source package built here by dpkg-buildpackage -S', () => {
  let dir: string;
  beforeAll(async () => {
    dir = scratchDir('dsc-test-');
    const src = join(dir, 'hello-dsc-1.0');
    mkdirSync(join(src, 'debian/source'), { recursive: true });
    writeFileSync(join(src, 'hello.txt'), 'hello\n');
    await execa('tar', ['-C', dir, '-czf', join(dir, 'hello-dsc_1.0.orig.tar.gz'), 'hello-dsc-1.0/hello.txt']);
    writeFileSync(join(src, 'debian/source/format'), '3.0 (quilt)\n');
    writeFileSync(join(src, 'debian/control'), 'Source: hello-dsc\nMaintainer: T <t@example.org>\nSection: misc\nPriority: optional\nStandards-Version: 4.7.0\n\nPackage: hello-dsc\nArchitecture: all\nDescription: test\n test\n');
    writeFileSync(join(src, 'debian/changelog'), 'hello-dsc (1.0-1) unstable; urgency=medium\n\n  * Test.\n\n -- T <t@example.org>  Mon, 01 Jan 2024 00:00:00 +0000\n');
    writeFileSync(join(src, 'debian/rules'), '#!/usr/bin/make -f\nclean:\n\t@true\nbuild build-arch build-indep binary binary-arch binary-indep:\n\t@true\n');
    chmodSync(join(src, 'debian/rules'), 0o755);
    await execa('dpkg-buildpackage', ['-S', '-us', '-uc', '-d', '--no-check-builddeps'], { cwd: src });
  }, 60_000);

  it('parses the .dsc and verifies its files on disk', async () => {
    const d = parseSourceControlFile(join(dir, 'hello-dsc_1.0-1.dsc'));
    expect(d).toMatchObject({ kind: 'dsc', source: 'hello-dsc', version: '1.0-1', signed: false });
    expect(d.files.map((f) => f.name)).toEqual(['hello-dsc_1.0.orig.tar.gz', 'hello-dsc_1.0-1.debian.tar.xz']);
    expect(d.files[0]!.sha256).toBe(await sha256File(join(dir, 'hello-dsc_1.0.orig.tar.gz')));
    expect(await verifyListedFiles(d, dir)).toEqual([]);
    appendFileSync(join(dir, 'hello-dsc_1.0-1.debian.tar.xz'), 'x');
    const problems = await verifyListedFiles(d, dir);
    expect(problems).toEqual([{ name: 'hello-dsc_1.0-1.debian.tar.xz', problem: expect.stringMatching(/^size \d+, expected \d+$/) }]);
    expect(await verifyListedFiles(d, join(dir, 'nowhere'))).toEqual(d.files.map((f) => ({ name: f.name, problem: 'missing' })));
  });

  it('parses the _source.changes with sections and priorities', () => {
    const path = join(dir, 'hello-dsc_1.0-1_source.changes');
    const c = parseChanges(readFileSync(path, 'utf8'), path);
    expect(c).toMatchObject({ kind: 'changes', source: 'hello-dsc', version: '1.0-1', distribution: 'unstable', architecture: 'source' });
    expect(c.files.map((f) => [f.name, f.section, f.priority])).toEqual([
      ['hello-dsc_1.0-1.dsc', 'misc', 'optional'],
      ['hello-dsc_1.0.orig.tar.gz', 'misc', 'optional'],
      ['hello-dsc_1.0-1.debian.tar.xz', 'misc', 'optional'],
      ['hello-dsc_1.0-1_source.buildinfo', 'misc', 'optional'],
    ]);
    expect(c.files.every((f) => /^[0-9a-f]{64}$/.test(f.sha256) && /^[0-9a-f]{32}$/.test(f.md5!))).toBe(true);
  });
});
