// The short soak that .ci/run runs (bench/soak.mjs runs the long one): seeded trials of promoting
// the fixture set through every stage with the real `pipeline promote --all --to backports` (host
// source builder, real debsign, dput, reprepro), each killed at a random fault point or time, then
// resumed until done and checked against a fault-free run. SOAK_TRIALS / SOAK_SEED / SOAK_DRIVER
// (promote | synthetic) / SOAK_CONCURRENCY override.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { loadWorkspace } from '../../pipeline/config/workspace.js';
// @ts-expect-error plain ESM module without types
import { checkTrial, runSoak } from './harness.mjs';
// @ts-expect-error plain ESM module without types
import { DRIVERS } from './drivers.mjs';
// @ts-expect-error plain ESM module without types
import { expectedVersion } from './fixture.mjs';
import { CLI, node, soakWorkspace, START } from './helpers.js';

// 10 trials: every fault point a promotion passes (8 today) is aimed at once (trials 0-3, 5-8; kill
// and mix modes), trials 4 and 9 kill at a random time. bench/soak.mjs runs 200.
const TRIALS = Number(process.env.SOAK_TRIALS ?? 10);
const SEED = Number(process.env.SOAK_SEED ?? 2011);
const DRIVER = process.env.SOAK_DRIVER ?? 'promote';
const base = mkdtempSync(join(tmpdir(), 'soak-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('recovery soak', () => {
  it('the checker catches a lost, a duplicated and an unexpected upload (synthetic kind)', async () => {
    const { dir, env } = soakWorkspace(join(base, 'cache'));
    expect((await node(START, [], dir, env)).code).toBe(0);
    const ws = loadWorkspace({ cwd: dir, env });
    const driver = DRIVERS.synthetic;
    const reference = await driver.snapshot(ws);
    expect((await checkTrial(ws, reference, driver)).problems).toEqual([]);
    const archive = join(dir, 'archive');
    const changes = join(ws.stateDir, 'uploads', 'txaws_0.5.0-1_devel', 'txaws_0.5.0-1_source.changes');
    await execa('dput', ['-c', join(dir, 'dput.cf'), '-f', '-u', 'local', changes], { env: { USER: 'pipeline' } }); // an upload made twice
    await execa('reprepro', ['-b', archive, 'remove', 'bookworm-backports', 'zookeeper']); // an upload lost
    await execa('reprepro', ['-b', archive, '--ignore=wrongdistribution', 'include', 'ppa', join(dir, 'incoming', 'txaws_0.5.0-1_source.changes')]); // one too many
    const broken = await checkTrial(ws, reference, driver);
    // reprepro keeps one version per suite: the extra upload replaced ppa's, so ppa's is lost too
    expect(broken).toMatchObject({ lost: 2, duplicated: 1, unexpected: 1 });
    expect(broken.problems).toEqual(expect.arrayContaining([
      `lost: zookeeper ${expectedVersion('zookeeper', 'backports')} is not in bookworm-backports`,
      'duplicated upload: txaws_0.5.0-1_source.changes uploaded 2 times',
      'unexpected: txaws 0.5.0-1 in ppa',
      expect.stringMatching(/^final suites differs from the fault-free run's/),
    ]));
  });

  it('the checker catches a lost and a duplicated upload of the real promote', async () => {
    const driver = DRIVERS.promote;
    const dir = join(base, 'promote-check');
    const t = driver.workspace(dir, driver.setup(base));
    const r = await node(CLI, ['promote', '--all', '--to', 'backports'], dir, t.env());
    expect(r.code, r.stderr).toBe(0);
    const ws = loadWorkspace({ cwd: dir, env: t.env() });
    expect(driver.complete(ws)).toBe(true);
    const reference = await driver.snapshot(ws);
    expect((await checkTrial(ws, reference, driver)).problems).toEqual([]);
    // Upload txaws' devel upload a second time (dput -f), and let the archive process it again.
    const uploads = join(ws.stateDir, 'uploads', 'txaws', 'devel');
    const version = readdirSync(uploads)[0]!;
    const changes = join(uploads, version, `txaws_${version}_source.changes`);
    await execa('dput', ['-c', join(ws.stateDir, 'dput.cf'), '-f', 'pipeline-local-trixie', changes], { env: { ...t.env(), USER: 'soak', GNUPGHOME: join(dir, '.pipeline', 'gnupg') } });
    const gnupg = join(dir, '.pipeline', 'gnupg');
    await execa('reprepro', ['-b', driver.archive(ws), '--gnupghome', gnupg, 'remove', 'ppa', 'zookeeper'], { env: { GNUPGHOME: gnupg } });
    const broken = await checkTrial(ws, reference, driver);
    expect(broken.lost).toBe(1);
    expect(broken.duplicated).toBeGreaterThanOrEqual(1);
    expect(broken.problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/^lost: zookeeper \S+~ppa1 is not in ppa$/),
      `duplicated upload: dput delivered txaws_${version}_source.changes 2 times`,
    ]));
    driver.cleanup(dir);
  });

  it(`survives ${TRIALS} seeded trials of kills at random fault points and times: nothing lost, nothing uploaded twice`, async () => {
    const stats = await runSoak({
      trials: TRIALS, seed: SEED, base: join(base, 'soak'), driver: DRIVER, concurrency: Number(process.env.SOAK_CONCURRENCY ?? 2),
      log: (line: string) => process.stderr.write(`soak: ${line}\n`),
    });
    process.stderr.write(`soak: ${JSON.stringify(stats)}\n`);
    expect(stats.problems).toEqual([]);
    expect(stats).toMatchObject({ trials: TRIALS, failedTrials: 0, lost: 0, duplicated: 0, unexpected: 0 });
    expect(stats.faultsHit).toBeGreaterThanOrEqual(TRIALS / 2);
    expect(stats.recoveries).toBeGreaterThan(0);
    expect(stats.distinctPoints).toBeGreaterThanOrEqual(Math.min(6, Math.floor(TRIALS / 3)));
    // Every fifth trial kills at a random time; the others aim at the reached points in turn. With
    // at least one aimed trial per point, a fault fired at every one of them.
    const reached = Object.keys(stats.pointsReached).sort();
    if (TRIALS - Math.floor(TRIALS / 5) >= reached.length) expect(Object.keys(stats.points).sort()).toEqual(reached);
    if (TRIALS >= 5) expect(stats.randomTimeKills).toBeGreaterThan(0);
    // Bounded by the trial count, not by the clock: 10 trials take about 4 minutes on an idle
    // 2-core machine and twice that when other builds share it.
  }, 1_800_000);
});
