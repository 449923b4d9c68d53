import { join } from 'node:path';
import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { schedulesToIcs } from './ics.js';
import { loadScheduleFile } from './milestones.js';

const ROOT = join(import.meta.dirname, '../..');
const oneiric = loadScheduleFile(join(ROOT, 'schedules/oneiric.yaml'));
const trixie = loadScheduleFile(join(ROOT, 'schedules/trixie.yaml'));
const STAMP = new Date('2026-11-25T12:00:00Z');

describe('iCalendar export (RFC 5545)', () => {
  const text = schedulesToIcs([oneiric, trixie], { now: STAMP });

  it('uses CRLF line endings and folds lines at 75 octets', () => {
    expect(text.startsWith('BEGIN:VCALENDAR\r\nVERSION:2.0\r\n')).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    const lines = text.split('\r\n');
    for (const line of lines) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
    expect(lines.some((l) => l.startsWith(' '))).toBe(true); // some long DESCRIPTION was folded
  });

  it('parses with ical.js (an independent parser) into the same events', () => {
    const comp = new ICAL.Component(ICAL.parse(text));
    const events = comp.getAllSubcomponents('vevent');
    expect(events).toHaveLength(1 + oneiric.milestones.length + 1 + trixie.milestones.length);
    const byUid = new Map(events.map((e) => [e.getFirstPropertyValue('uid') as string, e]));
    const ff = byUid.get('oneiric-FeatureFreeze@pipeline')!;
    const start = ff.getFirstPropertyValue('dtstart') as ICAL.Time;
    expect(start.isDate).toBe(false);
    expect(start.toJSDate().toISOString()).toBe('2011-08-11T21:00:00.000Z');
    expect(String(ff.getFirstPropertyValue('summary'))).toBe('Ubuntu 11.10 oneiric: FeatureFreeze');
    expect((ff.getFirstPropertyValue('dtstamp') as ICAL.Time).toJSDate().toISOString()).toBe(STAMP.toISOString());
    const release = byUid.get('oneiric-Release@pipeline')!;
    const day = release.getFirstPropertyValue('dtstart') as ICAL.Time;
    expect(day.isDate).toBe(true);
    expect(day.toString()).toBe('2011-10-13');
    expect(byUid.get('oneiric-opened@pipeline')!.getFirstPropertyValue('dtstart')!.toString()).toBe('2011-04-28');
    const soft = byUid.get('trixie-FeatureFreeze@pipeline')!;
    expect(String(soft.getFirstPropertyValue('summary'))).toBe('Debian 13 trixie: Soft Freeze (FeatureFreeze)');
    // Escaped text (";" in the note) comes back intact after unfolding.
    expect(String(soft.getFirstPropertyValue('description'))).toContain('no new source packages; only small targeted changes migrate (10-day delay)');
    // Unverified dates are tentative.
    expect(byUid.get('oneiric-BetaFreeze@pipeline')!.getFirstPropertyValue('status')).toBe('TENTATIVE');
    expect(ff.getFirstPropertyValue('status')).toBe('CONFIRMED');
  });

  it('does not depend on the local time zone (dates are UTC)', () => {
    const before = process.env.TZ;
    process.env.TZ = 'Pacific/Kiritimati';
    try {
      expect(schedulesToIcs([oneiric], { now: STAMP })).toContain('DTSTART;VALUE=DATE:20111013');
    } finally {
      if (before === undefined) delete process.env.TZ; else process.env.TZ = before;
    }
  });
});
