/**
 * The git repository a package's packaging lives in, through simple-git (never a git command line
 * by hand). `packages/PKG/` is usually committed in the repository around the workspace; a
 * workspace outside any repository (a temporary copy, a tarball) has no git record, and every
 * git-based check says "not applicable" there instead of failing.
 *
 *   const repo = await openRepo(dir)            // undefined: not in a git repository (or no commit yet)
 *   await packageRef(ws, 'zookeeper')           // { commit, tree, dirty? } of packages/zookeeper
 *   await dirtyFiles(repo, 'packages/zookeeper') // uncommitted and untracked files under it
 */
import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import type { Workspace } from '../config/workspace.js';
import { loadPackage } from '../config/workspace.js';
import type { GitRef } from '../state/records.js';

export type { GitRef };

export interface Repo {
  git: SimpleGit;
  /** The repository's top-level directory. */
  top: string;
}

/**
 * The environment git runs with: ours plus `extra` (GNUPGHOME for signed tags), minus what
 * simple-git's guards refuse to pass on — GIT_* variables and the editor/pager/askpass hooks a
 * non-interactive run has no use for.
 */
export function gitEnv(extra: Record<string, string> = {}, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    const key = k.toLowerCase();
    if (v === undefined || key.startsWith('git_') || GUARDED.has(key)) continue;
    out[k] = v;
  }
  // No optional locks: `git status` must not refresh .git/index (a dry run writes nothing at all).
  return { ...out, LC_ALL: 'C', LANGUAGE: '', GIT_OPTIONAL_LOCKS: '0', ...extra };
}
const GUARDED = new Set(['editor', 'visual', 'pager', 'prefix', 'ssh_askpass']);

/** A simple-git instance rooted at `dir` (untranslated messages, paths unquoted). */
export function gitAt(dir: string, options: { env?: NodeJS.ProcessEnv; config?: string[] } = {}): SimpleGit {
  return simpleGit({ baseDir: dir, config: ['core.quotePath=false', ...(options.config ?? [])], allowEnvironment: ['GIT_OPTIONAL_LOCKS'] }).env(gitEnv({}, options.env));
}

/** The repository holding `dir`, or undefined (not a repository, no git, no commit yet). */
export async function openRepo(dir: string, env: NodeJS.ProcessEnv = process.env): Promise<Repo | undefined> {
  if (!existsSync(dir)) return undefined;
  const git = gitAt(dir, { env });
  try {
    if (!(await git.checkIsRepo())) return undefined;
    const top = (await git.revparse(['--show-toplevel'])).trim();
    return { git: gitAt(top, { env }), top };
  } catch {
    return undefined; // git missing, or a repository git refuses to read (ownership): no git record
  }
}

/** HEAD's commit, or undefined in a repository without commits. */
export async function headCommit(repo: Repo): Promise<string | undefined> {
  try {
    return (await repo.git.revparse(['--verify', '--quiet', 'HEAD^{commit}'])).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** `path` (absolute) relative to the repository top, with forward slashes. */
export function repoPath(repo: Repo, path: string): string {
  return relative(repo.top, resolve(path)).split('\\').join('/') || '.';
}

/** The tree hash of `rel` in `commit` (undefined when it is not in that commit). */
export async function treeOf(repo: Repo, commit: string, rel: string): Promise<string | undefined> {
  try {
    return (await repo.git.revparse(['--verify', '--quiet', `${commit}:${rel === '.' ? '' : rel}`])).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Uncommitted (staged or not) and untracked files under `rel`, relative to the repository top. */
export async function dirtyFiles(repo: Repo, rel: string): Promise<string[]> {
  const st = await repo.git.status(['--untracked-files=all', '--', rel]);
  const names = st.files.map((f) => f.path);
  for (const r of st.renamed) names.push(r.from);
  return [...new Set(names)].sort();
}

/** The package's directory in its repository, or undefined outside one. */
export async function packageRepo(ws: Workspace, pkg: string): Promise<{ repo: Repo; rel: string } | undefined> {
  const dir = loadPackage(ws, pkg).dir;
  const repo = await openRepo(dir);
  return repo ? { repo, rel: repoPath(repo, dir) } : undefined;
}

/** What packages/PKG/ is at now: HEAD's commit, the package's tree in it, and whether it has local changes. */
export async function packageRef(ws: Workspace, pkg: string): Promise<GitRef | undefined> {
  const where = await packageRepo(ws, pkg);
  if (!where) return undefined;
  const commit = await headCommit(where.repo);
  if (!commit) return undefined;
  const tree = await treeOf(where.repo, commit, where.rel);
  const dirty = (await dirtyFiles(where.repo, where.rel)).length > 0;
  return { commit, ...(tree ? { tree } : {}), ...(dirty ? { dirty: true } : {}) };
}

/** `{ git }` when there is a ref, `{}` otherwise: spread into a record. */
export const gitField = (git: GitRef | undefined): { git?: GitRef } => (git ? { git } : {});

/** `abc1234` (and ` +dirty`) for a text line. */
export function shortRef(git: GitRef | undefined): string {
  return git ? `${git.commit.slice(0, 7)}${git.dirty ? '+dirty' : ''}` : '';
}
