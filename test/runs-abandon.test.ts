// `pipeline runs abandon RUN_ID` through the real CLI (build first: npx tsc -p .), on runs of the
// real promote (host source builder, real dput and reprepro) interrupted by a SIGKILL at a fault point.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { loadWorkspace } from '../pipeline/config/workspace.js';
import { acquireLock, packageLockName } from '../pipeline/state/lock.js';
import { CLI, node } from './soak/helpers.js';
// @ts-expect-error plain ESM module without types
import { DRIVERS } from './soak/drivers.mjs';

vi.setConfig({ testTimeout: 300_000 });
const driver = DRIVERS.promote;
const dirs: string[] = [];
afterAll(() => { for (const d of dirs) { driver.cleanup(d); rmSync(d, { recursive: true, force: true }); } });

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'runs-abandon-'));
  dirs.push(dir);
  const t = driver.workspace(dir, driver.setup(dir));
  const env = t.env() as NodeJS.ProcessEnv;
  const run = (args: string[], extra: NodeJS.ProcessEnv = {}) => node(CLI, args, dir, { ...env, ...extra });
  return { dir, env, run, ws: loadWorkspace({ cwd: dir, env }) };
}

const killedAt = (point: string) => ({ PIPELINE_FAULTS: '1:1:kill', PIPELINE_FAULT_POINTS: point });

async function runsJson(run: ReturnType<typeof setup>['run']) {
  const r = await run(['runs', '--json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Array<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

describe('pipeline runs abandon', () => {
  it('an interrupted promote: abandoned, listed so, skipped by resume and by the next promote', async () => {
    const { run, ws } = setup();
    expect((await run(['promote', 'zookeeper'], killedAt('step.before-run'))).signal).toBe('SIGKILL');
    const [interrupted] = await runsJson(run);
    expect(interrupted).toMatchObject({ package: 'zookeeper', state: 'interrupted' });
    const id = interrupted!.runId as string;

    // Refused while a live process holds the package lock (it could be resuming the run right now).
    const lock = await acquireLock(ws.stateDir, packageLockName('zookeeper'), { command: 'pipeline promote zookeeper' });
    const busy = await run(['runs', 'abandon', id]);
    lock.release();
    expect(busy.code).toBe(75);
    expect(busy.stderr).toMatch(new RegExp(`^pipeline: zookeeper is locked by another run, which may resume run ${id}: pid ${process.pid} \\(pipeline promote zookeeper\\)`));
    expect(busy.stderr.trim().split('\n')).toHaveLength(1);

    const r = await run(['runs', 'abandon', id, '--reason', 'superseded by a new upstream']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toMatch(new RegExp(`^run ${id} \\(promote zookeeper\\) abandoned: it will not be resumed \\(steps done: .*\\)$`));

    const [listed] = await runsJson(run);
    expect(listed).toMatchObject({ runId: id, state: 'abandoned', abandoned: { by: 'soak', reason: 'superseded by a new upstream' } });
    const text = await run(['runs']);
    expect(text.stdout).toMatch(new RegExp(`^${id}\\s+zookeeper\\s+promote\\s+abandoned\\s.*abandoned by soak: superseded by a new upstream$`, 'm'));
    expect((await run(['runs', '--state', 'abandoned', '--json'])).stdout).toContain(id);

    const resumed = await run(['resume']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout.trim()).toBe('nothing to resume');
    const direct = await run(['resume', id, '--force']);
    expect(direct.code).toBe(1);
    expect(direct.stderr.trim()).toMatch(new RegExp(`^pipeline: run ${id} was abandoned by soak at \\S+ \\(superseded by a new upstream\\): it is not resumed \\(start a new run instead: pipeline promote zookeeper\\)$`));

    // The next promote does not finish the abandoned run first: it starts (and finishes) its own.
    const next = await run(['promote', 'zookeeper']);
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).not.toContain(id);
    const after = await runsJson(run);
    expect(after.map((x) => [x.runId === id ? 'old' : 'new', x.state])).toEqual([['old', 'abandoned'], ['new', 'done']]);

    // A finished run cannot be abandoned; neither can one that does not exist.
    const done = await run(['runs', 'abandon', after[1]!.runId]);
    expect(done.code).toBe(2);
    expect(done.stderr).toMatch(/^pipeline: .*journal\.jsonl: run \S+ is done: there is nothing to abandon \(see pipeline runs\)\n$/);
    const unknown = await run(['runs', 'abandon', '20261125T000000000Z-zookeeper-000000']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe('pipeline: no such run: 20261125T000000000Z-zookeeper-000000 (see pipeline runs)\n');
  });

  it('a run killed inside publish needs --force, and then says plainly that the upload may or may not be in the target', async () => {
    const { run } = setup();
    expect((await run(['promote', 'zookeeper'], killedAt('publish.after-dput-before-archive-update'))).signal).toBe('SIGKILL');
    const [interrupted] = await runsJson(run);
    const id = interrupted!.runId as string;
    expect(interrupted).toMatchObject({ state: 'interrupted', interrupted: 'ppa:publish' });

    const refused = await run(['runs', 'abandon', id]);
    expect(refused.code).toBe(1);
    // The killed promote's lock is taken over first (and said so), then the one error line.
    const [takeover, error, ...rest] = refused.stderr.trim().split('\n');
    expect(takeover).toMatch(/^took over the lock of zookeeper from pid \d+ \(process \d+ is gone\)$/);
    expect(error).toBe(`pipeline: run ${id}: ppa:publish started and never finished, so the upload of zookeeper may or may not be in the target; `
      + 'abandoning leaves it that way (resuming would check the target and finish or confirm it) '
      + `(look with pipeline status zookeeper, then pipeline runs abandon ${id} --force)`);
    expect(rest).toEqual([]);
    expect((await runsJson(run))[0]).toMatchObject({ state: 'interrupted' });

    const forced = await run(['runs', 'abandon', id, '--force', '--json']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(JSON.parse(forced.stdout)).toMatchObject({
      runId: id, state: 'abandoned', already: false, unfinishedPublish: ['ppa:publish'],
      warning: 'ppa:publish started and never finished: the upload of zookeeper may or may not be in the target; pipeline status zookeeper tells',
    });
    const again = await run(['runs', 'abandon', id]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toBe(`run ${id} (promote zookeeper) was already abandoned\nwarning: ppa:publish started and never finished: the upload of zookeeper may or may not be in the target; pipeline status zookeeper tells\n`);
    expect((await runsJson(run))[0]).toMatchObject({ state: 'abandoned', abandoned: { unfinishedPublish: ['ppa:publish'] } });
  });
});
