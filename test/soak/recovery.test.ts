// Crash recovery through the real CLI, one fault at a time: a real dput to a local target and a
// real reprepro archive, the process killed (SIGKILL) at a named fault point, then `pipeline resume`.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decide, parseFaultSpec } from '../../pipeline/state/faults.js';
import { readJournal, journalFile } from '../../pipeline/state/journal.js';
import { CLI, node, soakWorkspace, START } from './helpers.js';
// @ts-expect-error plain ESM module without types
import { repreproList } from './kind.mjs';

const cache = mkdtempSync(join(tmpdir(), 'soak-cache-'));
afterAll(() => rmSync(cache, { recursive: true, force: true }));
const faults = (point: string, mode = 'kill', seed = 1) => ({ PIPELINE_FAULTS: `${seed}:1:${mode}`, PIPELINE_FAULT_POINTS: point });

async function runsJson(dir: string, env: NodeJS.ProcessEnv) {
  const r = await node(CLI, ['runs', '--json'], dir, env);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Array<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/**
 * The seed whose PRNG first fires `point` at its `n`th occurrence (rate 0.3) in the first process
 * with faults on over a fresh state dir (generation 1): faults are reproducible.
 */
function seedFiringAt(point: string, n: number): number {
  for (let seed = 1; ; seed++) {
    const cfg = parseFaultSpec(`${seed}:0.3:kill`)!;
    if ([1, 2, 3, 4, 5].every((k) => decide(cfg, point, k, 1).fire === (k === n))) return seed;
  }
}

const ledgerLines = (dir: string) => (existsSync(join(dir, 'uploads.ledger')) ? readFileSync(join(dir, 'uploads.ledger'), 'utf8').trim().split('\n') : []);

describe('crash recovery (real dput + reprepro)', () => {
  it('a kill between dput and the archive update is resumed without uploading again', async () => {
    const { dir, env } = soakWorkspace(cache);
    const killed = await node(START, ['zookeeper', 'ppa'], dir, { ...env, ...faults('publish.after-dput-before-archive-update') });
    expect(killed.signal).toBe('SIGKILL');
    expect(killed.stderr).toContain('pipeline: fault injected at publish.after-dput-before-archive-update (seed 1)');
    expect(ledgerLines(dir)).toHaveLength(1); // dput delivered it
    expect(await repreproList(join(dir, 'archive'), 'ppa')).toEqual([]); // the archive does not have it yet
    const [run] = await runsJson(dir, env);
    expect(run).toMatchObject({ package: 'zookeeper', state: 'interrupted', interrupted: 'publish', stepsDone: 4 });

    const resumed = await node(CLI, ['resume'], dir, env);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/already delivered \(upload record\): not uploading again/);
    expect(await repreproList(join(dir, 'archive'), 'ppa')).toEqual([{ package: 'zookeeper', version: '3.8.0-1~ppa1' }]);
    expect(ledgerLines(dir)).toHaveLength(1); // still one upload
    const [after] = await runsJson(dir, env);
    expect(after).toMatchObject({ state: 'done', stepsDone: 6, resumes: 1 });
    expect(readFileSync(join(dir, '.pipeline', 'state', 'faults.log'), 'utf8')).toContain('"point":"publish.after-dput-before-archive-update"');
  });

  it('a kill after the archive update is confirmed from the archive index, not published again', async () => {
    const { dir, env } = soakWorkspace(cache);
    // step.after-run comes after each step's effect, before its end is journaled: pick a seed that
    // fires first at its 5th occurrence, publish's.
    const seed = seedFiringAt('step.after-run', 5);
    const killed = await node(START, ['txaws', 'ppa'], dir, { ...env, PIPELINE_FAULTS: `${seed}:0.3:kill`, PIPELINE_FAULT_POINTS: 'step.after-run' });
    expect(killed.signal).toBe('SIGKILL');
    const [run] = await runsJson(dir, env);
    expect(run.state).toBe('interrupted');
    expect(run).toMatchObject({ interrupted: 'publish', stepsDone: 4 });
    expect(await repreproList(join(dir, 'archive'), 'ppa')).toEqual([{ package: 'txaws', version: '0.5.0-1~ppa1' }]);
    const resumed = await node(CLI, ['resume', run.runId, '--json'], dir, env);
    expect(resumed.code, resumed.stderr).toBe(0);
    const [res] = JSON.parse(resumed.stdout);
    expect(res).toMatchObject({ ok: true, reconciled: ['publish'], skipped: ['verify', 'prepare', 'build', 'lint'] });
    const { entries } = readJournal(journalFile(join(dir, '.pipeline', 'state'), run.runId));
    expect(entries.filter((e) => e.type === 'step-end').map((e) => e.step)).toEqual(['verify', 'prepare', 'build', 'lint', 'publish', 'confirm']);
    expect(entries.find((e) => e.type === 'step-end' && e.step === 'publish')).toMatchObject({ reconciled: true });
    expect(ledgerLines(dir)).toHaveLength(1);
  });

  it('a journal line torn by a crash mid-write is detected, reported, and the run resumes from the last good entry', async () => {
    const { dir, env } = soakWorkspace(cache);
    expect((await node(START, ['zookeeper', 'ppa'], dir, { ...env, ...faults('step.before-run') })).signal).toBe('SIGKILL');
    // The resume dies while writing its first journal line: half a line is left behind.
    expect((await node(CLI, ['resume'], dir, { ...env, ...faults('journal.torn-append') })).signal).toBe('SIGKILL');
    const [torn] = await runsJson(dir, env);
    expect(torn.journalDamage).toMatchObject({ reason: 'truncated', discarded: 1 });
    const resumed = await node(CLI, ['resume'], dir, env);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(new RegExp(`journal of run ${torn.runId}: line ${torn.journalDamage.line} damaged \\(truncated; crash mid-write\\?\\): set aside, the run goes on`));
    const [done] = await runsJson(dir, env);
    expect(done).toMatchObject({ state: 'done', journalDamage: null });
    expect(await repreproList(join(dir, 'archive'), 'ppa')).toEqual([{ package: 'zookeeper', version: '3.8.0-1~ppa1' }]);
  });

  it('transient failures are retried with each retry journaled, then the failed run resumes', async () => {
    const { dir, env } = soakWorkspace(cache);
    const failed = await node(START, ['txaws', 'ppa'], dir, { ...env, ...faults('step.before-run', 'throw') });
    // Transient, retries spent: the environment failed (exit 3), not a verdict (1): try again later.
    expect(failed.code).toBe(3);
    const [run] = await runsJson(dir, env);
    // soak pipeline.yaml: retry.attempts 3 — the first step failed three times, retried twice
    expect(run).toMatchObject({ state: 'failed', permanent: false, halted: false, retries: 2, stepsDone: 0 });
    const { entries } = readJournal(journalFile(join(dir, '.pipeline', 'state'), run.runId));
    expect(entries.filter((e) => e.type === 'retry')).toHaveLength(2);
    expect(entries.filter((e) => e.type === 'step-failed').every((e) => e.type === 'step-failed' && e.transient)).toBe(true);
    const resumed = await node(CLI, ['resume'], dir, env);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect((await runsJson(dir, env))[0]).toMatchObject({ state: 'done' });
  });

  it('pipeline runs and resume speak plainly when there is nothing to do or the run is unknown', async () => {
    const { dir, env } = soakWorkspace(cache);
    expect((await node(CLI, ['runs'], dir, env)).stdout).toBe('no runs\n');
    expect((await node(CLI, ['resume'], dir, env)).stdout).toBe('nothing to resume\n');
    const bad = await node(CLI, ['resume', 'no-such-run'], dir, env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^pipeline: .*no such run: no-such-run \(see pipeline runs\)\n$/);
  });
});
