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

/**
 * dch arguments applying a plan to a tree whose top entry has `currentDistribution`. Empty when
 * nothing changes. What dch does with an existing entry (devscripts 2.23, checked against
 * dpkg-parsechangelog in changelog.test.ts):
 *   - a new entry: `--newversion V --distribution D --force-distribution` (backportpackage's way);
 *   - an UNRELEASED entry: `--release --distribution D` releases it to D (date and trailer renewed);
 *   - an entry already released to another distribution: `--release` keeps the old distribution
 *     ("ignoring distribution passed to --release as changelog has already been released"), so
 *     `--append` with an empty text, which sets `--distribution` on the current entry and leaves
 *     its text and trailer alone. `--no-multimaint` keeps dch from adding a `[ Name ]` header
 *     when the workspace's maintainer is not the entry's.
 */
export function dchArguments(plan: SourcePlan, currentDistribution: string): string[][] {
  if (plan.newEntry) {
    return [['--newversion', plan.version, '--distribution', plan.distribution, '--force-distribution', '--force-bad-version', '--', plan.message]];
  }
  if (currentDistribution === plan.distribution) return [];
  const how = currentDistribution === 'UNRELEASED' ? '--release' : '--append';
  return [[how, '--no-multimaint', '--distribution', plan.distribution, '--force-distribution', '--', '']];
}

/**
 * Run dch in `tree` as the workspace's maintainer (never the invoking user's ~/.devscripts), from
 * what the tree's changelog really says (dpkg-parsechangelog), and check the result the same way:
 * the top entry has the plan's version and distribution whichever builder prepared the tree.
 */
export async function applyPlanToTree(tree: string, plan: SourcePlan, maintainer?: { name: string; email: string }): Promise<void> {
  const file = join(tree, 'debian', 'changelog');
  const before = await readChangelog(file);
  for (const args of dchArguments(plan, before.distribution)) {
    const r = await execa('dch', ['--no-conf', ...args], {
      cwd: tree, reject: false, all: true, stdin: 'ignore',
      env: {
        LC_ALL: 'C.UTF-8', EDITOR: 'true', VISUAL: 'true',
        ...(maintainer ? { DEBFULLNAME: maintainer.name, DEBEMAIL: maintainer.email } : {}),
      },
    });
    if (r.exitCode !== 0) throw new PipelineError(`dch failed: ${String(r.all).trim().split('\n').pop()}`, { file, exitCode: 1 });
  }
  const after = await readChangelog(file);
  if (after.version !== plan.version || after.distribution !== plan.distribution) {
    throw new PipelineError(`dch left the top entry at ${after.version} ${after.distribution}, not the stage's ${plan.version} ${plan.distribution}`, { file, exitCode: 1 });
  }
}
