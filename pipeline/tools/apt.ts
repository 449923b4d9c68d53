/**
 * apt-get with a PRIVATE configuration: one directory per series under <cacheDir>/apt/<series>/
 * holding its own sources list (`deb-src [signed-by=KEYRING] MIRROR SUITE COMPONENTS` for the series'
 * release pocket and each update pocket pipeline.yaml declares: -updates, -security), lists,
 * and package cache. /etc/apt is never written and the system's sources are never read, so
 * `apt-get update` / `apt-get source` work as an ordinary user and cannot disturb the host.
 *
 *   const apt = privateApt(ws, 'trixie');
 *   await apt.update();                                   // only when lists are missing or stale
 *   await apt.sourceDownload('zookeeper', '3.9.3-1+deb13u1', dir);   // .dsc + tarballs into dir
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { execa } from 'execa';
import { execaSupervised } from './supervised.js';
import lockfile from 'proper-lockfile';
import type { SeriesConfig } from '../config/schema.js';
import type { Workspace } from '../config/workspace.js';
import { EXIT, PipelineError } from '../errors.js';

/** Lists younger than this are reused without `apt-get update` (the mirror here is a frozen snapshot). */
const LISTS_MAX_AGE_MS = 24 * 3600 * 1000;

export interface PrivateApt {
  series: string;
  /** The private directory (etc/, state/, cache/). */
  dir: string;
  /** `-o` options that point apt at the private directory, for any apt-get/apt-cache call. */
  options: string[];
  /** `apt-get update` unless the lists are fresh (or `force`); says which suites' lists did not come. */
  update(opts?: { force?: boolean }): Promise<UpdateResult>;
  /** `apt-get source --download-only PKG=VERSION` into `dir` (the .dsc and its tarballs). */
  sourceDownload(pkg: string, version: string, dir: string): Promise<void>;
  /** The suites this configuration reads: the release pocket, then the update pockets. */
  suites: AptSuite[];
  /**
   * The versions of a source package in each suite's lists as they are on disk (never updates);
   * a suite whose lists are missing says so (`missingComponents`) instead of reading as empty.
   */
  sourceVersions(source: string): Promise<SuiteVersions[]>;
}

