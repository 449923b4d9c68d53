/**
 * The plan of one stage upload: which version, which changelog entry (distribution, message, -v),
 * whether the orig tarball goes along, and where it is uploaded. Computed from the package's
 * debian/changelog, pipeline.yaml, and what the target holds and ever held (its index plus the
 * publish history), so a version is never reused — not even one deleted from the target.
 *
 * Writes nothing: `promote --dry-run` prints this, the build helper consumes it as its SourcePlan.
 */
import type { StageConfig } from '../config/schema.js';
import { loadPackage, stage as stageConfig, type Workspace } from '../config/workspace.js';
import { PipelineError } from '../errors.js';
import { compareVersions, isNativeVersion, maxVersion, parseVersion } from '../debian/version.js';
import type { StageKind } from '../state/records.js';
import { readChangelogTop, type ChangelogTop } from './changelog.js';
import { seriesVersion } from './series.js';
import { targetVersions, type TargetVersions } from './target.js';
import { derivedFrom, stageVersion } from './versions.js';

/** What a source build needs to know (the build helper's input). */
export interface SourcePlan {
  version: string;
  /** Changelog distribution: the series, or `SERIES-POCKET` where the target has pockets. */
  distribution: string;
  /** The new changelog entry's text (one bullet), e.g. "No-change backport to bookworm.". */
  message: string;
  /**
   * False when the changelog's top entry already is this version (the devel upload): no entry is
   * added, only its distribution is set.
   */
  newEntry: boolean;
  /** `-v` for dpkg-genchanges: the version the target already has, so the .changes covers every entry since. */
  changesSince?: string;
  /** `-sa` (first upload of this upstream version to the target) or `-sd`. */
  includeOrig: boolean;
}

export interface StagePlan extends SourcePlan {
  package: string;
  /** The source package name (debian/changelog Source). */
  source: string;
  stage: string;
  kind: StageKind;
  /** The version packages/<pkg>/debian/changelog carries (dpkg-parsechangelog). */
  baseVersion: string;
  /** The top changelog entry's distribution as written in packages/ (e.g. UNRELEASED). */
  baseDistribution: string;
  target: {
    archive: string;
    archiveKind: 'reprepro' | 'dput';
    suite: string;
    series: string;
    pocket?: string;
    /** Human form of the upload target: `local:ppa`, `ppa:ensemble/ppa`, `ubuntu`. */
    upload: string;
  };
  /** The series' release number used in backport versions ('12', '24.04'). */
  seriesVersion?: string;
  /** What the target holds now and ever held for this package. */
  targetVersions: TargetVersions;
  /** The version derived from this base that already landed in the target, if any: the stage is reached. */
  landed?: string;
  /** Why the version policy could not derive a version (the verify step blocks with it). */
  versionProblem?: string;
}

export interface PlanOptions {
  /** Extra versions to treat as used (e.g. an upload in flight, from the journal). */
  alsoUsed?: string[];
}

function uploadTarget(ws: Workspace, st: StageConfig): StagePlan['target'] {
  const archive = ws.config.archives[st.target.archive]!;
  return {
    archive: st.target.archive,
    archiveKind: archive.kind,
    suite: st.target.suite,
    series: st.target.series,
    ...(st.target.pocket ? { pocket: st.target.pocket } : {}),
    upload: archive.kind === 'reprepro' ? `${st.target.archive}:${st.target.suite}` : archive.host,
  };
}

/** dch's -D for a stage: PPAs have no pockets (bare series); archives name SERIES-POCKET. */
export function stageDistribution(st: StageConfig): string {
  return st.target.pocket ? `${st.target.series}-${st.target.pocket}` : st.target.series;
}

/** The changelog message of a stage's new entry (backportpackage's wording for backports). */
export function stageMessage(kind: StageKind, st: StageConfig, upload: string): string {
  switch (kind) {
    case 'backports': return `No-change backport to ${st.target.series}.`;
    case 'ppa': return `Rebuild for ${upload.startsWith('ppa:') ? upload : st.target.suite}.`;
    case 'devel': return `Upload to ${st.target.series}.`;
  }
}

/** The plan for promoting `pkgName` into `stageName`. Reads only; throws PipelineError on bad input. */
export async function planStage(ws: Workspace, pkgName: string, stageName: string, options: PlanOptions = {}): Promise<StagePlan> {
  const pkg = loadPackage(ws, pkgName);
  const st = stageConfig(ws, stageName);
  const top: ChangelogTop = await readChangelogTop(pkg.debianDir);
  const base = top.version;
  const kind = st.kind;
  const target = uploadTarget(ws, st);
  const tv = targetVersions(ws, pkgName, st, top.source);
  const used = [...new Set([...tv.current, ...tv.history, ...(options.alsoUsed ?? [])])];

  const sv = kind === 'backports' ? seriesVersion(ws, st.target.series) : undefined;
  const derived = stageVersion(kind, base, used, { vendor: ws.config.vendor, ...(sv ? { seriesVersion: sv } : {}) });
  const version = derived.version;

  const landed = maxVersion(tv.current.filter((v) => derivedFrom(kind, base, v)));
  // -v: the newest version the target has below the new one (nothing there: only the new entry).
  const below = tv.current.filter((v) => compareVersions(v, version) < 0);
  const changesSince = maxVersion(below);
  const upstreamOf = (v: string) => { const p = parseVersion(v, { lenient: true }); return `${p.epoch}:${p.upstream}`; };
  const native = isNativeVersion(base);
  const baseUpstream = upstreamOf(base);
  // -sd only when the target holds this upstream version now (a deleted one may have taken its orig along).
  const includeOrig = !native && !tv.current.some((v) => upstreamOf(v) === baseUpstream);
  const newEntry = kind !== 'devel';
  return {
    package: pkgName,
    source: top.source,
    stage: st.name,
    kind,
    baseVersion: base,
    baseDistribution: top.distribution,
    version,
    distribution: stageDistribution(st),
    message: newEntry ? stageMessage(kind, st, target.upload) : top.changes || stageMessage(kind, st, target.upload),
    newEntry,
    ...(changesSince ? { changesSince } : {}),
    includeOrig,
    target,
    ...(sv ? { seriesVersion: sv } : {}),
    targetVersions: tv,
    ...(landed ? { landed } : {}),
    ...(derived.problem ? { versionProblem: derived.problem } : {}),
  };
}

/** Plans for every stage of the progression, in order (what `status` and `show` print). */
export async function planAllStages(ws: Workspace, pkgName: string): Promise<StagePlan[]> {
  const plans: StagePlan[] = [];
  for (const st of ws.config.stages) plans.push(await planStage(ws, pkgName, st.name));
  return plans;
}

export function assertKnownStage(ws: Workspace, name: string): StageConfig {
  const st = ws.config.stages.find((s) => s.name === name);
  if (!st) throw new PipelineError(`unknown stage ${JSON.stringify(name)} (stages: ${ws.config.stages.map((s) => s.name).join(', ')})`, { file: ws.configFile });
  return st;
}
