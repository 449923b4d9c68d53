import { cpSync, existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadWorkspace, type Workspace } from '../config/workspace.js';
import { parseUris } from '../tools/aptSatisfy.js';
import { mmdebstrapArgs } from '../tools/mmdebstrap.js';
import { buildDepsOf } from './buildDeps.js';
import { hostSourceLine } from './layerSelect.js';
import { chrootPaths, chrootSpecForSuite, findChroot } from './chroots.js';
import { evictLayers, layerDir, layerKey, layerPaths, listLayers, pinLayer, useLayer, type LayerMeta } from './layers.js';

const REPO = join(import.meta.dirname, '..', '..');
let root: string;
let ws: Workspace;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'pipeline-layers-'));
  cpSync(join(REPO, 'pipeline.yaml'), join(root, 'pipeline.yaml'));
  ws = loadWorkspace({ config: join(root, 'pipeline.yaml'), env: { PIPELINE_CACHE_DIR: join(root, 'cache'), PIPELINE_STATE_DIR: join(root, 'state') } });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A complete base chroot entry (content irrelevant). */
function fakeBase() {
  const spec = chrootSpecForSuite(ws, 'bookworm');
  const p = chrootPaths(ws, spec);
  mkdirSync(join(ws.cacheDir, 'chroots'), { recursive: true });
  writeFileSync(p.tarball, 'base');
  writeFileSync(p.metaFile, JSON.stringify({ spec, key: p.key, tarball: p.tarball, createdAt: new Date().toISOString(), sizeBytes: 4 }));
  return findChroot(ws, spec)!;
}

/** A complete layer of `bytes` bytes, last used at `usedAt`. */
function fakeLayer(base: ReturnType<typeof fakeBase>, packages: string[], bytes: number, usedAt: string): LayerMeta {
  const key = layerKey(base, packages, []);
  const { tarball, metaFile } = layerPaths(ws, base, key);
  mkdirSync(layerDir(ws), { recursive: true });
  writeFileSync(tarball, Buffer.alloc(bytes));
  const meta: LayerMeta = { key, suite: 'bookworm', architecture: 'amd64', base: { key: base.key, mtimeMs: base.mtimeMs, tarball: base.tarball }, packages, tarball, createdAt: usedAt, lastUsedAt: usedAt, madeFor: 'x 1' };
  writeFileSync(metaFile, JSON.stringify(meta));
  return meta;
}

describe('layer keys', () => {
  it('the base (key and mtime) and the exact resolved set (versions and file hashes) make the key; order does not', () => {
    const base = { key: 'b'.repeat(64), mtimeMs: 1000 };
    const k = layerKey(base, ['a:all=1', 'b:amd64=2'], []);
    expect(layerKey(base, ['b:amd64=2', 'a:all=1'], [])).toBe(k);
    expect(layerKey({ ...base, mtimeMs: 2000 }, ['a:all=1', 'b:amd64=2'], [])).not.toBe(k); // refreshed base
    expect(layerKey({ ...base, key: 'c'.repeat(64) }, ['a:all=1', 'b:amd64=2'], [])).not.toBe(k);
    expect(layerKey(base, ['a:all=1', 'b:amd64=3'], [])).not.toBe(k); // another version
    expect(layerKey(base, ['a:all=1'], [])).not.toBe(k);
    expect(layerKey(base, ['a:all=1', 'b:amd64=2'], ['b_2_amd64.deb 10 SHA256:ff'])).not.toBe(k); // same version, other content
  });

  it('reads apt-get --print-uris: name, architecture and version (epoch decoded), and each file\'s size and hash', () => {
    const r = parseUris([
      "'http://deb.debian.org/debian/pool/main/s/sensible-utils/sensible-utils_0.0.17%2bnmu1_all.deb' sensible-utils_0.0.17+nmu1_all.deb 19020 MD5Sum:d617862548d914db9da74cf2b79f5e00",
      "'http://deb.debian.org/debian/pool/main/f/file/libmagic1_1%3a5.44-3_amd64.deb' libmagic1_1%3a5.44-3_amd64.deb 104000 SHA256:abcd",
      'W: something else',
    ].join('\n'));
    expect(r.install).toEqual(['libmagic1:amd64=1:5.44-3', 'sensible-utils:all=0.0.17+nmu1']);
    expect(r.files).toEqual(['libmagic1_1%3a5.44-3_amd64.deb 104000 SHA256:abcd', 'sensible-utils_0.0.17+nmu1_all.deb 19020 MD5Sum:d617862548d914db9da74cf2b79f5e00']);
  });
});

describe('the stage archive for apt on the host', () => {
  it('maps the bind mount back: the file:// URI and the signed-by key at the host directory', () => {
    const line = 'deb [signed-by=/srv/pipeline-stage-archive/pipeline-archive-keyring.gpg] file:///srv/pipeline-stage-archive ppa main';
    expect(hostSourceLine(line, [{ directory: '/dev/shm/view-1', mountpoint: '/srv/pipeline-stage-archive' }]))
      .toBe('deb [signed-by=/dev/shm/view-1/pipeline-archive-keyring.gpg] file:///dev/shm/view-1 ppa main');
    expect(hostSourceLine('deb http://deb.debian.org/debian trixie main')).toBe('deb http://deb.debian.org/debian trixie main');
  });
});

