/**
 * Real container builds of the fixture packages in test/fixtures/packages: sbuild in unshare mode
 * in the cached bookworm chroot (test/setup/chroots.ts), through the library and the CLI.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildPackage } from '../pipeline/build/index.js';
import { loadWorkspace, type Workspace } from '../pipeline/config/workspace.js';
import { sha256File } from '../pipeline/source/fetch.js';
import type { BuildRecord } from '../pipeline/state/records.js';
import { StateStore } from '../pipeline/state/store.js';
import { cli, snapshot, REPO } from './helpers/workspace.js';

const FIXTURES = join(REPO, 'test', 'fixtures', 'packages');
const STAGE = 'backports'; // bookworm chroot, distribution bookworm-backports

let root: string;
let ws: Workspace;
let env: Record<string, string>;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'pipeline-build-'));
  // The ppa stage builds in bookworm here, as backports does: two stages, one chroot (as ppa and
  // devel share trixie in the real profile), without creating a second chroot for the tests.
  const config = readFileSync(join(REPO, 'pipeline.yaml'), 'utf8').replace(/(- name: ppa[\s\S]*?builder: \{ suite: )trixie/, '$1bookworm');
  writeFileSync(join(root, 'pipeline.yaml'), config);
  env = { PIPELINE_CACHE_DIR: inject('chrootCacheDir'), PIPELINE_STATE_DIR: join(root, 'state') };
  ws = loadWorkspace({ config: join(root, 'pipeline.yaml'), env });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const changesField = (text: string, field: string) => new RegExp(`^${field}: (.*)$`, 'm').exec(text)?.[1];
const buildLogs = (r: BuildRecord) => [r.outDir, join(r.outDir, 'binary')].flatMap((d) => (existsSync(d) ? readdirSync(d).filter((f) => f.endsWith('.build')) : []));

async function debFile(deb: string, path: string): Promise<string> {
  const r = await execa('sh', ['-c', 'dpkg-deb --fsys-tarfile "$1" | tar -xOf - "$2"', 'sh', deb, path]);
  return r.stdout;
}

describe('hello-native (3.0 native, arch:all)', () => {
  let record: BuildRecord;
  const fixture = join(FIXTURES, 'hello-native');

  it('builds the source package inside the container and test-builds the binary from that .dsc', async () => {
    const before = snapshot(fixture);
    record = await buildPackage(ws, { dir: fixture }, STAGE);
    expect(record).toMatchObject({ package: 'hello-native', version: '1.0', stage: STAGE, status: 'successful' });
    expect(record.cached).toBeUndefined();
    expect(record.outDir).toBe(join(ws.stateDir, 'builds', 'hello-native_1.0_backports'));

    // Source: dpkg-buildpackage -S ran in the chroot (sbuild's source build), the .dsc is its output,
    // and no build dependency was installed for it (debhelper is the binary build's business).
    expect(record.sourceSummary).toMatchObject({ status: 'successful', buildType: 'source', distribution: 'bookworm-backports', installTime: '0' });
    const sourceLog = readFileSync(record.sourceLog!, 'utf8');
    expect(sourceLog).toMatch(/^Command: dpkg-buildpackage .*-S\b/m);
    expect(sourceLog).toMatch(/^Command: dpkg-buildpackage .* -nc\b/m);
    expect(sourceLog).toContain('Null resolver: not installing main dependencies');
    expect(sourceLog).not.toMatch(/^(Unpacking|Setting up) debhelper/m);
    // The binary build has debhelper: installed by sbuild in the base chroot, or already in the
    // build-dependency layer it ran in (build/layers.ts), where sbuild installs nothing more.
    const binaryLog = readFileSync(record.binaryLog!, 'utf8');
    if (!record.layer || record.layer.status === 'bypassed') expect(binaryLog).toMatch(/^Setting up debhelper/m);
    else {
      expect(record.layer.packages).toBeGreaterThan(0);
      expect(binaryLog).not.toMatch(/^Setting up debhelper/m);
    }
    expect(record.dsc!.path).toBe(join(record.outDir, 'hello-native_1.0.dsc'));
    expect(record.dsc!.sha256).toBe(await sha256File(record.dsc!.path));
    const changes = readFileSync(record.sourceChanges!.path, 'utf8');
    expect(changesField(changes, 'Architecture')).toBe('source');
    expect(changesField(changes, 'Distribution')).toBe('bookworm-backports');
    // The stage's distribution went into the changelog of the scratch copy, not the fixture.
    expect(changes).toMatch(/hello-native \(1\.0\) bookworm-backports;/);
    expect(snapshot(fixture)).toEqual(before);
    await expectDpkgSourceBytes(record);

    // Binary: built from that .dsc, arch:all included.
    expect(record.binarySummary).toMatchObject({ status: 'successful', buildType: 'binary' });
    expect(readFileSync(record.binaryLog!, 'utf8')).toContain(`Job: ${join(ws.stateDir, 'builds')}`);
    const deb = record.artifacts.find((a) => a.path.endsWith('hello-native_1.0_all.deb'))!;
    expect(deb.sha256).toBe(await sha256File(deb.path));
    expect(await debFile(deb.path, './usr/bin/hello-native')).toContain('hello from pipeline');

    // Recorded in the state store.
    expect(new StateStore(ws.stateDir).read('hello-native', STAGE, 'build')).toEqual(record);
  });

  it('a second build with nothing changed returns the recorded result without starting sbuild', async () => {
    const logs = buildLogs(record);
    // An sbuild that leaves a trace: if the cache check ever falls through, the marker appears.
    const bin = join(root, 'trap-bin');
    mkdirSync(bin, { recursive: true });
    const marker = join(root, 'sbuild-was-run');
    writeFileSync(join(bin, 'sbuild'), `#!/bin/sh\ntouch ${marker}\nexit 1\n`, { mode: 0o755 });
    const oldPath = process.env.PATH;
    process.env.PATH = `${bin}:${oldPath}`;
    try {
      const again = await buildPackage(ws, { dir: fixture }, STAGE);
      expect(again.cached).toBe(true);
      expect({ ...again, cached: undefined }).toEqual({ ...record, cached: undefined });
    } finally {
      process.env.PATH = oldPath;
    }
    expect(existsSync(marker)).toBe(false);
    expect(buildLogs(record)).toEqual(logs);
  });
});

/**
 * The uploaded source package is what `dpkg-source -b` makes of its tree: the tree it carries
 * (dpkg-source -x into <source>-<upstream>/), built again by hand on the host, gives the same
 * .dsc and tarballs byte for byte.
 */
