// Recovery under hostile faults (issue 17), in-process: injected throws outside a step are retried
// in place; the crash-loop guard counts failures at one step across processes from the journal;
// a damaged journal line anywhere sets aside that line only and the run still finishes.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Workspace } from '../config/workspace.js';
import { configureFaults, parseFaultSpec } from './faults.js';
import { encodeLine, Journal, journalFile, readJournal, readRun, writeRunIndex, type JournalEntry } from './journal.js';
import { listRuns, registerRunKind, resumeRun, runSteps } from './runner.js';
import type { StepDefinition } from './steps.js';
import { scratchDir } from '../../test/helpers/scratch.js';

afterEach(() => configureFaults(undefined));

function workspace(retry: Partial<Workspace['config']['retry']> = {}): Workspace {
  const root = scratchDir('runner-hostile-');
  return {
    root, stateDir: join(root, 'state'), cacheDir: join(root, 'cache'), packagesDir: join(root, 'packages'), configFile: join(root, 'pipeline.yaml'),
    now: new Date(), lineOf: () => undefined,
    config: { retry: { attempts: 4, limit: 10, intervalSeconds: 3600, baseDelayMs: 1, maxDelayMs: 2, ...retry } } as Workspace['config'],
  };
}

/** verify → build → publish → confirm; publish counts real uploads in `world` and can reconcile. */
function table(calls: string[], world: string[]): StepDefinition[] {
  const step = (name: string, extra: Partial<StepDefinition> = {}): StepDefinition => ({
    name, dryRun: false, async run() { calls.push(`run:${name}`); return { name }; }, ...extra,
  });
  return [
    step('verify'),
    step('build'),
    step('publish', {
      async run() { calls.push('run:publish'); world.push('1.0-1'); return { version: '1.0-1' }; },
      async reconcile() { calls.push('reconcile:publish'); return world.includes('1.0-1') ? { version: '1.0-1', reconciled: true } : undefined; },
    }),
    step('confirm'),
  ];
}
const STEPS = ['verify', 'build', 'publish', 'confirm'];

describe('injected faults outside a step', () => {
  it('a throw at a journal append, run.json or the package lock is retried in place; the run finishes with a whole journal', async () => {
    const points = ['journal.before-append', 'journal.after-append', 'state.write', 'lock.after-acquire'];
    for (const seed of [1, 2, 3, 4, 5]) {
      const ws = workspace();
      configureFaults({ ...parseFaultSpec(`${seed}:0.4:throw`)!, only: points });
      const calls: string[] = [];
      const world: string[] = [];
      const r = await runSteps(ws, { package: 'pkg', command: 'test-hostile', steps: table(calls, world) });
      expect(r.state).toBe('done');
      expect(world).toEqual(['1.0-1']);
      const { entries, damage } = readJournal(journalFile(ws.stateDir, r.runId!));
      expect(damage).toBeUndefined();
      // Each entry once: an after-append fault left its entry written, and it was not written again.
      expect(entries.filter((e) => e.type === 'step-end').map((e) => (e as { step: string }).step)).toEqual(STEPS);
      expect(entries.filter((e) => e.type === 'run-planned')).toHaveLength(1);
      expect(readFileSync(join(ws.stateDir, 'faults.log'), 'utf8').trim().split('\n').length).toBeGreaterThan(0);
    }
  });
});

describe('crash-loop guard across processes, per step, from the journal', () => {
  const crashLoop = (ws: Workspace, id: string, crashes: number, spacingMs: number, progressAt?: number) => {
    registerRunKind('test-guard', () => table([], []));
    const j = Journal.create(ws.stateDir, id);
    j.append({ type: 'run-planned', runId: id, package: 'pkg', command: 'test-guard', args: null, steps: STEPS, pid: 1 });
    j.append({ type: 'step-start', step: 'verify', attempt: 1 });
    j.append({ type: 'step-end', step: 'verify', output: 1, outputHash: 'x' });
    // Each crash: a process resumed the run, started build and died (slower than 1 restart / 0.5 s).
    const t0 = Date.now() - crashes * spacingMs;
    let text = readFileSync(j.file, 'utf8');
    let seq = 3;
    const put = (e: Omit<JournalEntry, 'seq'>) => { text += encodeLine({ seq: ++seq, ...e } as JournalEntry); };
    for (let i = 0; i < crashes; i++) {
      const at = new Date(t0 + i * spacingMs).toISOString();
      put({ type: 'run-resumed', pid: 100 + i, at } as Omit<JournalEntry, 'seq'>);
      put({ type: 'step-start', step: 'build', attempt: i + 1, at } as Omit<JournalEntry, 'seq'>);
      if (progressAt === i) put({ type: 'step-end', step: 'build', output: 1, outputHash: 'x', at } as Omit<JournalEntry, 'seq'>);
    }
    writeFileSync(j.file, text);
  };

  it('halts the run at the 11th crash at the same step, even a second apart, naming the way out', async () => {
    const ws = workspace();
    crashLoop(ws, 'g1', 10, 1000);
    await expect(resumeRun(ws, 'g1')).rejects.toThrow(/^run g1 halted.*crash-loop guard: 11 failures at step build without progress within 3600s \(limit 10\)/);
    const e = await resumeRun(ws, 'g1').catch((x: unknown) => x as { oneLine(): string });
    expect(e.oneLine()).toMatch(/pipeline runs --json .*pipeline resume g1 --force/);
    expect(readRun(ws.stateDir, 'g1')).toMatchObject({ state: 'failed', halted: true });
    expect(listRuns(ws)[0]).toMatchObject({ state: 'failed', halted: true });
    // A human forces it on: it finishes, and the forced resume starts the count afresh.
    await expect(resumeRun(ws, 'g1', { force: true })).resolves.toMatchObject({ state: 'done' });
  });

  it('a step finished in between is progress: the count starts again', async () => {
    const ws = workspace();
    crashLoop(ws, 'g2', 10, 1000, 5);
    await expect(resumeRun(ws, 'g2')).resolves.toMatchObject({ state: 'done' });
  });

  it('counts retried failures in one process too: 20 transient failures halt, not fail', async () => {
    const ws = workspace({ attempts: 25 });
    let n = 0;
    const steps: StepDefinition[] = [{ name: 'fetch', dryRun: false, retryable: true, async run() { n++; throw new Error('E: Failed to fetch http://deb.debian.org/x'); } }];
    await expect(runSteps(ws, { package: 'pkg', command: 'test-guard-retry', steps })).rejects.toThrow(/halted: crash-loop guard: 11 failures at step fetch/);
    expect(n).toBe(11);
    expect(listRuns(ws)[0]).toMatchObject({ state: 'failed', halted: true });
  });

  it('the interval and count come from the retry section', async () => {
    const ws = workspace({ limit: 2, intervalSeconds: 2 });
    crashLoop(ws, 'g3', 4, 1000); // only the last two fall within 2 s: not more than 2
    await expect(resumeRun(ws, 'g3')).resolves.toMatchObject({ state: 'done' });
    const tight = workspace({ limit: 2, intervalSeconds: 60 });
    crashLoop(tight, 'g4', 2, 1000);
    await expect(resumeRun(tight, 'g4')).rejects.toThrow(/3 failures at step build without progress within 60s \(limit 2\)/);
  });
});

