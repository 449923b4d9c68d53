/**
 * The binary test-build: the .dsc the source build made, built again in the same kind of
 * container (arch:any, and arch:all unless the package says `build.archAll: false`). Its result
 * is what a buildd would see; the debs are kept as evidence, not uploaded (uploads are
 * source-only).
 */
import { mkdirSync } from 'node:fs';
import { sbuild, type SbuildResult } from '../tools/sbuild.js';
import type { PhaseEstimates } from './estimate.js';
import type { ProgressSink } from './progress.js';
import { SbuildPhases } from './sbuildLog.js';

export interface BinaryBuildOptions {
  dsc: string;
  chroot: string;
  distribution: string;
  outDir: string;
  archAll: boolean;
  tmpDir?: string;
  extraRepositories?: string[];
  /** Host directories sbuild bind-mounts into the chroot (the stage's archive snapshot). */
  bindMounts?: { directory: string; mountpoint: string }[];
  progress: ProgressSink;
  /** The previous build's phase times (estimate.ts), for the progress line. */
  estimates?: PhaseEstimates;
  /** A varied build (the reproducibility check's second build): build path and environment. */
  buildPath?: string;
  buildEnvironment?: Record<string, string>;
  /** The chroot is a build-dependency layer holding the whole resolved set (tools/sbuild.ts). */
  buildDepsInstalled?: boolean;
}

export async function buildBinary(o: BinaryBuildOptions): Promise<SbuildResult> {
  mkdirSync(o.outDir, { recursive: true });
  const phases = new SbuildPhases(o.progress, 'binary', o.estimates);
  const result = await sbuild({
    input: o.dsc,
    chroot: o.chroot,
    distribution: o.distribution,
    buildDir: o.outDir,
    source: false,
    archAny: true,
    archAll: o.archAll,
    extraRepositories: o.extraRepositories,
    bindMounts: o.bindMounts,
    tmpDir: o.tmpDir,
    ...(o.buildPath ? { buildPath: o.buildPath } : {}),
    ...(o.buildEnvironment ? { buildEnvironment: o.buildEnvironment } : {}),
    ...(o.buildDepsInstalled ? { buildDepsInstalled: true } : {}),
    onLine: (l) => phases.line(l),
  });
  const ok = result.exitCode === 0 && result.summary?.status === 'successful';
  phases.finish(ok, result.summary ? `${result.summary.status}${result.summary.failStage ? ` at ${result.summary.failStage}` : ''}` : `sbuild exit ${result.exitCode}`);
  return result;
}
