/**
 * The autopkgtest check with the real autopkgtest and autopkgtest-virt-unshare in the shared cached
 * bookworm chroot (the backports stage's container): the hello-qa fixture's test `greets` against a
 * build that greets (pass) and one that does not (blocked, naming the test and quoting its output).
 * About a minute a run: the tarball unpacked, apt lists fetched, the test's dependencies installed.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadWorkspace } from '../config/workspace.js';
import { buildDeb, buildDsc, qaContext } from '../../test/helpers/qaFixtures.js';
import { REPO } from '../../test/helpers/workspace.js';
import { autopkgtestCheck } from './autopkgtest.js';
import { publishStageBinaries } from '../archive/stageBinaries.js';
import { sha256File } from '../debian/dsc.js';
import { promote } from '../stages/promote.js';
import { stagesWorkspace } from '../../test/helpers/stagesWorkspace.js';

const greeter = (word: string) => ({ name: 'hello-qa', version: '1.0', files: { 'usr/bin/hello-qa': `#!/bin/sh\necho ${word}\n` } });

describe('autopkgtest check (real autopkgtest, unshare testbed)', () => {
  let dir: string;
  let dsc: string;
  const tarball = inject('chroots').bookworm!;
  const ws = loadWorkspace({ config: join(REPO, 'pipeline.yaml') });
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pipeline-qa-adt-'));
    dsc = await buildDsc(join(REPO, 'test', 'fixtures', 'qa', 'hello-qa'), join(dir, 'src'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('passes when the test passes against the build, naming the test', async () => {
    const deb = await buildDeb(join(dir, 'good'), greeter('hello'));
    const ctx = qaContext(ws, { pkg: 'hello-qa', version: '1.0', stage: 'backports', dsc, debs: [deb], tarball, workDir: join(dir, 'qa-good') });
    const started = Date.now();
    const o = await autopkgtestCheck.run(ctx);
    console.log(`autopkgtest run (pass): ${((Date.now() - started) / 1000).toFixed(0)} s\n${o.reason}`);
    expect(o.verdict, o.reason).toBe('pass');
    expect(o.reason).toContain('greets PASS');
    expect(existsSync(join(dir, 'qa-good', 'out', 'log'))).toBe(true);
  });

  it('blocks when the test fails, naming it and quoting its output', async () => {
    const deb = await buildDeb(join(dir, 'bad'), greeter('goodbye'));
    const ctx = qaContext(ws, { pkg: 'hello-qa', version: '1.0', stage: 'backports', dsc, debs: [deb], tarball, workDir: join(dir, 'qa-bad') });
    const o = await autopkgtestCheck.run(ctx);
    console.log(`${o.reason}\n${o.log}`);
    expect(o.verdict).toBe('blocked');
    expect(o.reason).toMatch(/^test greets failed: expected hello, got: goodbye/);
    expect(o.log).toContain('| expected hello, got: goodbye');
    expect(o.log).toContain(join(dir, 'qa-bad', 'out', 'log'));
  });

  it('the testbed installs from the stage\'s own archive: a binary published there wins over the suite\'s', async () => {
    const sw = stagesWorkspace({ packages: ['zookeeper'] });
    const restore = sw.use();
    try {
      const ws = sw.ws();
      expect((await promote(ws, 'zookeeper', { to: 'backports' })).state).toBe('done');
      const version = '3.9.3-2~bpo12+1';
      const deb = await buildDeb(join(dir, 'zk', 'binary'), { name: 'python3-zookeeper', version, files: { 'usr/lib/python3/dist-packages/zookeeper.py': 'OK = 0\n' } });
      const stage = ws.config.stages.find((s) => s.name === 'backports')!;
      const published = await publishStageBinaries(ws, stage, version, {
        package: 'zookeeper', version, stage: 'backports', status: 'successful', outDir: join(dir, 'zk'),
        artifacts: [{ path: deb, sha256: await sha256File(deb), size: 0 }], inputsHash: 'test', finishedAt: '2026-12-07T00:00:00Z',
      });
      expect(published.binaries?.map((b) => b.package)).toEqual(['python3-zookeeper']);
      // hello-qa with one more test: the python3-zookeeper it gets is the stage archive's (bookworm has 3.8.0).
      const tree = join(dir, 'stage-src', 'hello-qa');
      cpSync(join(REPO, 'test', 'fixtures', 'qa', 'hello-qa'), tree, { recursive: true });
      writeFileSync(join(tree, 'debian', 'tests', 'control'), 'Test-Command: test "$(dpkg-query -W -f \'${Version}\' python3-zookeeper)" = ' + version + ' && python3 -c "import zookeeper; assert zookeeper.OK == 0"\nDepends: python3, python3-zookeeper\nFeatures: test-name=stage-zookeeper\n');
      mkdirSync(join(dir, 'stage-dsc'));
      const stageDsc = await buildDsc(tree, join(dir, 'stage-dsc'));
      const good = await buildDeb(join(dir, 'stage-good'), greeter('hello'));
      const ctx = qaContext(ws, { pkg: 'hello-qa', version: '1.0', stage: 'backports', dsc: stageDsc, debs: [good], tarball, workDir: join(dir, 'qa-stage') });
      const o = await autopkgtestCheck.run(ctx);
      expect(o.verdict, `${o.reason}\n${o.log ?? ''}`).toBe('pass');
      expect(o.reason).toContain('stage-zookeeper PASS');
    } finally {
      restore();
      await sw.cleanup();
    }
  });
});
