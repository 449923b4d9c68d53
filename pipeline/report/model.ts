/**
 * The readiness report's data: one verdict per check (britney's excuses / Bodhi's gating as
 * models), each tied to the sha256 of the artifact it was given for. Every renderer (text,
 * Markdown, JSON, HTML) prints exactly these facts.
 */
import type { StageKind } from '../state/records.js';
import type { ScheduleStatus } from '../schedule/milestones.js';
import type { GitProvenance } from '../git/provenance.js';
import type { StageDebdiff } from './debdiff.js';

/** pass / waived / blocked as the gates give them; unknown = not run yet (or run on another artifact). */
export type ReportVerdict = 'pass' | 'waived' | 'blocked' | 'unknown';

export interface CheckResult {
  /** Stable id: reached, source-build, binary-build, copyright-lint, metadata-lint, lintian, version-policy, freeze, dependencies, mir-*. */
  check: string;
  /** Human name. */
  title: string;
  verdict: ReportVerdict;
  reason?: string;
  /** A command that, run as printed, changes this verdict (test/report-fixes.test.ts runs each kind). */
  fix?: string;
  /** An edit a human must make (no command can): shown as "to do", never as a fix. */
  todo?: string;
  waiver?: { by: string; reason: string };
  /** The source identity (pipeline/debian/sourceId.ts) of the .dsc the verdict was given for. */
  artifactSha256?: string;
  /** The stage it applies to. */
  stage?: string;
}

/** The artifact a stage holds for a package, which its checks judge. */
export interface StageSubject {
  /** published: the target holds it; signed: signed, not published; built: built, not signed; failed: the build failed. */
  state: 'published' | 'signed' | 'built' | 'failed';
  version: string;
  /** Source identity: sha256 of the .dsc's content without the OpenPGP armor. */
  sourceId?: string;
  /** The .dsc's file name, and the sha256 of that file (the signed one, for an upload). */
  dsc?: string;
  dscSha256?: string;
  /** When it landed in the stage, and how many days ago (britney's "age"). */
  since?: string;
  ageDays?: number;
}

/** A run that did not finish, with the command that continues or gets rid of it. */
export interface OpenRun {
  runId: string;
  command: string;
  state: string;
  step?: string;
  error?: string;
  /** `pipeline resume RUN` (interrupted, halted with --force) or `pipeline runs abandon RUN`. */
  continueWith?: string;
  abandonWith: string;
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
  /** The artifact the stage's checks judged. */
  subject?: StageSubject;
  /** The stage's verdict (worst of its checks) and whether that means ready (pass or waived). */
  verdict: ReportVerdict;
  ready: boolean;
  /** Every check of this stage, bound to the subject. */
  checks: CheckResult[];
  /** The commit the upload (else the build) was made from; stale when HEAD changed packages/PKG/ since. */
  git?: GitProvenance;
  /** The debdiff QA check's summary of the subject against what the target held (report/debdiff.ts). */
  debdiff?: StageDebdiff;
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
  /** The release stage's blocked checks, each with its fix or to-do. */
  blockers: CheckResult[];
  /** The release stage's checks that have no verdict yet (not run, or run on another artifact). */
  unknowns: CheckResult[];
  /** Runs of the package that failed, were interrupted or halted (newer than its last finished run). */
  openRuns: OpenRun[];
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
  /**
   * The schedule the freeze gates apply: the release series' own, or that of the series it stands
   * in for (target.standsFor); `scheduleSeries` names it, `release` is what the stage uploads to.
   */
  schedule?: ScheduleStatus;
  scheduleSeries?: string;
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
