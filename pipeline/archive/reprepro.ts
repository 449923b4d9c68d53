/**
 * The local apt archive, managed by reprepro: one codename per stage target suite (`ppa`,
 * `trixie`, `bookworm-backports`), signed with the pipeline key, fed through a dput `method =
 * local` incoming directory per suite (conf/incoming rule of the same name, `processincoming`).
 *
 * conf/ is generated from pipeline.yaml's stages and rewritten only when it changes. What the
 * archive holds is read from its real Sources indices (what apt sees), so `confirm` checks the
 * same thing users get.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import writeFileAtomic from 'write-file-atomic';
import type { ArchiveConfig, StageConfig } from '../config/schema.js';
import type { Workspace } from '../config/workspace.js';
import { EXIT, PipelineError } from '../errors.js';
import { parseSourceControlFile } from '../debian/dsc.js';
import { compareVersions } from '../debian/version.js';
import { indexParagraphs } from './packagesIndex.js';
import { type SigningKey, writePublicKey } from './signing.js';
import { archiveLockName, clearStaleToolLock, holdsLock } from '../state/lock.js';
import { restoreSnapshot, snapshotDir } from '../state/snapshot.js';

/** reprepro commands that write its database (a snapshot of db/ is taken before them). */
const REPREPRO_WRITES = new Set(['export', 'processincoming', 'include', 'includedeb', 'includedsc', 'copysrc', 'remove', 'removesrc', 'deleteunreferenced']);

export type RepreproConfig = Extract<ArchiveConfig, { kind: 'reprepro' }>;

/** The file apt's `signed-by=` points at, inside the archive directory. */
export const PUBLIC_KEY_FILE = 'pipeline-archive-keyring.gpg';
const COMPONENT = 'main';

export interface RepreproArchive {
  name: string;
  dir: string;
  config: RepreproConfig;
  /** The suites (codenames) the stages upload to, in stage order, each with the series it is for. */
  suites: { suite: string; series: string; stages: string[] }[];
}

export function repreproArchive(ws: Workspace, name: string): RepreproArchive {
  const config = ws.config.archives[name];
  if (!config || config.kind !== 'reprepro') {
    throw new PipelineError(`archive ${JSON.stringify(name)} is not a reprepro archive`, { file: ws.configFile, key: `archives.${name}` });
  }
  const suites: RepreproArchive['suites'] = [];
  for (const s of ws.config.stages.filter((st) => st.target.archive === name)) {
    const known = suites.find((x) => x.suite === s.target.suite);
    if (known) known.stages.push(s.name);
    else suites.push({ suite: s.target.suite, series: s.target.series, stages: [s.name] });
  }
  return { name, dir: resolve(ws.root, config.path), config, suites };
}

/** The distribution a .changes names for uploads to a stage: the series, `SERIES-POCKET` with a pocket. */
export function uploadDistribution(stage: StageConfig): string {
  return stage.target.pocket ? `${stage.target.series}-${stage.target.pocket}` : stage.target.series;
}

/** The keyid form reprepro's uploaders file wants (the last 16 hex digits). */
function longKeyId(fingerprint: string): string {
  return fingerprint.slice(-16);
}

/** conf/distributions: one paragraph per target suite, signed, source + binary architectures. */
export function distributionsConf(ws: Workspace, archive: RepreproArchive, key?: SigningKey): string {
  return archive.suites.map((s) => [
    `Origin: ${archive.config.origin}`,
    `Label: ${archive.config.label}`,
    `Codename: ${s.suite}`,
    `Description: pipeline stage ${s.stages.join(', ')} (${s.series})`,
    `Architectures: ${[...archive.config.architectures, 'source'].join(' ')}`,
    `Components: ${COMPONENT}`,
    'DscIndices: Sources Release . .gz',
    'DebIndices: Packages Release . .gz',
    ...(key ? [`SignWith: ${key.fingerprint}`, 'Uploaders: uploaders'] : []),
    '',
  ].join('\n')).join('\n');
}

