/**
 * `pipeline fetch zookeeper` for real: apt-get source from Debian's mirror through the private apt
 * configuration (about 5 MB), verified against package.yaml's .dsc sha256 and the .dsc's own
 * checksums, idempotent, self-healing when the cache is tampered with; then the source tree that
 * lint and build use, built back into a source package by dpkg-source.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadWorkspace, type Workspace } from '../pipeline/config/workspace.js';
import { PipelineError } from '../pipeline/errors.js';
import { fetchSource, type FetchedSource } from '../pipeline/source/fetch.js';
import { prepareSourceTree } from '../pipeline/source/tree.js';
import { cli, tempWorkspace, type TempWorkspace } from './helpers/workspace.js';
import { scratchDir } from './helpers/scratch.js';

const DSC_SHA256 = 'e0e582b85d702e57aedea6a9b84790459ff93f96938b4fa658a6cf94bcc477d2';

describe('fetch zookeeper from the Debian mirror', () => {
  let t: TempWorkspace;
  let ws: Workspace;
  let first: FetchedSource;

  beforeAll(async () => {
    t = tempWorkspace(['zookeeper']);
    ws = { ...loadWorkspace({ config: t.config }), cacheDir: t.env.PIPELINE_CACHE_DIR!, stateDir: t.env.PIPELINE_STATE_DIR! };
    first = await fetchSource(ws, 'zookeeper');
  });

  it('downloads and verifies the .dsc and every file it lists', async () => {
    expect(first).toMatchObject({ package: 'zookeeper', version: '3.9.3-1+deb13u1', origin: 'apt', verified: true, downloaded: true });
    expect(first.dir).toBe(join(ws.cacheDir, 'sources', 'zookeeper', '3.9.3-1+deb13u1'));
    expect(first.dsc?.sha256).toBe(DSC_SHA256);
    expect(first.files.map((f) => f.name).sort()).toEqual([
      'zookeeper_3.9.3-1+deb13u1.debian.tar.xz', 'zookeeper_3.9.3-1+deb13u1.dsc', 'zookeeper_3.9.3.orig.tar.gz',
    ]);
    expect(first.origTarballs.map((f) => f.name)).toEqual(['zookeeper_3.9.3.orig.tar.gz']);
    // The system's apt configuration was not used: the lists live in the private directory.
    expect(readdirSync(join(ws.cacheDir, 'apt', 'trixie', 'state', 'lists')).some((f) => f.includes('trixie_main_source_Sources'))).toBe(true);
    // dpkg-source's own verification agrees.
    const out = scratchDir('zk-x-');
    const x = await execa('dpkg-source', ['-x', first.dsc!.path, join(out, 'zk')], { reject: false, all: true });
    expect(x.exitCode, x.all).toBe(0);
  });

  it('is idempotent: a verified cache is returned without downloading', async () => {
    const lists = join(ws.cacheDir, 'apt', 'trixie', 'state', 'lists');
    const stamp = statSync(join(lists, '.updated')).mtimeMs;
    const again = await fetchSource(ws, 'zookeeper');
    expect(again.downloaded).toBe(false);
    expect(again.files).toEqual(first.files);
    expect(statSync(join(lists, '.updated')).mtimeMs).toBe(stamp);
  });

  it('fetches again when the cached tarball no longer matches the .dsc', async () => {
    const orig = first.origTarballs[0]!.path;
    writeFileSync(orig, 'not the tarball');
    const healed = await fetchSource(ws, 'zookeeper');
    expect(healed.downloaded).toBe(true);
    expect(healed.origTarballs[0]!.sha256).toBe(first.origTarballs[0]!.sha256);
  });

  it('refuses a .dsc that does not match package.yaml, leaving no cache entry', async () => {
    const t2 = tempWorkspace(['zookeeper']);
    const file = join(t2.root, 'packages', 'zookeeper', 'package.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(DSC_SHA256, 'a'.repeat(64)));
    const ws2 = { ...loadWorkspace({ config: t2.config }), cacheDir: ws.cacheDir.replace(/\.cache$/, '.cache2') };
    const err = await fetchSource(ws2, 'zookeeper').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PipelineError);
    expect((err as PipelineError).exitCode).toBe(1);
    expect((err as PipelineError).oneLine()).toMatch(/package\.yaml:\d+: source\.dscSha256: fetched source failed verification: zookeeper_3\.9\.3-1\+deb13u1\.dsc has sha256 e0e582b8/);
    expect(existsSync(join(ws2.cacheDir, 'sources', 'zookeeper', '3.9.3-1+deb13u1'))).toBe(false);
    expect(readdirSync(join(ws2.cacheDir, 'sources', 'zookeeper'))).toEqual([]);
  });

  it('the CLI prints paths and sha256 with --json, quietly', async () => {
    const r = await cli(t, ['fetch', 'zookeeper', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const j = JSON.parse(r.stdout) as FetchedSource;
    expect(j.verified).toBe(true);
    expect(j.dsc?.sha256).toBe(DSC_SHA256);
    expect(existsSync(j.origTarballs[0]!.path)).toBe(true);
  });

  it('gives the source tree lint and build use: orig + our debian/, patches applied, buildable', async () => {
    const out = scratchDir('zk-tree-');
    const tree = await prepareSourceTree(ws, 'zookeeper', { into: out });
    expect(tree).toMatchObject({ source: 'zookeeper', version: '3.9.3-2', upstreamVersion: '3.9.3' });
    expect(readFileSync(join(tree.tree, 'debian', 'changelog'), 'utf8')).toMatch(/^zookeeper \(3\.9\.3-2\) trixie;/);
    expect(readFileSync(join(tree.tree, '.pc', 'applied-patches'), 'utf8')).toMatch(/39-skip-server-tests\.patch/);
    const b = await execa('dpkg-source', ['-b', 'zookeeper-3.9.3'], { cwd: out, reject: false, all: true });
    expect(b.exitCode, b.all).toBe(0);
    const dsc = readFileSync(join(out, 'zookeeper_3.9.3-2.dsc'), 'utf8');
    // The new upload reuses Debian's orig tarball, byte for byte.
    expect(dsc).toContain(`${first.origTarballs[0]!.sha256} ${first.origTarballs[0]!.size} zookeeper_3.9.3.orig.tar.gz`);
  });
});
