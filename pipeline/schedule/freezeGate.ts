/**
 * Freeze gates for the devel stage, from the release schedule (schedules/<series>.yaml):
 *
 *   before DebianImportFreeze  pass
 *   DebianImportFreeze         pass, noting that automatic syncs from Debian stopped
 *   FeatureFreeze              a new upstream version (or a new package) needs an FFe bug:
 *                              waived with `ffe: LP: #N` / `--ffe N`, blocked otherwise;
 *                              bug-fix-only uploads pass
 *   BetaFreeze                 (note: packages on the images need release-team approval)
 *   FinalFreeze                blocked unless the release team's approval is recorded
 *   Release                    blocked: the series is closed to development uploads. A stage
 *                              whose target stands in for the development release says so
 *                              (`target.standsFor`, schedule/resolve.ts) and is judged by that
 *                              series' schedule instead; nothing moves silently
 *
 * Backports and PPA stages are never frozen. Verdicts use the shared GateVerdict shape, plus the
 * milestone in effect and the days left to the next one.
 */
import type { PackageDefinition } from '../config/schema.js';
import { parseVersion } from '../debian/version.js';
import type { GateVerdict, StageKind } from '../state/records.js';
import { calendarDaysUntil, inEffect, milestoneTitle, nextMilestone, type MilestoneName, type Schedule } from './milestones.js';

export const FREEZE_GATE = 'freeze';

export interface FreezeGateInput {
  /** The schedule of the series the stage targets. */
  schedule: Schedule;
  now: Date;
  /** The stage's kind; only 'devel' is frozen (default 'devel'). */
  stageKind?: StageKind;
  /** The version the devel series has now; undefined when the package is new there. */
  currentVersion?: string;
  /** The version about to be uploaded. */
  candidateVersion: string;
  /** The package definition (name, ffe, finalFreezeApproval are read). */
  pkg: Pick<PackageDefinition, 'name'> & Partial<Pick<PackageDefinition, 'ffe' | 'finalFreezeApproval'>>;
  /** `--ffe N`: overrides package.yaml's `ffe`. */
  ffe?: string;
  /** `--approval N`: overrides package.yaml's `finalFreezeApproval`. */
  approval?: string;
  /**
   * The series after this one, for when it is released: its name and, when it has one, its
   * schedule (the gate then evaluates against it). Omitted: no successor is known.
   */
  next?: { series: string; schedule?: Schedule };
  /** sha256 of the .dsc the verdict is for. */
  artifactSha256?: string;
}

export interface FreezeVerdict extends GateVerdict {
  /** The series whose schedule decided (differs from the input's after its Release). */
  series: string;
  /** The milestone in effect ('open' before the first one, 'not-open' before the series opened). */
  phase: MilestoneName | 'open' | 'not-open' | 'not-frozen';
  /** Whether the candidate changes the upstream version relative to currentVersion. */
  newUpstream?: boolean;
  next?: { milestone: string; date: string; daysLeft: number };
  /** Informational notes (sync stop, beta freeze...). */
  notes: string[];
}

/** Epoch and upstream part of a Debian version (dpkg's split; lenient, the version gate judges validity). */
function upstreamParts(version: string): { epoch: number; upstream: string } {
  const v = parseVersion(version, { lenient: true });
  return { epoch: v.epoch, upstream: v.upstream };
}

/** True when the candidate's upstream version (or epoch) differs from the current one; a new package counts as new. */
export function isNewUpstream(currentVersion: string | undefined, candidateVersion: string): boolean {
  if (currentVersion === undefined) return true;
  const a = upstreamParts(currentVersion);
  const b = upstreamParts(candidateVersion);
  return a.epoch !== b.epoch || a.upstream !== b.upstream;
}

/** `LP: #123`, `#123`, `123`, `lp:123` → the bug number; undefined when there is none. */
export function bugNumber(ref: string | undefined): string | undefined {
  if (!ref) return undefined;
  const m = /^\s*(?:LP\s*:?\s*)?#?\s*(\d+)\s*$/i.exec(ref) ?? /(?:LP:?\s*)?#(\d+)/i.exec(ref);
  return m?.[1];
}

function bugRef(vendor: 'ubuntu' | 'debian', n: string): string {
  return vendor === 'ubuntu' ? `LP: #${n}` : `#${n}`;
}