/**
 * conf/incoming: a rule per suite. Several stages may upload with the same Distribution (a PPA
 * for trixie and trixie itself both say `trixie`), so each suite has its own incoming directory
 * and its rule maps that distribution to the suite's codename.
 */
export function incomingConf(ws: Workspace, archive: RepreproArchive): string {
  return archive.suites.map((s) => {
    const dists = new Set(ws.config.stages.filter((st) => st.target.archive === archive.name && st.target.suite === s.suite).map(uploadDistribution));
    return [
      `Name: ${s.suite}`,
      `IncomingDir: incoming/${s.suite}`,
      'TempDir: tmp',
      `LogDir: log/${s.suite}`,
      `Allow: ${[...dists].map((d) => (d === s.suite ? d : `${d}>${s.suite}`)).join(' ')}`,
      'Cleanup: on_deny on_error',
      '',
    ].join('\n');
  }).join('\n');
}

/** The incoming directory dput's local target copies into, for a suite. */
export function incomingDir(archive: RepreproArchive, suite: string): string {
  return join(archive.dir, 'incoming', suite);
}

function writeIfChanged(file: string, text: string | Buffer): boolean {
  if (existsSync(file) && Buffer.compare(readFileSync(file), Buffer.from(text)) === 0) return false;
  writeFileAtomic.sync(file, text);
  return true;
}

/**
 * Create or update the archive: conf/, incoming and log directories, the exported public key, and
 * the (signed) indices of every suite. Idempotent; a no-op when nothing changed.
 */
export async function ensureArchive(ws: Workspace, name: string, key: SigningKey): Promise<RepreproArchive> {
  const archive = repreproArchive(ws, name);
  mkdirSync(join(archive.dir, 'conf'), { recursive: true });
  for (const s of archive.suites) {
    mkdirSync(incomingDir(archive, s.suite), { recursive: true });
    mkdirSync(join(archive.dir, 'log', s.suite), { recursive: true });
  }
  mkdirSync(join(archive.dir, 'tmp'), { recursive: true });
  await recoverArchive(archive, key);
  let changed = writeIfChanged(join(archive.dir, 'conf', 'distributions'), distributionsConf(ws, archive, key));
  changed = writeIfChanged(join(archive.dir, 'conf', 'incoming'), incomingConf(ws, archive)) || changed;
  changed = writeIfChanged(join(archive.dir, 'conf', 'uploaders'),
    `# Only uploads signed with the pipeline key (${key.uid}) are accepted.\nallow * by key ${longKeyId(key.fingerprint)}\n`) || changed;
  // Every run: repairs a keyring an older pipeline truncated (execa's stripFinalNewline).
  await writePublicKey(key, join(archive.dir, PUBLIC_KEY_FILE));
  const missing = archive.suites.some((s) => !existsSync(join(archive.dir, 'dists', s.suite, 'InRelease')));
  if (changed || missing) await reprepro(archive, key, ['export']);
  return archive;
}

function repreproRunner(archive: RepreproArchive, key: SigningKey | undefined) {
  return (a: string[]) => execa('reprepro', ['-b', archive.dir, ...(key ? ['--gnupghome', key.gnupgHome] : []), '--silent', ...a], {
    reject: false, all: true, env: { LC_ALL: 'C.UTF-8', ...(key ? { GNUPGHOME: key.gnupgHome } : {}) },
  });
}

/**
 * After a reprepro killed mid-run (a crash, a killed CI job): it leaves db/lockfile, and its
 * database may be ahead of the exported indices (processincoming committed, export never ran) or
 * half-written. Under our archive lock, with no reprepro alive, the lockfile is stale
 * (pipeline/state/lock.ts): clear it and re-export the indices from the database (which opens every
 * table); if that fails, put back the copy of db/ taken before the killed run
 * (pipeline/state/snapshot.ts) and export from that. Call it before reading the indices to decide
 * whether an upload landed. Returns what it did ('' when there was nothing to recover).
 */
