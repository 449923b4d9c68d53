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
export { privateApt, type PrivateApt } from './tools/apt.js';
// Release schedules (schedules/<series>.yaml), distro-info series data, freeze gates
export {
  develSeries, latestLts, seriesInfo, readDistroInfo, type SeriesInfo, type SeriesResolution, type Vendor,
  MILESTONES, type MilestoneName, type Schedule, type Milestone, type ScheduleStatus, findSchedule, loadSchedules, loadScheduleFile, scheduleStatus,
  freezeGate, freezeGateForStage, isNewUpstream, FREEZE_GATE, type FreezeGateInput, type FreezeVerdict, type StageFreezeOptions,
  seriesOverview, successorOf, type SeriesOverview, schedulesToIcs,
} from './schedule/index.js';
