/**
 * The reverse-dependencies gate with the real autopkgtest in the shared cached bookworm chroot (the
 * backports stage's container), on the set's real txzookeeper (its debian/tests and autodep8's
 * import test, from packages/txzookeeper with the generated upstream tree) and a stand-in for
 * zookeeper's new build: a python3-zookeeper made with dpkg-deb (never ZooKeeper in sbuild).
 *
 * 1. A zookeeper whose `import zookeeper` fails (as a binding with an undefined symbol does) blocks
 *    zookeeper, naming txzookeeper and its failing test client-binding, and says the tests ran with
 *    the new python3-zookeeper. txzookeeper has no binaries anywhere yet, so autopkgtest builds it
 *    in the testbed — against the stand-in (several minutes: build dependencies, then one testbed
 *    per test).
 * 2. A zookeeper whose binding imports passes, with txzookeeper's binaries taken from the stage's
 *    build record (the .deb the first run built), so nothing is built.
 * 3. txzookeeper's own autopkgtest check passes with that zookeeper as the stage's build of it:
 *    the set's dependencies come as the stage has them, not as bookworm does (bookworm's own
 *    python3-zookeeper 3.8.0 fails to import: undefined symbol PyIOBase_Type).
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { execa } from 'execa';
import { resolveInput } from '../pipeline/build/input.js';
import { autopkgtestCheck } from '../pipeline/qa/autopkgtest.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { reverseDependenciesCheck } from '../pipeline/qa/reverseDependencies.js';
import { StateStore } from '../pipeline/state/store.js';
import { buildDeb, qaContext } from './helpers/qaFixtures.js';
import { stagesWorkspace, type StagesWorkspace } from './helpers/stagesWorkspace.js';

const NEW = '3.9.3-2~bpo12+1';
const binding = (body: string) => ({ name: 'python3-zookeeper', version: NEW, files: { 'usr/lib/python3/dist-packages/zookeeper.py': body } });
const BROKEN = 'raise ImportError("zookeeper.cpython-311-x86_64-linux-gnu.so: undefined symbol: PyIOBase_Type")\n';
const WORKING = 'OK = 0\n\ndef init(*a):\n    return 0\n\ndef close(h):\n    return OK\n\ndef get(h, path, watcher=None):\n    return ("", {})\n\ndef create(h, path, value, acl, flags=0):\n    return path\n';

describe('reverse-dependencies gate: txzookeeper against a new python3-zookeeper', () => {
  let sw: StagesWorkspace;
  let restore: () => void;
  let dir: string;
  const tarball = inject('chroots').bookworm!;
  beforeAll(() => {
    sw = stagesWorkspace({ packages: ['zookeeper', 'txzookeeper'] });
    restore = sw.use();
    dir = mkdtempSync(join(tmpdir(), 'pipeline-qa-rdeps-'));
  });
  afterAll(async () => {
    restore();
    await sw.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a zookeeper that breaks `import zookeeper` is blocked, naming txzookeeper and its test', async () => {
    const deb = await buildDeb(join(dir, 'broken'), binding(BROKEN));
    const ctx = qaContext(sw.ws(), { pkg: 'zookeeper', version: NEW, stage: 'backports', dsc: join(dir, 'zookeeper.dsc'), debs: [deb], tarball, workDir: join(dir, 'qa-broken') });
    const started = Date.now();
    const o = await reverseDependenciesCheck.run(ctx);
    console.log(`reverse-dependencies, txzookeeper built in the testbed: ${((Date.now() - started) / 1000).toFixed(0)} s\n${o.reason}\n${o.log}`);
    expect(o.verdict, o.reason).toBe('blocked');
    expect(o.reason).toMatch(/^reverse dependency txzookeeper broken by zookeeper 3\.9\.3-2~bpo12\+1: txzookeeper test client-binding failed: ImportError: .*undefined symbol: PyIOBase_Type/);
    expect(o.reason).toContain('source: packages/txzookeeper; binaries: built in the testbed against the new binaries');
    expect(o.reason).toContain(`with python3-zookeeper ${NEW}`);
    // autodep8's test imports txzookeeper only (the generated client imports the binding on connect): it passes.
    const tests = (o.details as { dependants: Array<{ tests: Array<{ name: string; result: string }> }> }).dependants[0]!.tests;
    expect(tests).toEqual([expect.objectContaining({ name: 'client-binding', result: 'FAIL' }), expect.objectContaining({ name: 'autodep8-python3', result: 'PASS' })]);
  });

  it('a zookeeper whose binding imports passes, testing the txzookeeper binaries the stage recorded', async () => {
    const built = join(dir, 'qa-broken', 'txzookeeper', 'binaries', 'python3-txzookeeper.deb');
    const kept = join(dir, 'txzookeeper-build', 'python3-txzookeeper_0.9.8-1_all.deb');
    mkdirSync(join(dir, 'txzookeeper-build'));
    copyFileSync(built, kept);
    new StateStore(sw.ws().stateDir).write('build', {
      package: 'txzookeeper', version: '0.9.8-1', stage: 'backports', status: 'successful', outDir: join(dir, 'txzookeeper-build'),
      artifacts: [{ path: kept, sha256: '0'.repeat(64), size: 0 }], inputsHash: 'test', finishedAt: '2026-12-07T00:00:00Z',
    });
    const deb = await buildDeb(join(dir, 'working'), binding(WORKING));
    const ctx = qaContext(sw.ws(), { pkg: 'zookeeper', version: NEW, stage: 'backports', dsc: join(dir, 'zookeeper.dsc'), debs: [deb], tarball, workDir: join(dir, 'qa-working') });
    const started = Date.now();
    const o = await reverseDependenciesCheck.run(ctx);
    console.log(`reverse-dependencies, txzookeeper's recorded binaries: ${((Date.now() - started) / 1000).toFixed(0)} s\n${o.reason}`);
    expect(o.verdict, o.reason).toBe('pass');
    expect(o.reason).toContain("binaries: the backports stage's build record");
    expect(o.reason).toContain('client-binding PASS');
    expect(o.reason).toContain(`with python3-zookeeper ${NEW}`);
  });

  it('txzookeeper\'s own autopkgtest passes against the stage\'s zookeeper build, not bookworm\'s', async () => {
    const ws = sw.ws();
    const zk = await buildDeb(join(dir, 'zookeeper-build'), binding(WORKING));
    new StateStore(ws.stateDir).write('build', {
      package: 'zookeeper', version: NEW, stage: 'backports', status: 'successful', outDir: join(dir, 'zookeeper-build'),
      artifacts: [{ path: zk, sha256: '0'.repeat(64), size: 0 }], inputsHash: 'test', finishedAt: '2026-12-07T00:00:00Z',
    });
    const { tree, parent } = await (await resolveInput(ws, 'txzookeeper')).materialize(join(dir, 'txzookeeper-src'));
    await execa('dpkg-source', ['-b', basename(tree)], { cwd: parent });
    const ctx = qaContext(ws, {
      pkg: 'txzookeeper', version: '0.9.8-1', stage: 'backports', dsc: join(parent, 'txzookeeper_0.9.8-1.dsc'),
      debs: [join(dir, 'txzookeeper-build', 'python3-txzookeeper_0.9.8-1_all.deb')], tarball, workDir: join(dir, 'qa-own'),
    });
    const started = Date.now();
    const o = await autopkgtestCheck.run(ctx);
    console.log(`autopkgtest txzookeeper: ${((Date.now() - started) / 1000).toFixed(0)} s\n${o.reason}`);
    expect(o.verdict, o.reason).toBe('pass');
    expect(o.reason).toBe(`client-binding PASS, autodep8-python3 PASS: txzookeeper 0.9.8-1 (Testsuite: autopkgtest, autopkgtest-pkg-python) against the stage's build, 1 binary, with zookeeper ${NEW} from the backports stage's build record`);
  });
});