export function privateApt(ws: Workspace, series: string): PrivateApt {
  const conf = ws.config.series[series];
  if (!conf) {
    throw new PipelineError(`unknown series ${JSON.stringify(series)} (series: ${Object.keys(ws.config.series).join(', ')})`, {
      file: ws.configFile,
      key: 'series',
    });
  }
  const dir = join(ws.cacheDir, 'apt', series);
  const p = (...parts: string[]) => join(dir, ...parts);
  const suites = seriesSuites(series, conf);
  const sourcesList = suites.map((s) => {
    const signedBy = s.keyring ? `[signed-by=${s.keyring}] ` : '';
    return `deb-src ${signedBy}${s.mirror} ${s.suite} ${s.components.join(' ')}\n`;
  }).join('');

  const options = privateAptOptions(dir, conf.aptOptions);

  const prepare = () => {
    for (const d of ['etc/sources.list.d', 'etc/preferences.d', 'state/lists/partial', 'cache/archives/partial']) {
      mkdirSync(p(d), { recursive: true });
    }
    const listFile = p('etc', 'sources.list');
    // A changed mirror/keyring in pipeline.yaml invalidates the lists.
    if (!existsSync(listFile) || readFileSync(listFile, 'utf8') !== sourcesList) {
      writeFileSync(listFile, sourcesList);
      writeFileSync(p('state', 'lists', '.stale'), '');
    }
  };

  const listsFresh = () => {
    const stamp = p('state', 'lists', '.updated');
    if (!existsSync(stamp) || existsSync(p('state', 'lists', '.stale'))) return false;
    return Date.now() - statSync(stamp).mtimeMs < LISTS_MAX_AGE_MS;
  };

  /** apt serialises on its own lock file, but fails instead of waiting: serialise ourselves. */
  const locked = async <T>(fn: () => Promise<T>): Promise<T> => {
    prepare();
    const release = await lockfile.lock(dir, { retries: { retries: 600, minTimeout: 200, maxTimeout: 1000 }, stale: 10 * 60_000 });
    try {
      return await fn();
    } finally {
      await release();
    }
  };

  const run = async (args: string[], cwd?: string) => {
    // Supervised (death signal): apt-get writes only this private configuration's lists and the
    // download directory, so it must not outlive a killed pipeline and race the resumed fetch.
    const r = await execaSupervised('apt-get', [...options, ...args], { cwd, reject: false, all: true, env: { LC_ALL: 'C.UTF-8' } });
    if (r.exitCode !== 0) {
      const lines = (r.all ?? '').split('\n').filter((l) => /^(E|W):/.test(l));
      const first = lines.find((l) => l.startsWith('E:')) ?? lines[0] ?? (r.all ?? '').trim().split('\n').pop() ?? '';
      const where = suites.map((s) => `${s.mirror} ${s.suite}`).join(', ');
      throw new PipelineError(`apt-get ${args[0]} failed (${where}): ${first.replace(/^E:\s*/, '')}`, {
        exitCode: EXIT.environment,
        hint: `private apt configuration in ${dir}`,
      });
    }
    return r;
  };

  const update = async (opts: { force?: boolean } = {}): Promise<UpdateResult> =>
    locked(async () => {
      if (!opts.force && listsFresh()) return { updated: false, missing: [] };
      const r = await run(['update', '-qq']);
      // apt-get update exits 0 when a source cannot be reached (a warning): see which lists came.
      const absent = missingLists(suites, await indexTargets(options));
      const missing = suites.filter((s) => absent.get(s.suite)?.length).map((s) => s.suite);
      const warning = String(r.all ?? '').split('\n').find((l) => /^W: Failed to fetch/.test(l))?.replace(/^W:\s*/, '');
      // Only complete lists count as fresh: a missing pocket is tried again next time.
      if (!missing.length) writeFileSync(p('state', 'lists', '.updated'), new Date().toISOString());
      rmSync(p('state', 'lists', '.stale'), { force: true });
      return { updated: true, missing, ...(missing.length && warning ? { warning } : {}) };
    });

  const sourceDownload = async (pkg: string, version: string, into: string) => {
    mkdirSync(into, { recursive: true });
    await update();
    const download = () => locked(async () => {
      await run(['source', '--download-only', '-qq', `${pkg}=${version}`], into);
    });
    try {
      await download();
    } catch (e) {
      // Lists reused from an earlier day may predate the version: refresh once and retry.
      if (!listsFresh()) throw e;
      await update({ force: true });
      await download();
    }
  };

  const sourceVersions = async (source: string): Promise<SuiteVersions[]> => {
    // Never fetched: nothing to read, and nothing to create for a read.
    if (!existsSync(p('state', 'lists'))) return suites.map((s) => ({ ...s, versions: [], missingComponents: s.components }));
    prepare();
    const absent = missingLists(suites, await indexTargets(options));
    const r = await execa('apt-cache', [...options, 'madison', source], { reject: false, env: { LC_ALL: 'C.UTF-8' } });
    if (r.exitCode !== 0) {
      throw new PipelineError(`apt-cache madison ${source} failed (${series}): ${String(r.stderr).trim().split('\n')[0]}`, { exitCode: EXIT.environment, hint: `private apt configuration in ${dir}` });
    }
    const found = madisonVersions(String(r.stdout), source);
    return suites.map((s) => {
      const missing = absent.get(s.suite) ?? s.components;
      const versions = found.filter((f) => f.site === madisonSite(s.mirror) && f.suite === s.suite).map((f) => f.version);
      return { ...s, versions: [...new Set(versions)], ...(missing.length ? { missingComponents: missing } : {}) };
    });
  };

  return { series, dir, options, suites, update, sourceDownload, sourceVersions };
}

/** `-o` options that point apt-get/apt-cache at a private directory (etc/, state/, cache/ under `dir`), then `extra`. */
export function privateAptOptions(dir: string, extra: readonly string[] = []): string[] {
  return [
    `Dir::Etc::sourcelist=${join(dir, 'etc', 'sources.list')}`,
    `Dir::Etc::sourceparts=${join(dir, 'etc', 'sources.list.d')}`,
    `Dir::Etc::preferences=${join(dir, 'etc', 'preferences')}`,
    `Dir::Etc::preferencesparts=${join(dir, 'etc', 'preferences.d')}`,
    `Dir::State=${join(dir, 'state')}`,
    `Dir::Cache=${join(dir, 'cache')}`,
    'Acquire::Languages=none',
    // As root, apt would drop to _apt, which cannot write into a private (0700) home cache.
    ...(process.getuid?.() === 0 ? ['APT::Sandbox::User=root'] : []),
    ...extra,
  ].flatMap((o) => ['-o', o]);
}

