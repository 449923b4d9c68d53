/**
 * `promote --push REMOTE`: the run's DEP-14 tags go to REMOTE (a remote's name, or a URL or path
 * such as a bare repository). Checked before anything runs — the package must be in a git
 * repository and REMOTE must name something — so a typo is one error line, not a failed run after
 * an upload. A promote with nothing left to do still pushes the tags of the stages reached.
 */
import type { Workspace } from '../config/workspace.js';
import { PipelineError } from '../errors.js';
import { dep14Tag } from './dep14.js';
import { packageRepo, type Repo } from './repo.js';
import type { TagOutput } from './tagStep.js';
import { pushTags, tagCommit } from './tags.js';

/** The package's repository, when `remote` can be pushed to from it; a PipelineError otherwise. */
export async function requireRepoForPush(ws: Workspace, pkg: string, remote: string): Promise<Repo> {
  const where = await packageRepo(ws, pkg);
  if (!where) throw new PipelineError(`--push ${remote}: packages/${pkg} is not in a git repository, so there are no tags to push`);
  if (!remote.trim() || remote.startsWith('-')) throw new PipelineError(`--push: not a remote: ${JSON.stringify(remote)}`);
  const names = (await where.repo.git.getRemotes()).map((r) => r.name);
  const looksLikeUrl = /[/:]/.test(remote) || remote.startsWith('.');
  if (!names.includes(remote) && !looksLikeUrl) {
    throw new PipelineError(`--push ${remote}: no such remote (remotes: ${names.join(', ') || 'none'})`, { hint: 'name a remote, or give a URL or a path' });
  }
  return where.repo;
}

/** Push the existing DEP-14 tags of the versions a package holds in its stages; returns them. */
export async function pushLandedTags(ws: Workspace, pkg: string, landed: readonly string[], remote: string): Promise<string[]> {
  const repo = await requireRepoForPush(ws, pkg, remote);
  const tags: string[] = [];
  for (const version of landed) {
    const tag = dep14Tag(ws.config.vendor, version);
    if (await tagCommit(repo, tag)) tags.push(tag);
  }
  await pushTags(repo, remote, tags);
  return tags;
}

/** A dry run's plan: the tag each stage's upload would get after confirm (only inside a git repository). */
export async function planTags(ws: Workspace, pkg: string, reports: { version: string; tag?: TagOutput }[], push?: string): Promise<void> {
  if (!(await packageRepo(ws, pkg))) return;
  for (const r of reports) r.tag = { tag: dep14Tag(ws.config.vendor, r.version), planned: true, ...(push ? { pushed: push } : {}) };
}
