import { appendFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Workspace } from '../config/workspace.js';
import { encodeLine, Journal, readJournal, readRun } from './journal.js';
import { listRuns, registerRunKind, resumeAll, resumeRun, runSteps, unfinishedRuns } from './runner.js';
import { permanent } from './retry.js';
import type { StepDefinition } from './steps.js';
import { scratchDir } from '../../test/helpers/scratch.js';

function workspace(retry: Partial<Workspace['config']['retry']> = {}): Workspace {
  const root = scratchDir('runner-');
  return {
    root, stateDir: join(root, 'state'), cacheDir: join(root, 'cache'), packagesDir: join(root, 'packages'), configFile: join(root, 'pipeline.yaml'),
    now: new Date(), lineOf: () => undefined,
    config: { retry: { attempts: 4, limit: 10, intervalSeconds: 5, baseDelayMs: 1, maxDelayMs: 5, ...retry } } as Workspace['config'],
  };
}

/** A steps table that records every run/reconcile call; `world` stands in for the archive. */
function table(calls: string[], world: Set<string>, over: Partial<Record<string, Partial<StepDefinition>>> = {}): StepDefinition[] {
  const step = (name: string, extra: Partial<StepDefinition> = {}): StepDefinition => ({
    name, dryRun: name === 'verify',
    async run(ctx) { calls.push(`run:${name}`); return { name, after: Object.keys(ctx.outputs) }; },
    ...extra, ...over[name],
  });
  return [
    step('verify'),
    step('build'),
    step('publish', {
      async run() { calls.push('run:publish'); world.add('1.0-1'); return { version: '1.0-1' }; },
      async reconcile() { calls.push('reconcile:publish'); return world.has('1.0-1') ? { version: '1.0-1', confirmed: true } : undefined; },
    }),
    step('confirm'),
  ];
}

