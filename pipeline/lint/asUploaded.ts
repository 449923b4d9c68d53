/**
 * `pipeline lint PKG --stage S` lints the source as stage S will upload it: the prepared tree
 * (upstream + packages/PKG/debian) with the stage's plan applied to debian/ by dch — its version,
 * distribution and changelog entry — the same scratch the promote's prepare step lints. Without
 * this a backport would be reported as "distribution trixie does not fit bookworm-backports",
 * which the promote never uploads.
 *
 * The scratch tree hard-links the cached upstream files (lint only reads them; same filesystem,
 * under the cache) and holds a real copy of debian/, which dch rewrites. Findings in
 * debian/changelog are mapped back to packages/PKG/debian/changelog: lines below the entry the
 * stage adds move up by its length; a finding inside that entry has no line there and says so.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { execa } from 'execa';
import type { Workspace } from '../config/workspace.js';
import { PipelineError } from '../errors.js';
import { applyPlanToTree } from '../stages/changelog.js';
import type { SourcePlan } from '../stages/plan.js';
import type { Finding } from '../state/records.js';

/** Lines of `<dir>/changelog` (a debian/ directory): before and after dch tell how long its new entry is. */
export const changelogLines = (debianDir: string): number => readFileSync(join(debianDir, 'changelog'), 'utf8').split('\n').length;

/** `fn` on a scratch copy of `tree` whose debian/ has `plan` applied; resolves to fn's result with findings mapped back. */
export async function lintAsUploaded<T extends { findings: Finding[] }>(
  ws: Workspace, tree: string, plan: SourcePlan, stageName: string, fn: (staged: string) => Promise<T>,
): Promise<T> {
  const parent = join(ws.cacheDir, 'trees', '.staged');
  mkdirSync(parent, { recursive: true });
  const scratch = mkdtempSync(join(parent, 'lint-'));
  try {
    const staged = join(scratch, basename(tree));
    const cp = await execa('cp', ['-al', '--', tree, staged], { reject: false });
    if (cp.exitCode !== 0) throw new PipelineError(`cannot stage a copy of the source tree: ${String(cp.stderr).trim()}`, { file: tree });
    rmSync(join(staged, 'debian'), { recursive: true, force: true });
    cpSync(join(tree, 'debian'), join(staged, 'debian'), { recursive: true });
    const before = changelogLines(join(staged, 'debian'));
    await applyPlanToTree(staged, plan, ws.config.maintainer);
    const added = changelogLines(join(staged, 'debian')) - before;
    const result = await fn(staged);
    return { ...result, findings: result.findings.map((f) => mapChangelogLine(f, added, stageName, plan.version)) };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** A debian/changelog finding's line in the maintainer's file, given `added` lines on top. */
export function mapChangelogLine(f: Finding, added: number, stageName: string, version: string): Finding {
  if (f.file !== 'debian/changelog' || !f.line || added <= 0) return f;
  if (f.line > added) return { ...f, line: f.line - added };
  const { line: _line, ...rest } = f;
  const where = `(in the ${version} entry the ${stageName} stage adds)`;
  return { ...rest, detail: f.detail ? `${f.detail} ${where}` : where };
}