describe('build dependencies as sbuild asks apt for them', () => {
  it('adds the core dependencies, reduces arch and profile restrictions, keeps the first alternative, honours arch-any/all', async () => {
    const dsc = join(root, 'p_1.dsc');
    writeFileSync(dsc, [
      'Format: 3.0 (native)', 'Source: p', 'Version: 1',
      'Build-Depends: debhelper-compat (= 13), foo [i386] | bar, baz | baz (>= 2) | qux, nocheck-dep <!nocheck>, tool:native',
      'Build-Depends-Indep: default-jdk', 'Build-Depends-Arch: libz-dev', 'Build-Conflicts: old-thing', '',
    ].join('\n'));
    const all = await buildDepsOf(dsc, { architecture: 'amd64', archAny: true, archAll: true });
    expect(all.depends).toBe('debhelper-compat (= 13), bar, baz | baz (>= 2), nocheck-dep, tool, build-essential, fakeroot, libz-dev, default-jdk');
    expect(all.conflicts).toBe('old-thing');
    const anyOnly = await buildDepsOf(dsc, { architecture: 'amd64', archAny: true, archAll: false });
    expect(anyOnly.depends).not.toContain('default-jdk');
  });
});

describe('the layer cache', () => {
  it('a layer of a refreshed base is stale and never used', () => {
    const base = fakeBase();
    const l = fakeLayer(base, ['a:all=1'], 10, '2026-12-01T00:00:00Z');
    expect(useLayer(ws, base, l.key)?.key).toBe(l.key);
    utimesSync(base.tarball, new Date(), new Date(Date.now() + 5000)); // the refresh renames a new tarball in
    expect(listLayers(ws)[0]!.stale).toBe(true);
    expect(useLayer(ws, base, l.key)).toBeUndefined();
  });

  it('evicts stale layers first, then least recently used until within the bound; never the one in use', () => {
    const base = fakeBase();
    const a = fakeLayer(base, ['a:all=1'], 100, '2026-12-01T00:00:00Z');
    const b = fakeLayer(base, ['b:all=1'], 100, '2026-12-02T00:00:00Z');
    const c = fakeLayer(base, ['c:all=1'], 100, '2026-12-03T00:00:00Z');
    expect(listLayers(ws).map((l) => l.key)).toEqual([c.key, b.key, a.key]);
    expect(evictLayers(ws, 300)).toEqual([]);
    expect(evictLayers(ws, 250, a.key).map((l) => l.key)).toEqual([b.key]); // a is in use
    expect(existsSync(a.tarball)).toBe(true);
    expect(evictLayers(ws, 100).map((l) => l.key)).toEqual([a.key]);
    expect(listLayers(ws).map((l) => l.key)).toEqual([c.key]);
    expect(evictLayers(ws, 0).map((l) => l.key)).toEqual([c.key]);
  });

  it('a build pins its layer: evicted by another process meanwhile, the file it unpacks stays until released', () => {
    const base = fakeBase();
    const a = fakeLayer(base, ['a:all=1'], 100, '2026-12-01T00:00:00Z');
    const pin = pinLayer(a.tarball)!;
    expect(evictLayers(ws, 0).map((l) => l.key)).toEqual([a.key]); // eviction does not see the pin
    expect(existsSync(a.tarball)).toBe(false);
    expect(readFileSync(pin.path).length).toBe(100);
    expect(listLayers(ws)).toEqual([]);
    pin.release();
    expect(readdirSync(layerDir(ws))).toEqual([]);
    expect(pinLayer(a.tarball)).toBeUndefined(); // gone before the pin: the build takes another chroot
  });

  it('pins left by a process that died are removed by the next pin; a live process\'s pin is kept', () => {
    const base = fakeBase();
    const a = fakeLayer(base, ['a:all=1'], 10, '2026-12-01T00:00:00Z');
    const dead = join(layerDir(ws), '.inuse-2147483646-0-x.tar.zst');
    const live = join(layerDir(ws), `.inuse-${process.ppid}-0-x.tar.zst`);
    linkSync(a.tarball, dead);
    linkSync(a.tarball, live);
    const pin = pinLayer(a.tarball)!;
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(live)).toBe(true);
    pin.release();
  });

  it('mmdebstrap makes a layer from the base tarball: variant apt, tar-in, the extra sources only while installing', () => {
    const args = mmdebstrapArgs({ suite: 'bookworm', target: '/c/l.tar.zst', mirror: 'http://deb.debian.org/debian', architecture: 'amd64', components: ['main'], include: ['debhelper=13.11.4'], aptOptions: [], fromTar: '/t/base.tar', extraSourcesFile: '/t/extra.list' });
    expect(args[0]).toBe('--variant=apt');
    expect(args).toEqual(expect.arrayContaining(['--setup-hook=tar-in /t/base.tar /', '--setup-hook=upload /t/extra.list /etc/apt/sources.list.d/pipeline-layer.list', '--include=debhelper=13.11.4']));
    expect(args.find((a) => a.startsWith('--customize-hook='))).toMatch(/rm -f .*pipeline-layer\.list/);
  });
});
