/**
 * Release schedules: schedules/<series>.yaml, one file per series, with the date the series
 * opened and its milestones (Ubuntu's names; Debian's freezes map onto them, see
 * schedules/README.md). Freezes take effect at 21:00 UTC on their date (the schedule may say
 * otherwise with `freezeTime`); `opened` and `Release` are whole days (00:00 UTC).
 *
 * A broken file (bad date, unknown milestone, milestones out of order) is one PipelineError
 * naming the file, the line and the key.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { z } from 'zod';
import type { Workspace } from '../config/workspace.js';
import { PipelineError } from '../errors.js';
import { parseYamlFile, parseYamlText } from '../config/yaml.js';

/** The milestones, in the order they must come. */
export const MILESTONES = [
  'DebianImportFreeze',
  'FeatureFreeze',
  'UserInterfaceFreeze',
  'BetaFreeze',
  'KernelFreeze',
  'FinalFreeze',
  'Release',
] as const;
export type MilestoneName = (typeof MILESTONES)[number];

export const MILESTONE_MEANING: Record<MilestoneName, string> = {
  DebianImportFreeze: 'automatic syncs from Debian stop; syncs and merges only on request',
  FeatureFreeze: 'new upstream versions and new features need a Feature Freeze exception (FFe)',
  UserInterfaceFreeze: 'user-visible strings and UI are frozen',
  BetaFreeze: 'uploads of packages on the images need release-team approval',
  KernelFreeze: 'no new kernel uploads',
  FinalFreeze: 'only release-critical fixes, each approved by the release team',
  Release: 'the series is released; development moves to the next series',
};

const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isCalendarDay(s: string): boolean {
  const m = DAY_RE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!));
  return d.getUTCFullYear() === +m[1]! && d.getUTCMonth() === +m[2]! - 1 && d.getUTCDate() === +m[3]!;
}

const day = z.string({ error: 'must be a date YYYY-MM-DD' })
  .refine(isCalendarDay, { message: 'bad date: must be a real calendar date YYYY-MM-DD' });

const milestoneValue = z.union([
  day,
  z.strictObject({
    date: day,
    /** The vendor's own name for it (Debian: "Soft Freeze"...). */
    label: z.string().optional(),
    note: z.string().optional(),
  }),
], { error: 'must be a date YYYY-MM-DD or {date, label, note}' });

export const ScheduleSchema = z.strictObject({
  series: z.string().regex(/^[a-z0-9][a-z0-9.+-]*$/, 'must be a lower-case series name'),
  vendor: z.enum(['ubuntu', 'debian']),
  version: z.string({ error: 'must be a quoted string, e.g. "24.04"' }),
  /** Dates are a plan, not the published schedule. */
  provisional: z.boolean().default(false),
  /** Where the dates come from. */
  source: z.string().optional(),
  /** Milestones whose dates were not confirmed against the source (shown as such). */
  unverified: z.array(z.enum(MILESTONES)).default([]),
  /** Time of day (UTC) freezes take effect. */
  freezeTime: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (UTC)').default('21:00'),
  opened: day,
  milestones: z.record(z.string(), milestoneValue),
  notes: z.string().optional(),
}).superRefine((s, ctx) => {
  const known = new Set<string>(MILESTONES);
  for (const key of Object.keys(s.milestones)) {
    if (!known.has(key))
      ctx.addIssue({ code: 'custom', path: ['milestones', key], message: `unknown milestone "${key}" (known: ${MILESTONES.join(', ')})` });
  }
  if (!s.milestones.Release) ctx.addIssue({ code: 'custom', path: ['milestones'], message: 'the Release milestone is required' });
  let prev: { name: string; date: string } = { name: 'opened', date: s.opened };
  for (const name of MILESTONES) {
    const v = s.milestones[name];
    if (v === undefined) continue;
    const date = typeof v === 'string' ? v : v.date;
    if (date < prev.date)
      ctx.addIssue({ code: 'custom', path: ['milestones', name], message: `milestones out of order: ${name} (${date}) comes before ${prev.name} (${prev.date})` });
    prev = { name, date };
  }
});

export type ScheduleFile = z.infer<typeof ScheduleSchema>;

export interface Milestone {
  name: MilestoneName;
  /** YYYY-MM-DD */
  date: string;
  /** The moment it takes effect (freezes: date at freezeTime UTC; Release: 00:00 UTC). */
  at: Date;
  label?: string;
  note?: string;
  unverified: boolean;
}

export interface Schedule {
  series: string;
  vendor: 'ubuntu' | 'debian';
  version: string;
  provisional: boolean;
  source?: string;
  notes?: string;
  opened: string;
  openedAt: Date;
  freezeTime: string;
  /** Present milestones, in order. */
  milestones: Milestone[];
  /** The file it came from (for messages). */
  file: string;
}

