/**
 * The build-dependency layer cache with real sbuild and mmdebstrap, in the shared bookworm chroot
 * (test/setup/chroots.ts) seen through a private cache directory (the base tarball linked in), so
 * the layers these tests make and prune are their own.
 *
 * hello-native and its renamed copy hello-twin both build-depend on debhelper-compat (= 13) only:
 * the same resolved set (debhelper and ~50 packages it pulls into a buildd chroot).
 */
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { chrootSpecForSuite, findChroot } from '../pipeline/build/chroots.js';
import { buildBinary } from '../pipeline/build/binary.js';
import { buildPackage } from '../pipeline/build/index.js';
import { listLayers } from '../pipeline/build/layers.js';
import { selectLayer } from '../pipeline/build/layerSelect.js';
import { silentProgress } from '../pipeline/build/progress.js';
import { logSection } from '../pipeline/build/sbuildLog.js';
import { loadWorkspace, type Workspace } from '../pipeline/config/workspace.js';
import type { BuildRecord } from '../pipeline/state/records.js';
import { cli, REPO } from './helpers/workspace.js';

const FIXTURES = join(REPO, 'test', 'fixtures', 'packages');
const STAGE = 'backports'; // bookworm

let root: string;
let ws: Workspace;
let env: Record<string, string>;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'pipeline-layers-'));
  writeFileSync(join(root, 'pipeline.yaml'), readFileSync(join(REPO, 'pipeline.yaml'), 'utf8'));
  // The shared base chroot, linked into a cache of our own (same tarball, same mtime, same key).
  const shared = inject('chroots').bookworm!;
  const chroots = join(root, 'cache', 'chroots');
  mkdirSync(chroots, { recursive: true });
  symlinkSync(shared, join(chroots, basename(shared)));
  copyFileSync(shared.replace(/\.tar\.zst$/, '.json'), join(chroots, basename(shared).replace(/\.tar\.zst$/, '.json')));
  env = { PIPELINE_CACHE_DIR: join(root, 'cache'), PIPELINE_STATE_DIR: join(root, 'state') };
  ws = loadWorkspace({ config: join(root, 'pipeline.yaml'), env });
});
afterAll(() => (process.env.KEEP_TEST_DIR ? console.log(root) : rmSync(root, { recursive: true, force: true })));

const installSeconds = (r: BuildRecord) => Number(r.binarySummary?.installTime);
const installSection = (r: BuildRecord) => logSection(readFileSync(r.binaryLog!, 'utf8'), 'Install package build dependencies').join('\n');

/** hello-native under another name: another package with the same build dependencies. */
function twin(): string {
  const tree = join(root, 'hello-twin');
  cpSync(join(FIXTURES, 'hello-native'), tree, { recursive: true });
  renameSync(join(tree, 'hello-native'), join(tree, 'hello-twin'));
  for (const f of ['control', 'changelog', 'install']) {
    const file = join(tree, 'debian', f);
    writeFileSync(file, readFileSync(file, 'utf8').replaceAll('hello-native', 'hello-twin'));
  }
  return tree;
}

/** A .dsc of a fixture with its Build-Depends changed, made by dpkg-source on the host. */
async function dscWith(fixture: string, buildDepends: string): Promise<string> {
  const dir = mkdtempSync(join(root, 'dsc-'));
  const tree = join(dir, fixture);
  cpSync(join(FIXTURES, fixture), tree, { recursive: true });
  const control = join(tree, 'debian', 'control');
  writeFileSync(control, readFileSync(control, 'utf8').replace(/^Build-Depends: .*$/m, `Build-Depends: ${buildDepends}`));
  await execa('dpkg-source', ['-b', fixture], { cwd: dir });
  return join(dir, `${fixture}_1.0.dsc`);
}

