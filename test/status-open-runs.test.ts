/**
 * status and the report agree, and show failures: a promote that fails permanently leaves a run
 * that both name, with its id and the commands that continue or abandon it; the stage is not
 * "ready" in either. After `pipeline runs abandon RUN`, as printed, the run is gone from both.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cli } from './helpers/workspace.js';
import { stagesWorkspace, type StagesWorkspace } from './helpers/stagesWorkspace.js';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 120_000 });

let t: StagesWorkspace;
beforeAll(() => { t = stagesWorkspace({ packages: ['txaws'] }); });
afterAll(async () => { await t.cleanup(); });
const run = (args: string[]) => cli({ root: t.root, config: t.config, env: t.env }, args);

describe('a failed run shows in status and in the report', () => {
  it('a permanent failure is named with its run id and the command that abandons it, in both', async () => {
    // A Maintainer address with no real mail host: a lint error that blocks the ppa stage.
    const control = join(t.root, 'packages', 'txaws', 'debian', 'control');
    writeFileSync(control, readFileSync(control, 'utf8').replace(/^Maintainer: (.*) <[^>]+>$/m, 'Maintainer: $1 <nobody@localhost>'));
    const p = await run(['promote', 'txaws']);
    expect(p.exitCode, p.stdout + p.stderr).toBe(1);
    const runs = JSON.parse((await run(['--json', 'runs'])).stdout) as { runId: string; state: string }[];
    expect(runs).toHaveLength(1);
    const id = runs[0]!.runId;
    expect(runs[0]!.state).toBe('failed');

    const status = await run(['status']);
    expect(status.exitCode).toBe(0);
    expect(status.stdout).toContain(`txaws: run ${id} (promote) failed (permanent)`);
    expect(status.stdout).toContain(`abandon: pipeline runs abandon ${id}`);
    expect(status.stdout).not.toMatch(/: can go|: ready/);
    const sj = JSON.parse((await run(['--json', 'status'])).stdout);
    expect(sj.rows[0].openRuns).toMatchObject([{ runId: id, state: 'failed (permanent)', abandonWith: `pipeline runs abandon ${id}` }]);

    const report = await run(['report', '--offline']);
    expect(report.exitCode).toBe(1);
    expect(report.stdout).toContain('Runs that did not finish:');
    expect(report.stdout).toContain(`txaws: run ${id} (promote) failed (permanent)`);
    const rj = JSON.parse((await run(['report', '--offline', '--format', 'json'])).stdout);
    expect(rj.packages[0].openRuns.map((x: { runId: string }) => x.runId)).toEqual([id]);
    expect(rj.packages[0].stages[0]).toMatchObject({ stage: 'ppa', ready: false });

    // The printed command, as printed, clears it.
    const abandon = (await run(['status'])).stdout.match(/abandon: (pipeline runs abandon \S+)/)![1]!;
    const a = await run(abandon.split(' ').slice(1));
    expect(a.exitCode, a.stderr).toBe(0);
    expect(JSON.parse((await run(['--json', 'status'])).stdout).rows[0].openRuns).toEqual([]);
  });
});
