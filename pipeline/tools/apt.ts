/**
 * apt-get with a PRIVATE configuration: one directory per series under <cacheDir>/apt/<series>/
 * holding its own sources list (`deb-src [signed-by=KEYRING] MIRROR SERIES COMPONENTS`), lists,
 * and package cache. /etc/apt is never written and the system's sources are never read, so
 * `apt-get update` / `apt-get source` work as an ordinary user and cannot disturb the host.
 *
 *   const apt = privateApt(ws, 'trixie');
 *   await apt.update();                                   // only when lists are missing or stale
 *   await apt.sourceDownload('zookeeper', '3.9.3-1+deb13u1', dir);   // .dsc + tarballs into dir
 */
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import lockfile from 'proper-lockfile';
import type { Workspace } from '../config/workspace.js';
import { PipelineError } from '../errors.js';

/** Lists younger than this are reused without `apt-get update` (the mirror here is a frozen snapshot). */
const LISTS_MAX_AGE_MS = 24 * 3600 * 1000;

export interface PrivateApt {
  series: string;
  /** The private directory (etc/, state/, cache/). */
  dir: string;
  /** `-o` options that point apt at the private directory, for any apt-get/apt-cache call. */
  options: string[];
  /** `apt-get update` unless the lists are fresh (or `force`). */
  update(opts?: { force?: boolean }): Promise<void>;
  /** `apt-get source --download-only PKG=VERSION` into `dir` (the .dsc and its tarballs). */
  sourceDownload(pkg: string, version: string, dir: string): Promise<void>;
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
  const signedBy = conf.keyring ? `[signed-by=${conf.keyring}] ` : '';
  const sourcesList = `deb-src ${signedBy}${conf.mirror} ${series} ${conf.components.join(' ')}\n`;

  const options = [
    `Dir::Etc::sourcelist=${p('etc', 'sources.list')}`,
    `Dir::Etc::sourceparts=${p('etc', 'sources.list.d')}`,
    `Dir::Etc::preferences=${p('etc', 'preferences')}`,
    `Dir::Etc::preferencesparts=${p('etc', 'preferences.d')}`,
    `Dir::State=${p('state')}`,
    `Dir::Cache=${p('cache')}`,
    'Acquire::Languages=none',
    // As root, apt would drop to _apt, which cannot write into a private (0700) home cache.
    ...(process.getuid?.() === 0 ? ['APT::Sandbox::User=root'] : []),
    ...conf.aptOptions,
  ].flatMap((o) => ['-o', o]);

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
    const r = await execa('apt-get', [...options, ...args], { cwd, reject: false, all: true, env: { LC_ALL: 'C.UTF-8' } });
    if (r.exitCode !== 0) {
      const lines = (r.all ?? '').split('\n').filter((l) => /^(E|W):/.test(l));
      const first = lines.find((l) => l.startsWith('E:')) ?? lines[0] ?? (r.all ?? '').trim().split('\n').pop() ?? '';
      throw new PipelineError(`apt-get ${args[0]} failed (${conf.mirror} ${series}): ${first.replace(/^E:\s*/, '')}`, {
        exitCode: 1,
        hint: `private apt configuration in ${dir}`,
      });
    }
    return r;
  };

  const update = async (opts: { force?: boolean } = {}) =>
    locked(async () => {
      if (!opts.force && listsFresh()) return;
      await run(['update', '-qq']);
      writeFileSync(p('state', 'lists', '.updated'), new Date().toISOString());
      rmSync(p('state', 'lists', '.stale'), { force: true });
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

  return { series, dir, options, update, sourceDownload };
}
