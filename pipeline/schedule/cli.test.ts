// `pipeline schedule` end to end (spawns the built CLI: `npx tsc -p .` first, as `npm test` does).
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { scratchDir } from '../../test/helpers/scratch.js';

const ROOT = join(import.meta.dirname, '../..');
const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PIPELINE_')));
const cli = (args: string[], env: Record<string, string> = {}) =>
  execa('node', [join(ROOT, 'bin/pipeline.js'), ...args], { cwd: ROOT, reject: false, env: { ...clean, ...env }, extendEnv: false });

describe('pipeline schedule', () => {
  it('shows a series: milestones past, the next one and the days left (--at)', async () => {
    const r = await cli(['schedule', 'oneiric', '--at', '2011-08-01']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('Ubuntu 11.10 "oneiric"');
    expect(r.stdout).toMatch(/✓ 2011-06-30 21:00 UTC\s+DebianImportFreeze\s+32 days ago/);
    expect(r.stdout).toMatch(/→ 2011-08-11 21:00 UTC\s+FeatureFreeze\s+in 10 days/);
    expect(r.stdout).toContain('in DebianImportFreeze; next: FeatureFreeze on 2011-08-11 (in 10 days)');
  });

  it('PIPELINE_NOW works like --at; --json gives the same facts', async () => {
    const r = await cli(['--json', 'schedule', 'noble'], { PIPELINE_NOW: '2024-03-01' });
    const doc = JSON.parse(r.stdout);
    expect(doc.schedules[0]).toMatchObject({ series: 'noble', phase: 'FeatureFreeze', next: { name: 'UserInterfaceFreeze', date: '2024-03-21', daysLeft: 20 } });
  });

  it('without SERIES: distro-info knows no Ubuntu devel series today; the profile\'s series table gives 27.04', async () => {
    const r = await cli(['--config', 'profiles/ubuntu.yaml', 'schedule', '--at', '2026-11-25']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('development series: tbd2704 (27.04) — the profile: created 2026-10-15, release planned 2027-04-22');
    expect(r.stdout).toContain('latest LTS:         resolute (26.04)');
    expect(r.stdout).toContain('Ubuntu 27.04 "tbd2704" — PROVISIONAL schedule');
  });

  it('--format ics writes an iCalendar file with CRLF lines', async () => {
    const r = await cli(['schedule', 'trixie', '--format', 'ics'], {});
    expect(r.exitCode).toBe(0);
    expect(r.stdout.startsWith('BEGIN:VCALENDAR\r\n')).toBe(true);
    expect(r.stdout).toContain('UID:trixie-FinalFreeze@pipeline\r\n');
    expect(r.stdout).toContain('DTSTART:20250727T210000Z\r\n');
  });

  it('a broken schedule file or an unknown series is one clear error line, exit 2', async () => {
    const dir = scratchDir('sched-ws-');
    copyFileSync(join(ROOT, 'pipeline.yaml'), join(dir, 'pipeline.yaml'));
    mkdirSync(join(dir, 'schedules'));
    writeFileSync(join(dir, 'schedules/trixie.yaml'), 'series: trixie\nvendor: debian\nversion: "13"\nopened: 2023-06-10\nmilestones:\n  SoftFreeze: 2025-04-15\n  Release: 2025-08-09\n');
    const r = await execa('node', [join(ROOT, 'bin/pipeline.js'), 'schedule'], { cwd: dir, reject: false });
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      'pipeline: schedules/trixie.yaml:6: milestones.SoftFreeze: unknown milestone "SoftFreeze" (known: DebianImportFreeze, FeatureFreeze, UserInterfaceFreeze, BetaFreeze, KernelFreeze, FinalFreeze, Release)',
    ]);
    const u = await cli(['schedule', 'hardy']);
    expect(u.exitCode).toBe(2);
    expect(u.stderr).toMatch(/^pipeline: schedules\/hardy\.yaml: no schedule for series "hardy" \(known: oneiric, trixie, noble, forky, resolute, tbd2704\)/);
  });
});
