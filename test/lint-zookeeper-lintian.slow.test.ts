/**
 * Our DEP-5 checks against the real lintian, on Debian's real ZooKeeper source (trixie's
 * 3.9.3-1+deb13u1, downloaded once into the pipeline cache by fetchSource):
 * 1. the source as Debian ships it: on the copyright tags both implement, both report the same;
 * 2. the source with a copyright broken in ways lintian diagnoses correctly: same (tag, detail);
 * 3. the source with a copyright that is CORRECT but trips lintian 2.116's known false positives:
 *    lintian reports them, we do not.
 * Each lintian run takes 10–50 s, hence a slow test.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadWorkspace } from '../pipeline/config/workspace.js';
import { runLintian } from '../pipeline/lint/lintian.js';
import { DEP5_CHECKS } from '../pipeline/lint/registry.js';
import { lintPackage } from '../pipeline/lint/index.js';
import { lintTree, mergeFindings } from '../pipeline/lint/run.js';
import { fetchSource } from '../pipeline/source/fetch.js';
import type { Finding } from '../pipeline/state/records.js';

const ROOT = join(import.meta.dirname, '..');
/** Copyright tags both implement with the same meaning. */
const SHARED = new Set(DEP5_CHECKS.flatMap((c) => c.tags.filter((t) => t.lintian).map((t) => t.name)));
const key = (f: Finding) => `${f.tag} ${f.detail ?? ''}`.trim();
const shared = (fs: Finding[]) => fs.filter((f) => SHARED.has(f.tag) && !f.overridden).map(key).sort();

let work: string;
let dsc: string;

/** Unpacks the real source, applies `edit` to debian/copyright, rebuilds a .dsc next to it. */
function variant(name: string, edit: (copyright: string) => string): { dsc: string; tree: string } {
  const dir = join(work, name);
  const tree = join(dir, 'zookeeper-3.9.3');
  mkdirSync(dir, { recursive: true });
  execFileSync('dpkg-source', ['--no-check', '-x', dsc, tree], { stdio: 'ignore' });
  cpSync(join(work, 'orig.tar.gz'), join(dir, 'zookeeper_3.9.3.orig.tar.gz'));
  rmSync(join(tree, '.pc'), { recursive: true, force: true });
  const file = join(tree, 'debian/copyright');
  writeFileSync(file, edit(readFileSync(file, 'utf8')));
  execFileSync('dpkg-source', ['-b', 'zookeeper-3.9.3'], { cwd: dir, stdio: 'ignore' });
  return { dsc: join(dir, 'zookeeper_3.9.3-1+deb13u1.dsc'), tree };
}