export async function recoverArchive(archive: RepreproArchive, key: SigningKey | undefined): Promise<'' | 'exported' | 'restored'> {
  const db = join(archive.dir, 'db');
  if (!clearStaleToolLock(join(db, 'lockfile'), archiveLockName(archive.name), (argv) => argv.some((a) => a.endsWith('reprepro')) && argv.includes(archive.dir))) return '';
  const run = repreproRunner(archive, key);
  if ((await run(['export'])).exitCode === 0) return 'exported';
  if (!restoreSnapshot(db, join(archive.dir, 'db.pipeline-snapshot'))) return '';
  await run(['export']);
  return 'restored';
}

/** Run reprepro on the archive with the pipeline's GnuPG home; a failure is one PipelineError line. */
export async function reprepro(archive: RepreproArchive, key: SigningKey | undefined, args: string[]): Promise<string> {
  await recoverArchive(archive, key);
  if (holdsLock(archiveLockName(archive.name)) && REPREPRO_WRITES.has(args[0]!)) snapshotDir(join(archive.dir, 'db'), join(archive.dir, 'db.pipeline-snapshot'));
  const r = await repreproRunner(archive, key)(args);
  if (r.exitCode !== 0) {
    const lines = String(r.all ?? '').split('\n').map((l) => l.trim()).filter(Boolean);
    const reason = lines.find((l) => /error|refus|not|already|denied|newer/i.test(l)) ?? lines.pop() ?? `exit ${r.exitCode}`;
    throw new PipelineError(`reprepro ${args[0]} failed: ${reason}`, { file: archive.dir, exitCode: EXIT.environment });
  }
  return String(r.all ?? '');
}

/** `processincoming` for a suite's rule: includes what dput put into its incoming directory. */
export async function processIncoming(archive: RepreproArchive, key: SigningKey, suite: string): Promise<void> {
  await reprepro(archive, key, ['processincoming', suite]);
}

/** `include SUITE file.changes` (a direct include, without the incoming queue). */
export async function includeChanges(archive: RepreproArchive, key: SigningKey, suite: string, changesFile: string): Promise<void> {
  await reprepro(archive, key, ['include', suite, changesFile]);
}

/** `copysrc TO FROM PKG VERSION`: promotion of an unchanged source (and its binaries) without a rebuild. */
export async function copySource(archive: RepreproArchive, key: SigningKey, to: string, from: string, pkg: string, version: string): Promise<void> {
  await reprepro(archive, key, ['copysrc', to, from, pkg, version]);
}

export interface SourcesEntry {
  package: string;
  version: string;
  /** Pool directory relative to the archive root. */
  directory: string;
  /** name → sha256 (Checksums-Sha256). */
  files: Record<string, { sha256: string; size: number }>;
  /** The .dsc's file name. */
  dsc?: string;
}

/**
 * The source packages a suite's Sources index lists (what apt sees), parsed as deb822. A suite
 * that was never exported has none.
 */
export function readSourcesIndex(archive: RepreproArchive, suite: string): SourcesEntry[] {
  const file = join(archive.dir, 'dists', suite, COMPONENT, 'source', 'Sources');
  if (!existsSync(file)) return [];
  return parseSources(readFileSync(file, 'utf8'));
}

export function parseSources(text: string): SourcesEntry[] {
  const entries: SourcesEntry[] = [];
  for (const fields of indexParagraphs(text)) {
    const pkg = fields.get('package');
    const version = fields.get('version');
    if (!pkg || !version) continue;
    const files: SourcesEntry['files'] = {};
    for (const l of (fields.get('checksums-sha256') ?? '').split('\n')) {
      const [sha256, size, fname] = l.trim().split(/\s+/);
      if (sha256 && size && fname) files[fname] = { sha256, size: Number(size) };
    }
    entries.push({
      package: pkg, version, directory: fields.get('directory') ?? '', files,
      dsc: Object.keys(files).find((f) => f.endsWith('.dsc')),
    });
  }
  return entries;
}

