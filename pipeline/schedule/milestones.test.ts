import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PipelineError } from '../errors.js';
import { calendarDaysUntil, inEffect, loadScheduleFile, nextMilestone, scheduleStatus } from './milestones.js';
import { scratchDir } from '../../test/helpers/scratch.js';

const SCHEDULES = join(import.meta.dirname, '../../schedules');
const load = (series: string) => loadScheduleFile(join(SCHEDULES, `${series}.yaml`));

function brokenFile(text: string, name = 'broken'): string {
  const dir = scratchDir('sched-');
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, text);
  return file;
}

function errorOf(fn: () => unknown): PipelineError {
  try { fn(); } catch (e) { if (e instanceof PipelineError) return e; throw e; }
  throw new Error('no error thrown');
}

const GOOD = `series: broken
vendor: ubuntu
version: "11.10"
opened: 2011-04-28
milestones:
  DebianImportFreeze: 2011-06-30
  FeatureFreeze: 2011-08-11
  Release: 2011-10-13
`;

describe('shipped schedules', () => {
  it('all load, with the seed series dates', () => {
    for (const s of ['oneiric', 'noble', 'resolute', 'tbd2704', 'trixie', 'forky']) expect(load(s).series).toBe(s);
    const oneiric = load('oneiric');
    expect(oneiric.opened).toBe('2011-04-28');
    expect(oneiric.milestones.find((m) => m.name === 'FeatureFreeze')?.date).toBe('2011-08-11');
    expect(oneiric.milestones.find((m) => m.name === 'Release')?.date).toBe('2011-10-13');
    const noble = load('noble');
    expect(noble.milestones.find((m) => m.name === 'FeatureFreeze')?.date).toBe('2024-02-29');
    expect(noble.milestones.find((m) => m.name === 'Release')?.date).toBe('2024-04-25');
    expect(load('tbd2704')).toMatchObject({ version: '27.04', provisional: true });
    const trixie = load('trixie');
    expect(trixie.milestones.map((m) => [m.name, m.label, m.date])).toEqual([
      ['DebianImportFreeze', 'Transition and Toolchain Freeze', '2025-03-15'],
      ['FeatureFreeze', 'Soft Freeze', '2025-04-15'],
      ['BetaFreeze', 'Hard Freeze', '2025-05-15'],
      ['FinalFreeze', 'Full Freeze', '2025-07-27'],
      ['Release', undefined, '2025-08-09'],
    ]);
  });

  it('freezes take effect at 21:00 UTC, Release at the start of its day', () => {
    const oneiric = load('oneiric');
    const ff = oneiric.milestones.find((m) => m.name === 'FeatureFreeze')!;
    expect(ff.at.toISOString()).toBe('2011-08-11T21:00:00.000Z');
    expect(inEffect(oneiric, new Date('2011-08-11T20:59:59Z'))?.name).toBe('DebianImportFreeze');
    expect(inEffect(oneiric, new Date('2011-08-11T21:00:00Z'))?.name).toBe('FeatureFreeze');
    expect(nextMilestone(oneiric, new Date('2011-08-11T20:59:59Z'))?.name).toBe('FeatureFreeze');
    expect(oneiric.milestones.at(-1)!.at.toISOString()).toBe('2011-10-13T00:00:00.000Z');
  });

  it('status: which milestones are past and the days to the next', () => {
    const st = scheduleStatus(load('oneiric'), new Date('2011-05-05T12:00:00Z'));
    expect(st.phase).toBe('open');
    expect(st.next).toMatchObject({ name: 'DebianImportFreeze', date: '2011-06-30', daysLeft: 56 });
    expect(st.rows.filter((r) => r.past).map((r) => r.name)).toEqual(['opened']);
    const later = scheduleStatus(load('oneiric'), new Date('2011-10-14T00:00:00Z'));
    expect(later.phase).toBe('Release');
    expect(later.next).toBeUndefined();
    expect(scheduleStatus(load('oneiric'), new Date('2011-04-01T00:00:00Z')).phase).toBe('not-open');
    expect(calendarDaysUntil(new Date('2011-08-11T23:00:00Z'), '2011-08-11')).toBe(0);
  });
});

describe('a broken schedule file is one clear error naming file, line and key', () => {
  it('accepts the minimal good file', () => {
    expect(loadScheduleFile(brokenFile(GOOD)).milestones.map((m) => m.name)).toEqual(['DebianImportFreeze', 'FeatureFreeze', 'Release']);
  });

  it('bad date', () => {
    const file = brokenFile(GOOD.replace('FeatureFreeze: 2011-08-11', 'FeatureFreeze: 2011-02-30'));
    const e = errorOf(() => loadScheduleFile(file));
    expect(e.oneLine()).toBe(`${file}:7: milestones.FeatureFreeze: bad date: must be a real calendar date YYYY-MM-DD`);
    expect(e.exitCode).toBe(2);
    const e2 = errorOf(() => loadScheduleFile(brokenFile(GOOD.replace('opened: 2011-04-28', 'opened: next spring'))));
    expect(e2.oneLine()).toMatch(/broken\.yaml:4: opened: bad date/);
  });

  it('unknown milestone', () => {
    const file = brokenFile(GOOD.replace('FeatureFreeze: 2011-08-11', 'FeatureFreez: 2011-08-11'));
    expect(errorOf(() => loadScheduleFile(file)).oneLine()).toBe(
      `${file}:7: milestones.FeatureFreez: unknown milestone "FeatureFreez" (known: DebianImportFreeze, FeatureFreeze, UserInterfaceFreeze, BetaFreeze, KernelFreeze, FinalFreeze, Release)`,
    );
  });

  it('milestones out of order', () => {
    const file = brokenFile(GOOD.replace('FeatureFreeze: 2011-08-11', 'FeatureFreeze: 2011-06-01'));
    expect(errorOf(() => loadScheduleFile(file)).oneLine()).toBe(
      `${file}:7: milestones.FeatureFreeze: milestones out of order: FeatureFreeze (2011-06-01) comes before DebianImportFreeze (2011-06-30)`,
    );
    const before = brokenFile(GOOD.replace('opened: 2011-04-28', 'opened: 2011-07-01'));
    expect(errorOf(() => loadScheduleFile(before)).oneLine()).toContain(':6: milestones.DebianImportFreeze: milestones out of order: DebianImportFreeze (2011-06-30) comes before opened (2011-07-01)');
  });

  it('missing Release, unquoted version, wrong series name, invalid YAML', () => {
    expect(errorOf(() => loadScheduleFile(brokenFile(GOOD.replace('  Release: 2011-10-13\n', '')))).oneLine()).toContain('milestones: the Release milestone is required');
    expect(errorOf(() => loadScheduleFile(brokenFile(GOOD.replace('"11.10"', '11.10')))).oneLine()).toMatch(/:3: version: must be a quoted string/);
    expect(errorOf(() => loadScheduleFile(brokenFile(GOOD, 'other'))).oneLine()).toMatch(/other\.yaml:1: series: series "broken" does not match the file name \(other\.yaml\)/);
    expect(errorOf(() => loadScheduleFile(brokenFile(`${GOOD}  : [\n`))).oneLine()).toMatch(/broken\.yaml:\d+: invalid YAML/);
  });
});
