/**
 * The autopkgtest and reverse-dependencies checks without a testbed: how autopkgtest is called,
 * how its output directory is read and judged, when a check is not applicable, which of the set's
 * packages are tested for which, and the pinned repository of new binaries (real dpkg-deb and
 * apt-ftparchive). The runs themselves: autopkgtest.slow.test.ts, test/qa-reverse-dependencies.slow.test.ts.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadWorkspace } from '../config/workspace.js';
import type { RepreproArchive } from '../archive/reprepro.js';
import { PipelineError } from '../errors.js';
import { StateStore } from '../state/store.js';
import { autopkgtestArgs, parseAutopkgtestSummary, type AutopkgtestResult } from '../tools/autopkgtest.js';
import { buildDeb, buildDsc, qaContext } from '../../test/helpers/qaFixtures.js';
import { stagesWorkspace, type StagesWorkspace } from '../../test/helpers/stagesWorkspace.js';
import { REPO } from '../../test/helpers/workspace.js';
import { autopkgtestCheck, testsuiteOf } from './autopkgtest.js';
import { archiveBinaries, dependantsOf, dependantUnderTest, setDependencyBinaries } from './dependants.js';
import { newBinariesRepository } from './newBinaries.js';
import { reverseDependenciesCheck } from './reverseDependencies.js';
import { QA_IMPLEMENTATIONS } from './registry.js';
import { promote } from '../stages/promote.js';
import { hostPathsOf, stageTestbed } from './testbed.js';
import { describeTests, judgeRun } from './testRun.js';

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'pipeline-qa-adt-fast-')); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('autopkgtest: the call and its output', () => {
  it('runs the source against the binaries in an unshare testbed of the tarball, apt lists fetched first', () => {
    const args = autopkgtestArgs({
      source: '/s/p.dsc', binaries: ['/b/p.deb'], tarball: '/c/bookworm.tar.zst', outputDir: '/o',
      aptSources: ['deb [signed-by=/k/key.gpg] file:///a bookworm-backports main'], binds: [{ directory: '/a', mountpoint: '/a' }, { directory: '/v', mountpoint: '/srv/pipeline-stage-archive' }], unpackIn: '/dev/shm', setupCommands: ['cp /x /etc/apt/preferences.d/90x'],
    });
    expect(args).toEqual([
      '--output-dir', '/o', '--add-apt-source', 'deb [signed-by=/k/key.gpg] file:///a bookworm-backports main',
      '--setup-commands', 'cp /x /etc/apt/preferences.d/90x', '--setup-commands', 'apt-get update -q -o Acquire::Languages=none',
      '/s/p.dsc', '/b/p.deb', '--', 'unshare', '--tarball', '/c/bookworm.tar.zst', '--prefix', '/dev/shm/autopkgtest-virt-unshare.', '--bind', '/a', '/a', '--bind', '/v', '/srv/pipeline-stage-archive',
    ]);
  });

  it('reads the summary: each test, its result and the detail', () => {
    expect(parseAutopkgtestSummary('client-binding       FAIL non-zero exit status 1\nautodep8-python3     PASS (superficial)\nsmoke SKIP Test needs isolation-machine\n')).toEqual([
      { name: 'client-binding', result: 'FAIL', detail: 'non-zero exit status 1' },
      { name: 'autodep8-python3', result: 'PASS', detail: '(superficial)' },
      { name: 'smoke', result: 'SKIP', detail: 'Test needs isolation-machine' },
    ]);
  });

  it('bind-mounts the host paths the stage\'s apt lines name (file:// repositories, signed-by keyrings)', () => {
    const archive = join(dir, 'archive');
    mkdirSync(archive);
    writeFileSync(join(archive, 'key.gpg'), '');
    expect(hostPathsOf([`deb [signed-by=${archive}/key.gpg] file://${archive} ppa main`, 'deb http://deb.debian.org/debian bookworm-backports main'])).toEqual([archive]);
  });
});

describe('judging a run', () => {
  const run = (exitCode: number, summary: string, files: Record<string, string> = {}): AutopkgtestResult => {
    const out = mkdtempSync(join(dir, 'out-'));
    writeFileSync(join(out, 'summary'), summary);
    writeFileSync(join(out, 'log'), 'autopkgtest [03:00:00]: starting\nE: Unable to correct problems, you have held broken packages.\n');
    for (const [name, text] of Object.entries(files)) writeFileSync(join(out, name), text);
    return { exitCode, tests: parseAutopkgtestSummary(summary), outputDir: out, log: join(out, 'log'), command: ['autopkgtest'] };
  };

  it('a failed test: its name and the last lines of its stderr', () => {
    const j = judgeRun(run(4, 'a PASS\nb FAIL non-zero exit status 1\n', { 'b-stdout': 'Testing with python3.11:\n', 'b-stderr': 'Traceback:\nImportError: no zookeeper\n' }));
    expect(j.status).toBe('failed');
    expect(j.failed).toEqual([{ name: 'b', result: 'FAIL', detail: 'non-zero exit status 1', tail: ['Traceback:', 'ImportError: no zookeeper'] }]);
    expect(describeTests(j.tests)).toBe('a PASS, b FAIL (non-zero exit status 1)');
  });

  it('exit 12 (the build or the test dependencies failed) is the package\'s problem: unusable, with the log\'s end', () => {
    const j = judgeRun(run(12, 'b FAIL badpkg\n'));
    expect(j.status).toBe('unusable');
    expect(j.logTail.at(-1)).toBe('E: Unable to correct problems, you have held broken packages.');
  });

  it('no tests is its own status; a failed testbed is the environment (exit 3), not a verdict', () => {
    expect(judgeRun(run(8, '')).status).toBe('no-tests');
    expect(judgeRun(run(2, 'a PASS\nb SKIP needs isolation-machine\n')).status).toBe('pass');
    let err: unknown;
    try { judgeRun(run(16, '')); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(PipelineError);
    expect((err as PipelineError).exitCode).toBe(3);
    expect((err as PipelineError).message).toMatch(/^autopkgtest exited 16: the testbed failed/);
  });
});

describe('when the checks apply', () => {
  const ws = loadWorkspace({ config: join(REPO, 'pipeline.yaml') });

  it('a source package without tests is not applicable, without starting a testbed', async () => {
    const tree = join(dir, 'notests', 'hello-qa');
    cpSync(join(REPO, 'test', 'fixtures', 'qa', 'hello-qa'), tree, { recursive: true });
    rmSync(join(tree, 'debian', 'tests'), { recursive: true });
    const dsc = await buildDsc(tree, join(dir, 'notests-src'));
    expect(testsuiteOf(dsc)).toBeUndefined();
    const ctx = qaContext(ws, { pkg: 'hello-qa', version: '1.0', stage: 'ppa', dsc, debs: [], tarball: '/nonexistent.tar.zst', workDir: join(dir, 'qa') });
    expect(await autopkgtestCheck.run(ctx)).toEqual({ verdict: 'not-applicable', reason: 'hello-qa has no autopkgtest (no debian/tests/control, no Testsuite field)' });
  });

  it('dpkg-source records debian/tests in the .dsc: Testsuite names autopkgtest', async () => {
    const dsc = await buildDsc(join(REPO, 'test', 'fixtures', 'qa', 'hello-qa'), join(dir, 'tests-src'));
    expect(testsuiteOf(dsc)).toBe('autopkgtest');
  });

  it('the set\'s reverse dependencies come from package.yaml: txzookeeper for zookeeper, none for txaws', async () => {
    expect(dependantsOf(ws, 'zookeeper')).toEqual(['txzookeeper']);
    expect(dependantsOf(ws, 'txaws')).toEqual([]);
    const ctx = qaContext(ws, { pkg: 'txaws', version: '0.2.3-1', stage: 'ppa', dsc: '/x.dsc', debs: [], tarball: '/nonexistent.tar.zst', workDir: join(dir, 'qa') });
    expect(await reverseDependenciesCheck.run(ctx)).toEqual({ verdict: 'not-applicable', reason: 'no package of the set depends on txaws' });
  });

  it('both checks are registered for the qa step', () => {
    expect(QA_IMPLEMENTATIONS.map((c) => c.name)).toEqual(expect.arrayContaining(['autopkgtest', 'reverse-dependencies']));
  });

  it('txzookeeper and txaws declare their tests: autodep8\'s import test and their own', () => {
    for (const [pkg, test] of [['txzookeeper', 'client-binding'], ['txaws', 'request-signing']] as const) {
      expect(readFileSync(join(REPO, 'packages', pkg, 'debian', 'control'), 'utf8')).toMatch(/^Testsuite: autopkgtest-pkg-python$/m);
      expect(readFileSync(join(REPO, 'packages', pkg, 'debian', 'tests', 'control'), 'utf8')).toMatch(new RegExp(`^Tests: ${test}$`, 'm'));
    }
  });
});

describe('the new binaries and the dependant under test', () => {
  let sw: StagesWorkspace;
  let restore: () => void;
  beforeAll(() => { sw = stagesWorkspace({ packages: ['zookeeper', 'txzookeeper'] }); restore = sw.use(); });
  afterAll(async () => { restore(); await sw.cleanup(); });

  it('offers the new binaries as a flat repository, each pinned to its new version', async () => {
    const deb = await buildDeb(join(dir, 'new'), { name: 'python3-zookeeper', version: '3.9.3-2~ppa1', files: { 'usr/lib/python3/dist-packages/zookeeper.py': 'OK = 0\n' } });
    const repo = await newBinariesRepository([deb], join(dir, 'repo'));
    expect(repo.aptSource).toBe(`deb [trusted=yes] file://${join(dir, 'repo')} ./`);
    expect(readFileSync(join(dir, 'repo', 'Packages'), 'utf8')).toMatch(/^Package: python3-zookeeper\n(?:.+\n)*Version: 3\.9\.3-2~ppa1\n/m);
    expect(readFileSync(join(dir, 'repo', 'pipeline-new-binaries.pref'), 'utf8')).toBe('Package: python3-zookeeper\nPin: version 3.9.3-2~ppa1\nPin-Priority: 1002\n');
    expect(repo.setupCommand).toBe(`cp ${join(dir, 'repo', 'pipeline-new-binaries.pref')} /etc/apt/preferences.d/90pipeline-new-binaries`);
  });

  it('finds a source version\'s binaries in the archive\'s Packages index (Source: with and without a version)', () => {
    const archiveDir = join(dir, 'archive-idx');
    const index = join(archiveDir, 'dists', 'ppa', 'main', 'binary-amd64');
    mkdirSync(index, { recursive: true });
    for (const f of ['a.deb', 'b.deb', 'c.deb']) writeFileSync(join(archiveDir, f), '');
    writeFileSync(join(index, 'Packages'), [
      'Package: python3-txzookeeper\nSource: txzookeeper\nVersion: 0.9.8-1~ppa1\nFilename: a.deb\n',
      'Package: txzookeeper-doc\nSource: txzookeeper (0.9.8-1~ppa1)\nVersion: 1:0.9.8-1~ppa1\nFilename: b.deb\n',
      'Package: python3-txzookeeper\nSource: txzookeeper\nVersion: 0.9.7-1\nFilename: c.deb\n',
    ].join('\n'));
    const archive = { dir: archiveDir, config: { architectures: ['amd64'] } } as unknown as RepreproArchive;
    expect(archiveBinaries(archive, 'ppa', 'txzookeeper', '0.9.8-1~ppa1')).toEqual([join(archiveDir, 'a.deb'), join(archiveDir, 'b.deb')]);
  });

  it('a dependant nowhere built yet: packages/ as it is, to be built in the testbed', async () => {
    const d = await dependantUnderTest(sw.ws(), sw.ws().config.stages[0]!, 'txzookeeper', join(dir, 'scratch1'));
    expect(d).toMatchObject({ name: 'txzookeeper', version: '0.9.8-1', source: { from: 'packages/txzookeeper' } });
    expect(d.binaries).toBeUndefined();
    expect(existsSync(join(d.source.path, 'debian', 'tests', 'control'))).toBe(true);
    expect(existsSync(join(d.source.path, 'txzookeeper', 'client.py'))).toBe(true);
  });

  it('a dependant the stage built: its recorded source and binaries', async () => {
    const out = join(dir, 'rec');
    const dsc = await buildDsc(join(REPO, 'test', 'fixtures', 'qa', 'hello-qa'), out);
    const deb = await buildDeb(out, { name: 'python3-txzookeeper', version: '0.9.8-1~ppa1', files: { 'usr/share/doc/python3-txzookeeper/README': 'x\n' } });
    const art = (path: string) => ({ path, sha256: '0'.repeat(64), size: 0 });
    new StateStore(sw.ws().stateDir).write('build', {
      package: 'txzookeeper', version: '0.9.8-1~ppa1', stage: 'ppa', status: 'successful', outDir: out, dsc: art(dsc),
      artifacts: [art(dsc), art(deb)], inputsHash: 'x', finishedAt: '2026-12-07T00:00:00Z',
    });
    const d = await dependantUnderTest(sw.ws(), sw.ws().config.stages[0]!, 'txzookeeper', join(dir, 'scratch2'));
    expect(d).toEqual({
      name: 'txzookeeper', version: '0.9.8-1~ppa1', source: { path: dsc, from: "the ppa stage's build record" },
      binaries: { paths: [deb], from: "the ppa stage's build record (2026-12-07T00:00:00Z)" },
    });
  });

  it('a package\'s own tests get the set\'s packages it depends on as the stage has them (here: the build record)', async () => {
    const ws = sw.ws();
    const out = join(dir, 'zk-rec');
    const deb = await buildDeb(out, { name: 'python3-zookeeper', version: '3.9.3-2~ppa1', files: { 'usr/lib/python3/dist-packages/zookeeper.py': 'OK = 0\n' } });
    new StateStore(ws.stateDir).write('build', {
      package: 'zookeeper', version: '3.9.3-2~ppa1', stage: 'ppa', status: 'successful', outDir: out,
      artifacts: [{ path: deb, sha256: '0'.repeat(64), size: 0 }], inputsHash: 'x', finishedAt: '2026-12-07T00:00:00Z',
    });
    expect(setDependencyBinaries(ws, ws.config.stages[0]!, 'txzookeeper')).toEqual([{ name: 'zookeeper', version: '3.9.3-2~ppa1', paths: [deb], from: "the ppa stage's build record" }]);
    expect(setDependencyBinaries(ws, ws.config.stages[1]!, 'txzookeeper')).toEqual([]);
    expect(setDependencyBinaries(ws, ws.config.stages[0]!, 'zookeeper')).toEqual([]);
  });

  it('a dependant published at the stage: its source from the stage\'s archive (a host build has no binaries)', async () => {
    const ws = sw.ws();
    for (const pkg of ['zookeeper', 'txzookeeper']) expect((await promote(ws, pkg, { to: 'ppa' })).state).toBe('done');
    const d = await dependantUnderTest(ws, ws.config.stages[0]!, 'txzookeeper', join(dir, 'scratch3'));
    expect(d.source.from).toBe("the ppa stage's archive (ppa)");
    expect(d.source.path).toMatch(/\/pool\/main\/t\/txzookeeper\/txzookeeper_0\.9\.8-1~ppa1\.dsc$/);
    expect(existsSync(d.source.path)).toBe(true);
    expect(d.version).toBe('0.9.8-1~ppa1');
    expect(d.binaries).toBeUndefined();

    // The testbed sees the stage's archive as the builds do: a snapshot mounted at the same place.
    const tarball = join(dir, 'fake-chroot.tar.zst');
    writeFileSync(tarball, '');
    const bed = await stageTestbed(qaContext(ws, { pkg: 'txzookeeper', version: '0.9.8-1~ppa1', stage: 'ppa', dsc: d.source.path, debs: [], tarball, workDir: join(dir, 'qa-bed') }));
    expect(bed.tarball).toBe(tarball);
    expect(bed.aptSources).toEqual(['deb [signed-by=/srv/pipeline-stage-archive/pipeline-archive-keyring.gpg] file:///srv/pipeline-stage-archive ppa main']);
    const view = bed.binds!.find((b) => b.mountpoint === '/srv/pipeline-stage-archive')!.directory;
    expect(existsSync(join(view, 'dists', 'ppa', 'InRelease'))).toBe(true);
    bed.cleanup();
    expect(existsSync(view)).toBe(false);
  }, 300_000);
});
