// Runs under hostile conditions through the real CLI (issue 17): a run directory left empty by a
// kill during the first state write is listed and pruned; `resume` of a run another live process
// holds says so and exits 75 (locked); a fault injected outside any step is one error line.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { acquireLock, packageLockName } from '../../pipeline/state/lock.js';
import { CLI, node, soakWorkspace, START } from './helpers.js';

vi.setConfig({ testTimeout: 180_000 });
const cache = mkdtempSync(join(tmpdir(), 'soak-cache-'));
afterAll(() => rmSync(cache, { recursive: true, force: true }));
const faults = (point: string, mode = 'kill') => ({ PIPELINE_FAULTS: `1:1:${mode}`, PIPELINE_FAULT_POINTS: point });
const state = (dir: string) => join(dir, '.pipeline', 'state');

describe('runs under hostile conditions', () => {
  it('a kill during the first state write leaves an empty run, listed as such and removed by runs prune', async () => {
    const { dir, env } = soakWorkspace(cache);
    const killed = await node(START, ['txaws', 'ppa'], dir, { ...env, ...faults('state.write') });
    expect(killed.signal).toBe('SIGKILL');
    const [id] = readdirSync(join(state(dir), 'runs'));
    expect(readFileSync(join(state(dir), 'runs', id!, 'journal.jsonl'), 'utf8')).toBe('');
    const listed = await node(CLI, ['runs'], dir, env);
    expect(listed.stdout).toMatch(new RegExp(`^${id}\\s+txaws\\s+\\?\\s+empty\\s+0/0\\s+-\\s+no plan: killed while being created, nothing ran \\(pipeline runs prune\\)$`, 'm'));
    expect(JSON.parse((await node(CLI, ['runs', '--json'], dir, env)).stdout)).toMatchObject([{ runId: id, state: 'empty' }]);
    expect((await node(CLI, ['resume'], dir, env)).stdout).toBe('nothing to resume\n');
    const pruned = await node(CLI, ['runs', 'prune'], dir, env);
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(pruned.stdout).toBe(`removed 1 empty run directory: ${id}\n`);
    expect(existsSync(join(state(dir), 'runs', id!))).toBe(false);
    expect((await node(CLI, ['runs'], dir, env)).stdout).toBe('no runs\n');
    // The promotion itself starts afresh and finishes.
    expect((await node(START, ['txaws', 'ppa'], dir, env)).code).toBe(0);
  });

  it('resume of a run another live process holds says so and exits 75 (locked)', async () => {
    const { dir, env } = soakWorkspace(cache);
    expect((await node(START, ['txaws', 'ppa'], dir, { ...env, ...faults('step.before-run') })).signal).toBe('SIGKILL');
    const [run] = JSON.parse((await node(CLI, ['runs', '--json'], dir, env)).stdout) as Array<{ runId: string }>;
    // This test process stands for the other `pipeline resume`: it holds txaws's lock for that run.
    const lock = await acquireLock(state(dir), packageLockName('txaws'), { command: 'pipeline resume', runId: run!.runId });
    try {
      expect(JSON.parse((await node(CLI, ['runs', '--json'], dir, env)).stdout)[0]).toMatchObject({ state: 'running' });
      const all = await node(CLI, ['resume'], dir, env);
      expect(all.code).toBe(75);
      expect(all.stdout.trim()).toBe(`${run!.runId}: run ${run!.runId} is held by another process: pid ${process.pid} (pipeline resume) since ${lock.holder.since}`);
      const one = await node(CLI, ['resume', run!.runId], dir, env);
      expect(one.code).toBe(75);
      expect(one.stderr).toMatch(new RegExp(`^pipeline: .*txaws is locked by another run: pid ${process.pid} \\(pipeline resume, run ${run!.runId}\\)`));
    } finally {
      lock.release();
    }
    const resumed = await node(CLI, ['resume'], dir, env);
    expect(resumed.code, resumed.stderr).toBe(0);
  });

  it('a fault injected outside any step is one error line, logged to faults.log; --verbose adds the stack', async () => {
    const { dir, env } = soakWorkspace(cache);
    expect((await node(START, ['txaws', 'ppa'], dir, { ...env, ...faults('step.before-run') })).signal).toBe('SIGKILL');
    const [run] = JSON.parse((await node(CLI, ['runs', '--json'], dir, env)).stdout) as Array<{ runId: string }>;
    // Rate 1: it fires on every try, so the in-place retries give up and the command stops.
    const r = await node(CLI, ['resume', run!.runId], dir, { ...env, ...faults('lock.after-acquire', 'throw') });
    expect(r.code).toBe(3); // the environment failed: try again (pipeline resume)
    const lines = r.stderr.trim().split('\n');
    expect(lines.filter((l) => !l.startsWith('pipeline: fault injected at lock.after-acquire (seed 1) [throw') && !l.startsWith('took over the lock'))).toEqual([
      'pipeline: fault injected at lock.after-acquire (seed 1): stopped; nothing is lost (pipeline resume continues)',
    ]);
    const logged = readFileSync(join(state(dir), 'faults.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(logged.filter((f) => f.point === 'lock.after-acquire')).toHaveLength(8);
    const verbose = await node(CLI, ['--verbose', 'resume', run!.runId], dir, { ...env, ...faults('lock.after-acquire', 'throw') });
    expect(verbose.stderr).toMatch(/^\s+at .*lock\.js/m);
    const resumed = await node(CLI, ['resume'], dir, env);
    expect(resumed.code, resumed.stderr).toBe(0);
  });
});
