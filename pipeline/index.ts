/**
 * The library API: the same functions the CLI and the CI scripts call.
 * Each area exports from its own folder; this file gathers the public surface.
 */
export { PipelineError } from './errors.js';
export * from './state/records.js';
export type { PackageDefinition, PipelineConfig, StageConfig } from './config/schema.js';
export { loadWorkspace, loadPackage, packageNames, type Workspace, type LoadedPackage } from './config/workspace.js';
// Debian versions (dpkg ordering)
export * from './debian/version.js';
// Package set, source fetching and source trees (packages/<pkg>)
export { packagesInOrder, dependencyOrder, dependenciesOf, DependencyCycleError } from './config/packages.js';
export { fetchSource, sha256File, type FetchedSource, type FetchOptions, type SourceFile, type Progress } from './source/fetch.js';
export { sourceTree, prepareSourceTree, upstreamOf, type SourceTree, type SourceTreeOptions } from './source/tree.js';
export { generateUpstreamTree, generatedOrigTarball } from './source/generated.js';
export { privateApt, seriesSuites, type PrivateApt, type AptSuite, type SuiteVersions } from './tools/apt.js';
// Release schedules (schedules/<series>.yaml), distro-info series data, freeze gates
export {
  develSeries, latestLts, seriesInfo, readDistroInfo, type SeriesInfo, type SeriesResolution, type Vendor,
  MILESTONES, type MilestoneName, type Schedule, type Milestone, type ScheduleStatus, findSchedule, loadSchedules, loadScheduleFile, scheduleStatus,
  freezeGate, freezeGateForStage, isNewUpstream, FREEZE_GATE, type FreezeGateInput, type FreezeVerdict, type StageFreezeOptions,
  seriesOverview, successorOf, type SeriesOverview, schedulesToIcs,
} from './schedule/index.js';
// Recovery: run journal, step runner (resume), locks, retries, fault injection (pipeline/state)
export {
  Journal, readJournal, parseJournal, readRun, summarize, listRunIds, hashValue, canonicalJson, journalFile, runDir,
  isPublishStep, unfinishedPublishSteps,
  type JournalEntry, type JournalDamage, type RunIndex, type RunState, type RunSummary,
} from './state/journal.js';
export {
  runSteps, resumeRun, resumeAll, listRuns, unfinishedRuns, registerRunKind, registeredRunKinds, loadRunKinds, newRunId,
  type RunOptions, type RunResult, type RunListing, type RunKindBuilder, type RunProgress, type ResumeOptions, type ResumeAllResult,
} from './state/runner.js';
export { abandonRun, type AbandonOptions, type AbandonResult } from './state/abandon.js';
export {
  acquireLock, withLock, lockHolder, holderAlive, processStartTime, packageLockName, archiveLockName, lockFile, LOCK_BUSY_EXIT,
  type Lock, type LockHolder, type LockOptions,
} from './state/lock.js';
export {
  withRetry, classifyError, transient, permanent, backoffDelay, retryPolicy, CrashLoopGuard, CrashLoopError, TRANSIENT_PATTERNS,
  type RetryPolicy, type Classification, type FailureKind,
} from './state/retry.js';
export { supervisedCommand, execaSupervised, setprivPath, type SupervisedCommand } from './tools/supervised.js';
export { trackChild, reapOrphans, trackedChildren, childLedgerFile, type ChildRecord, type ReapedChild, type ReapOptions } from './state/children.js';
export { faultPoint, configureFaults, parseFaultSpec, faultsEnabled, InjectedFault, FAULT_POINTS, type FaultConfig } from './state/faults.js';
export type { StepDefinition, StepContext } from './state/steps.js';
// Machine checks (pipeline doctor) and package descriptions (pipeline show)
export { runDoctor, aptInstall, TOOLS as DOCTOR_TOOLS, type CheckRow, type DoctorReport, type DoctorOptions, type ToolCheck } from './doctor/checks.js';
export { describePackage, type PackageDescription, type StageTargetVersion } from './config/describe.js';
// deb822 (control, copyright, .dsc, .changes, apt indices)
export * from './debian/deb822.js';
// Lint: DEP-5 copyright, license headers, metadata, lintian's tags; gates per stage
export {
  lintPackage, lintTree, unpackDsc, mergeFindings, gateVerdict,
  formatHuman as formatLintHuman, formatLintian, lintianLine, parseOverrides, applyOverrides,
  CHECKS as LINT_CHECKS, allTags as allLintTags, tagInfo as lintTagInfo, dep5,
  type LintPackageOptions, type LintTreeOptions, type Check as LintCheck, type TagDefinition,
} from './lint/index.js';
export { runLintian, parseLintianOutput } from './lint/lintian.js';
// New package definitions from debian-templates/
export { newPackage, renderTemplate, type NewPackageOptions, type NewPackageResult } from './templates/newPackage.js';
export { LICENSES, dep5LicenseBody, licenseNotice } from './templates/licenses.js';
// debian/control, relationship fields, .dsc/.changes
export * from './debian/control.js';
export * from './debian/dsc.js';
// Release-readiness reports (text, Markdown, JSON, HTML)
export {
  collectReadiness, renderReport, renderText, renderMarkdown, renderJson, renderHtml, loadMainIndex, releaseStage,
  type ReadinessReport, type PackageReadiness, type CheckResult, type ReportVerdict, type ReportFormat, type CollectOptions, type MainIndex,
} from './report/index.js';
// debian/changelog via dpkg-parsechangelog and dch
export * from './tools/changelog.js';
// version policy (PPA ~ppaN, backports ~bpo, checks explained in dpkg order)
export * from './debian/versionPolicy.js';
// Stages and promotion: plan, lifecycle, promote/status, the local archive, dput, signing
export {
  planStage, planAllStages, stageDistribution, stageMessage, type StagePlan, type SourcePlan, type PlanOptions,
} from './stages/plan.js';
export { LIFECYCLE, promoteSteps, stageOf, stepName, type LifecycleStep } from './stages/lifecycle.js';
export {
  BaseStage, STEPS as PROMOTE_STEPS, useLintian, renderChangelogEntry, assertGatesBound, isBlockedError,
  type Stage, type StageRun, type PromoteArgs, type VerifyOutput, type PrepareOutput, type LintOutput, type BlockedError,
} from './stages/stage.js';
export { PpaStage } from './stages/ppa.js';
export { DevelStage } from './stages/devel.js';
export { BackportStage, backportVersionVerdict, ltsVersionsOf, seriesPocketVersions, updateLtsLists, type LtsVersions } from './stages/backports.js';
export {
  promote, promoteAll, standPoint, stagesToRun,
  type PromoteOptions, type PromoteResult, type PromoteAllResult, type StageReport, type StandPoint, type PromoteState,
} from './stages/promote.js';
export { status, renderStatus, type StatusReport, type StatusRow, type StatusCell } from './stages/status.js';
export { cleanTreeGate, CLEAN_TREE_GATE } from './git/cleanTree.js';
export { dep14Tag, mangleVersion } from './git/dep14.js';
export { packageRef, openRepo, dirtyFiles, type Repo } from './git/repo.js';
export { createTag, pushTags, tagCommit, type TagResult } from './git/tags.js';
export { unreleasedCommits, type Unreleased, type UnreleasedCommit } from './git/unreleased.js';
export { draftChangelog, type ChangelogDraft } from './git/changelogDraft.js';
export { packageHeads, provenance, type GitProvenance } from './git/provenance.js';
export {
  GATES, UNWAIVABLE, applyWaiver, findWaiver, readGateRecord, progressionGate, dependenciesGate,
  type Waiver, type GateRecord, type PlannedStep,
} from './stages/gates.js';
export { registerBuilder, getBuilder, builderName, type Builder, type BuildRequest } from './stages/builders.js';
export { hostBuild } from './stages/hostBuild.js';
export { uploadDir, prepareUpload, describeUpload, type UploadSet } from './stages/upload.js';
export { publishUpload, confirmUpload, reconcilePublish, type PublishOutput } from './stages/publish.js';
export { stageVersion, derivedFrom } from './stages/versions.js';
export {
  ensureArchive, repreproArchive, distributionsConf, incomingConf, listVersions, readSourcesIndex, findSource,
  includeChanges, processIncoming, copySource, pendingIncoming, uploadDistribution, PUBLIC_KEY_FILE,
  type RepreproArchive, type SourcesEntry,
} from './archive/reprepro.js';
export {
  dput, dputInvocation, dputConfigText, writeDputConfig, dputConfigFile, dputHost, parsePpa, uploadRecordPath, uploadRecorded,
  type DputInvocation, type DputResult,
} from './archive/dput.js';
export {
  ensureSigningKey, findSigningKey, gnupgHome, exportPublicKey, writePublicKey, debsign, verifySignature,
  type SigningKey, type SignatureCheck,
} from './archive/signing.js';
// The archive as a PPA: the stage's suite as an apt repository (builds and QA), its binaries beside its source.
export {
  stageRepository, chrootRepository, aptSourceLine, STAGE_ARCHIVE_MOUNT, type StageRepository, type ChrootRepository, type BindMount,
} from './archive/stageRepository.js';
export { publishStageBinaries, describeStageBinaries, type StageBinaries } from './archive/stageBinaries.js';
export { readPackagesIndex, parsePackages, type PackagesEntry } from './archive/packagesIndex.js';
// The verbs of the CI scripts (scripts/ci/*.mjs): `import { lint, buildRun, promote, report }`.
// They are the very functions the CLI commands call, under the names a script reads best; `build`
// is the unjournaled buildPackage (a tree or a package, no lock), which `buildRun` wraps.
export { lintPackage as lint } from './lint/index.js';
export { buildPackage as build, type BuildOptions } from './build/index.js';
export { report, type ReportOptions, type ReportResult } from './report/run.js';
export { StateStore } from './state/store.js';
export { githubWorkflows, workflowOptions, type WorkflowFile, type WorkflowOptions } from './ci/github.js';
// Container builds (pipeline/build): chroot tarball cache, source package + binary test-build in sbuild (unshare)
export { buildPackage, cachedBuild, buildDirName, type BuildInput, type ProgressSink, type ProgressPhase } from './build/index.js';
// `pipeline build PKG` as a journaled run (registers the `build` run kind on import).
export { buildRun, buildRunSteps, type BuildRunArgs } from './build/run.js';
export {
  ensureChroot, findChroot, listChroots, chrootKey, chrootPaths, chrootSpecFor, chrootSpecForSuite, stageChrootSpecs, removeChroot,
  type ChrootSpec, type ChrootEntry, type ChrootStatus, type EnsureChrootOptions,
} from './build/chroots.js';
export { requireTools, requireSubids, findTool, subidRange } from './build/preflight.js';
export { failureMessage } from './build/sbuildLog.js';
export { sbuild, sbuildArgs, parseSbuildSummary, type SbuildOptions, type SbuildResult } from './tools/sbuild.js';
export { mmdebstrap, mmdebstrapArgs, type MmdebstrapOptions } from './tools/mmdebstrap.js';
