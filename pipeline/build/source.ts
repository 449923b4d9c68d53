/**
 * The source build: a scratch copy of the package tree gets the stage's changelog entry (dch),
 * then `sbuild --source --no-arch-any --no-arch-all` runs `dpkg-buildpackage -S` inside the
 * chroot, so the .dsc, the tarballs and the _source.changes are made in the clean container,
 * with `-sa`/`-sd` and `-v` as the stage's upload needs.
 *
 * The tree is a fresh copy with nothing to clean, so the build dependencies (minutes for a Java
 * package) are not installed for it: sbuild's null resolver installs nothing and
 * `dpkg-buildpackage -S -nc` runs dpkg-source -b and dpkg-genchanges -S without `debian/rules
 * clean`. dpkg-buildpackage wants a root command (fakeroot, not in a buildd chroot) unless the
 * package says `Rules-Requires-Root: no`; without that, the build dependencies are installed as
 * before.
 */
import { copyFileSync, existsSync, linkSync, readdirSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { PipelineError } from '../errors.js';
import { foldedValue } from '../debian/deb822.js';
import { parseControlFile } from '../debian/control.js';
import { applyPlanToTree } from '../stages/changelog.js';
import type { SourcePlan } from '../stages/plan.js';
import { sbuild, type SbuildResult } from '../tools/sbuild.js';
import type { ResolvedInput } from './input.js';
import type { PhaseEstimates } from './estimate.js';
import type { ProgressSink } from './progress.js';
import { SbuildPhases } from './sbuildLog.js';

export type { SourcePlan };

export interface SourceBuildOptions {
  input: ResolvedInput;
  plan: SourcePlan;
  chroot: string;
  /** Output directory (artifacts + .build log). */
  outDir: string;
  /** Scratch directory for the tree copy (removed afterwards). */
  workDir: string;
  tmpDir?: string;
  extraRepositories?: string[];
  /**
   * The stage's own archive as the chroot sees it (build/stageArchive.ts): added only when the
   * source build installs the build dependencies (no `Rules-Requires-Root: no`); without them
   * nothing is installed and an extra apt update would buy nothing.
   */
  stageRepository?: { line: string; bindMounts: { directory: string; mountpoint: string }[] };
  maintainer?: { name: string; email: string };
  progress: ProgressSink;
  /** The previous build's phase times (estimate.ts), for the progress line. */
  estimates?: PhaseEstimates;
}

export interface SourceBuildResult extends SbuildResult {
  /** The .dsc built inside the container (when sbuild succeeded). */
  dsc?: string;
  sourceChanges?: string;
}

export const noEpoch = (v: string) => v.replace(/^\d+:/, '');

export async function buildSource(o: SourceBuildOptions): Promise<SourceBuildResult> {
  const { tree, origTarballs } = await o.input.materialize(o.workDir);
  // The stage's changelog entry, through the same dch step as every builder (stages/changelog.ts).
  await applyPlanToTree(tree, o.plan, o.maintainer);
  const phases = new SbuildPhases(o.progress, 'source', o.estimates);
  const withoutBuildDeps = needsNoRoot(tree);
  const stage = !withoutBuildDeps && o.stageRepository ? o.stageRepository : undefined;
  const result = await sbuild({
    input: tree,
    chroot: o.chroot,
    distribution: o.plan.distribution,
    buildDir: o.outDir,
    source: true,
    archAny: false,
    archAll: false,
    includeOrig: o.plan.includeOrig,
    changesSince: o.plan.changesSince,
    withoutBuildDeps,
    extraRepositories: stage ? [...(o.extraRepositories ?? []), stage.line] : o.extraRepositories,
    ...(stage ? { bindMounts: stage.bindMounts } : {}),
    tmpDir: o.tmpDir,
    onLine: (l) => phases.line(l),
  });
  const ok = result.exitCode === 0 && result.summary?.status === 'successful';
  phases.finish(ok, result.summary ? `${result.summary.status}${result.summary.failStage ? ` at ${result.summary.failStage}` : ''}` : `sbuild exit ${result.exitCode}`);
  const base = `${o.input.source}_${noEpoch(o.plan.version)}`;
  const dsc = join(o.outDir, `${base}.dsc`);
  const changes = join(o.outDir, `${base}_source.changes`);
  if (ok) {
    if (!existsSync(dsc)) throw new PipelineError(`sbuild reported success but made no ${basename(dsc)}`, { file: result.log, exitCode: 1 });
    // With -sd the orig tarball is not copied to the build directory, but the binary build and
    // the archive need it next to the .dsc.
    for (const orig of origTarballs) {
      const to = join(o.outDir, basename(orig));
      if (!existsSync(to)) {
        try {
          linkSync(orig, to);
        } catch {
          copyFileSync(orig, to);
        }
      }
    }
  }
  rmSync(o.workDir, { recursive: true, force: true });
  return { ...result, dsc: ok ? dsc : undefined, sourceChanges: ok && existsSync(changes) ? changes : result.changes };
}

/** `Rules-Requires-Root: no` in the tree's debian/control: dpkg-buildpackage needs no fakeroot. */
export function needsNoRoot(tree: string): boolean {
  try {
    const field = parseControlFile(join(tree, 'debian', 'control')).source.get('Rules-Requires-Root');
    return Boolean(field && foldedValue(field).trim() === 'no');
  } catch {
    return false; // sbuild's full source build reports what is wrong with debian/control
  }
}

/** Files of a build directory that are build results (not logs, not our own dot files). */
export function resultFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isFile() && !d.name.startsWith('.') && !d.name.endsWith('.build'))
    .map((d) => join(dir, d.name))
    .sort();
}
