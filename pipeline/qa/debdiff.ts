/**
 * The `debdiff` QA check: the upload's source and binaries compared with what the target holds now
 * (else the previous stage's upload, else what the series ships: pipeline/qa/baseline.ts), by the
 * real debdiff. The full diffs stay in the check's work directory (source.debdiff, binary.debdiff);
 * the summary (files added/removed/changed in the source, per binary package the files added and
 * removed and the Depends/Pre-Depends/Breaks/Replaces/Provides items added and removed) goes into
 * the verdict's details and reason.
 *
 * What blocks (when the stage's severity is `block`; the default `warn` records it as waived), as a
 * careful maintainer reads a debdiff before an upload:
 *   - a binary package the baseline had and this upload drops, unless the new changelog entries
 *     name it (users who have it installed keep an orphan; it needs a transitional package or a
 *     removal request, and at least a word in the changelog);
 *   - files that disappear from a binary package (not moved to another package of the upload),
 *     unless the new changelog entries name the file (its name or its path).
 * Everything else (files added, source changes, dependency changes) is reported, never blocks:
 * upgrade-path and installability judge their effect. Binaries built for another series (a backport
 * compared with the devel stage's upload) are reported and not judged: a rebuild against another
 * toolchain renames files (Python ABI tags, library sonames) without anything being dropped.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { execa } from 'execa';
import { builderSuite } from '../config/workspace.js';
import type { QaCheck, QaContext, QaOutcome } from './check.js';
import { qaDeclaration } from './checks.js';
import { debPaths, findBaseline, type Baseline } from './baseline.js';
import { compareDebs, inspectDeb, type BinaryChanges } from './debInspect.js';
import { parseSourceDebdiff, type SourceChanges } from './sourceDiff.js';

/** Lists in the JSON details are cut here (the full diff is in the work directory). */
const LIST_LIMIT = 100;

export interface DebdiffSummary {
  against: { version: string; from: string; dsc: string };
  source: { added: string[]; removed: string[]; changed: string[]; counts: { added: number; removed: number; changed: number } };
  /** Absent when one side has no binaries to compare (`binariesNote` says which). */
  binaries?: BinaryChanges;
  binariesNote?: string;
  /** False when the two sets of .debs were built for different series: reported, not judged. */
  binariesJudged?: boolean;
  /** What blocks (or would, under severity block). */
  problems: string[];
  diffs: { source: string; binary?: string };
}

/** Run debdiff with its output into `file`; exit 0 (no difference) and 1 (differences) are results. */
async function runDebdiff(args: string[], file: string): Promise<{ ok: boolean; error?: string }> {
  // Straight into the file: a new upstream version's diff can be far bigger than a buffer should be.
  const r = await execa('debdiff', args, { reject: false, env: { LC_ALL: 'C.UTF-8' }, stdout: { file } });
  if (r.exitCode === 0 || r.exitCode === 1) return { ok: true };
  const line = String(r.stderr).split('\n').map((l) => l.trim()).filter((l) => l && !/warning: extracting unsigned/.test(l)).pop();
  return { ok: false, error: line ?? `exit ${r.exitCode}` };
}

const cut = <T>(xs: T[]) => xs.slice(0, LIST_LIMIT);

/** The binary changes with every list cut to LIST_LIMIT (judged before the cut). */
function capped(b: BinaryChanges): BinaryChanges {
  return {
    ...b,
    files: Object.fromEntries(Object.entries(b.files).map(([p, f]) => [p, { added: cut(f.added), removed: cut(f.removed), ...(f.added.length > LIST_LIMIT || f.removed.length > LIST_LIMIT ? { counts: { added: f.added.length, removed: f.removed.length } } : {}) }])),
    moved: cut(b.moved),
  };
}

/** Whether the new changelog entries name `word` (a package, a file's name or path). */
function mentioned(changelog: string, word: string): boolean {
  return word.length > 1 && changelog.toLowerCase().includes(word.toLowerCase());
}

