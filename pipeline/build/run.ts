/**
 * `pipeline build PKG --stage STAGE` as a journaled run of kind `build`: under the package lock (a
 * live promote or build of the same package waits or refuses), two steps journaled like a
 * promote's, so a crash mid-build is listed by `pipeline runs` and picked up by `pipeline resume`.
 *
 *   chroot  the stage's chroot tarball, created or refreshed (a resume skips a finished refresh)
 *   build   source package + binary test-build (buildPackage); an interrupted one is first asked
 *           whether the state store already holds a reusable build of the same inputs
 *
 * A build publishes nothing: its kind is standalone, so a promote does not resume a crashed build
 * first, and a build does not resume a crashed promote first (pipeline/state/runner.ts).
 * `--dir` builds of fixture trees are not journaled: they belong to no package.
 */
import { loadPackage, stage as stageConfig, type Workspace } from '../config/workspace.js';
import type { BuildRecord } from '../state/records.js';
import { registerRunKind, runSteps, type RunProgress } from '../state/runner.js';
import type { StepDefinition } from '../state/steps.js';
import { chrootSpecFor, ensureChroot } from './chroots.js';
import { buildPackage, cachedBuild } from './index.js';
import type { ProgressSink } from './progress.js';

/** A build run's arguments: all a resume needs to rebuild its steps. */
export interface BuildRunArgs {
  package: string;
  stage: string;
  force?: boolean;
  refresh?: boolean;
  binary?: boolean;
}

export interface ChrootOutput {
  tarball: string;
  key: string;
}

export function buildRunSteps(ws: Workspace, args: BuildRunArgs, progress?: ProgressSink): StepDefinition[] {
  const st = stageConfig(ws, args.stage);
  const options = { ...(args.binary === undefined ? {} : { binary: args.binary }), ...(progress ? { progress } : {}) };
  const chroot: StepDefinition<ChrootOutput> = {
    name: 'chroot',
    dryRun: false,
    retryable: true, // mirror timeouts
    check: 'the tarball exists and is younger than the stage\'s refresh age',
    inputs: () => ({ args, step: 'chroot' }),
    run: async () => {
      const c = await ensureChroot(ws, chrootSpecFor(ws, st), { refresh: args.refresh, ...(progress ? { progress } : {}) });
      return { tarball: c.tarball, key: c.key };
    },
  };
  const build: StepDefinition<BuildRecord> = {
    name: 'build',
    dryRun: false,
    retryable: true, // a failed build is a BuildRecord, not an error: only infrastructure errors throw
    check: 'BuildRecord status (successful, or failed with the part, stage and log named)',
    inputs: () => ({ args, step: 'build' }),
    // The chroot step did any refresh; here the chroot is only looked up.
    run: () => buildPackage(ws, { pkg: args.package }, args.stage, { ...options, force: args.force }),
    // Interrupted after buildPackage recorded its result: that record (same inputs) is the output.
    reconcile: async () => (args.force ? undefined : cachedBuild(ws, { pkg: args.package }, args.stage, options)),
  };
  return [chroot, build];
}

registerRunKind('build', (ws, args: BuildRunArgs) => buildRunSteps(ws, args), { standalone: true });

export interface BuildRunOptions {
  progress?: ProgressSink & RunProgress;
  /** Package lock busy: false refuses (exit 75), true waits, a number waits that many ms. */
  wait?: boolean | number;
}

/** Build a workspace package for a stage as a journaled run; resolves to the build's record. */
export async function buildRun(ws: Workspace, args: BuildRunArgs, options: BuildRunOptions = {}): Promise<BuildRecord & { runId?: string }> {
  loadPackage(ws, args.package); // an unknown package is refused before anything is written
  stageConfig(ws, args.stage);
  const r = await runSteps(ws, {
    package: args.package, command: 'build', args, steps: buildRunSteps(ws, args, options.progress),
    ...(options.progress ? { progress: options.progress } : {}), wait: options.wait,
  });
  return { ...(r.outputs.build as BuildRecord), ...(r.runId ? { runId: r.runId } : {}) };
}