export function fromFile(value: ScheduleFile, file: string): Schedule {
  const milestones: Milestone[] = [];
  for (const name of MILESTONES) {
    const v = value.milestones[name];
    if (v === undefined) continue;
    const date = typeof v === 'string' ? v : v.date;
    const at = new Date(name === 'Release' ? `${date}T00:00:00Z` : `${date}T${value.freezeTime}:00Z`);
    milestones.push({
      name, date, at,
      label: typeof v === 'string' ? undefined : v.label,
      note: typeof v === 'string' ? undefined : v.note,
      unverified: value.unverified.includes(name),
    });
  }
  return {
    series: value.series, vendor: value.vendor, version: value.version, provisional: value.provisional,
    source: value.source, notes: value.notes, opened: value.opened, openedAt: new Date(`${value.opened}T00:00:00Z`),
    freezeTime: value.freezeTime, milestones, file,
  };
}

/** Parse one schedule file; `expectSeries` checks the series matches the file name. */
export function loadScheduleFile(file: string, display = file): Schedule {
  const loaded = parseYamlFile(file, ScheduleSchema, display);
  const base = file.replace(/^.*\//, '').replace(/\.ya?ml$/, '');
  if (loaded.value.series !== base)
    throw new PipelineError(`series "${loaded.value.series}" does not match the file name (${base}.yaml)`, { file: display, line: loaded.lineOf(['series']), key: 'series' });
  return fromFile(loaded.value, display);
}

export function parseScheduleText(text: string, file: string): Schedule {
  return fromFile(parseYamlText(text, ScheduleSchema, file).value, file);
}

export function schedulesDir(ws: Workspace): string {
  return join(ws.root, ws.config.schedules);
}

function display(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') ? rel : file;
}

/** The schedule of a series (by file name), or undefined when there is no schedules/<series>.yaml. */
export function findSchedule(ws: Workspace, series: string): Schedule | undefined {
  const file = join(schedulesDir(ws), `${series}.yaml`);
  return existsSync(file) ? loadScheduleFile(file, display(file)) : undefined;
}

/** Every schedule in the schedules directory, sorted by opening date. */
export function loadSchedules(ws: Workspace): Schedule[] {
  const dir = schedulesDir(ws);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /^[a-z0-9][a-z0-9.+-]*\.yaml$/.test(f))
    .map((f) => loadScheduleFile(join(dir, f), display(join(dir, f))))
    .sort((a, b) => a.opened.localeCompare(b.opened));
}

const DAY_MS = 86_400_000;

/** Whole calendar days (UTC) from `now`'s date to `date`; negative when past. */
export function calendarDaysUntil(now: Date, date: string): number {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return Math.round((Date.parse(`${date}T00:00:00Z`) - today) / DAY_MS);
}

export interface TimelineRow {
  name: MilestoneName | 'opened';
  label?: string;
  date: string;
  at: string;
  past: boolean;
  /** Calendar days from now to the date (negative: days ago). */
  daysLeft: number;
  next: boolean;
  unverified: boolean;
  meaning: string;
}

export interface ScheduleStatus {
  series: string;
  vendor: 'ubuntu' | 'debian';
  version: string;
  provisional: boolean;
  source?: string;
  now: string;
  /** The last milestone in effect ('open' when none yet, 'not-open' before `opened`). */
  phase: MilestoneName | 'open' | 'not-open';
  next?: { name: MilestoneName; label?: string; date: string; at: string; daysLeft: number };
  rows: TimelineRow[];
}

/** The milestone in effect at `now` (the last one whose moment has come), if any. */
export function inEffect(schedule: Schedule, now: Date): Milestone | undefined {
  return schedule.milestones.filter((m) => m.at.getTime() <= now.getTime()).at(-1);
}

export function nextMilestone(schedule: Schedule, now: Date): Milestone | undefined {
  return schedule.milestones.find((m) => m.at.getTime() > now.getTime());
}

export function scheduleStatus(schedule: Schedule, now: Date): ScheduleStatus {
  const current = inEffect(schedule, now);
  const next = nextMilestone(schedule, now);
  const rows: TimelineRow[] = [
    {
      name: 'opened', date: schedule.opened, at: schedule.openedAt.toISOString(), past: schedule.openedAt <= now,
      daysLeft: calendarDaysUntil(now, schedule.opened), next: false, unverified: false, meaning: 'the series opens for development',
    },
    ...schedule.milestones.map((m) => ({
      name: m.name, label: m.label, date: m.date, at: m.at.toISOString(), past: m.at <= now,
      daysLeft: calendarDaysUntil(now, m.date), next: m === next, unverified: m.unverified,
      meaning: m.note ?? MILESTONE_MEANING[m.name],
    })),
  ];
  return {
    series: schedule.series, vendor: schedule.vendor, version: schedule.version, provisional: schedule.provisional,
    source: schedule.source, now: now.toISOString(),
    phase: schedule.openedAt > now ? 'not-open' : current ? current.name : 'open',
    next: next ? { name: next.name, label: next.label, date: next.date, at: next.at.toISOString(), daysLeft: calendarDaysUntil(now, next.date) } : undefined,
    rows,
  };
}

/** "FeatureFreeze (Soft Freeze)" */
export function milestoneTitle(m: { name: string; label?: string }): string {
  return m.label ? `${m.name} (${m.label})` : m.name;
}
