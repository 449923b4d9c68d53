/**
 * The shared vocabulary of results. Builds, lint runs, gates and uploads all produce these, the
 * journal stores them, `status` and the readiness report read them. Kept as plain JSON-able data.
 */

export type StageName = string; // e.g. 'ppa', 'devel', 'backports' (names come from pipeline.yaml)
export type StageKind = 'ppa' | 'devel' | 'backports';

export type Severity = 'error' | 'warning' | 'info' | 'pedantic';
export const SEVERITY_ORDER: readonly Severity[] = ['error', 'warning', 'info', 'pedantic'];

/** One lint finding, in lintian's language (tag name, severity, file and line). */
export interface Finding {
  tag: string;
  severity: Severity;
  /** Path relative to the source tree root, e.g. `debian/copyright`. */
  file?: string;
  line?: number;
  detail?: string;
  /** Who found it: our own checks or the real lintian. */
  source: 'pipeline' | 'lintian';
  /** Set when debian/source/lintian-overrides silences it. */
  overridden?: boolean;
}

export type Verdict = 'pass' | 'waived' | 'blocked';

/** One gate's verdict (britney/Bodhi style: one per policy, tied to the artifact's hash). */
export interface GateVerdict {
  gate: string;
  verdict: Verdict;
  /** Why it blocked, or what was waived. */
  reason?: string;
  /** The command that fixes it, when there is one. */
  fix?: string;
  waiver?: { by: string; reason: string };
  /** The source identity (sourceId of the .dsc: pipeline/debian/sourceId.ts) the verdict was given for. */
  artifactSha256?: string;
}

/** Which commit (and which tree of packages/PKG/) a build, verdict or upload was made from (pipeline/git). */
export interface GitRef {
  /** HEAD's commit at the time. */
  commit: string;
  /** The tree hash of packages/PKG/ in that commit (absent when the package is not committed). */
  tree?: string;
  /** True when packages/PKG/ had uncommitted or untracked changes (promote --allow-dirty). */
  dirty?: boolean;
}

export interface Artifact {
  path: string;
  sha256: string;
  size: number;
  /**
   * For a .dsc: the source package's identity (pipeline/debian/sourceId.ts), the same for the
   * unsigned .dsc a build made and the signed one uploaded. Verdicts are bound to it.
   */
  sourceId?: string;
}

export interface SbuildSummary {
  status: string; // 'successful' | 'failed' | 'attempted' | 'given-back' | 'skipped'
  failStage?: string;
  buildTime?: string;
  installTime?: string;
  buildSpace?: string;
  [key: string]: string | undefined;
}

export interface BuildRecord {
  package: string;
  version: string;
  stage: StageName;
  status: 'successful' | 'failed';
  /** Which part failed: 'source' or 'binary', and sbuild's Fail-Stage. */
  failedPart?: 'source' | 'binary';
  failStage?: string;
  message?: string;
  outDir: string;
  dsc?: Artifact;
  sourceChanges?: Artifact;
  artifacts: Artifact[];
  sourceSummary?: SbuildSummary;
  binarySummary?: SbuildSummary;
  sourceLog?: string;
  binaryLog?: string;
  /** Hash of the inputs (source tree, stage config, chroot) that makes the build cacheable. */
  inputsHash: string;
  finishedAt: string;
  /** Set on a result returned from the record because the inputs were unchanged (sbuild not run). */
  cached?: boolean;
  /**
   * The chroot tarball the build ran in; `standIn` when it is another vendor's chroot standing in
   * for the target's (the stage's builder.standIn, with the suites).
   */
  chroot?: { tarball: string; key: string; standIn?: string };
  /** The sbuild command lines run (source, then binary), to reproduce a build by hand. */
  commands?: string[][];
  /** The commit packages/PKG/ was built from (absent outside a git repository). */
  git?: GitRef;
  /** Hash of what the binary test-build depends on: the tree but debian/changelog (+ upstream version), chroot, build switches. */
  binaryInputsHash?: string;
  /** Set when the binary verdict is another stage's (or version's) test-build of the same inputs, not a new one. */
  binaryFrom?: BinaryOrigin;
  /**
   * The stage's own archive the build saw as an extra repository (archive/stageRepository.ts): its
   * suite, its apt line as the host reads it, and the binaries of it the package's Build-Depends
   * name (`name=version`); `none` says why the build saw none.
   */
  stageArchive?: { suite?: string; line?: string; offered: string[]; none?: string };
  /** Each binary of the package set the test-build installed, with its version (sbuild's log). */
  inSetBuildDeps?: InSetBuildDep[];
  /**
   * Why the stage has no binaries of its own to publish beside its source (a verdict lent by
   * another stage's test-build, whose .debs carry that stage's version).
   */
  noOwnBinaries?: string;
  /** The build-dependency layer the binary test-build ran in (build/layers.ts): hit, made, or bypassed (the base chroot). */
  layer?: LayerUse;
}

