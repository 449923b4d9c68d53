/**
 * debian/changelog through Debian's own tools: read with `dpkg-parsechangelog`, written with `dch`
 * (never by pasting text into the file).
 *
 *   await readChangelog('packages/zookeeper/debian/changelog')          // top entry
 *   await readChangelogEntries(path)                                    // every entry, newest first
 *   await changelogVersions(path)                                       // ['3.9.3-2', '3.9.3-1+deb13u1', ...]
 *   await addChangelogEntry('packages/zookeeper/debian', {
 *     version: '3.9.3-2~bpo12+1', distribution: 'bookworm-backports',
 *     message: 'No-change backport to bookworm.',
 *     maintainer: { name: 'Jane', email: 'jane@example.org' }, date: ws.now })
 *
 * dpkg-parsechangelog only *warns* about a malformed changelog (bad heading, bad trailer, invalid
 * version) and goes on with "unknown" values; every such warning is an error here, reported as
 * FILE:LINE with dpkg's wording. addChangelogEntry runs dch on a scratch copy and replaces the
 * file atomically once the result reads back correctly: nothing is half-written.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { execa } from 'execa';
import writeFileAtomic from 'write-file-atomic';
import { multilineValue, parseDeb822 } from '../debian/deb822.js';
import { answerKey, cachedAnswer, rememberAnswer, type ToolAnswer } from './changelogCache.js';
import { parseVersion } from '../debian/version.js';
import { PipelineError } from '../errors.js';

export interface ChangelogEntry {
  source: string;
  version: string;
  distribution: string;
  urgency: string;
  /** `Name <email>` as in the trailer. */
  maintainer: string;
  /** RFC 2822 date as in the trailer. */
  date: string;
  /** Seconds since the epoch (dpkg-parsechangelog's Timestamp). */
  timestamp: number;
  /** Bug numbers from `Closes: #N`. */
  closes: string[];
  /** The entry's body as written (lines between heading and trailer, blank lines trimmed at both ends). */
  changes: string;
}

export interface ReadOptions {
  /** The name errors use (e.g. `packages/zookeeper/debian/changelog`); default the path. */
  displayName?: string;
}

const TOOL_ENV = { LC_ALL: 'C.UTF-8', TZ: 'UTC' };

/** FILE(lN): message → { line, message } for dpkg-parsechangelog's located warnings. */
function firstLocatedWarning(stderr: string): { line: number; message: string } | undefined {
  for (const l of stderr.split('\n')) {
    const m = /^dpkg-parsechangelog: (?:warning|error): +\S.*?\(l(\d+)\): (.*)$/.exec(l);
    if (m) return { line: Math.max(1, Number(m[1])), message: m[2]!.trim() };
  }
  return undefined;
}

/** Runs dpkg-parsechangelog; malformed input (even only warned about) is a PipelineError. */
async function parsechangelog(path: string, args: string[], display: string): Promise<string> {
  if (!existsSync(path)) throw new PipelineError('no such changelog', { file: display });
  if (statSync(path).isDirectory()) throw new PipelineError('is a directory, not a changelog', { file: display });
  // Same bytes, same arguments, same tool: the same answer (changelogCache.ts), without ~0.2 s of Perl.
  const key = answerKey('dpkg-parsechangelog', args, readFileSync(path));
  let r: ToolAnswer | undefined = key ? cachedAnswer(key) : undefined;
  if (!r) {
    const run = await execa('dpkg-parsechangelog', ['-l', path, ...args], { reject: false, env: TOOL_ENV, stdin: 'ignore' });
    if (run.failed && run.exitCode === undefined) {
      throw new PipelineError(`cannot run dpkg-parsechangelog: ${run.shortMessage}`, { file: display, hint: 'install dpkg-dev' });
    }
    r = { exitCode: run.exitCode ?? 1, stdout: run.stdout, stderr: run.stderr };
    // Only clean answers: a warning or error names the path, which another copy of the bytes lacks.
    if (key && r.exitCode === 0 && !r.stderr) rememberAnswer(key, r);
  }
  const located = firstLocatedWarning(r.stderr);
  if (located) throw new PipelineError(`malformed changelog: ${located.message}`, { file: display, line: located.line });
  if (r.exitCode !== 0) {
    const why = r.stderr.split('\n').find((l) => /error:/.test(l)) ?? r.stderr.trim().split('\n').pop() ?? `exit ${r.exitCode}`;
    throw new PipelineError(`dpkg-parsechangelog cannot read it: ${why.replace(/^dpkg-parsechangelog:\s*(error:\s*)?/, '')}`, { file: display });
  }
  return r.stdout;
}

