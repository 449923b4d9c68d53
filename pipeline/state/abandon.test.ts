import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Workspace } from '../config/workspace.js';
import type { PipelineError } from '../errors.js';
import { abandonRun } from './abandon.js';
import { Journal, readJournal, readRun, summarize, unfinishedPublishSteps, writeRunIndex, type NewEntry } from './journal.js';
import { acquireLock, LOCK_BUSY_EXIT, packageLockName, updateLock } from './lock.js';
import { listRuns, registerRunKind, resumeAll, resumeRun, runSteps, unfinishedRuns } from './runner.js';
import type { StepDefinition } from './steps.js';
import { scratchDir } from '../../test/helpers/scratch.js';

function workspace(): Workspace {
  const root = scratchDir('abandon-');
  return {
    root, stateDir: join(root, 'state'), cacheDir: join(root, 'cache'), packagesDir: join(root, 'packages'), configFile: join(root, 'pipeline.yaml'),
    now: new Date(), lineOf: () => undefined,
    config: { retry: { attempts: 2, limit: 10, intervalSeconds: 5, baseDelayMs: 1, maxDelayMs: 5 } } as Workspace['config'],
  };
}

const STEPS = ['verify', 'build', 'publish', 'confirm'];
const calls: string[] = [];
const table = (): StepDefinition[] => STEPS.map((name) => ({ name, dryRun: false, async run() { calls.push(name); return { name }; } }));
registerRunKind('abandon-test', () => table());

/** A run's journal as a crash leaves it: the plan, then `entries`. */
function crashedRun(ws: Workspace, runId: string, entries: NewEntry[], args: unknown = { to: 'ppa' }): Journal {
  const j = Journal.create(ws.stateDir, runId);
  j.append({ type: 'run-planned', runId, package: 'pkg', command: 'abandon-test', args, steps: STEPS, pid: 1 });
  for (const e of entries) j.append(e);
  return j;
}
const finished = (step: string): NewEntry[] => [{ type: 'step-start', step, attempt: 1 }, { type: 'step-end', step, output: { step }, outputHash: 'x' }];

async function refusal(p: Promise<unknown>): Promise<PipelineError> {
  return p.then(() => { throw new Error('not refused'); }, (e: PipelineError) => e);
}