export interface InSetBuildDep {
  package: string;
  version: string;
  /** The stage's archive offered exactly this version (else it came from the series' mirror). */
  fromStage: boolean;
}

/** How the binary test-build got its build dependencies. */
export interface LayerUse {
  /** hit: a cached layer had the resolved set; made: it was made for this build; bypassed: the base chroot, sbuild installed them. */
  status: 'hit' | 'made' | 'bypassed';
  /** The tarball sbuild unpacked. */
  tarball: string;
  key?: string;
  /** How many packages the layer holds on top of the base chroot. */
  packages?: number;
  /** Why it was bypassed. */
  reason?: string;
  /** Time spent resolving (and making) the layer. */
  seconds: number;
  /**
   * sbuild's resolver in the layer: `null` (installs nothing: the layer holds the whole set, and
   * dpkg-checkbuilddeps checks it) unless the package has Build-Conflicts, which only sbuild's apt
   * resolver removes (`apt`). Absent in records made before.
   */
  resolver?: 'null' | 'apt';
}

/** The build a reused binary verdict came from. */
export interface BinaryOrigin {
  stage: StageName;
  version: string;
  finishedAt: string;
  /** That build's binary .build log (this build keeps a link to it in its own binary/). */
  log?: string;
}

export interface LintRecord {
  package: string;
  stage?: StageName;
  /** The version linted, when a package was linted as a stage will upload it. */
  version?: string;
  findings: Finding[];
  /** Findings of a tag past the per-tag limit, left out of `findings` but counted (and judged by the gate). */
  omitted?: Array<{ tag: string; severity: Severity; overridden: boolean; count: number }>;
  filesChecked: number;
  gate: GateVerdict;
  /** The source identity of the .dsc linted; absent for a tree that is no upload yet. */
  artifactSha256?: string;
  /** Whether the real lintian ran on the artifact (its hints are merged), or why it did not. */
  lintian?: { ran: boolean; version?: string; skipped?: { by: string; reason: string } };
  /** The commit the linted upload was built from. */
  git?: GitRef;
}

export interface PublishRecord {
  package: string;
  version: string;
  stage: StageName;
  target: string; // archive name from pipeline.yaml
  suite: string;
  dscSha256: string;
  /** The source identity of the uploaded .dsc (every verdict of the upload is bound to it). */
  sourceId?: string;
  changesSha256?: string;
  publishedAt: string;
  /** True once the version was seen in the target's index (false: uploaded, not visible yet). */
  confirmed?: boolean;
  /** The dput command that uploaded it, and dput's .upload record. */
  dput?: string[];
  uploadRecord?: string;
  /** Why it is not confirmed, or other facts about the landing. */
  note?: string;
  /** The commit the upload was built from. */
  git?: GitRef;
  /**
   * The stage's binaries published beside the source in the local archive (as a PPA's builders
   * publish theirs), or why there are none (`binariesNote`).
   */
  binaries?: Array<{ package: string; version: string; architecture: string; sha256: string }>;
  binariesNote?: string;
}