function toEntries(rfc822: string, display: string): ChangelogEntry[] {
  const doc = parseDeb822(rfc822, { file: `${display} (dpkg-parsechangelog output)`, strict: true });
  return doc.paragraphs.map((p) => {
    const changesField = p.get('Changes');
    // Changes = heading line, '', body lines: keep the body.
    const lines = changesField ? multilineValue(changesField).slice(1) : [];
    if (lines.length && /^\S+ \(/.test(lines[0]!)) lines.shift();
    while (lines.length && lines[0]!.trim() === '') lines.shift();
    while (lines.length && lines[lines.length - 1]!.trim() === '') lines.pop();
    return {
      source: p.value('Source') ?? '',
      version: p.value('Version') ?? '',
      distribution: p.value('Distribution') ?? '',
      urgency: p.value('Urgency') ?? '',
      maintainer: p.value('Maintainer') ?? '',
      date: p.value('Date') ?? '',
      timestamp: Number(p.value('Timestamp') ?? 'NaN'),
      closes: (p.value('Closes') ?? '').split(/\s+/).filter(Boolean),
      changes: lines.join('\n'),
    };
  });
}

/** The top entry (`dpkg-parsechangelog -l PATH`). */
export async function readChangelog(path: string, options: ReadOptions = {}): Promise<ChangelogEntry> {
  const display = options.displayName ?? path;
  const entries = toEntries(await parsechangelog(path, ['--count', '1'], display), display);
  const top = entries[0];
  if (!top || !top.source || !top.version) throw new PipelineError('changelog has no Source/Version in its top entry', { file: display });
  return top;
}

/**
 * Entries newest first: all of them (`--all`), the first `count`, or those newer than `since`
 * (dpkg-parsechangelog --since: strictly greater versions, as the .changes of an upload covers).
 */
export async function readChangelogEntries(path: string, options: ReadOptions & { count?: number; since?: string } = {}): Promise<ChangelogEntry[]> {
  const display = options.displayName ?? path;
  const args = ['--format', 'rfc822'];
  if (options.since !== undefined) {
    parseVersion(options.since, { key: 'since' });
    args.push('--since', options.since);
  }
  else if (options.count !== undefined) args.push('--count', String(options.count));
  else args.push('--all');
  return toEntries(await parsechangelog(path, args, display), display);
}

/** Every version the changelog names, newest first. */
export async function changelogVersions(path: string, options: ReadOptions = {}): Promise<string[]> {
  return (await readChangelogEntries(path, options)).map((e) => e.version);
}

/** One field of the top entry (`dpkg-parsechangelog -S FIELD`), e.g. 'Version', 'Distribution'. */
export async function changelogField(path: string, field: string, options: ReadOptions = {}): Promise<string> {
  const display = options.displayName ?? path;
  return (await parsechangelog(path, ['-S', field], display)).trim();
}

export interface NewChangelogEntry {
  version: string;
  distribution: string;
  /** One bullet, or several (each its own `*` item). */
  message: string | string[];
  maintainer: { name: string; email: string };
  urgency?: string;
  /** The entry's date (written in UTC); default now. Needs `faketime` (scripts/setup.sh installs it). */
  date?: Date;
}

/** `debian/` dir, a source tree (containing debian/), or the changelog file itself → the changelog path. */
export function changelogPathOf(target: string): string {
  if (existsSync(target) && statSync(target).isDirectory()) {
    if (existsSync(join(target, 'changelog')) || basename(target) === 'debian') return join(target, 'changelog');
    return join(target, 'debian', 'changelog');
  }
  return target;
}

function validateEntry(e: NewChangelogEntry, display: string): string[] {
  parseVersion(e.version, { file: display, key: 'version' });
  const bad = (what: string, why: string) => new PipelineError(`cannot add a changelog entry: ${what} ${why}`, { file: display });
  if (!/^[A-Za-z0-9][A-Za-z0-9.+-]*$/.test(e.distribution)) throw bad(`distribution '${e.distribution}'`, 'is not a suite/series name');
  if (e.urgency !== undefined && !/^[a-z]+$/.test(e.urgency)) throw bad(`urgency '${e.urgency}'`, 'is not a word such as medium');
  const items = (Array.isArray(e.message) ? e.message : [e.message]).map((m) => m.trim());
  if (items.length === 0 || items.some((m) => m === '')) throw bad('message', 'is empty');
  if (items.some((m) => m.includes('\n'))) throw bad('message', 'has a line break (pass several messages as an array)');
  if (!e.maintainer?.name?.trim() || /[<>\n]/.test(e.maintainer.name)) throw bad(`maintainer name '${e.maintainer?.name ?? ''}'`, 'is empty or has < > or a line break');
  if (!/^[^\s<>@]+@[^\s<>@]+$/.test(e.maintainer?.email ?? '')) throw bad(`maintainer email '${e.maintainer?.email ?? ''}'`, 'is not an address');
  if (e.date && Number.isNaN(e.date.getTime())) throw bad('date', 'is invalid');
  return items;
}

/**
 * Adds an entry on top of the changelog with dch, as backportpackage does:
 * `dch --newversion V --distribution D --force-distribution --force-bad-version`. Returns the new
 * top entry as dpkg-parsechangelog reads it back.
 */
export async function addChangelogEntry(target: string, entry: NewChangelogEntry, options: ReadOptions = {}): Promise<ChangelogEntry> {
  const path = changelogPathOf(target);
  const display = options.displayName ?? path;
  const items = validateEntry(entry, display);
  await readChangelog(path, { displayName: display }); // refuse to build on a malformed changelog
  const first = ['--newversion', entry.version, '--distribution', entry.distribution, '--force-distribution',
    '--force-bad-version', ...(entry.urgency ? ['--urgency', entry.urgency] : [])];
  const { top } = await dchOnCopy(path, display, entry.maintainer, entry.date, [[...first, '--', items[0]!], ...items.slice(1).map((m) => ['--append', '--', m])], (top) => {
    if (top.version !== entry.version || top.distribution !== entry.distribution) {
      throw new PipelineError(`dch wrote ${top.version} ${top.distribution}, expected ${entry.version} ${entry.distribution}`, { file: display });
    }
  }, true);
  return top;
}

export interface DraftResult {
  /** The top entry after dch (as dpkg-parsechangelog reads it). */
  top: ChangelogEntry;
  /** The top entry as dch wrote it. */
  text: string;
  /** The bullets added (those already in an UNRELEASED top entry are not added twice). */
  added: string[];
  /** True when the changelog file was written. */
  wrote: boolean;
}

/**
 * The next entry drafted from `items`, as `gbp dch` does: appended to an UNRELEASED top entry, or
 * a new one (`dch --increment`, distribution UNRELEASED) when the top entry was released. With
 * `write: false` (--dry-run) dch runs on a scratch copy only.
 */
export async function draftChangelogEntry(
  target: string, items: string[], maintainer: { name: string; email: string }, options: ReadOptions & { write?: boolean; date?: Date } = {},
): Promise<DraftResult> {
  const path = changelogPathOf(target);
  const display = options.displayName ?? path;
  const current = await readChangelog(path, { displayName: display });
  const open = current.distribution === 'UNRELEASED';
  const fresh = [...new Set(items.map((m) => m.trim()).filter(Boolean))].filter((m) => !(open && current.changes.includes(m)));
  if (fresh.some((m) => m.includes('\n'))) throw new PipelineError('cannot draft a changelog entry: a message has a line break', { file: display });
  if (fresh.length === 0) return { top: current, text: topEntryText(readFileSync(path, 'utf8')), added: [], wrote: false };
  const runs = fresh.map((m, i) => (i === 0 && !open ? ['--increment', '--distribution', 'UNRELEASED', '--', m] : ['--append', '--', m]));
  const { top, text } = await dchOnCopy(path, display, maintainer, options.date, runs, () => {}, options.write !== false);
  return { top, text, added: fresh, wrote: options.write !== false };
}

/** The first entry of a changelog's text, heading to trailer. */
function topEntryText(text: string): string {
  const lines = text.split('\n');
  return lines.slice(0, lines.findIndex((l) => l.startsWith(' -- ')) + 1).join('\n');
}

/** `YYYY-MM-DD hh:mm:ss` in UTC: faketime's absolute (frozen) format, so every dch run sees the same second. */
function faketimeStamp(d: Date): string {
  return d.toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * Runs dch once per argument list on a scratch copy of `path`, reads the result back, lets `check`
 * refuse it, and (when `write`) replaces the file atomically: nothing is half-written.
 */
async function dchOnCopy(
  path: string, display: string, maintainer: { name: string; email: string }, date: Date | undefined,
  runs: string[][], check: (top: ChangelogEntry) => void, write: boolean,
): Promise<{ top: ChangelogEntry; text: string }> {
  const scratch = mkdtempSync(join(tmpdir(), 'pipeline-dch-'));
  try {
    const copy = join(scratch, 'changelog');
    copyFileSync(path, copy);
    const env = {
      ...TOOL_ENV,
      DEBFULLNAME: maintainer.name.trim(),
      DEBEMAIL: maintainer.email,
      // dch falls back to these when DEB* are unset; keep them from leaking in.
      NAME: maintainer.name.trim(),
      EMAIL: maintainer.email,
    };
    const common = ['--no-conf', '--changelog', copy, '--no-auto-nmu', '--no-query'];
    for (const args of runs) {
      const [cmd, cmdArgs] = date ? ['faketime', ['-f', faketimeStamp(date), 'dch', ...common, ...args]] as const : ['dch', [...common, ...args]] as const;
      const r = await execa(cmd, cmdArgs, { reject: false, env, extendEnv: true, stdin: 'ignore', cwd: scratch, all: true });
      if (r.exitCode !== 0) {
        const why = r.failed && r.exitCode === undefined
          ? `cannot run ${cmd}: ${r.shortMessage}`
          : `dch failed: ${String(r.all ?? '').trim().split('\n').pop() ?? `exit ${r.exitCode}`}`;
        throw new PipelineError(why, { file: display, hint: cmd === 'faketime' && r.exitCode === undefined ? 'install faketime (scripts/setup.sh)' : undefined });
      }
    }
    const top = await readChangelog(copy, { displayName: `${display} (after dch)` });
    check(top);
    const written = readFileSync(copy);
    if (write) await writeFileAtomic(path, written);
    return { top, text: topEntryText(written.toString('utf8')) };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
