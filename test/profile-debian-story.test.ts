/**
 * The Debian profile tells one story (issue #13, item 5): trixie is declared in pipeline.yaml as
 * the stand-in for the development release (`standsFor: devel`, forky on 2026-12-06), and the
 * freeze gate, the report's timeline and its notes all speak of forky. A target the schedule says
 * is closed is a blocked verdict: the released development series without the declaration, and
 * an LTS past its support (bookworm after its eol-lts).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadWorkspace } from '../pipeline/config/workspace.js';
import { collectReadiness } from '../pipeline/report/collect.js';
import { freezeGateForStage, seriesSupportGate } from '../pipeline/schedule/resolve.js';
import { cli, REPO } from './helpers/workspace.js';
import { scratchDir } from './helpers/scratch.js';

const ws = (at: string, config = 'pipeline.yaml') => loadWorkspace({
  config: join(REPO, config), at, env: { ...process.env, PIPELINE_STATE_DIR: scratchDir('story-state-') },
});

describe('the Debian profile: one series for the development release', () => {
  it('pipeline.yaml declares trixie as the stand-in; on 2026-12-06 it stands for forky', () => {
    const devel = ws('2026-12-06').config.stages.find((s) => s.kind === 'devel')!;
    expect(devel.target).toMatchObject({ series: 'trixie', suite: 'trixie', standsFor: 'forky' });
    // While trixie itself was the development series, it stands for nothing.
    expect(ws('2025-04-16').config.stages.find((s) => s.kind === 'devel')!.target.standsFor).toBeUndefined();
  });

  it('freeze gate, report timeline and notes all follow forky; nothing says "moves to"', async () => {
    const w = ws('2026-12-06');
    const gate = freezeGateForStage(w, 'devel', { pkg: { name: 'zookeeper' }, candidateVersion: '3.9.3-2' });
    expect(gate).toMatchObject({ verdict: 'pass', series: 'forky' });
    const report = await collectReadiness(w);
    expect(report.schedule?.series).toBe('forky');
    const notes = report.notes.join('\n');
    expect(notes).toContain('standing in for forky (14)');
    expect(notes).toContain('the forky schedule is provisional');
    expect(notes).not.toMatch(/moves to|trixie was released/);
    for (const p of report.packages) expect(p.freeze?.series).toBe('forky');
  });

  it('pipeline schedule shows the schedule the freezes follow: forky\'s, not the stand-in\'s', async () => {
    const r = await cli(undefined, ['schedule'], { PIPELINE_NOW: '2026-12-06', PIPELINE_STATE_DIR: scratchDir('story-state-') });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('standing in for forky (14)');
    expect(r.stdout).toContain('Debian 14 "forky" — PROVISIONAL schedule');
    expect(r.stdout).not.toContain('Debian 13 "trixie"');
  });

  it('an LTS past its support is a blocked verdict (bookworm after its eol-lts 2028-06-30)', () => {
    const backports = (w: ReturnType<typeof ws>) => w.config.stages.find((s) => s.kind === 'backports')!;
    const open = ws('2026-12-06');
    expect(seriesSupportGate(open, backports(open))).toMatchObject({ verdict: 'pass', reason: 'bookworm is supported until 2028-06-30 (eol-lts)' });
    const closed = ws('2028-07-01');
    const v = seriesSupportGate(closed, backports(closed));
    expect(v).toMatchObject({ verdict: 'blocked', gate: 'series-support' });
    expect(v.reason).toBe("bookworm's support ended on 2028-06-30 (eol-lts): its backports are closed");
    const ubuntu = ws('2026-12-06', 'profiles/ubuntu.yaml');
    expect(seriesSupportGate(ubuntu, backports(ubuntu))).toMatchObject({ verdict: 'pass', reason: 'resolute is supported until 2031-05-29 (eol)' });
  });
});
