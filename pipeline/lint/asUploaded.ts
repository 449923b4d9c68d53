/**
 * `pipeline lint PKG --stage S` lints the source as stage S will upload it: the prepared tree
 * (upstream + packages/PKG/debian) with the stage's plan applied to debian/ by dch — its version,
 * distribution and changelog entry — the same scratch the promote's prepare step lints. Without
 * this a backport would be reported as "distribution trixie does not fit bookworm-backports",
 * which the promote never uploads.
 *
 * The scratch tree hard-links the cached upstream files (lint only reads them; same filesystem,
 * under the cache) and holds prepare's staged debian/ (withStageDebianDir). Findings in
 * debian/changelog are mapped back to packages/PKG/debian/changelog: lines below the entry the
 * stage adds move up by its length; a finding inside that entry has no line there and says so.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { execa } from 'execa';
import type { Workspace } from '../config/workspace.js';
import { PipelineError } from '../errors.js';
import type { StagePlan } from '../stages/plan.js';
import { mapChangelogLine, withStageDebianDir } from '../stages/prelint.js';
import type { Finding } from '../state/records.js';

/** `fn` on a scratch copy of package `pkg`'s `tree` whose debian/ has `plan` applied; resolves to fn's result with findings mapped back. */
export async function lintAsUploaded<T extends { findings: Finding[] }>(
  ws: Workspace, pkg: string, tree: string, plan: StagePlan, stageName: string, fn: (staged: string) => Promise<T>,
): Promise<T> {
  // dch runs on prepare's scratch debian/ (stages/prelint.ts); the upstream files are hard-linked.
  return withStageDebianDir(ws, pkg, plan, async (stagedDebian, added) => {
    const parent = join(ws.cacheDir, 'trees', '.staged');
    mkdirSync(parent, { recursive: true });
    const scratch = mkdtempSync(join(parent, 'lint-'));
    try {
      const staged = join(scratch, basename(tree));
      const cp = await execa('cp', ['-al', '--', tree, staged], { reject: false });
      if (cp.exitCode !== 0) throw new PipelineError(`cannot stage a copy of the source tree: ${String(cp.stderr).trim()}`, { file: tree });
      rmSync(join(staged, 'debian'), { recursive: true, force: true });
      cpSync(join(stagedDebian, 'debian'), join(staged, 'debian'), { recursive: true });
      const result = await fn(staged);
      return { ...result, findings: result.findings.map((f) => mapChangelogLine(f, added, stageName, plan.version)) };
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
}