describe('abandonRun', () => {
  it('journals the abandonment; the run lists as abandoned and is never resumed again', async () => {
    const ws = workspace();
    crashedRun(ws, 'r1', [...finished('verify'), { type: 'step-start', step: 'build', attempt: 1 }]);
    expect(unfinishedRuns(ws).map((r) => r.runId)).toEqual(['r1']);

    const r = await abandonRun(ws, 'r1', { by: 'maint', reason: 'would upload a second backport' });
    expect(r).toEqual({ runId: 'r1', package: 'pkg', command: 'abandon-test', already: false, unfinishedPublish: [], done: ['verify'] });
    const { entries } = readJournal(join(ws.stateDir, 'runs', 'r1', 'journal.jsonl'));
    expect(entries.at(-1)).toMatchObject({ type: 'run-abandoned', by: 'maint', reason: 'would upload a second backport', pid: process.pid });
    expect(JSON.parse(readFileSync(join(ws.stateDir, 'runs', 'r1', 'run.json'), 'utf8'))).toMatchObject({ state: 'abandoned', stepsDone: 1 });
    expect(listRuns(ws).map((x) => [x.runId, x.state, x.abandoned?.by])).toEqual([['r1', 'abandoned', 'maint']]);

    expect(unfinishedRuns(ws)).toEqual([]);
    calls.length = 0;
    expect(await resumeAll(ws)).toEqual([]);
    await expect(resumeRun(ws, 'r1')).rejects.toThrow(/run r1 was abandoned by maint at .*\(would upload a second backport\): it is not resumed/);
    await expect(resumeRun(ws, 'r1', { force: true })).rejects.toThrow(/was abandoned/);
    // A new run of the same command and arguments starts afresh instead of picking the abandoned one up.
    const fresh = await runSteps(ws, { package: 'pkg', command: 'abandon-test', args: { to: 'ppa' }, steps: table() });
    expect(fresh.runId).not.toBe('r1');
    expect(fresh.resumed).toBe(false);
    expect(calls).toEqual(STEPS);
    expect(readRun(ws.stateDir, 'r1')?.state).toBe('abandoned');
  });

  it('takes a run that failed (transient, halted) out of the pending work too', async () => {
    const ws = workspace();
    crashedRun(ws, 'r2', [{ type: 'step-start', step: 'verify', attempt: 1 }, { type: 'step-failed', step: 'verify', attempt: 1, error: 'mirror timeout', transient: true },
      { type: 'run-done', state: 'failed', step: 'verify', error: 'mirror timeout', permanent: false }]);
    expect(unfinishedRuns(ws).map((r) => r.runId)).toEqual(['r2']);
    await abandonRun(ws, 'r2', { by: 'maint' });
    expect(unfinishedRuns(ws)).toEqual([]);
    expect(listRuns(ws)[0]).toMatchObject({ state: 'abandoned', error: 'mirror timeout' });
  });

  it('a second abandon changes nothing', async () => {
    const ws = workspace();
    crashedRun(ws, 'r3', finished('verify'));
    await abandonRun(ws, 'r3', { by: 'a' });
    const lines = readFileSync(join(ws.stateDir, 'runs', 'r3', 'journal.jsonl'), 'utf8');
    expect(await abandonRun(ws, 'r3', { by: 'b' })).toMatchObject({ already: true });
    expect(readFileSync(join(ws.stateDir, 'runs', 'r3', 'journal.jsonl'), 'utf8')).toBe(lines);
  });

  it('abandons a run that crashed before its plan was journaled (run.json only)', async () => {
    const ws = workspace();
    Journal.create(ws.stateDir, 'r4');
    writeRunIndex(ws.stateDir, { runId: 'r4', package: 'pkg', command: 'abandon-test', args: null, state: 'running', steps: STEPS, stepsDone: 0, startedAt: '2026-11-25T00:00:00.000Z', updatedAt: '2026-11-25T00:00:00.000Z', pid: 1 });
    expect(unfinishedRuns(ws).map((r) => r.runId)).toEqual(['r4']);
    await abandonRun(ws, 'r4', { by: 'maint' });
    expect(listRuns(ws).map((r) => [r.runId, r.state])).toEqual([['r4', 'abandoned']]);
    expect(readJournal(join(ws.stateDir, 'runs', 'r4', 'journal.jsonl')).entries.map((e) => e.type)).toEqual(['run-planned', 'run-abandoned']);
  });

  describe('refuses, with one line and nothing written,', () => {
    it('an unknown run and a malformed id', async () => {
      const ws = workspace();
      expect((await refusal(abandonRun(ws, 'nope'))).oneLine()).toBe('no such run: nope (see pipeline runs)');
      expect((await refusal(abandonRun(ws, '../x'))).message).toMatch(/not a run id/);
    });

    it('a finished run', async () => {
      const ws = workspace();
      const done = await runSteps(ws, { package: 'pkg', command: 'abandon-test', args: null, steps: table() });
      const before = readFileSync(join(ws.stateDir, 'runs', done.runId!, 'journal.jsonl'), 'utf8');
      expect((await refusal(abandonRun(ws, done.runId!))).message).toBe(`run ${done.runId} is done: there is nothing to abandon`);
      expect(readFileSync(join(ws.stateDir, 'runs', done.runId!, 'journal.jsonl'), 'utf8')).toBe(before);
    });

    it('a run whose package lock a live process holds (running, or about to resume it)', async () => {
      const ws = workspace();
      crashedRun(ws, 'r5', finished('verify'));
      const lock = await acquireLock(ws.stateDir, packageLockName('pkg'), { command: 'pipeline promote pkg', runId: 'r5' });
      try {
        const e = await refusal(abandonRun(ws, 'r5'));
        expect(e.message).toMatch(new RegExp(`^run r5 is running: pid ${process.pid} \\(pipeline promote pkg\\) since 20`));
        expect(e.exitCode).toBe(LOCK_BUSY_EXIT);
        updateLock(lock, { runId: 'other' }); // e.g. a promote finishing another run first

        expect((await refusal(abandonRun(ws, 'r5'))).message).toMatch(/^pkg is locked by another run, which may resume run r5: pid /);
      } finally {
        lock.release();
      }
      expect(readRun(ws.stateDir, 'r5')?.state).toBe('interrupted');
    });

    it('a run whose publish started and never finished, unless forced; forced, it says so', async () => {
      const ws = workspace();
      crashedRun(ws, 'r6', [...finished('verify'), ...finished('build'), { type: 'step-start', step: 'publish', attempt: 1 }]);
      const e = await refusal(abandonRun(ws, 'r6'));
      expect(e.exitCode).toBe(1);
      expect(e.oneLine()).toBe('run r6: publish started and never finished, so the upload of pkg may or may not be in the target; '
        + 'abandoning leaves it that way (resuming would check the target and finish or confirm it) (look with pipeline status pkg, then pipeline runs abandon r6 --force)');
      expect(readRun(ws.stateDir, 'r6')?.state).toBe('interrupted');

      const r = await abandonRun(ws, 'r6', { force: true, by: 'maint' });
      expect(r.unfinishedPublish).toEqual(['publish']);
      expect(readJournal(join(ws.stateDir, 'runs', 'r6', 'journal.jsonl')).entries.at(-1)).toMatchObject({ type: 'run-abandoned', unfinishedPublish: ['publish'] });
      expect(listRuns(ws)[0]?.abandoned?.unfinishedPublish).toEqual(['publish']);
    });
  });
});

describe('unfinishedPublishSteps', () => {
  it('names STAGE:publish steps started and not ended (failed attempts included); ended or reconciled ones are not', () => {
    const ws = workspace();
    const j = crashedRun(ws, 'p', [
      { type: 'step-start', step: 'ppa:publish', attempt: 1 }, { type: 'step-end', step: 'ppa:publish', output: null, outputHash: 'x', reconciled: true },
      { type: 'step-start', step: 'devel:publish', attempt: 1 }, { type: 'step-failed', step: 'devel:publish', attempt: 1, error: 'dput: connection reset', transient: true },
      { type: 'step-start', step: 'devel:build', attempt: 1 },
    ]);
    expect(unfinishedPublishSteps(j.entries)).toEqual(['devel:publish']);
    expect(summarize(j.entries)?.state).toBe('interrupted');
  });
});
