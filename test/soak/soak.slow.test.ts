// The short soak that .ci/run runs (bench/soak.mjs runs the long one): seeded trials of promoting
// the fixture set through every stage, each killed at a random fault point or time, then resumed
// until done; every trial is checked against a fault-free run. SOAK_TRIALS / SOAK_SEED override.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM module without types
import { checkTrial, runSoak, snapshot } from './harness.mjs';
// @ts-expect-error plain ESM module without types
import { expectedVersion } from './fixture.mjs';
import { loadWorkspace } from '../../pipeline/config/workspace.js';
import { CLI, node, soakWorkspace, START } from './helpers.js';

const TRIALS = Number(process.env.SOAK_TRIALS ?? 20);
const SEED = Number(process.env.SOAK_SEED ?? 2011);
const base = mkdtempSync(join(tmpdir(), 'soak-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('recovery soak', () => {
  it('the checker catches a lost, a duplicated and an unexpected upload (so the soak can fail)', async () => {
    const { dir, env } = soakWorkspace(join(base, 'cache'));
    expect((await node(START, [], dir, env)).code).toBe(0);
    const ws = loadWorkspace({ cwd: dir, env });
    const reference = await snapshot(ws);
    expect((await checkTrial(ws, reference)).problems).toEqual([]);
    const archive = join(dir, 'archive');
    const changes = join(ws.stateDir, 'uploads', 'txaws_0.5.0-1_devel', 'txaws_0.5.0-1_source.changes');
    await execa('dput', ['-c', join(dir, 'dput.cf'), '-f', '-u', 'local', changes], { env: { USER: 'pipeline' } }); // an upload made twice
    await execa('reprepro', ['-b', archive, 'remove', 'bookworm-backports', 'zookeeper']); // an upload lost
    await execa('reprepro', ['-b', archive, '--ignore=wrongdistribution', 'include', 'ppa', join(dir, 'incoming', 'txaws_0.5.0-1_source.changes')]); // one too many
    const broken = await checkTrial(ws, reference);
    expect(broken).toMatchObject({ lost: 2, duplicated: 1, unexpected: 1 });
    expect(broken.problems).toEqual(expect.arrayContaining([
      `lost: zookeeper ${expectedVersion('zookeeper', 'backports')} is not in bookworm-backports`,
      'duplicated upload: txaws_0.5.0-1_source.changes uploaded 2 times',
      expect.stringMatching(/^final suites differs from the fault-free run's/),
    ]));
    // reprepro keeps one version per suite: the extra upload replaced ppa's, so ppa's is lost and 0.5.0-1 unexpected
    expect(broken.problems).toEqual(expect.arrayContaining(['unexpected: txaws 0.5.0-1 in ppa']));
    expect((await node(CLI, ['runs'], dir, env)).stdout).toMatch(/txzookeeper +soak-promote +done +6\/6/);
  });

  it(`survives ${TRIALS} seeded trials of kills at random fault points and times: nothing lost, nothing uploaded twice`, async () => {
    const stats = await runSoak({ trials: TRIALS, seed: SEED, base, log: (line: string) => process.stderr.write(`soak: ${line}\n`) });
    process.stderr.write(`soak: ${JSON.stringify(stats)}\n`);
    expect(stats.problems).toEqual([]);
    expect(stats).toMatchObject({ trials: TRIALS, failedTrials: 0, lost: 0, duplicated: 0, unexpected: 0 });
    expect(stats.faultsHit).toBeGreaterThanOrEqual(TRIALS / 2);
    expect(stats.recoveries).toBeGreaterThan(0);
    expect(stats.distinctPoints).toBeGreaterThanOrEqual(Math.min(5, TRIALS / 4));
  });
});