export function freezeGate(input: FreezeGateInput): FreezeVerdict {
  const { schedule, now, pkg } = input;
  const base = { gate: FREEZE_GATE, series: schedule.series, artifactSha256: input.artifactSha256 };
  const kind = input.stageKind ?? 'devel';
  if (kind !== 'devel') {
    return { ...base, verdict: 'pass', phase: 'not-frozen', notes: [], reason: `${kind} uploads are never frozen` };
  }
  const upcoming = nextMilestone(schedule, now);
  const next = upcoming ? { milestone: milestoneTitle(upcoming), date: upcoming.date, daysLeft: calendarDaysUntil(now, upcoming.date) } : undefined;
  const nextText = next ? `; next: ${next.milestone} on ${next.date} (${daysText(next.daysLeft)})` : '';
  const newUpstream = isNewUpstream(input.currentVersion, input.candidateVersion);
  const common = { ...base, next, newUpstream };
  const provisional = schedule.provisional ? ' [provisional schedule]' : '';

  if (now < schedule.openedAt) {
    return {
      ...common, verdict: 'blocked', phase: 'not-open', notes: [],
      reason: `${schedule.series} opens for development on ${schedule.opened}${provisional}`,
      fix: `wait until ${schedule.opened}, or evaluate at another date: pipeline --at ${schedule.opened} ...`,
    };
  }

  const current = inEffect(schedule, now);
  const phase = current?.name ?? 'open';
  const notes: string[] = [];
  const reached = (name: MilestoneName) => schedule.milestones.some((m) => m.name === name && m.at <= now);
  const title = (name: MilestoneName) => milestoneTitle(schedule.milestones.find((m) => m.name === name)!);
  const when = (name: MilestoneName) => schedule.milestones.find((m) => m.name === name)!.date;

  if (reached('Release')) {
    const nextName = input.next?.series;
    return {
      ...common, verdict: 'blocked', phase: 'Release', notes,
      reason: `${schedule.series} was released on ${when('Release')}: it is closed to development uploads${nextName ? `; the development series is ${nextName}` : ''}`,
      fix: nextName
        ? `point the devel stage at ${nextName} (stages[devel].target.series, with ${input.next?.schedule ? input.next.schedule.file ?? `schedules/${nextName}.yaml` : `a schedules/${nextName}.yaml`}), or declare target.standsFor: devel if ${schedule.series} stands in for it`
        : 'add the next development series to pipeline.yaml (series:, stages[devel].target.series) and its schedules/<series>.yaml',
    };
  }

  if (reached('DebianImportFreeze'))
    notes.push(schedule.vendor === 'ubuntu'
      ? `DebianImportFreeze since ${when('DebianImportFreeze')}: automatic syncs from Debian stopped; sync or merge on request only`
      : `${title('DebianImportFreeze')} since ${when('DebianImportFreeze')}: no new transitions`);
  if (reached('BetaFreeze'))
    notes.push(`${title('BetaFreeze')} since ${when('BetaFreeze')}: uploads of packages on the images need release-team approval`);

  if (reached('FinalFreeze')) {
    const ref = input.approval ?? pkg.finalFreezeApproval;
    const n = bugNumber(ref);
    if (n) {
      return {
        ...common, verdict: 'waived', phase, notes,
        reason: `${title('FinalFreeze')} since ${when('FinalFreeze')}: release-team approval ${bugRef(schedule.vendor, n)} recorded${nextText}`,
        waiver: { by: 'release team', reason: `approval ${bugRef(schedule.vendor, n)}` },
      };
    }
    return {
      ...common, verdict: 'blocked', phase, notes,
      reason: `${title('FinalFreeze')} since ${when('FinalFreeze')}: only release-critical fixes approved by the release team${ref ? ` (approval "${ref}" is not a bug reference)` : ''}${provisional}${nextText}`,
      fix: `get the release team's approval on a bug, then: pipeline promote ${pkg.name} --approval N (or finalFreezeApproval: "${bugRef(schedule.vendor, 'N')}" in packages/${pkg.name}/package.yaml)`,
    };
  }

  if (reached('FeatureFreeze')) {
    const change = input.currentVersion === undefined
      ? `new package (${input.candidateVersion})`
      : `new upstream version ${upstreamParts(input.candidateVersion).upstream} (was ${upstreamParts(input.currentVersion).upstream})`;
    if (!newUpstream) {
      return {
        ...common, verdict: 'pass', phase, notes,
        reason: `${title('FeatureFreeze')} since ${when('FeatureFreeze')}: bug-fix-only upload (upstream ${upstreamParts(input.candidateVersion).upstream} unchanged) is allowed${nextText}`,
      };
    }
    const ref = input.ffe ?? pkg.ffe;
    const n = bugNumber(ref);
    if (n) {
      return {
        ...common, verdict: 'waived', phase, notes,
        reason: `${title('FeatureFreeze')} since ${when('FeatureFreeze')}: ${change} under exception ${bugRef(schedule.vendor, n)}${nextText}`,
        waiver: { by: 'release team', reason: `Feature Freeze exception ${bugRef(schedule.vendor, n)}` },
      };
    }
    return {
      ...common, verdict: 'blocked', phase, notes,
      reason: `${title('FeatureFreeze')} since ${when('FeatureFreeze')}: ${change} needs a Feature Freeze exception${ref ? ` ("${ref}" is not a bug reference)` : ''}${provisional}${nextText}`,
      fix: schedule.vendor === 'ubuntu'
        ? `file an "FFe: ${pkg.name} ${upstreamParts(input.candidateVersion).upstream}" bug (subscribe ubuntu-release), then: pipeline promote ${pkg.name} --ffe N (or ffe: "LP: #N" in packages/${pkg.name}/package.yaml)`
        : `file an unblock/exception bug for ${pkg.name}, then: pipeline promote ${pkg.name} --ffe N (or ffe: "#N" in packages/${pkg.name}/package.yaml)`,
    };
  }

  return {
    ...common, verdict: 'pass', phase, notes,
    reason: `${schedule.series} is open for development${phase === 'open' ? '' : ` (${title(phase as MilestoneName)} since ${when(phase as MilestoneName)})`}${provisional}${nextText}`,
  };
}

export function daysText(days: number): string {
  if (days === 0) return 'today';
  if (days === 1) return 'tomorrow';
  if (days === -1) return 'yesterday';
  return days > 0 ? `in ${days} days` : `${-days} days ago`;
}