/** Versions of `pkg` in a suite (from its Sources index), highest first. */
export function listVersions(archive: RepreproArchive, suite: string, pkg: string): string[] {
  return readSourcesIndex(archive, suite)
    .filter((e) => e.package === pkg)
    .map((e) => e.version)
    .sort((a, b) => compareVersions(b, a, { lenient: true }));
}

/** The Sources entry for one version, or undefined when the suite does not list it. */
export function findSource(archive: RepreproArchive, suite: string, pkg: string, version: string): SourcesEntry | undefined {
  return readSourcesIndex(archive, suite).find((e) => e.package === pkg && compareVersions(e.version, version, { lenient: true }) === 0);
}

/** .changes files still waiting in a suite's incoming directory (an upload not yet processed). */
export function pendingIncoming(archive: RepreproArchive, suite: string): string[] {
  const dir = incomingDir(archive, suite);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.changes')).map((f) => join(dir, f));
}

/**
 * Uploads still in a suite's incoming queue although the suite already holds them (this exact
 * .dsc): what a `processincoming` killed after its commit and before its clean-up leaves behind.
 * Left there, the next `processincoming` skips them and logs them as processed a second time. One
 * that the suite's LogDir already records as processed is removed (the .changes and the files it
 * lists, then any file no pending .changes lists that the suite holds byte for byte); one killed
 * before it was logged is left for `processincoming`, which logs it once and cleans it up
 * (`unlogged`). Call under the archive lock, after recoverArchive.
 */
export function clearLandedIncoming(archive: RepreproArchive, suite: string): { removed: string[]; unlogged: string[] } {
  const dir = incomingDir(archive, suite);
  const removed: string[] = [];
  const unlogged: string[] = [];
  if (!existsSync(dir)) return { removed, unlogged };
  const remove = (file: string) => { if (existsSync(file)) { rmSync(file, { force: true }); removed.push(file); } };
  const index = readSourcesIndex(archive, suite);
  const logDir = join(archive.dir, 'log', suite);
  const logs = existsSync(logDir) ? readdirSync(logDir) : [];
  const listed = new Set<string>();
  for (const changes of pendingIncoming(archive, suite)) {
    let files: { name: string; sha256: string }[];
    let landed: SourcesEntry | undefined;
    try {
      const c = parseSourceControlFile(changes);
      files = c.files;
      landed = index.find((e) => e.package === c.source && compareVersions(e.version, c.version, { lenient: true }) === 0);
    } catch {
      continue; // not ours to judge: processincoming reports it
    }
    const dsc = files.find((f) => f.name.endsWith('.dsc'));
    const name = changes.slice(dir.length + 1).replace(/\.changes$/, '');
    if (!dsc || !landed || landed.files[dsc.name]?.sha256 !== dsc.sha256 || !logs.some((l) => l.startsWith(`${name}.`))) {
      if (dsc && landed?.files[dsc.name]?.sha256 === dsc.sha256) unlogged.push(changes);
      for (const f of files) listed.add(f.name);
      continue;
    }
    for (const f of files) remove(join(dir, f.name));
    remove(changes);
  }
  const held = new Map(index.flatMap((e) => Object.entries(e.files).map(([n, f]) => [n, f.sha256] as const)));
  for (const name of readdirSync(dir)) {
    if (name.endsWith('.changes') || listed.has(name) || !held.has(name)) continue;
    const file = join(dir, name);
    if (createHash('sha256').update(readFileSync(file)).digest('hex') === held.get(name)) remove(file);
  }
  return { removed, unlogged };
}

/** Clear landed uploads from incoming; one not yet logged goes through `processincoming` once. */
export async function settleIncoming(archive: RepreproArchive, key: SigningKey, suite: string): Promise<void> {
  if (clearLandedIncoming(archive, suite).unlogged.length === 0) return;
  await processIncoming(archive, key, suite);
  clearLandedIncoming(archive, suite);
}
