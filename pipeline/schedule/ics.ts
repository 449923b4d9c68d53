/**
 * Schedules as an iCalendar file (RFC 5545) for people's calendars, built with ical-generator
 * (CRLF line endings, 75-octet line folding, text escaping). Freezes are timed events at their
 * moment (21:00 UTC); `opened` and `Release` are all-day events (DTSTART;VALUE=DATE).
 * UIDs are stable (`<series>-<milestone>@pipeline`), so re-importing updates the same events.
 */
import ical, { ICalCalendarMethod, ICalEventStatus, ICalEventTransparency } from 'ical-generator';
import { MILESTONE_MEANING, type Schedule } from './milestones.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface IcsOptions {
  /** DTSTAMP of every event (default: the clock). */
  now?: Date;
  name?: string;
}

export function schedulesToIcs(schedules: Schedule[], options: IcsOptions = {}): string {
  const stamp = options.now ?? new Date();
  const cal = ical({
    name: options.name ?? (schedules.length === 1 ? `${schedules[0]!.series} release schedule` : 'release schedules'),
    prodId: { company: 'pipeline', product: 'release schedule', language: 'EN' },
    method: ICalCalendarMethod.PUBLISH,
  });
  for (const s of schedules) {
    const who = `${s.vendor === 'ubuntu' ? 'Ubuntu' : 'Debian'} ${s.version} ${s.series}`;
    const tentative = (unverified: boolean) => s.provisional || unverified;
    const notes = (unverified: boolean) => [
      s.provisional ? 'Provisional schedule (not the published one).' : '',
      unverified ? 'Date not confirmed against the published schedule.' : '',
      s.source ? `Source: ${s.source}` : '',
    ].filter(Boolean).join('\n');
    const allDay = (date: string) => new Date(`${date}T00:00:00Z`);
    cal.createEvent({
      id: `${s.series}-opened@pipeline`,
      stamp,
      start: allDay(s.opened),
      end: new Date(allDay(s.opened).getTime() + DAY),
      allDay: true,
      summary: `${who}: opens for development`,
      description: notes(false) || undefined,
      transparency: ICalEventTransparency.TRANSPARENT,
      status: s.provisional ? ICalEventStatus.TENTATIVE : ICalEventStatus.CONFIRMED,
    });
    for (const m of s.milestones) {
      const whole = m.name === 'Release';
      cal.createEvent({
        id: `${s.series}-${m.name}@pipeline`,
        stamp,
        start: whole ? allDay(m.date) : m.at,
        end: new Date((whole ? allDay(m.date) : m.at).getTime() + (whole ? DAY : HOUR)),
        allDay: whole,
        summary: `${who}: ${m.label ? `${m.label} (${m.name})` : m.name}`,
        description: [m.note ?? MILESTONE_MEANING[m.name], whole ? '' : `Takes effect at ${s.freezeTime} UTC.`, notes(m.unverified)]
          .filter(Boolean).join('\n'),
        transparency: ICalEventTransparency.TRANSPARENT,
        status: tentative(m.unverified) ? ICalEventStatus.TENTATIVE : ICalEventStatus.CONFIRMED,
      });
    }
  }
  return cal.toString();
}