async function expectDpkgSourceBytes(record: BuildRecord, origs: string[] = []): Promise<void> {
  const hand = mkdtempSync(join(root, 'by-hand-'));
  const dsc = readFileSync(record.dsc!.path, 'utf8');
  const source = changesField(dsc, 'Source')!;
  const upstream = changesField(dsc, 'Version')!.replace(/^\d+:/, '').replace(/-[^-]*$/, '');
  const tree = join(hand, 'x', `${source}-${upstream}`);
  mkdirSync(join(hand, 'x'));
  await execa('dpkg-source', ['--no-check', '-x', record.dsc!.path, tree]);
  const out = join(hand, 'out');
  mkdirSync(out);
  for (const o of origs) {
    cpSync(o, join(out, basenameOf(o)));
    cpSync(o, join(hand, 'x', basenameOf(o)));
  }
  await execa('dpkg-source', ['-b', tree], { cwd: out });
  const files = [...dsc.matchAll(/^ [0-9a-f]{64} \d+ (\S+)$/gm)].map((m) => m[1]!);
  expect(files.length).toBeGreaterThan(0);
  for (const f of [...files, record.dsc!.path.split('/').pop()!]) {
    expect(await sha256File(join(out, f)), f).toBe(await sha256File(join(record.outDir, f)));
  }
}

const basenameOf = (p: string) => p.split('/').pop()!;

describe('hello-quilt (3.0 quilt with an orig tarball)', () => {
  const fixture = join(FIXTURES, 'hello-quilt');
  let orig: string;

  beforeAll(async () => {
    // The upstream tarball is generated from the fixture's non-debian files.
    const up = join(root, 'upstream', 'hello-quilt-1.0');
    mkdirSync(up, { recursive: true });
    for (const f of ['hello-quilt', 'README']) cpSync(join(fixture, f), join(up, f));
    orig = join(root, 'upstream', 'hello-quilt_1.0.orig.tar.gz');
    await execa('tar', ['--sort=name', '--owner=0', '--group=0', '--mtime=2026-01-01', '-czf', orig, '-C', join(root, 'upstream'), 'hello-quilt-1.0']);
  });

  it('applies the stage plan (new entry, -v, -sa) and builds with the quilt patch applied', async () => {
    const record = await buildPackage(ws, { dir: fixture, origTarballs: [orig] }, STAGE, {
      plan: { version: '1.0-1~bpo12+1', distribution: 'bookworm-backports', message: 'No-change backport to bookworm.', newEntry: true, changesSince: '1.0-1', includeOrig: true },
    });
    expect(record.status).toBe('successful');
    const changes = readFileSync(record.sourceChanges!.path, 'utf8');
    expect(changesField(changes, 'Version')).toBe('1.0-1~bpo12+1');
    expect(changesField(changes, 'Distribution')).toBe('bookworm-backports');
    expect(changes).toContain('No-change backport to bookworm.');
    expect(changes).not.toContain('Initial release.'); // -v1.0-1: only entries after 1.0-1
    expect(changes).toMatch(/ hello-quilt_1\.0\.orig\.tar\.gz$/m); // -sa
    expect(changes).toMatch(/ hello-quilt_1\.0-1~bpo12\+1\.debian\.tar\.xz$/m);
    const deb = record.artifacts.find((a) => a.path.endsWith('_all.deb'))!;
    expect(await debFile(deb.path, './usr/bin/hello-quilt')).toContain('hello, quilt (patched)');
    expect(readFileSync(join(fixture, 'debian', 'changelog'), 'utf8')).not.toContain('bpo12');
    await expectDpkgSourceBytes(record, [orig]);
  });

  it('-sd leaves the orig tarball out of the .changes but next to the .dsc', async () => {
    const record = await buildPackage(ws, { dir: fixture, origTarballs: [orig] }, STAGE, {
      plan: { version: '1.0-1~bpo12+2', distribution: 'bookworm-backports', message: 'Rebuild.', newEntry: true, includeOrig: false },
      binary: false,
    });
    expect(record.status).toBe('successful');
    expect(record.binarySummary).toBeUndefined();
    const changes = readFileSync(record.sourceChanges!.path, 'utf8');
    expect(changes).not.toContain('orig.tar.gz');
    expect(existsSync(join(record.outDir, 'hello-quilt_1.0.orig.tar.gz'))).toBe(true);
    expect(readFileSync(record.dsc!.path, 'utf8')).toContain('hello-quilt_1.0.orig.tar.gz');
  });
});

