/**
 * The top entry of a package's debian/changelog, read with dpkg-parsechangelog (Debian's own
 * parser: the version a build will get is the version dpkg sees).
 */
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { execa } from 'execa';
import { PipelineError } from '../errors.js';
import { readChangelog } from '../tools/changelog.js';
import type { SourcePlan } from './plan.js';

export interface ChangelogTop {
  source: string;
  version: string;
  distribution: string;
  /** The entry's text without the header line (bullets), trimmed. */
  changes: string;
}

/**
 * The top entry of `<debianDir>/changelog`, through tools/changelog's readChangelog: the one
 * dpkg-parsechangelog wrapper, which also refuses a changelog dpkg only warns about (bad heading,
 * trailer or version), naming the file and line, so a plan is never made from "unknown" values.
 */
export async function readChangelogTop(debianDir: string): Promise<ChangelogTop> {
  const file = join(debianDir, 'changelog');
  const display = relative(process.cwd(), file) || file;
  if (!existsSync(file)) throw new PipelineError('no debian/changelog', { file: display });
  const top = await readChangelog(file, { displayName: display });
  return { source: top.source, version: top.version, distribution: top.distribution, changes: top.changes.trim() };
}

/** dch arguments applying a plan to a tree's debian/changelog. Empty when nothing changes. */
export function dchArguments(plan: SourcePlan, currentDistribution: string): string[][] {
  if (plan.newEntry) {
    return [['--newversion', plan.version, '--distribution', plan.distribution, '--force-distribution', '--force-bad-version', '--', plan.message]];
  }
  if (currentDistribution === plan.distribution) return [];
  return [['--release', '--distribution', plan.distribution, '--force-distribution', '--', '']];
}

/** Run dch in `tree` as the workspace's maintainer (never the invoking user's ~/.devscripts). */
export async function applyPlanToTree(tree: string, plan: SourcePlan, currentDistribution: string, maintainer?: { name: string; email: string }): Promise<void> {
  for (const args of dchArguments(plan, currentDistribution)) {
    const r = await execa('dch', ['--no-conf', ...args], {
      cwd: tree, reject: false, all: true,
      env: {
        LC_ALL: 'C.UTF-8', EDITOR: 'true', VISUAL: 'true',
        ...(maintainer ? { DEBFULLNAME: maintainer.name, DEBEMAIL: maintainer.email } : {}),
      },
    });
    if (r.exitCode !== 0) throw new PipelineError(`dch failed: ${String(r.all).trim().split('\n').pop()}`, { file: join(tree, 'debian/changelog'), exitCode: 1 });
  }
}