describe('build-dependency layers', () => {
  let first: BuildRecord;
  let second: BuildRecord;

  it('the first build makes the layer; sbuild installs nothing in it (null resolver; dpkg-checkbuilddeps found the set)', async () => {
    first = await buildPackage(ws, { dir: join(FIXTURES, 'hello-native') }, STAGE);
    expect(first.status).toBe('successful');
    expect(first.layer).toMatchObject({ status: 'made', resolver: 'null' });
    expect(first.layer!.packages).toBeGreaterThan(10);
    // The command as recorded names the layer (not the build's pin of it) and the null resolver.
    expect(first.commands![1]).toContain(`--chroot=${first.layer!.tarball}`);
    expect(first.commands![1]).toContain('--build-dep-resolver=null');
    const section = installSection(first);
    expect(section).toMatch(/Null resolver: not installing main dependencies/);
    expect(section).not.toMatch(/Unpacking debhelper /);
    expect(readFileSync(first.binaryLog!, 'utf8')).toMatch(/dpkg-checkbuilddeps|dpkg-buildpackage: info: source package hello-native/);
    const layers = listLayers(ws);
    expect(layers.map((l) => l.key)).toEqual([first.layer!.key]);
    expect(layers[0]!.packages.some((p) => p.startsWith('debhelper:all='))).toBe(true);
  });

  it('another package with the same set hits it: no build dependency installed', async () => {
    second = await buildPackage(ws, { dir: twin() }, STAGE);
    expect(second.status).toBe('successful');
    expect(second.layer).toMatchObject({ status: 'hit', key: first.layer!.key, tarball: first.layer!.tarball });
    expect(installSection(second)).not.toMatch(/Unpacking (debhelper|dh-autoreconf|man-db) /);
    // The layer is an optimisation of the same chroot: the binary inputs stay the base chroot's.
    expect(second.chroot!.key).toBe(first.chroot!.key);
  });

  it('a hit\'s build-dependency phase is ≤ 10 s; the binary inputs hash does not depend on the layer (a bypassed rebuild has the same hash)', async () => {
    writeFileSync(join(root, 'off.yaml'), `${readFileSync(join(root, 'pipeline.yaml'), 'utf8')}\nchroots:\n  layers:\n    maxSizeMiB: 0\n`);
    const off = loadWorkspace({ config: join(root, 'off.yaml'), env });
    const again = await buildPackage(off, { dir: join(root, 'hello-twin') }, STAGE, { force: true });
    expect(again.layer).toMatchObject({ status: 'bypassed', reason: expect.stringMatching(/layers off/) });
    expect(again.binaryInputsHash).toBe(second.binaryInputsHash);
    expect(installSection(again)).toMatch(/Unpacking debhelper /);
    // ≤ 10 s is the target (sbuild's Install-Time on a hit: its dummy package, nothing else). Under
    // heavy load (other builds on the same cores: measured 24 s at load 12.9 on 2 cores, the
    // bypassed install 33 s) sbuild's own apt runs dominate; then the hit must still be faster
    // than installing the same set a moment later.
    const overloaded = loadavg()[0]! / cpus().length > 2;
    console.log(`install build-deps: hit ${installSeconds(second)} s, bypassed ${installSeconds(again)} s, load ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores`);
    if (overloaded) expect(installSeconds(second)).toBeLessThan(installSeconds(again));
    else expect(installSeconds(second)).toBeLessThanOrEqual(10);
  });

  it('the null resolver is no blind trust: in a chroot without the build dependencies dpkg-checkbuilddeps refuses the build', async () => {
    const base = findChroot(ws, chrootSpecForSuite(ws, 'bookworm'))!;
    const out = join(root, 'unmet');
    const r = await buildBinary({ dsc: first.dsc!.path, chroot: base.tarball, distribution: 'bookworm', outDir: out, archAll: true, progress: silentProgress, buildDepsInstalled: true });
    expect(r.summary?.status).not.toBe('successful');
    expect(readFileSync(r.log!, 'utf8')).toMatch(/Unmet build dependencies: .*debhelper/);
  });

  it('a changed resolution misses and makes another layer; an unsatisfiable one bypasses', async () => {
    const base = findChroot(ws, chrootSpecForSuite(ws, 'bookworm'))!;
    const opts = { chroot: base, archAny: true, archAll: true, extraRepositories: [], madeFor: 'test', progress: silentProgress };
    const same = await selectLayer(ws, { ...opts, dsc: await dscWith('hello-native', 'debhelper-compat (= 13)') });
    expect(same, same.reason).toMatchObject({ status: 'hit', key: first.layer!.key });
    const changed = await selectLayer(ws, { ...opts, dsc: await dscWith('hello-native', 'debhelper-compat (= 13), bc') });
    expect(changed.status).toBe('made');
    expect(changed.key).not.toBe(first.layer!.key);
    const unsat = await selectLayer(ws, { ...opts, dsc: await dscWith('hello-native', 'debhelper-compat (= 13), pipeline-no-such-package (>= 99)') });
    expect(unsat).toMatchObject({ status: 'bypassed', tarball: base.tarball, reason: expect.stringMatching(/pipeline-no-such-package/) });
    expect(listLayers(ws)).toHaveLength(2);
  });

  it('chroot list --json shows the layers; prune trims them to the bound, least recently used first', async () => {
    const list = await cli(undefined, ['--config', join(root, 'pipeline.yaml'), '--json', 'chroot', 'list'], env);
    expect(list.exitCode).toBe(0);
    const json = JSON.parse(list.stdout) as { chroots: { key: string }[]; layers: { key: string; packages: string[]; base: { key: string }; lastUsedAt: string; sizeBytes: number }[] };
    expect(json.layers).toHaveLength(2);
    expect(json.layers.every((l) => l.base.key === json.chroots[0]!.key)).toBe(true);
    // The layer made for `bc` was used last; the first one goes.
    const [recent, old] = json.layers;
    expect(recent!.packages.some((p) => p.startsWith('bc:'))).toBe(true);
    const bound = Math.ceil(recent!.sizeBytes / 1048576) + 1;
    const prune = await cli(undefined, ['--config', join(root, 'pipeline.yaml'), '--json', 'chroot', 'prune', '--max-size-mib', String(bound)], env);
    expect(prune.exitCode).toBe(0);
    expect((JSON.parse(prune.stdout) as { removed: { layers: { key: string }[] } }).removed.layers.map((l) => l.key)).toEqual([old!.key]);
    expect(listLayers(ws).map((l) => l.key)).toEqual([recent!.key]);
    expect(existsSync(first.layer!.tarball)).toBe(false);
  });
});
