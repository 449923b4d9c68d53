/**
 * The readiness report's data: one verdict per check (britney's excuses / Bodhi's gating as
 * models), each tied to the sha256 of the artifact it was given for. Every renderer (text,
 * Markdown, JSON, HTML) prints exactly these facts.
 */
import type { StageKind } from '../state/records.js';
import type { ScheduleStatus } from '../schedule/milestones.js';

/** pass / waived / blocked as the gates give them; unknown = not run yet (or run on another artifact). */
export type ReportVerdict = 'pass' | 'waived' | 'blocked' | 'unknown';

export interface CheckResult {
  /** Stable id: reached, source-build, binary-build, copyright-lint, metadata-lint, lintian, version-policy, freeze, dependencies, mir-*. */
  check: string;
  /** Human name. */
  title: string;
  verdict: ReportVerdict;
  reason?: string;
  /** The command (or edit) that fixes it. */
  fix?: string;
  waiver?: { by: string; reason: string };
  /** sha256 of the exact .dsc the verdict was given for, where there is one. */
  artifactSha256?: string;
  /** The stage it applies to. */
  stage?: string;
}

export interface StageVersions {
  stage: string;
  kind: StageKind;
  series: string;
  suite: string;
  /** The version published to the stage (PublishRecord), if any. */
  published?: string;
  publishedAt?: string;
  /** The version last built for the stage (BuildRecord), and whether the build succeeded. */
  built?: string;
  buildStatus?: 'successful' | 'failed';
  dscSha256?: string;
}

export interface FreezeSummary {
  verdict: ReportVerdict;
  series: string;
  phase: string;
  reason?: string;
  fix?: string;
  next?: { milestone: string; date: string; daysLeft: number };
}

export interface PackageReadiness {
  package: string;
  /** packages/<pkg>/debian/changelog's top version (the next upload). */
  version?: string;
  upstreamVersion: string;
  depends: string[];
  /** The last stage of the progression the package reached (published), if any. */
  reachedStage?: string;
  stages: StageVersions[];
  /** Checks for the release stage, in a fixed order. */
  checks: CheckResult[];
  freeze?: FreezeSummary;
  mir?: { required: true; team?: string; verdict: ReportVerdict; items: CheckResult[] };
  verdict: ReportVerdict;
  /** The blocked and unknown checks, each with its fix. */
  blockers: CheckResult[];
}

export interface ReadinessReport {
  /** The release series the report is for. */
  release: string;
  releaseVersion?: string;
  vendor: 'ubuntu' | 'debian';
  profile: string;
  /** The stage whose target is the release series (the one a package must reach). */
  stage: string;
  /** The date the gates were evaluated at (--at / PIPELINE_NOW / the clock). */
  now: string;
  generatedAt: string;
  schedule?: ScheduleStatus;
  /** Notes on the data (distro-info, main index reachability...). */
  notes: string[];
  packages: PackageReadiness[];
  overall: {
    ready: boolean;
    verdict: 'ready' | 'not ready';
    counts: Record<ReportVerdict, number>;
    summary: string;
  };
}

const RANK: Record<ReportVerdict, number> = { pass: 0, waived: 1, unknown: 2, blocked: 3 };

/** The worst of several verdicts (blocked > unknown > waived > pass); pass for none. */
export function worst(verdicts: Iterable<ReportVerdict>): ReportVerdict {
  let w: ReportVerdict = 'pass';
  for (const v of verdicts) if (RANK[v] > RANK[w]) w = v;
  return w;
}

export const VERDICT_SYMBOL: Record<ReportVerdict, string> = { pass: '✓', waived: '~', blocked: '✗', unknown: '?' };
