/**
 * The `nmu` check against the real lintian: every case of test/fixtures/lint/nmu-cases.ts is built
 * into a real source package (dpkg-source -b, 3.0 (quilt) with an orig tarball) and lintian
 * reports exactly the expected nmu tags for it, as our check does in the fast test. One lintian
 * run over all the .dsc files, limited to the nmu check's tags. A second run with lintian's Ubuntu
 * profile (`--profile ubuntu`, as pipeline runs it under an Ubuntu profile) reports exactly what
 * our check reports for vendor ubuntu.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nmuCheck } from '../pipeline/lint/metadata/nmu.js';
import { lintTree } from '../pipeline/lint/run.js';
import { makeTree } from './helpers/lint-tree.js';
import { NMU_CASES, nmuCaseFiles } from './fixtures/lint/nmu-cases.js';

const TAGS = nmuCheck.tags.map((t) => t.name);
let work: string;
const byPackage = new Map<string, string[]>();
const byPackageUbuntu = new Map<string, string[]>();
const dscs: string[] = [];

function hintsByPackage(stdout: string, into: Map<string, string[]>): void {
  for (const line of stdout.split('\n')) {
    const m = /^[EWIPX]: (\S+) source: (\S+)/.exec(line);
    if (m && TAGS.includes(m[2]!)) into.set(m[1]!, [...(into.get(m[1]!) ?? []), m[2]!]);
  }
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'lint-nmu-'));
  for (const c of NMU_CASES) {
    const dir = join(work, c.name);
    const tree = join(dir, `${c.name}-1.0`);
    mkdirSync(tree, { recursive: true });
    writeFileSync(join(tree, 'README'), 'upstream\n');
    execFileSync('tar', ['-czf', join(dir, `${c.name}_1.0.orig.tar.gz`), '-C', dir, `${c.name}-1.0`]);
    for (const [rel, text] of Object.entries(nmuCaseFiles(c))) {
      mkdirSync(dirname(join(tree, rel)), { recursive: true });
      writeFileSync(join(tree, rel), text);
    }
    execFileSync('dpkg-source', ['-b', `${c.name}-1.0`], { cwd: dir, stdio: 'ignore' });
    dscs.push(join(dir, `${c.name}_${c.version}.dsc`));
  }
  const r = await execa('lintian', ['--tags', TAGS.join(','), '--no-cfg', ...dscs], { reject: false, env: { LC_ALL: 'C.UTF-8' } });
  hintsByPackage(r.stdout, byPackage);
  // The profile decides which tags exist at all, so this run is not limited with --tags.
  const u = await execa('lintian', ['--profile', 'ubuntu', '--no-cfg', ...dscs], { reject: false, env: { LC_ALL: 'C.UTF-8' } });
  hintsByPackage(u.stdout, byPackageUbuntu);
}, 600_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('nmu tags: lintian agrees with the case table', () => {
  it('lintian ran and reported something', () => {
    expect(byPackage.size).toBeGreaterThan(0);
  });
  it.each(NMU_CASES)('$name → $expected', (c) => {
    expect((byPackage.get(c.name) ?? []).sort()).toEqual([...c.expected].sort());
  });
  it.each(NMU_CASES)('lintian --profile ubuntu agrees with our vendor-ubuntu check: $name', async (c) => {
    const ours = (await lintTree(makeTree(nmuCaseFiles(c)), { detectLicenses: false, vendor: 'ubuntu' })).findings.map((f) => f.tag).filter((t) => TAGS.includes(t));
    expect((byPackageUbuntu.get(c.name) ?? []).sort()).toEqual(ours.sort());
  });
});