describe('a damaged journal line anywhere', () => {
  /** Flip one character inside line `n` (1-based): its checksum no longer matches. */
  const damageLine = (file: string, n: number) => {
    const lines = readFileSync(file, 'utf8').split('\n');
    const l = lines[n - 1]!;
    const at = l.indexOf('"type"') + 2;
    lines[n - 1] = l.slice(0, at) + (l[at] === 'x' ? 'y' : 'x') + l.slice(at + 1);
    writeFileSync(file, lines.join('\n'));
  };

  it('a finished run stays finished, whichever line is damaged, and publishes nothing again', async () => {
    const ws0 = workspace();
    const probe = await runSteps(ws0, { package: 'pkg', command: 'test-damage-done', steps: table([], []) });
    const count = readJournal(journalFile(ws0.stateDir, probe.runId!)).entries.length;
    expect(count).toBe(10);
    for (let line = 1; line <= count; line++) {
      const ws = workspace();
      const calls: string[] = [];
      const world: string[] = [];
      registerRunKind('test-damage-done', () => table(calls, world));
      const r = await runSteps(ws, { package: 'pkg', command: 'test-damage-done', steps: table(calls, world) });
      damageLine(journalFile(ws.stateDir, r.runId!), line);
      const listed = listRuns(ws)[0]!;
      if (line < count) expect(listed, `line ${line}`).toMatchObject({ state: 'done', progress: '4/4' });
      else expect(listed, `line ${line}`).toMatchObject({ state: 'interrupted', progress: '4/4' }); // its run-done was lost
      calls.length = 0;
      const again = await resumeRun(ws, r.runId!);
      expect(again.state, `line ${line}`).toBe('done');
      expect(calls.filter((c) => c.startsWith('run:')), `line ${line}`).toEqual([]);
      expect(world).toEqual(['1.0-1']);
      expect(listRuns(ws)[0], `line ${line}`).toMatchObject({ state: 'done', progress: '4/4' });
    }
  });

  it('an interrupted run resumes and finishes, whichever line is damaged, without a second upload', async () => {
    const lines = 8;
    for (let line = 1; line <= lines; line++) {
      const ws = workspace();
      const calls: string[] = [];
      const world: string[] = ['1.0-1']; // publish had uploaded when the process died
      registerRunKind('test-damage-open', () => table(calls, world));
      const j = Journal.create(ws.stateDir, 'd1');
      writeRunIndex(ws.stateDir, {
        runId: 'd1', package: 'pkg', command: 'test-damage-open', args: null, state: 'running', steps: STEPS, stepsDone: 0,
        startedAt: new Date().toISOString(), updatedAt: new Date().toISOString(), pid: 1,
      });
      j.append({ type: 'run-planned', runId: 'd1', package: 'pkg', command: 'test-damage-open', args: null, steps: STEPS, pid: 1 });
      for (const s of ['verify', 'build']) {
        j.append({ type: 'step-start', step: s, attempt: 1 });
        j.append({ type: 'step-end', step: s, output: { name: s }, outputHash: 'x' });
      }
      j.append({ type: 'run-resumed', pid: 2 });
      j.append({ type: 'step-start', step: 'publish', attempt: 1 });
      j.append({ type: 'step-failed', step: 'publish', attempt: 1, error: 'Connection reset by peer', transient: true });
      expect(readJournal(j.file).entries).toHaveLength(lines);
      damageLine(j.file, line);
      const r = await resumeRun(ws, 'd1');
      expect(r.state, `line ${line}`).toBe('done');
      expect(world, `line ${line}`).toEqual(['1.0-1']);
      expect(calls, `line ${line}`).toContain('reconcile:publish');
      expect(calls, `line ${line}`).not.toContain('run:publish');
      expect(readJournal(j.file).damage, `line ${line}`).toBeUndefined();
      expect(listRuns(ws)[0], `line ${line}`).toMatchObject({ state: 'done', progress: '4/4' });
    }
  });
});
