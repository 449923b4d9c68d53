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
