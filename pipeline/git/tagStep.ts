/**
 * The promote lifecycle's `tag` step, after confirm: the upload's DEP-14 tag (`debian/V` or
 * `ubuntu/V` by the profile's vendor) on the commit its build was made from, annotated with the
 * changelog entries the .changes carries, signed with the signing key; then, with `promote --push
 * REMOTE`, pushed. A resumed run finds the tag it made before a crash and goes on (tags.ts).
 * Nothing to tag outside a git repository, and nothing for an upload built from uncommitted changes
 * (`--allow-dirty`): the tag would claim a commit the upload does not match.
 */
import { parseDeb822File, multilineValue } from '../debian/deb822.js';
import type { Workspace } from '../config/workspace.js';
import { PipelineError } from '../errors.js';
import { findSigningKey } from '../archive/signing.js';
import { faultPoint } from '../state/faults.js';
import type { BuildRecord, PublishRecord } from '../state/records.js';
import { dep14Tag } from './dep14.js';
import { openRepo, type GitRef } from './repo.js';
import { createTag, pushTags } from './tags.js';

export interface TagOutput {
  tag?: string;
  commit?: string;
  /** False when the tag was already there (a resumed run). */
  created?: boolean;
  signedBy?: string;
  /** The remote the tag was pushed to. */
  pushed?: string;
  /** Why no tag was made. */
  skipped?: string;
  /** A dry run's plan: the tag the upload would get (and the remote it would be pushed to). */
  planned?: boolean;
}

export interface TagInput {
  ws: Workspace;
  pkg: string;
  build: BuildRecord & { git?: GitRef };
  published: PublishRecord;
  /** The signed .changes of the upload (its Changes field is the tag message). */
  changesPath: string;
  push?: string;
}

/** The changelog entries an upload carries: its .changes' Changes field, as text. */
export function changesText(changesPath: string): string {
  const field = parseDeb822File(changesPath).paragraphs[0]?.get('Changes');
  if (!field) return '';
  const lines = multilineValue(field);
  while (lines.length && lines[0]!.trim() === '') lines.shift();
  return lines.join('\n').trimEnd();
}

export function tagMessage(ws: Workspace, source: string, version: string, changes: string): string {
  const vendor = ws.config.vendor === 'ubuntu' ? 'Ubuntu' : 'Debian';
  return `${source} ${vendor} release ${version}${changes ? `\n\n${changes}` : ''}\n`;
}

export async function tagUpload(input: TagInput): Promise<TagOutput> {
  const { ws, build, published } = input;
  const ref = build.git;
  const none = (skipped: string): TagOutput => {
    if (input.push) throw Object.assign(new PipelineError(`--push ${input.push}: nothing to push, ${skipped}`, { exitCode: 1 }), { permanent: true as const });
    return { skipped };
  };
  if (!ref) return none('the package is not in a git repository');
  if (ref.dirty) return none(`${build.version} was built from uncommitted changes (--allow-dirty): not tagged`);
  const repo = await openRepo(ws.packagesDir);
  if (!repo) return none('the package is not in a git repository');
  const tag = dep14Tag(ws.config.vendor, published.version);
  const message = tagMessage(ws, build.package, published.version, changesText(input.changesPath));
  const key = await findSigningKey(ws);
  const made = await createTag(ws, repo, tag, ref.commit, message, key);
  faultPoint('git.after-tag');
  if (input.push) await pushTags(repo, input.push, [tag]);
  return { tag, commit: ref.commit, created: made.created, ...(made.signedBy ? { signedBy: made.signedBy } : {}), ...(input.push ? { pushed: input.push } : {}) };
}
