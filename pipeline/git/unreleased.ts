/**
 * What is unreleased: the commits under packages/PKG/ since the DEP-14 tag of the version the
 * package holds in its current stage (the last one it reached) — what `gbp dch` would turn into
 * the next changelog entry. Merges are left out, and so are commits that only touch
 * debian/changelog (they are changelog entries already).
 */
import type { Workspace } from '../config/workspace.js';
import { dep14Tag } from './dep14.js';
import { headCommit, packageRepo } from './repo.js';
import { tagCommit } from './tags.js';

export interface UnreleasedCommit {
  commit: string;
  subject: string;
}

export interface Unreleased {
  /** The tag the commits are counted from (absent: from the first commit). */
  since?: string;
  /** Why there is no `since` when the package has a stage: the tag is missing. */
  note?: string;
  /** packages/PKG relative to the repository top. */
  path: string;
  /** Newest first. */
  commits: UnreleasedCommit[];
}

/**
 * Commits under packages/PKG/ since the tag of `landed` (the version in its current stage).
 * Undefined outside a git repository.
 */
export async function unreleasedCommits(ws: Workspace, pkg: string, landed?: string): Promise<Unreleased | undefined> {
  const where = await packageRepo(ws, pkg);
  if (!where) return undefined;
  const { repo, rel } = where;
  if (!(await headCommit(repo))) return { path: rel, commits: [] };
  const tag = landed ? dep14Tag(ws.config.vendor, landed) : undefined;
  const tagged = tag ? await tagCommit(repo, tag) : undefined;
  const range = tagged ? `${tagged}..HEAD` : 'HEAD';
  const out = await repo.git.raw(['log', '--no-merges', '--format=%x1e%H%x1f%s', '--name-only', range, '--', rel]);
  const changelog = `${rel}/debian/changelog`;
  const commits: UnreleasedCommit[] = [];
  for (const block of out.split('\x1e').slice(1)) {
    const [head = '', ...rest] = block.split('\n');
    const [commit = '', subject = ''] = head.split('\x1f');
    const files = rest.map((l) => l.trim()).filter(Boolean);
    if (files.length > 0 && files.every((f) => f === changelog)) continue;
    commits.push({ commit, subject });
  }
  return {
    path: rel, commits,
    ...(tagged ? { since: tag } : {}),
    ...(tag && !tagged ? { note: `no tag ${tag} for the version in its current stage: every commit counts` } : {}),
  };
}
