/**
 * DEP-14 release tags, as `gbp tag` makes them: one annotated tag per confirmed upload, named by
 * dep14.ts, on the commit the upload was built from, its message the changelog entries the upload
 * carries, signed with the pipeline's signing key (in its private GNUPGHOME) when there is one.
 *
 * Created once: a tag that already exists on the same commit is the same release (a run resumed
 * after a crash between tagging and journaling) and is left alone; one on another commit is an
 * error, never moved. The tagger is pipeline.yaml's maintainer, so a fresh CI clone without
 * user.name/user.email tags too.
 */
import type { Workspace } from '../config/workspace.js';
import { PipelineError } from '../errors.js';
import type { SigningKey } from '../archive/signing.js';
import { gitAt, type Repo } from './repo.js';

export interface TagResult {
  tag: string;
  commit: string;
  /** False when the tag already existed on that commit. */
  created: boolean;
  /** Fingerprint of the key that signed it (when this call signed it). */
  signedBy?: string;
}

/** The commit a tag points at (peeled), or undefined when there is no such tag. */
export async function tagCommit(repo: Repo, tag: string): Promise<string | undefined> {
  try {
    return (await repo.git.revparse(['--verify', '--quiet', `refs/tags/${tag}^{commit}`])).trim() || undefined;
  } catch {
    return undefined;
  }
}

function tagger(ws: Workspace): string[] {
  const m = ws.config.maintainer ?? { name: 'Pipeline', email: 'pipeline@localhost' };
  return [`user.name=${m.name}`, `user.email=${m.email}`];
}

/** Create `tag` on `commit` (annotated, signed with `key` when given); idempotent on the same commit. */
export async function createTag(ws: Workspace, repo: Repo, tag: string, commit: string, message: string, key?: SigningKey): Promise<TagResult> {
  const existing = await tagCommit(repo, tag);
  if (existing === commit) return { tag, commit, created: false };
  if (existing) {
    throw Object.assign(new PipelineError(`tag ${tag} already exists on ${existing.slice(0, 12)}, not on ${commit.slice(0, 12)} (the commit this upload was built from)`, {
      file: repo.top, exitCode: 1, hint: `look at git show ${tag}; delete it only if it was made by mistake`,
    }), { permanent: true as const });
  }
  const config = [...tagger(ws), 'gpg.format=openpgp', ...(key ? [] : ['tag.gpgSign=false'])];
  const git = gitAt(repo.top, { config, env: { ...process.env, ...(key ? { GNUPGHOME: key.gnupgHome } : {}) } });
  const sign = key ? ['-s', '-u', key.fingerprint] : ['-a'];
  try {
    await git.raw(['tag', ...sign, '--cleanup=whitespace', '-m', message, tag, commit]);
  } catch (e) {
    const why = String((e as Error).message).trim().split('\n').filter(Boolean).pop();
    throw new PipelineError(`git tag ${tag} failed: ${why}`, { file: repo.top, exitCode: 1 });
  }
  return { tag, commit, created: true, ...(key ? { signedBy: key.fingerprint } : {}) };
}

/**
 * Push tags to `remote` (a remote's name or a URL/path). A tag the remote already holds on the
 * same object is fine; one it holds elsewhere is refused by git and reported.
 */
export async function pushTags(repo: Repo, remote: string, tags: readonly string[]): Promise<void> {
  if (tags.length === 0) return;
  try {
    await repo.git.push(remote, undefined, tags.map((t) => `refs/tags/${t}:refs/tags/${t}`));
  } catch (e) {
    const lines = String((e as Error).message).trim().split('\n').filter(Boolean);
    const why = lines.find((l) => /rejected|error:|fatal:/.test(l)) ?? lines.pop();
    throw new PipelineError(`git push ${remote} ${tags.join(' ')} failed: ${why}`, { file: repo.top, exitCode: 1 });
  }
}
