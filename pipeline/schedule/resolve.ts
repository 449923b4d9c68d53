/**
 * The schedule side of a workspace: which series each stage targets, what distro-info says the
 * development series and the latest LTS are on the workspace's date, and the freeze gate of a
 * stage with the schedule files resolved (the entry point the promote verify step calls).
 */
import { relative } from 'node:path';
import type { StageConfig } from '../config/schema.js';
import { stage as stageByName, type Workspace } from '../config/workspace.js';
import { develSeries, latestLts, readDistroInfo, type SeriesResolution } from './distroInfo.js';
import { findSeries, seriesRows } from './seriesTable.js';
import type { GateVerdict } from '../state/records.js';
import { freezeGate, type FreezeGateInput, type FreezeVerdict, FREEZE_GATE } from './freezeGate.js';
import { findSchedule, loadSchedules, scheduleStatus, type Schedule, type ScheduleStatus } from './milestones.js';

export interface StageSeries {
  stage: string;
  kind: StageConfig['kind'];
  series: string;
  version?: string;
  /** Where the version came from. */
  versionFrom?: 'pipeline.yaml' | 'distro-info' | 'schedule';
  schedule?: ScheduleStatus;
}

export interface SeriesOverview {
  vendor: 'ubuntu' | 'debian';
  now: string;
  distroInfo: { devel: SeriesResolution; latestLts: SeriesResolution };
  stages: StageSeries[];
  /** One line on how the devel stage's series relates to distro-info's answer. */
  develNote: string;
}

export function seriesOverview(ws: Workspace): SeriesOverview {
  const vendor = ws.config.vendor;
  const rows = seriesRows(ws.config);
  const devel = develSeries(vendor, ws.now, rows);
  const lts = latestLts(vendor, ws.now, rows);
  const stages = ws.config.stages.map((s): StageSeries => {
    const series = s.target.series;
    const configured = ws.config.series[series]?.version;
    const known = findSeries(ws.config, series);
    const schedule = findSchedule(ws, series);
    const version = configured ?? known?.version ?? schedule?.version;
    return {
      stage: s.name, kind: s.kind, series, version,
      versionFrom: configured ? 'pipeline.yaml' : known ? 'distro-info' : schedule ? 'schedule' : undefined,
      schedule: schedule ? scheduleStatus(schedule, ws.now) : undefined,
    };
  });
  const develStage = stages.find((s) => s.kind === 'devel');
  const develConfig = ws.config.stages.find((s) => s.kind === 'devel');
  const from = (series: string) => (readDistroInfo(vendor).some((r) => r.series === series) ? 'distro-info' : `the series table of ${ws.config.profile}'s profile`);
  const label = (series: string, version?: string) => `${series}${version ? ` (${version})` : ''}`;
  let develNote: string;
  if (!develStage) develNote = 'no devel stage in pipeline.yaml';
  else if (develConfig?.target.standsFor) {
    const real = develConfig.target.standsFor;
    const isDevel = devel.found && devel.series.series === real;
    develNote = `the devel stage uploads to ${label(develStage.series, develStage.version)}, standing in for ${label(real, findSeries(ws.config, real)?.version)}${isDevel ? `, the ${vendor} development series (${from(real)})` : devel.found ? `; the ${vendor} development series is ${devel.series.series}` : ''}: freeze gates and the report follow ${real}`;
  } else if (devel.found && devel.series.series === develStage.series)
    develNote = `the devel stage targets ${label(develStage.series, develStage.version)}, the ${vendor} development series (${from(develStage.series)})`;
  else if (devel.found)
    develNote = `the devel stage targets ${label(develStage.series, develStage.version)} from pipeline.yaml; the ${vendor} development series is ${devel.series.series} (${devel.series.version}, ${from(devel.series.series)})`;
  else
    develNote = `using pipeline.yaml's devel series "${develStage.series}"${develStage.version ? ` (${develStage.version})` : ''}, which the installed distro-info data does not know`;
  return { vendor, now: ws.now.toISOString(), distroInfo: { devel, latestLts: lts }, stages, develNote };
}

function versionKey(v: string): number[] {
  return v.split(/[.\s]/).map((p) => Number.parseInt(p, 10)).filter((n) => !Number.isNaN(n));
}