export function judgeChanges(source: SourceChanges, bin: BinaryChanges | undefined): string[] {
  const changelog = source.changelogAdded.join('\n');
  const problems: string[] = [];
  for (const p of bin?.droppedPackages ?? []) {
    if (!mentioned(changelog, p)) problems.push(`binary package ${p} dropped (the new changelog entries do not mention it)`);
  }
  for (const [pkg, f] of Object.entries(bin?.files ?? {})) {
    if (bin?.droppedPackages.includes(pkg)) continue;
    const silent = f.removed.filter((file) => !mentioned(changelog, basename(file)) && !mentioned(changelog, file.replace(/^\//, '')));
    if (silent.length) problems.push(`${silent.length} file${silent.length === 1 ? '' : 's'} gone from ${pkg} without a changelog mention: ${silent.slice(0, 3).join(', ')}${silent.length > 3 ? ', …' : ''}`);
  }
  return problems;
}

/** The one-line summary: `source +1 -0 ~3 files; hello-native +1 -0 files, Depends +bash (>= 5); hello-extra dropped`. */
export function summaryLine(s: Pick<DebdiffSummary, 'source' | 'binaries' | 'binariesNote'>): string {
  const c = s.source.counts;
  const parts = [`source +${c.added} -${c.removed} ~${c.changed} file${c.added + c.removed + c.changed === 1 ? '' : 's'}`];
  const b = s.binaries;
  if (!b) parts.push(`binaries not compared (${s.binariesNote ?? 'none'})`);
  else {
    const pkgs = [...new Set([...Object.keys(b.files), ...Object.keys(b.relations)])].sort();
    for (const p of pkgs) {
      const bits: string[] = [];
      const f = b.files[p];
      if (f && !b.droppedPackages.includes(p)) bits.push(`+${f.added.length} -${f.removed.length} files`);
      for (const [field, d] of Object.entries(b.relations[p] ?? {})) {
        bits.push(`${field} ${[...d.added.map((x) => `+${x}`), ...d.removed.map((x) => `-${x}`)].join(' ')}`);
      }
      if (bits.length) parts.push(`${p} ${bits.join(', ')}`);
    }
    if (b.moved.length) parts.push(`${b.moved.length} file${b.moved.length === 1 ? '' : 's'} moved between packages`);
    if (b.addedPackages.length) parts.push(`new binary package${b.addedPackages.length === 1 ? '' : 's'} ${b.addedPackages.join(', ')}`);
    if (b.droppedPackages.length) parts.push(`dropped ${b.droppedPackages.join(', ')}`);
    if (pkgs.length === 0 && !b.moved.length && !b.addedPackages.length && !b.droppedPackages.length) parts.push('binaries: same files and relations');
    if (s.binariesNote) parts.push(`binaries ${s.binariesNote}`);
  }
  return parts.join('; ');
}

async function compareBinaries(ctx: QaContext, base: Baseline): Promise<{ changes?: BinaryChanges; note?: string; diff?: string }> {
  const now = debPaths(ctx.ws, ctx.build);
  if (!now.length) return { note: 'this build left no .debs' };
  if (!base.debs.length) return { note: `no .debs of ${base.version} found` };
  const diff = join(ctx.workDir, 'binary.debdiff');
  const r = await runDebdiff(['--from', ...base.debs, '--to', ...now], diff);
  if (!r.ok) return { note: `debdiff of the .debs failed: ${r.error}` };
  const [before, after] = await Promise.all([Promise.all(base.debs.map(inspectDeb)), Promise.all(now.map(inspectDeb))]);
  return { changes: compareDebs(before, after), diff };
}

export async function runDebdiffCheck(ctx: QaContext): Promise<QaOutcome> {
  mkdirSync(ctx.workDir, { recursive: true });
  const base = await findBaseline({ ws: ctx.ws, pkg: ctx.pkg, stage: ctx.stage, plan: ctx.plan, downloadDir: join(ctx.workDir, 'baseline') });
  if ('none' in base) return { verdict: 'not-applicable', reason: `nothing to compare with: ${base.none}` };
  const sourceDiff = join(ctx.workDir, 'source.debdiff');
  const src = await runDebdiff([base.dsc, ctx.upload.dsc.path], sourceDiff);
  if (!src.ok) return { verdict: 'blocked', reason: `debdiff of ${basename(base.dsc)} and ${basename(ctx.upload.dsc.path)} failed: ${src.error}`, log: sourceDiff };
  const source = parseSourceDebdiff(readFileSync(sourceDiff, 'utf8'));
  const bin = await compareBinaries(ctx, base);
  const builtIn = builderSuite(ctx.stage);
  const judged = !bin.changes || !base.debsBuiltIn || base.debsBuiltIn === builtIn;
  const problems = judgeChanges(source, judged ? bin.changes : undefined);
  const summary: DebdiffSummary = {
    against: { version: base.version, from: base.from, dsc: base.dsc },
    source: {
      added: cut(source.added), removed: cut(source.removed), changed: cut(source.changed),
      counts: { added: source.added.length, removed: source.removed.length, changed: source.changed.length },
    },
    ...(bin.changes ? { binaries: capped(bin.changes) } : {}),
    ...(bin.note ? { binariesNote: bin.note } : {}),
    ...(judged ? {} : { binariesJudged: false, binariesNote: `built in ${base.debsBuiltIn}, this build in ${builtIn}: reported, not judged` }),
    problems,
    diffs: { source: sourceDiff, ...(bin.diff ? { binary: bin.diff } : {}) },
  };
  const line = `against ${base.version} (${base.from}): ${summaryLine(summary)}`;
  const details = summary as unknown as Record<string, unknown>;
  if (problems.length) {
    return {
      verdict: 'blocked', reason: `${problems.join('; ')} — ${line}`, log: bin.diff ?? sourceDiff, details,
      todo: 'keep the package or file (a transitional package, Breaks/Replaces for a move), or say why it goes in debian/changelog',
    };
  }
  return { verdict: 'pass', reason: line, log: sourceDiff, details };
}

export const debdiffCheck: QaCheck = { ...qaDeclaration('debdiff')!, run: runDebdiffCheck };