export interface UpdateResult {
  /** Whether apt-get update ran (false: the lists were fresh). */
  updated: boolean;
  /** Suites whose Sources lists are still missing after the update (their mirror was not reached). */
  missing: string[];
  /** apt's first "Failed to fetch" warning, when some were missing. */
  warning?: string;
}

/** One apt suite a series' private configuration reads: the release pocket or an update pocket. */
export interface AptSuite {
  suite: string;
  /** `release` for the series' own suite, else the pocket's suite (`bookworm-security`). */
  pocket: 'release' | 'update';
  mirror: string;
  keyring?: string;
  components: string[];
}

export interface SuiteVersions extends AptSuite {
  /** Versions of the source package this suite's Sources index holds (empty: none). */
  versions: string[];
  /** Components whose Sources lists are not on disk (never fetched, or the fetch failed): unchecked. */
  missingComponents?: string[];
}

/** The release pocket first, then the update pockets pipeline.yaml declares (defaults from the series). */
export function seriesSuites(series: string, conf: SeriesConfig): AptSuite[] {
  const base = { mirror: conf.mirror, ...(conf.keyring ? { keyring: conf.keyring } : {}), components: conf.components };
  return [
    { suite: series, pocket: 'release' as const, ...base },
    ...(conf.pockets ?? []).map((pk) => {
      const keyring = pk.keyring ?? conf.keyring;
      return {
        suite: pk.suite, pocket: 'update' as const, mirror: pk.mirror ?? conf.mirror,
        ...(keyring ? { keyring } : {}), components: pk.components ?? conf.components,
      };
    }),
  ];
}

interface IndexTarget { release: string; component: string; filename: string }

/** apt's own view of where each Sources list lives (`apt-get indextargets`, from sources.list alone). */
async function indexTargets(options: string[]): Promise<IndexTarget[]> {
  const r = await execa('apt-get', [...options, 'indextargets', '--no-release-info', '--format', '$(RELEASE)\t$(COMPONENT)\t$(FILENAME)', 'Identifier: Sources'], { env: { LC_ALL: 'C.UTF-8' } });
  return String(r.stdout).split('\n').filter(Boolean).map((l) => {
    const [release = '', component = '', filename = ''] = l.split('\t');
    return { release, component, filename };
  });
}

/** Per suite, the components whose Sources list is missing (apt keeps lists compressed as it likes). */
function missingLists(suites: AptSuite[], targets: IndexTarget[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const listings = new Map<string, string[]>();
  const exists = (file: string) => {
    const d = dirname(file);
    if (!listings.has(d)) listings.set(d, existsSync(d) ? readdirSync(d) : []);
    const base = basename(file);
    return listings.get(d)!.some((f) => f === base || (f.startsWith(`${base}.`) && /^\.(lz4|zst|gz|xz|bz2|lzma)$/.test(f.slice(base.length))));
  };
  for (const s of suites) {
    const mine = targets.filter((t) => t.release === s.suite);
    out.set(s.suite, s.components.filter((c) => {
      const t = mine.find((x) => x.component === c);
      return !t || !exists(t.filename);
    }));
  }
  return out;
}

/** A mirror URL as apt-cache madison prints it: no trailing slash, and `file:/path` for `file:///path`. */
export function madisonSite(mirror: string): string {
  return mirror.replace(/\/+$/, '').replace(/^file:\/\/\//, 'file:/');
}

/** `apt-cache madison` lines of `source` itself (madison also lists the sources of a binary of that name). */
export function madisonVersions(stdout: string, source: string): Array<{ version: string; site: string; suite: string }> {
  const out: Array<{ version: string; site: string; suite: string }> = [];
  for (const line of stdout.split('\n')) {
    const cols = line.split('|').map((c) => c.trim());
    if (cols.length !== 3 || cols[0] !== source) continue;
    // "http://deb.debian.org/debian-security bookworm-security/main Sources"
    const m = /^(\S+) ([^/\s]+)\/\S+ Sources$/.exec(cols[2]!);
    if (m) out.push({ version: cols[1]!, site: m[1]!.replace(/\/+$/, ''), suite: m[2]! });
  }
  return out;
}
