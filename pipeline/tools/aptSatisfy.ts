/**
 * apt's answer to "what would installing these build dependencies into this chroot do?",
 * without a container: apt-get with a private configuration (its own sources list, lists and
 * cache under `dir`, never /etc/apt) whose dpkg status is the chroot's own
 * (/var/lib/dpkg/status read out of the tarball), so `apt-get satisfy --print-uris` resolves against
 * exactly the packages the chroot holds and the sources sbuild's apt sees (the chroot's mirror
 * and the build's extra repositories).
 *
 *   const r = await aptSatisfy({ dir, status, sources, architecture, depends, conflicts });
 *   r.install   // ['debhelper:all=13.11.4', ...] — what apt would install, sorted
 *   r.files     // ['debhelper_13.11.4_all.deb 942068 MD5Sum:…', ...] — their content
 */
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import lockfile from 'proper-lockfile';
import { PipelineError } from '../errors.js';

/** Lists younger than this are not updated again before a resolution. */
const LISTS_FRESH_MS = 10 * 60 * 1000;

export interface AptSatisfyOptions {
  /** Private apt directory (etc/, state/, cache/), one per chroot. */
  dir: string;
  /** The chroot's dpkg status file. */
  status: string;
  /** sources.list lines (`deb ...`). */
  sources: string[];
  architecture: string;
  /** `Key=value` apt options (the series' aptOptions). */
  aptOptions?: string[];
  depends: string;
  conflicts: string;
}

export interface AptResolution {
  /** `name:arch=version` of every package apt would install or upgrade, sorted. */
  install: string[];
  /** `file size hash` of each of them, sorted: the content, whichever repository it comes from. */
  files: string[];
}

function optionsFor(o: AptSatisfyOptions): string[] {
  const p = (...parts: string[]) => join(o.dir, ...parts);
  return [
    `Dir::Etc::sourcelist=${p('etc', 'sources.list')}`,
    `Dir::Etc::sourceparts=${p('etc', 'sources.list.d')}`,
    `Dir::Etc::preferences=${p('etc', 'preferences')}`,
    `Dir::Etc::preferencesparts=${p('etc', 'preferences.d')}`,
    `Dir::State=${p('state')}`,
    `Dir::State::status=${o.status}`,
    `Dir::Cache=${p('cache')}`,
    // Keep apt's binary caches between resolutions (a host's docker-clean config turns them off).
    'Dir::Cache::pkgcache=pkgcache.bin',
    'Dir::Cache::srcpkgcache=srcpkgcache.bin',
    `APT::Architecture=${o.architecture}`,
    `APT::Architectures=${o.architecture}`,
    'Acquire::Languages=none',
    // The private directory is locked by us (proper-lockfile); apt's own lock files would need root.
    'Debug::NoLocking=1',
    ...(process.getuid?.() === 0 ? ['APT::Sandbox::User=root'] : []),
    ...(o.aptOptions ?? []),
  ].flatMap((x) => ['-o', x]);
}

/**
 * `--print-uris` lines: `'URI' name_version_arch.deb size HASHTYPE:hash`, one per package apt
 * would download to install (the version's epoch colon is %3a in the file name).
 */
export function parseUris(text: string): AptResolution {
  const install: string[] = [];
  const files: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^'[^']*' (\S+?)_(\S+)_([a-z0-9-]+)\.deb (\d+) (\S+)/.exec(line);
    if (!m) continue;
    install.push(`${m[1]}:${m[3]}=${decodeURIComponent(m[2]!)}`);
    files.push(`${m[1]}_${m[2]}_${m[3]}.deb ${m[4]} ${m[5]}`);
  }
  return { install: install.sort(), files: files.sort() };
}

export async function aptSatisfy(o: AptSatisfyOptions): Promise<AptResolution> {
  for (const d of ['etc/sources.list.d', 'etc/preferences.d', 'state/lists/partial', 'cache/archives/partial']) mkdirSync(join(o.dir, d), { recursive: true });
  const release = await lockfile.lock(o.dir, { realpath: false, lockfilePath: `${o.dir}.lock`, stale: 30_000, retries: { retries: 600, minTimeout: 500, maxTimeout: 1000 } });
  try {
    const list = join(o.dir, 'etc', 'sources.list');
    const text = o.sources.map((s) => `${s}\n`).join('');
    let current = '';
    try {
      current = readFileSync(list, 'utf8');
    } catch { /* first use */ }
    const stamp = join(o.dir, 'state', 'updated');
    if (current !== text) {
      writeFileSync(list, text);
      rmSync(stamp, { force: true });
    }
    const opts = optionsFor(o);
    const env = { LC_ALL: 'C.UTF-8' };
    // The mirror may have moved since the last build; lists a few minutes old are taken as they
    // are (a move in between is what sbuild then installs on top of the layer).
    if (!existsSync(stamp) || Date.now() - statSync(stamp).mtimeMs > LISTS_FRESH_MS) {
      const update = await execa('apt-get', [...opts, '-q', 'update'], { reject: false, all: true, env, stdin: 'ignore' });
      if (update.failed || /^(E|W): Failed to fetch/m.test(String(update.all))) {
        throw new PipelineError(`apt-get update failed: ${String(update.all).split('\n').filter((l) => /^(E|W):/.test(l))[0] ?? update.shortMessage}`);
      }
      writeFileSync(stamp, '');
    }
    // --print-uris, not -s: the same resolution without simulating dpkg's ordering (half the time for a Java stack).
    const args = [...opts, '-q', '--print-uris', 'satisfy', o.depends, ...(o.conflicts ? [`Conflicts: ${o.conflicts}`] : [])];
    const r = await execa('apt-get', args, { reject: false, all: true, env, stdin: 'ignore' });
    if (r.failed) {
      const lines = String(r.all).split('\n').map((l) => l.trim());
      const why = lines.find((l) => /(Depends|Conflicts): .* (but|is not)|Unable to locate|has no installation candidate/.test(l)) ?? lines.find((l) => /^E: /.test(l));
      throw new PipelineError(`apt cannot satisfy the build dependencies: ${why ?? r.shortMessage}`);
    }
    return parseUris(String(r.stdout));
  } finally {
    await release();
  }
}
