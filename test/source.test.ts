/**
 * Generated upstream trees, the generated fetch path and source trees (orig + debian/ overlay),
 * checked with Debian's own tools: licensecheck reads the headers, dpkg-source builds the
 * source package, our lint passes it, python3 runs the generated test suite.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { loadWorkspace } from '../pipeline/config/workspace.js';
import { lintTree } from '../pipeline/lint/index.js';
import { fetchSource } from '../pipeline/source/fetch.js';
import { generatedOrigTarball, generateUpstreamTree } from '../pipeline/source/generated.js';
import { prepareSourceTree } from '../pipeline/source/tree.js';
import { tempWorkspace } from './helpers/workspace.js';
import { scratchDir } from './helpers/scratch.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function workspace(packages?: string[]) {
  const t = tempWorkspace(packages);
  const ws = { ...loadWorkspace({ config: t.config }), cacheDir: t.env.PIPELINE_CACHE_DIR!, stateDir: t.env.PIPELINE_STATE_DIR! };
  return { t, ws };
}

describe('generated upstream trees', () => {
  it('are byte-for-byte reproducible and named <pkg>-<version>/', async () => {
    const a = await generatedOrigTarball('txzookeeper', '0.9.8');
    const b = await generatedOrigTarball('txzookeeper', '0.9.8');
    expect(sha(a)).toBe(sha(b));
    expect(sha(await generatedOrigTarball('txzookeeper', '0.9.9'))).not.toBe(sha(a));
    const dir = scratchDir('gen-');
    writeFileSync(join(dir, 'o.tar.gz'), a);
    const list = (await execa('tar', ['-tzf', join(dir, 'o.tar.gz')])).stdout.split('\n');
    expect(list).toContain('txzookeeper-0.9.8/setup.py');
    expect(list).toContain('txzookeeper-0.9.8/pyproject.toml');
    expect(list).toContain('txzookeeper-0.9.8/txzookeeper/tests/test_retry.py');
    expect(list.every((p) => p.startsWith('txzookeeper-0.9.8/'))).toBe(true);
  });

  it('carry the license their debian/copyright declares (licensecheck as the oracle)', async () => {
    const dir = scratchDir('gen-');
    generateUpstreamTree('txzookeeper', join(dir, 'txzk'), { version: '0.9.8' });
    generateUpstreamTree('txaws', join(dir, 'txaws'), { version: '0.2.3' });
    generateUpstreamTree('txother', join(dir, 'other'), { license: 'Apache-2.0', copyright: '2020 Someone' });
    const lc = (await execa('licensecheck', ['-r', '--machine', dir])).stdout.split('\n');
    const of = (suffix: string) => lc.find((l) => l.startsWith(join(dir, suffix)))?.split('\t')[1];
    expect(of('txzk/txzookeeper/client.py')).toMatch(/LGPL-3\.0-or-later|LGPL \(v3 or later\)|Lesser General Public License v3\.0 or later/);
    expect(of('txaws/LICENSE')).toMatch(/MIT|Expat/);
    expect(of('other/txother/__init__.py')).toMatch(/Apache/);
  });

  it('have a unit test suite that passes (txaws needs no Twisted to test)', async () => {
    const dir = scratchDir('gen-');
    generateUpstreamTree('txaws', dir, { version: '0.2.3' });
    const r = await execa('python3', ['-m', 'unittest', 'discover', '-v'], { cwd: dir, reject: false, all: true });
    expect(r.exitCode, r.all).toBe(0);
    expect(r.all).toMatch(/Ran 3 tests/);
  });
});

describe('fetchSource for url packages', () => {
  it('uses the generated tree only when asked, and then idempotently', async () => {
    const { ws } = workspace(['txaws']);
    const first = await fetchSource(ws, 'txaws', { generated: true });
    expect(first).toMatchObject({ origin: 'generated', version: '0.2.3', verified: true, downloaded: true });
    expect(first.origTarballs.map((f) => f.name)).toEqual(['txaws_0.2.3.orig.tar.gz']);
    expect(sha(readFileSync(first.origTarballs[0]!.path))).toBe(first.origTarballs[0]!.sha256);
    const again = await fetchSource(ws, 'txaws', { generated: true });
    expect(again.downloaded).toBe(false);
    expect(again.origTarballs[0]!.sha256).toBe(first.origTarballs[0]!.sha256);
  });
});

describe('sourceTree', () => {
  it('overlays packages/<pkg>/debian on the orig tree; dpkg-source builds it and lint passes it', async () => {
    const { ws } = workspace(['zookeeper', 'txzookeeper']);
    const out = scratchDir('tree-');
    const t = await prepareSourceTree(ws, 'txzookeeper', { generated: true, into: out });
    expect(t).toMatchObject({ source: 'txzookeeper', version: '0.9.8-1', upstreamVersion: '0.9.8' });
    expect(t.tree).toBe(join(out, 'txzookeeper-0.9.8'));
    expect(existsSync(join(t.tree, 'setup.py'))).toBe(true);
    expect(readFileSync(join(t.tree, 'debian', 'control'), 'utf8')).toBe(readFileSync(join(ws.packagesDir, 'txzookeeper', 'debian', 'control'), 'utf8'));
    const lint = await lintTree(t.tree);
    expect(lint.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(lint.gate.verdict).toBe('pass');
    const built = await execa('dpkg-source', ['-b', 'txzookeeper-0.9.8'], { cwd: out, reject: false, all: true });
    expect(built.exitCode, built.all).toBe(0);
    expect(readFileSync(join(out, 'txzookeeper_0.9.8-1.dsc'), 'utf8')).toMatch(/^Build-Depends: .*python3-zookeeper/m);
  });

  it('is cached by content: the same inputs give the same tree, an edited debian/ a new one', async () => {
    const { ws } = workspace(['txaws']);
    const a = await prepareSourceTree(ws, 'txaws', { generated: true });
    const b = await prepareSourceTree(ws, 'txaws', { generated: true });
    expect(b.tree).toBe(a.tree);
    const watch = join(ws.packagesDir, 'txaws', 'debian', 'watch');
    writeFileSync(watch, `${readFileSync(watch, 'utf8')}# edited\n`);
    const c = await prepareSourceTree(ws, 'txaws', { generated: true });
    expect(c.key).not.toBe(a.key);
    expect(readFileSync(join(c.tree, 'debian', 'watch'), 'utf8')).toMatch(/# edited\n$/);
  });

  it('refuses a changelog whose upstream version is not the fetched one', async () => {
    const { ws } = workspace(['txaws']);
    const file = join(ws.packagesDir, 'txaws', 'package.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('version: 0.2.3', 'version: 0.2.4'));
    await expect(prepareSourceTree(ws, 'txaws', { generated: true })).rejects.toThrow(/debian\/changelog is for upstream 0\.2\.3 but the fetched source is 0\.2\.4/);
  });

  it('copies are private: writing into one leaves the cache alone', async () => {
    const { ws } = workspace(['txaws']);
    const cached = await prepareSourceTree(ws, 'txaws', { generated: true });
    const out = scratchDir('tree-');
    const mine = await prepareSourceTree(ws, 'txaws', { generated: true, into: out });
    writeFileSync(join(mine.tree, 'debian', 'changelog'), 'mangled');
    expect(readFileSync(join(cached.tree, 'debian', 'changelog'), 'utf8')).toMatch(/^txaws \(0\.2\.3-1\)/);
  });
});
