/**
 * `pipeline changelog PKG [--dry-run]`: the next debian/changelog entry drafted from the subjects
 * of the unreleased commits under packages/PKG/ (unreleased.ts), oldest first, as `gbp dch` does —
 * written by dch itself (tools/changelog.ts `draftChangelogEntry`): appended to an UNRELEASED top
 * entry, else a new UNRELEASED entry with dch's next version. `--dry-run` shows it and writes nothing.
 */
import { relative } from 'node:path';
import type { Workspace } from '../config/workspace.js';
import { loadPackage } from '../config/workspace.js';
import { PipelineError } from '../errors.js';
import { standPoint } from '../stages/promote.js';
import { draftChangelogEntry } from '../tools/changelog.js';
import { unreleasedCommits, type Unreleased } from './unreleased.js';

export interface ChangelogDraft {
  package: string;
  dryRun: boolean;
  /** packages/PKG/debian/changelog */
  file: string;
  unreleased: Unreleased;
  /** The bullets added (none: nothing unreleased, or all already in the UNRELEASED entry). */
  added: string[];
  version: string;
  distribution: string;
  /** The top entry as dch wrote it (or would write it). */
  entry: string;
  wrote: boolean;
}

export async function draftChangelog(ws: Workspace, pkg: string, options: { dryRun?: boolean } = {}): Promise<ChangelogDraft> {
  const loaded = loadPackage(ws, pkg);
  const file = relative(process.cwd(), `${loaded.debianDir}/changelog`) || `${loaded.debianDir}/changelog`;
  const stand = await standPoint(ws, pkg);
  const landed = stand.current ? stand.landed[stand.current] : undefined;
  const unreleased = await unreleasedCommits(ws, pkg, landed);
  if (!unreleased) throw new PipelineError(`packages/${pkg} is not in a git repository: there are no commits to draft an entry from`, { file });
  const maintainer = ws.config.maintainer;
  if (!maintainer) throw new PipelineError('no maintainer to sign the entry', { file: ws.configFile, key: 'maintainer', hint: 'add maintainer: { name, email } to pipeline.yaml' });
  const subjects = [...unreleased.commits].reverse().map((c) => c.subject);
  const d = await draftChangelogEntry(loaded.debianDir, subjects, maintainer, { write: !options.dryRun, displayName: file });
  return {
    package: pkg, dryRun: Boolean(options.dryRun), file, unreleased, added: d.added,
    version: d.top.version, distribution: d.top.distribution, entry: d.text, wrote: d.wrote,
  };
}

export function renderDraft(d: ChangelogDraft): string {
  const since = d.unreleased.since ? `since ${d.unreleased.since}` : 'in all history';
  const head = `${d.package}: ${d.unreleased.commits.length} unreleased commit${d.unreleased.commits.length === 1 ? '' : 's'} under ${d.unreleased.path}/ ${since}`;
  if (d.added.length === 0) return `${head}\n  nothing to add to ${d.file} (${d.version} ${d.distribution})`;
  const verb = d.dryRun ? 'would add' : 'added';
  return [head, `  ${verb} to ${d.file}:`, ...d.entry.split('\n').map((l) => `    | ${l}`.trimEnd()), ...(d.dryRun ? ['  (dry run: nothing written)'] : [])].join('\n');
}