beforeAll(async () => {
  const ws = loadWorkspace({ cwd: ROOT });
  const fetched = await fetchSource(ws, 'zookeeper');
  dsc = fetched.dsc!.path;
  work = mkdtempSync(join(tmpdir(), 'lint-zk-'));
  cpSync(fetched.origTarballs[0].path, join(work, 'orig.tar.gz'));
}, 600_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('ZooKeeper: our copyright findings vs lintian', () => {
  it('Debian\'s own source: the same (no) copyright findings; lintPackage merges lintian\'s hints', async () => {
    const ws = loadWorkspace({ cwd: ROOT });
    // lintPackage on the .dsc: unpacks it (cached), runs our checks and the real lintian, merges.
    const record = await lintPackage(ws, dsc, { lintian: true, detectLicenses: false, record: false });
    const theirs = record.findings.filter((f) => f.source === 'lintian');
    const ours = record.findings.filter((f) => f.source === 'pipeline');
    expect(theirs.map((f) => f.tag)).toContain('patch-not-forwarded-upstream'); // lintian's own checks came through
    expect(shared(ours)).toEqual([]);
    expect(shared(theirs)).toEqual([]);
    const keys = record.findings.map((f) => `${f.tag} ${f.file ?? ''}:${f.line ?? ''} ${f.detail ?? ''}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(record.filesChecked).toBeGreaterThan(1500);
    expect(record.artifactSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a broken copyright: the same findings on every shared tag', async () => {
    const v = variant('broken', (c) => {
      let s = c.replace(
        'Files: *\nCopyright: 2009-2022 The Apache Software Foundation\nLicense: Apache-2.0\n',
        'Files: zookeeper-*\nCopyright: 2009-2022 The Apache Software Foundation\nLicense: Apache-2.0\n\n' +
          'Files: does-not-exist/*\nCopyright: 2020 Nobody\nLicense: Apache-2.0\n\n' +
          'Files: zookeeper-docs/src/main/resources/markdown/skin/prototype.js\nCopyright: 2020 Shadowed\nLicense: BAR\n\n' +
          'Files: zookeeper-recipes/*\nLicense: GPL2\n',
      );
      s += '\nLicense: FOO\n Some text.\n\nLicense: Expat\n\tTabbed text.\n';
      return s;
    });
    const [theirs, ours] = await Promise.all([runLintian(v.dsc), lintTree(v.tree, { detectLicenses: false })]);
    const t = shared(theirs);
    // Merged, lintian's copies of our findings disappear (same tag, file and line or detail).
    const merged = mergeFindings(ours.findings, theirs);
    expect(merged.filter((f) => f.source === 'lintian' && SHARED.has(f.tag))).toEqual([]);
    expect(t.length).toBeGreaterThan(40); // the uncovered root files alone
    for (const tag of ['file-without-copyright-information', 'superfluous-file-pattern', 'missing-license-paragraph-in-dep5-copyright',
      'unused-license-paragraph-in-dep5-copyright', 'tab-in-license-text', 'missing-field-in-dep5-copyright', 'invalid-short-name-in-dep5-copyright',
      'globbing-patterns-out-of-order', 'duplicate-globbing-patterns', 'dep5-copyright-license-name-not-unique']) {
      expect(t.some((k) => k.startsWith(tag)), tag).toBe(true);
    }
    expect(shared(ours.findings)).toEqual(t);
  });

  it('a correct copyright that trips lintian 2.116\'s false positives: lintian complains, we do not', async () => {
    const v = variant('false-positives', (c) => {
      let s = c.replace('Format: https://', 'Format: http://'); // the spec allows http
      // the stand-alone Apache-2.0 paragraph moved before Files: * (it is not a Files paragraph)
      const standalone = /\nLicense: Apache-2\.0\n(?:[ \t].*\n?)+/.exec(s)!;
      s = s.slice(0, standalone.index) + s.slice(standalone.index + standalone[0].length);
      s = s.replace('\nFiles: *\n', `${standalone[0].replace(/\n?$/, '\n')}\nFiles: *\n`);
      // a pattern shadowed by a later paragraph still matches its file
      s = s.replace('\nFiles: zookeeper-docs/*\n', '\nFiles: zookeeper-docs/src/main/resources/markdown/skin/basic.css\nCopyright: 2009-2022 The Apache Software Foundation\nLicense: Apache-2.0\n\nFiles: zookeeper-docs/*\n');
      return s;
    });
    const [theirs, ours] = await Promise.all([runLintian(v.dsc), lintTree(v.tree, { detectLicenses: false })]);
    const t = theirs.map((f) => f.tag);
    const o = ours.findings.map((f) => f.tag);
    for (const tag of ['insecure-copyright-format-uri', 'global-files-wildcard-not-first-paragraph-in-dep5-copyright', 'superfluous-file-pattern']) {
      expect(t, `lintian should (wrongly) report ${tag}`).toContain(tag);
      expect(o, `we must not report ${tag}`).not.toContain(tag);
    }
    // The shadowed paragraph IS out of order: both say so.
    expect(o).toContain('globbing-patterns-out-of-order');
    expect(t).toContain('globbing-patterns-out-of-order');
  });
});
