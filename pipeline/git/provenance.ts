/**
 * Which commit each record came from, against what HEAD holds now. A build, verdict or upload
 * whose packages/PKG/ tree differs from HEAD's is stale: it judged packaging that is no longer
 * what the repository says. A commit elsewhere in the repository (code, docs) leaves the
 * package's tree — and so its verdicts — as they were.
 *
 * HEAD's trees of every package come from one `git ls-tree` (reports over hundreds of packages).
 */
import type { Workspace } from '../config/workspace.js';
import type { GitRef } from '../state/records.js';
import { CLEAN_TREE_GATE } from './cleanTree.js';
import { headCommit, openRepo, repoPath } from './repo.js';

/** A record's commit as the report and status show it. */
export interface GitProvenance extends GitRef {
  /** True when HEAD's packages/PKG/ is not what it was built from. */
  stale?: boolean;
  /** HEAD's commit, when stale. */
  head?: string;
}

/**
 * HEAD's ref of each package directory under packages/: `(pkg) => { commit, tree }` (no tree for a
 * package never committed; undefined for all outside a repository).
 */
export async function packageHeads(ws: Workspace): Promise<(pkg: string) => GitRef | undefined> {
  const trees = new Map<string, string>();
  const repo = await openRepo(ws.packagesDir);
  const commit = repo && (await headCommit(repo));
  if (!repo || !commit) return () => undefined;
  const rel = repoPath(repo, ws.packagesDir);
  try {
    const listing = await repo.git.raw(['ls-tree', '-z', commit, '--', rel === '.' ? '.' : `${rel}/`]);
    for (const entry of listing.split('\0')) {
      const m = /^\d+ tree ([0-9a-f]+)\t(.+)$/.exec(entry);
      if (m) trees.set(m[2]!.split('/').pop()!, m[1]!);
    }
  } catch {
    // packages/ not committed at all: every package compares by commit
  }
  return (pkg) => {
    const tree = trees.get(pkg);
    return { commit, ...(tree ? { tree } : {}) };
  };
}

/** `recorded` with whether it is stale against `head` (HEAD's ref of the same package). */
export function provenance(recorded: GitRef | undefined, head: GitRef | undefined): GitProvenance | undefined {
  if (!recorded) return undefined;
  if (!head) return { ...recorded };
  const stale = recorded.tree && head.tree ? recorded.tree !== head.tree : recorded.commit !== head.commit;
  return { ...recorded, ...(stale ? { stale: true, head: head.commit } : {}) };
}

/** `{ git }` with staleness for a record's ref, `{}` without one: spread into a report row. */
export function gitOf(recorded: GitRef | undefined, head: GitRef | undefined): { git?: GitProvenance } {
  const p = provenance(recorded, head);
  return p ? { git: p } : {};
}

/** `abc1234` / `abc1234+dirty` / `abc1234 (stale: HEAD def5678 changed packages/PKG)` for text output. */
export function provenanceText(p: GitProvenance | undefined, pkg: string): string {
  if (!p) return '';
  const base = `${p.commit.slice(0, 7)}${p.dirty ? '+dirty' : ''}`;
  return p.stale ? `${base} (stale: HEAD ${p.head?.slice(0, 7) ?? '?'} changed packages/${pkg})` : base;
}

/**
 * ` @ abc1234` for a stage row of the report, with `+dirty (allowed by WHO: WHY)` when the upload
 * was let through the clean-tree gate, and the staleness; '' without a commit.
 */
export function stageGitText(s: { git?: GitProvenance; checks?: { check: string; verdict: string; waiver?: { by: string; reason: string } }[] }, pkg: string): string {
  if (!s.git) return '';
  const allowed = s.checks?.find((c) => c.check === CLEAN_TREE_GATE && c.verdict === 'waived')?.waiver;
  return ` @ ${provenanceText(s.git, pkg)}${allowed ? ` (allowed by ${allowed.by}: ${allowed.reason})` : ''}`;
}
