/**
 * The clean-tree gate (as `gbp buildpackage` refuses a dirty tree): an upload is built from
 * `packages/PKG/` as committed, so uncommitted or untracked changes there block a real promote,
 * naming the files. `promote --allow-dirty --reason R` waives it (recorded with who and why, like
 * any waiver); a dry run shows the verdict without being blocked by it. Outside a git repository
 * there is nothing to compare with: the gate passes as not applicable and says so.
 */
import type { Workspace } from '../config/workspace.js';
import type { GateVerdict } from '../state/records.js';
import { dirtyFiles, headCommit, packageRepo } from './repo.js';

export const CLEAN_TREE_GATE = 'clean-tree';

/** How many files a verdict names before it says "and N more". */
const NAMED = 8;

export async function cleanTreeGate(ws: Workspace, pkg: string): Promise<GateVerdict> {
  const gate = CLEAN_TREE_GATE;
  const where = await packageRepo(ws, pkg);
  if (!where) return { gate, verdict: 'pass', reason: 'not applicable: not in a git repository' };
  const { repo, rel } = where;
  const head = await headCommit(repo);
  const files = await dirtyFiles(repo, rel);
  if (files.length === 0) {
    return head
      ? { gate, verdict: 'pass', reason: `${rel}/ is clean at ${head.slice(0, 12)}` }
      : { gate, verdict: 'blocked', reason: `${rel}/ is in a git repository without any commit`, fix: `git add ${rel} && git commit` };
  }
  const named = files.slice(0, NAMED).join(', ') + (files.length > NAMED ? ` and ${files.length - NAMED} more` : '');
  return {
    gate, verdict: 'blocked',
    reason: `uncommitted changes under ${rel}/: ${named}`,
    fix: `commit them (git add ${rel} && git commit), or pipeline promote ${pkg} --allow-dirty --reason "..."`,
  };
}
