/**
 * txaws's own autopkgtests (request-signing, from debian/tests, and autodep8's import test, from
 * `Testsuite: autopkgtest-pkg-python`) with the real autopkgtest in the backports stage's container
 * (the shared cached bookworm chroot): packages/txaws with the generated upstream tree, built by
 * autopkgtest in the testbed (no sbuild), then tested. Several minutes: build dependencies, then
 * one testbed per test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { resolveInput } from '../pipeline/build/input.js';
import { runInStageTestbed } from '../pipeline/qa/autopkgtest.js';
import { judgeRun } from '../pipeline/qa/testRun.js';
import { qaContext } from './helpers/qaFixtures.js';
import { stagesWorkspace, type StagesWorkspace } from './helpers/stagesWorkspace.js';

describe('txaws autopkgtest in the stage container', () => {
  let sw: StagesWorkspace;
  let restore: () => void;
  let dir: string;
  beforeAll(() => {
    sw = stagesWorkspace({ packages: ['txaws'] });
    restore = sw.use();
    dir = mkdtempSync(join(tmpdir(), 'pipeline-qa-txaws-'));
  });
  afterAll(async () => {
    restore();
    await sw.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('request-signing and the import test pass', async () => {
    const ws = sw.ws();
    const { tree } = await (await resolveInput(ws, 'txaws')).materialize(join(dir, 'src'));
    const ctx = qaContext(ws, { pkg: 'txaws', version: '0.2.3-1', stage: 'backports', dsc: join(dir, 'none.dsc'), debs: [], tarball: inject('chroots').bookworm!, workDir: dir });
    const started = Date.now();
    const r = await runInStageTestbed(ctx, 'autopkgtest txaws', { source: tree, binaries: [], outputDir: join(dir, 'out') });
    console.log(`txaws built in the testbed + its tests: ${((Date.now() - started) / 1000).toFixed(0)} s`);
    const j = judgeRun(r);
    expect(j.status, JSON.stringify(j)).toBe('pass');
    expect(j.tests.map((t) => `${t.name} ${t.result}`)).toEqual(['request-signing PASS', 'autodep8-python3 PASS']);
  });
});