function compareVersions(a: string, b: string): number {
  const x = versionKey(a);
  const y = versionKey(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

/**
 * The series after `schedule`'s: distro-info's successor when the data knows the series, else
 * the schedule file of the same vendor with the next higher version.
 */
export function successorOf(ws: Workspace, schedule: Schedule): { series: string; schedule?: Schedule } | undefined {
  const rows = schedule.vendor === ws.config.vendor ? seriesRows(ws.config) : readDistroInfo(schedule.vendor);
  const i = rows.filter((r) => r.version).findIndex((r) => r.series === schedule.series);
  const known = i >= 0 ? rows.filter((r) => r.version)[i + 1] : undefined;
  if (known) {
    const own = findSchedule(ws, known.series)
      ?? loadSchedules(ws).find((s) => s.vendor === schedule.vendor && compareVersions(s.version, known.version) === 0);
    return { series: own?.series ?? known.series, schedule: own };
  }
  const later = loadSchedules(ws)
    .filter((s) => s.vendor === schedule.vendor && compareVersions(s.version, schedule.version) > 0)
    .sort((a, b) => compareVersions(a.version, b.version));
  return later[0] ? { series: later[0].series, schedule: later[0] } : undefined;
}

export interface StageFreezeOptions extends Omit<FreezeGateInput, 'schedule' | 'now' | 'stageKind' | 'next'> {
  /** Defaults to ws.now (which honours --at / PIPELINE_NOW). */
  now?: Date;
}

/**
 * The freeze gate of a stage: loads schedules/<series>.yaml of its target series, or of the series
 * its target stands in for (target.standsFor), and evaluates freezeGate (the successor named
 * after its Release). Stages without `gates.schedule` and non-devel
 * stages pass; a devel stage whose series has no schedule file is blocked (freezes cannot be
 * checked), with the fix.
 */
export function freezeGateForStage(ws: Workspace, stageOrName: string | StageConfig, options: StageFreezeOptions): FreezeVerdict {
  const st = typeof stageOrName === 'string' ? stageByName(ws, stageOrName) : stageOrName;
  const now = options.now ?? ws.now;
  const series = st.target.series;
  const base = { gate: FREEZE_GATE, series, artifactSha256: options.artifactSha256, notes: [] as string[] };
  if (st.kind !== 'devel') return { ...base, verdict: 'pass', phase: 'not-frozen', reason: `${st.kind} uploads are never frozen` };
  if (!st.gates.schedule) return { ...base, verdict: 'pass', phase: 'not-frozen', reason: `schedule gates are off for stage ${st.name} (gates.schedule: false)` };
  // A stand-in (target.standsFor) is judged by the schedule of the series it stands for.
  const real = st.target.standsFor ?? series;
  const schedule = findSchedule(ws, real);
  if (!schedule) {
    return {
      ...base, series: real, verdict: 'blocked', phase: 'open',
      reason: `no release schedule for ${real}: freezes cannot be checked`,
      fix: `add ${ws.config.schedules}/${real}.yaml (see schedules/README.md), or set gates.schedule: false for stage ${st.name}`,
    };
  }
  const v = freezeGate({ ...options, schedule, now, stageKind: 'devel', next: successorOf(ws, schedule) });
  return real === series ? v : { ...v, reason: `${series} stands in for ${real} (${st.name}'s target.standsFor): ${v.reason ?? ''}`.trim() };
}

/**
 * Is the series a backports stage targets still open for backports? Its support must not have
 * ended: Ubuntu's `eol` (standard support), Debian's `eol-lts` (its LTS period; `eol` when it has
 * none), from the series table (distro-info merged with the profile's). A closed target is a
 * blocked verdict, not a note; a series without an end date passes, saying so.
 */
export function seriesSupportGate(ws: Workspace, st: StageConfig): GateVerdict {
  const series = st.target.series;
  const info = findSeries(ws.config, series);
  const end = info ? (info.vendor === 'debian' ? info.extraEol['eol-lts'] ?? info.eol : info.eol) : undefined;
  const column = info?.vendor === 'debian' && info.extraEol['eol-lts'] ? 'eol-lts' : 'eol';
  const day = ws.now.toISOString().slice(0, 10);
  if (!end) return { gate: 'series-support', verdict: 'pass', reason: `no end of support known for ${series}` };
  if (day >= end) {
    return {
      gate: 'series-support', verdict: 'blocked',
      reason: `${series}'s support ended on ${end} (${column}): its ${st.target.pocket ?? st.kind} are closed`,
      fix: `point stage ${st.name} at a supported release (stages[${st.name}].target.series in ${relative(process.cwd(), ws.configFile) || ws.configFile})`,
    };
  }
  return { gate: 'series-support', verdict: 'pass', reason: `${series} is supported until ${end} (${column})` };
}