describe('runSteps', () => {
  it('journals the plan and each step, passing earlier outputs on', async () => {
    const ws = workspace();
    const calls: string[] = [];
    const r = await runSteps(ws, { package: 'pkg', command: 'test', args: { to: 'ppa' }, steps: table(calls, new Set()) });
    expect(calls).toEqual(['run:verify', 'run:build', 'run:publish', 'run:confirm']);
    expect(r.outputs.confirm).toEqual({ name: 'confirm', after: ['verify', 'build', 'publish'] });
    const { entries } = readJournal(join(ws.stateDir, 'runs', r.runId!, 'journal.jsonl'));
    expect(entries.map((e) => e.type)).toEqual(['run-planned', ...Array(4).fill(['step-start', 'step-end']).flat(), 'run-done']);
    const index = JSON.parse(readFileSync(join(ws.stateDir, 'runs', r.runId!, 'run.json'), 'utf8'));
    expect(index).toMatchObject({ package: 'pkg', command: 'test', args: { to: 'ppa' }, state: 'done', stepsDone: 4 });
    expect(listRuns(ws).map((x) => [x.state, x.progress])).toEqual([['done', '4/4']]);
  });

  it('dry run runs only dry-run steps and writes nothing', async () => {
    const ws = workspace();
    const calls: string[] = [];
    const r = await runSteps(ws, { package: 'pkg', command: 'test', steps: table(calls, new Set()), dryRun: true });
    expect(calls).toEqual(['run:verify']);
    expect(r.state).toBe('dry-run');
    expect(existsSync(ws.stateDir)).toBe(false);
  });

  it('on resume skips finished steps and confirms an interrupted publish instead of uploading again', async () => {
    const ws = workspace();
    const world = new Set<string>();
    const calls: string[] = [];
    registerRunKind('test-resume', () => table(calls, world));
    // A crash after dput and before the journal's step-end: publish started, the version is in the world.
    const j = Journal.create(ws.stateDir, 'r1');
    j.append({ type: 'run-planned', runId: 'r1', package: 'pkg', command: 'test-resume', args: null, steps: ['verify', 'build', 'publish', 'confirm'], pid: 1 });
    for (const s of ['verify', 'build']) {
      j.append({ type: 'step-start', step: s, attempt: 1 });
      j.append({ type: 'step-end', step: s, output: { from: 'journal' }, outputHash: 'x' });
    }
    j.append({ type: 'step-start', step: 'publish', attempt: 1 });
    world.add('1.0-1');
    expect(unfinishedRuns(ws).map((r) => r.runId)).toEqual(['r1']);
    const r = await resumeRun(ws, 'r1');
    expect(calls).toEqual(['reconcile:publish', 'run:confirm']);
    expect(r).toMatchObject({ resumed: true, skipped: ['verify', 'build'], reconciled: ['publish'] });
    expect(r.outputs.build).toEqual({ from: 'journal' });
    expect(r.outputs.publish).toEqual({ version: '1.0-1', confirmed: true });
    expect(readRun(ws.stateDir, 'r1')).toMatchObject({ state: 'done', resumes: 1 });
  });

  it('runs an interrupted step again when reconcile finds its effect missing', async () => {
    const ws = workspace();
    const world = new Set<string>();
    const calls: string[] = [];
    registerRunKind('test-rerun', () => table(calls, world));
    const j = Journal.create(ws.stateDir, 'r2');
    j.append({ type: 'run-planned', runId: 'r2', package: 'pkg', command: 'test-rerun', args: null, steps: ['verify', 'build', 'publish', 'confirm'], pid: 1 });
    j.append({ type: 'step-start', step: 'verify', attempt: 1 });
    j.append({ type: 'step-end', step: 'verify', output: 1, outputHash: 'x' });
    j.append({ type: 'step-start', step: 'build', attempt: 1 });
    j.append({ type: 'step-end', step: 'build', output: 2, outputHash: 'x' });
    j.append({ type: 'step-start', step: 'publish', attempt: 1 });
    const [res] = await resumeAll(ws);
    expect(res).toMatchObject({ runId: 'r2', ok: true });
    expect(calls).toEqual(['reconcile:publish', 'run:publish', 'run:confirm']);
    expect(world.has('1.0-1')).toBe(true);
  });

  it('resumes from the last good entry when the journal\'s last line was torn by a crash', async () => {
    const ws = workspace();
    const calls: string[] = [];
    registerRunKind('test-torn', () => table(calls, new Set()));
    const j = Journal.create(ws.stateDir, 'r3');
    j.append({ type: 'run-planned', runId: 'r3', package: 'pkg', command: 'test-torn', args: null, steps: ['verify', 'build', 'publish', 'confirm'], pid: 1 });
    j.append({ type: 'step-start', step: 'verify', attempt: 1 });
    appendFileSync(j.file, encodeLine({ seq: 3, at: 'x', type: 'step-end', step: 'verify', output: 1, outputHash: 'x' }).slice(0, 25));
    const notes: string[] = [];
    const r = await resumeRun(ws, 'r3', { progress: { note: (m) => notes.push(m), phase: () => ({ update() {}, done() {}, fail() {} }) } });
    expect(notes.join('\n')).toMatch(/journal of run r3: line 3 damaged \(truncated; crash mid-write\?\): set aside, the run goes on from the 2 good entries/);
    expect(r.damage?.reason).toBe('truncated');
    // A lost line may have been a step's start: publish asks the world before it runs.
    expect(calls).toEqual(['run:verify', 'run:build', 'reconcile:publish', 'run:publish', 'run:confirm']);
    expect(readJournal(j.file).damage).toBeUndefined();
    expect(readdirSync(join(ws.stateDir, 'runs', 'r3')).some((f) => f.startsWith('journal.damaged-'))).toBe(true);
  });

  it('retries transient failures of a retryable step, journaling each failure and retry', async () => {
    const ws = workspace();
    let n = 0;
    const steps: StepDefinition[] = [{
      name: 'publish', dryRun: false, retryable: true,
      async run() { if (++n < 3) throw new Error('dput: Connection reset by peer'); return 'uploaded'; },
    }];
    const r = await runSteps(ws, { package: 'pkg', command: 'test', steps });
    expect(r.outputs.publish).toBe('uploaded');
    expect(r.retries).toBe(2);
    const types = readJournal(join(ws.stateDir, 'runs', r.runId!, 'journal.jsonl')).entries.map((e) => e.type);
    expect(types).toEqual(['run-planned', 'step-start', 'step-failed', 'retry', 'step-start', 'step-failed', 'retry', 'step-start', 'step-end', 'run-done']);
  });

  it('never retries a permanent failure, and resume refuses a permanently failed run', async () => {
    const ws = workspace();
    let n = 0;
    registerRunKind('test-perm', () => [{ name: 'build', dryRun: false, retryable: true, async run() { n++; throw permanent(new Error('FTBFS')); } }]);
    await expect(runSteps(ws, { package: 'pkg', command: 'test-perm', steps: [{ name: 'build', dryRun: false, retryable: true, async run() { n++; throw permanent(new Error('FTBFS')); } }] }))
      .rejects.toThrow(/step build failed: FTBFS/);
    expect(n).toBe(1);
    const [run] = listRuns(ws);
    expect(run).toMatchObject({ state: 'failed', permanent: true, error: 'FTBFS' });
    expect(unfinishedRuns(ws)).toEqual([]);
    await expect(resumeRun(ws, run!.runId)).rejects.toThrow(/failed permanently: FTBFS/);
  });

  it('halts a run whose failures trip the crash-loop guard; only a forced resume continues it', async () => {
    const ws = workspace({ attempts: 50, limit: 3, intervalSeconds: 5 });
    let n = 0;
    let healthy = false;
    const steps = (): StepDefinition[] => [{ name: 'fetch', dryRun: false, retryable: true, async run() { n++; if (!healthy) throw new Error('Temporary failure resolving deb.debian.org'); return 'ok'; } }];
    registerRunKind('test-loop', steps);
    await expect(runSteps(ws, { package: 'pkg', command: 'test-loop', steps: steps() })).rejects.toThrow(/halted: crash-loop guard: 4 failures at step fetch without progress within 5s \(limit 3\)/);
    expect(n).toBe(4);
    const [run] = listRuns(ws);
    expect(run).toMatchObject({ state: 'failed', halted: true });
    expect(unfinishedRuns(ws)).toEqual([]);
    await expect(resumeRun(ws, run!.runId)).rejects.toThrow(/stopped by the crash-loop guard/);
    healthy = true;
    await expect(resumeRun(ws, run!.runId, { force: true })).resolves.toMatchObject({ state: 'done' });
  });

  it('a crash-resume loop trips the guard too (each resume counts as a failure)', async () => {
    const ws = workspace({ limit: 3, intervalSeconds: 60 });
    registerRunKind('test-crashy', () => [{ name: 'a', dryRun: false, async run() { return 1; } }]);
    const j = Journal.create(ws.stateDir, 'r4');
    j.append({ type: 'run-planned', runId: 'r4', package: 'pkg', command: 'test-crashy', args: null, steps: ['a'], pid: 1 });
    for (let i = 0; i < 3; i++) { j.append({ type: 'run-resumed', pid: 1 }); j.append({ type: 'step-start', step: 'a', attempt: i + 1 }); }
    await expect(resumeRun(ws, 'r4')).rejects.toThrow(/crash-loop guard/);
    expect(readRun(ws.stateDir, 'r4')).toMatchObject({ state: 'failed', halted: true });
  });

  it('a new run of a package resumes its unfinished run with the same arguments instead of starting over', async () => {
    const ws = workspace();
    const calls: string[] = [];
    const j = Journal.create(ws.stateDir, 'r5');
    j.append({ type: 'run-planned', runId: 'r5', package: 'pkg', command: 'test', args: { to: 'ppa' }, steps: ['verify', 'build', 'publish', 'confirm'], pid: 1 });
    j.append({ type: 'step-start', step: 'verify', attempt: 1 });
    j.append({ type: 'step-end', step: 'verify', output: 'v', outputHash: 'x' });
    const r = await runSteps(ws, { package: 'pkg', command: 'test', args: { to: 'ppa' }, steps: table(calls, new Set()) });
    expect(r.runId).toBe('r5');
    expect(calls).toEqual(['run:build', 'run:publish', 'run:confirm']);
    expect(listRuns(ws)).toHaveLength(1);
  });

  it('finishes a different unfinished run of the package first (its kind rebuilds its steps)', async () => {
    const ws = workspace();
    const calls: string[] = [];
    registerRunKind('test-other', (_ws, args: { to: string }) => [{ name: `old-${args.to}`, dryRun: false, async run() { calls.push(`old-${args.to}`); return 1; } }]);
    const j = Journal.create(ws.stateDir, 'r6');
    j.append({ type: 'run-planned', runId: 'r6', package: 'pkg', command: 'test-other', args: { to: 'ppa' }, steps: ['old-ppa'], pid: 1 });
    const r = await runSteps(ws, { package: 'pkg', command: 'test', args: { to: 'devel' }, steps: [{ name: 'new', dryRun: false, async run() { calls.push('new'); return 2; } }] });
    expect(r.resumedFirst).toEqual(['r6']);
    expect(calls).toEqual(['old-ppa', 'new']);
    expect(listRuns(ws).map((x) => x.state)).toEqual(['done', 'done']);
  });

  it('a standalone kind (build) neither resumes other unfinished runs first nor is resumed first by them', async () => {
    const ws = workspace();
    const calls: string[] = [];
    registerRunKind('test-standalone', (_ws, args: { n: number }) => [{ name: `s${args.n}`, dryRun: false, async run() { calls.push(`s${args.n}`); return args.n; } }], { standalone: true });
    registerRunKind('test-publishing', () => [{ name: 'p', dryRun: false, async run() { calls.push('p'); return 0; } }]);
    const crashed = (id: string, command: string, args: unknown, steps: string[], standalone?: boolean) =>
      Journal.create(ws.stateDir, id).append({ type: 'run-planned', runId: id, package: 'pkg', command, args, steps, pid: 1, ...(standalone ? { standalone } : {}) });
    crashed('r8', 'test-publishing', null, ['p']);
    // Its plan says standalone, as the process that started it wrote: no need to have loaded its kind.
    crashed('r9', 'test-standalone-elsewhere', { n: 1 }, ['s1'], true);
    // A standalone run with other arguments: the crashed publishing run is left for its own resume.
    const b = await runSteps(ws, { package: 'pkg', command: 'test-standalone', args: { n: 2 }, steps: [{ name: 's2', dryRun: false, async run() { calls.push('s2'); return 2; } }] });
    expect(b.resumedFirst).toEqual([]);
    expect(calls).toEqual(['s2']);
    expect(readRun(ws.stateDir, b.runId!)?.standalone).toBe(true); // written into its plan
    // A publishing run finishes the crashed publishing run first, and leaves the crashed standalone one.
    const p = await runSteps(ws, { package: 'pkg', command: 'test-other-publishing', args: null, steps: [{ name: 'q', dryRun: false, async run() { calls.push('q'); return 3; } }] });
    expect(p.resumedFirst).toEqual(['r8']);
    expect(calls).toEqual(['s2', 'p', 'q']);
    expect(unfinishedRuns(ws, 'pkg').map((r) => r.runId)).toEqual(['r9']);
    // The same kind and arguments pick the crashed run up.
    registerRunKind('test-standalone-elsewhere', () => [], { standalone: true });
    const again = await runSteps(ws, { package: 'pkg', command: 'test-standalone-elsewhere', args: { n: 1 }, steps: [{ name: 's1', dryRun: false, async run() { calls.push('s1'); return 1; } }] });
    expect(again.runId).toBe('r9');
    expect(unfinishedRuns(ws, 'pkg')).toEqual([]);
  });

  it('refuses to resume a run whose steps table changed shape', async () => {
    const ws = workspace();
    registerRunKind('test-shape', () => [{ name: 'x', dryRun: false, async run() { return 1; } }]);
    const j = Journal.create(ws.stateDir, 'r7');
    j.append({ type: 'run-planned', runId: 'r7', package: 'pkg', command: 'test-shape', args: null, steps: ['a', 'b'], pid: 1 });
    await expect(resumeRun(ws, 'r7')).rejects.toThrow(/was planned as \[a, b\]/);
    await expect(resumeRun(ws, 'nope')).rejects.toThrow(/no such run/);
  });
});
