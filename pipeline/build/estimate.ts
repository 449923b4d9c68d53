/**
 * Estimates for the long phases of a build: how many seconds installing the build dependencies
 * and building took in the newest recorded build of the same package in the same chroot (any
 * stage), from sbuild's own summary (Install-Time, Build-Time). The progress line shows them
 * beside the elapsed time: `… binary: build (3m10s of ~13m46s)`.
 */
import type { Workspace } from '../config/workspace.js';
import type { BuildRecord, SbuildSummary } from '../state/records.js';
import { StateStore } from '../state/store.js';

/** Seconds per SbuildPhases phase name ('install build-deps', 'build'). */
export type PhaseEstimates = Partial<Record<string, number>>;

function fromSummary(s: SbuildSummary | undefined): PhaseEstimates {
  const n = (v?: string) => (v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined);
  const out: PhaseEstimates = {};
  const install = n(s?.installTime);
  const build = n(s?.buildTime);
  if (install !== undefined) out['install build-deps'] = install;
  if (build !== undefined) out.build = build;
  return out;
}

/** The previous build's phase times of `pkg` in the chroot `chrootKey`, for the source and the binary part. */
export function previousPhaseTimes(ws: Workspace, pkg: string, chrootKey: string): { source: PhaseEstimates; binary: PhaseEstimates } {
  const store = new StateStore(ws.stateDir);
  const records = ws.config.stages
    .map((st) => store.read(pkg, st.name, 'build'))
    .filter((r): r is BuildRecord => Boolean(r && r.chroot?.key === chrootKey))
    .sort((a, b) => b.finishedAt.localeCompare(a.finishedAt));
  // A lent binary verdict ran no sbuild: its times are the origin's, which is fine for an estimate.
  const source = records.find((r) => r.sourceSummary?.buildTime)?.sourceSummary;
  const binary = records.find((r) => r.binarySummary?.buildTime)?.binarySummary;
  return { source: fromSummary(source), binary: fromSummary(binary) };
}

/** 826 → "13m46s", 42 → "42s". */
export { formatSeconds } from './seconds.js';