describe('failing builds', () => {
  it('debian/rules fails: status failed at the build stage, the log kept, exit 1 (CLI)', async () => {
    const r = await cli({ root, config: join(root, 'pipeline.yaml'), env }, ['--json', 'build', '--dir', join(FIXTURES, 'rules-fail'), '--stage', STAGE]);
    expect(r.exitCode).toBe(1);
    const record = JSON.parse(r.stdout) as BuildRecord;
    expect(record).toMatchObject({ package: 'rules-fail', status: 'failed', failedPart: 'binary', failStage: 'build' });
    expect(record.binarySummary).toMatchObject({ status: 'attempted', failStage: 'build' });
    expect(record.message).toMatch(/override_dh_auto_build\] Error 1/);
    expect(readFileSync(record.binaryLog!, 'utf8')).toContain('pipeline-fixture: deliberate build failure');
    expect(record.sourceSummary?.status).toBe('successful'); // the source package itself was fine
    expect(r.stderr).toBe(''); // --json: no progress lines
  });

  it('an unsatisfiable Build-Depends fails at the dependency stage with that dependency named', async () => {
    // The source package needs no build dependency (no debian/rules clean on a fresh tree), so it
    // is made; the binary test-build fails installing them.
    const record = await buildPackage(ws, { dir: join(FIXTURES, 'unsat-dep') }, STAGE);
    expect(record).toMatchObject({ status: 'failed', failedPart: 'binary', failStage: 'install-deps' });
    expect(record.message).toBe('unsatisfiable build dependency: Depends: pipeline-no-such-package (>= 99) but it is not installable');
    expect(readFileSync(record.binaryLog!, 'utf8')).toMatch(/^Fail-Stage: install-deps$/m);
    expect(record.sourceSummary?.status).toBe('successful');
    expect(record.dsc).toBeDefined();
    expect(new StateStore(ws.stateDir).read('unsat-dep', STAGE, 'build')?.status).toBe('failed');
  });
});

describe('one binary test-build per distinct input', () => {
  const fixture = join(FIXTURES, 'hello-native');

  it('a second stage in the same chroot builds its own source package and takes the recorded test-build\'s verdict, naming it', async () => {
    const origin = await buildPackage(ws, { dir: fixture }, STAGE); // recorded above: served from the record
    expect(origin.binarySummary?.status).toBe('successful');
    const record = await buildPackage(ws, { dir: fixture }, 'ppa');
    expect(record).toMatchObject({ stage: 'ppa', status: 'successful' });
    expect(record.binaryFrom).toEqual({ stage: STAGE, version: '1.0', finishedAt: origin.finishedAt, log: origin.binaryLog });
    expect(record.commands).toHaveLength(1); // sbuild ran for the source package only
    expect(record.binarySummary).toEqual(origin.binarySummary);
    expect(readFileSync(record.binaryLog!, 'utf8')).toBe(readFileSync(origin.binaryLog!, 'utf8')); // the evidence, kept with this build
    // Its own source package: the ppa changelog entry, its own identity.
    expect(changesField(readFileSync(record.sourceChanges!.path, 'utf8'), 'Distribution')).toBe('trixie');
    expect(record.dsc!.sourceId).not.toBe(origin.dsc!.sourceId);
    expect(new StateStore(ws.stateDir).read('hello-native', 'ppa', 'build')).toEqual(record);
  });

  it('--rebuild test-builds anew', async () => {
    const r = await cli({ root, config: join(root, 'pipeline.yaml'), env }, ['--json', 'build', '--dir', fixture, '--stage', 'ppa', '--rebuild']);
    expect(r.exitCode).toBe(0);
    const record = JSON.parse(r.stdout) as BuildRecord;
    expect(record.binaryFrom).toBeUndefined();
    expect(record.commands).toHaveLength(2);
    expect(record.binarySummary?.status).toBe('successful');
    expect(readFileSync(record.binaryLog!, 'utf8')).toContain('Distribution: trixie');
  });
});
