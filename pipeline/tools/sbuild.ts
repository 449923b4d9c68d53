/**
 * sbuild in unshare mode: one job, build a source tree or a .dsc in a chroot tarball and report
 * what happened (exit status, the .build log, its summary). sbuild writes its log in the working
 * directory, so every run gets its own build directory and runs there.
 */
import { existsSync, readdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execaSupervised } from './supervised.js';
import type { SbuildSummary } from '../state/records.js';

export interface SbuildOptions {
  /** Unpacked source tree (sbuild packs it with dpkg-source first) or a .dsc. */
  input: string;
  /** Chroot tarball (absolute path). */
  chroot: string;
  /** Distribution for the .changes (-d). */
  distribution: string;
  /** Where the artifacts and the .build log land (also the working directory). */
  buildDir: string;
  /** What to build: the source package (dpkg-buildpackage -S inside the chroot), arch:any, arch:all. */
  source: boolean;
  archAny: boolean;
  archAll: boolean;
  /** With `source`: include the orig tarball in the .changes (-sa) or not (-sd); undefined lets dpkg decide. */
  includeOrig?: boolean;
  /** -vVERSION for dpkg-genchanges: the .changes covers every entry after VERSION. */
  changesSince?: string;
  /**
   * With a source-only build: install nothing (sbuild's null resolver, no apt update/upgrade) and
   * build with `dpkg-buildpackage -S -nc`, i.e. dpkg-source -b + dpkg-genchanges -S on the tree as
   * it is, without `debian/rules clean` (which is what needs the build dependencies).
   */
  withoutBuildDeps?: boolean;
  extraRepositories?: string[];
  /**
   * A binary build in a chroot that already holds every build dependency (a build-dependency layer
   * resolved for this very .dsc): sbuild's null resolver installs nothing, and dpkg-buildpackage's
   * own dpkg-checkbuilddeps still refuses to build if one is missing. apt update and dist-upgrade
   * of the chroot run as always.
   */
  buildDepsInstalled?: boolean;
  /**
   * Host directories bind-mounted into the unshare chroot (sbuild's `$unshare_bind_mounts`, set in
   * the run's config file): how the stage's archive snapshot becomes visible to apt inside it.
   */
  bindMounts?: { directory: string; mountpoint: string }[];
  /** Directory for the unpacked chroot (sbuild's unshare_tmpdir_template); default sbuild's /tmp. */
  tmpDir?: string;
  /** The build path inside the chroot (--build-path); default sbuild's random /build/PKG-XXXXXX. */
  buildPath?: string;
  /**
   * Environment of dpkg-buildpackage (sbuild's $build_environment: not subject to its filter).
   * dpkg-buildpackage --sanitize-env still resets the umask to 0022 and LC_COLLATE to C.UTF-8.
   */
  buildEnvironment?: Record<string, string>;
  /** Every line sbuild prints (its log, with --verbose). */
  onLine?: (line: string) => void;
  signal?: AbortSignal;
}

export interface SbuildResult {
  exitCode: number;
  /** The .build log (the timestamped file, not the symlink). */
  log?: string;
  summary?: SbuildSummary;
  /** The .changes sbuild produced (source-only builds: the _source.changes). */
  changes?: string;
  /** The command line, for the record and for reproducing by hand. */
  command: string[];
}

/** The argument array, without the program name. */
export function sbuildArgs(o: SbuildOptions): string[] {
  const args = [
    '--chroot-mode=unshare',
    `--chroot=${o.chroot}`,
    `--dist=${o.distribution}`,
    o.source ? '--source' : '--no-source',
    o.archAny ? '--arch-any' : '--no-arch-any',
    o.archAll ? '--arch-all' : '--no-arch-all',
    `--build-dir=${o.buildDir}`,
    // The tree is a fresh scratch copy: `debian/rules clean` on the host is both unneeded and
    // would need the build dependencies installed on the host.
    '--no-clean-source',
    // Lint, piuparts and autopkgtest are separate jobs (as in Salsa CI), whatever ~/.sbuildrc says.
    '--no-run-lintian',
    '--no-run-piuparts',
    '--no-run-autopkgtest',
    '--verbose',
  ];
  if (o.source && o.includeOrig === true) args.push('--force-orig-source');
  if (o.source && o.includeOrig === false) args.push('--debbuildopt=-sd');
  if (o.changesSince) args.push(`--debbuildopt=-v${o.changesSince}`);
  if (o.source && !o.archAny && !o.archAll && o.withoutBuildDeps) {
    args.push('--build-dep-resolver=null', '--no-apt-update', '--no-apt-upgrade', '--no-apt-distupgrade', '--debbuildopt=-nc');
  }
  if (!o.source && o.buildDepsInstalled) args.push('--build-dep-resolver=null');
  for (const repo of o.extraRepositories ?? []) args.push(`--extra-repository=${repo}`);
  if (o.buildPath) args.push(`--build-path=${o.buildPath}`);
  args.push(o.input);
  return args;
}

/** A Perl single-quoted string (sbuild's configuration is Perl). */
const perlString = (s: string) => `'${s.replace(/[\\']/g, (c) => `\\${c}`)}'`;

/**
 * Environment for sbuild: a config file only when the unpack directory is not sbuild's default,
 * directories are bind-mounted into the chroot, or the build environment is set (sbuild 0.85 has
 * no command-line option for it).
 */
export function sbuildEnv(o: Pick<SbuildOptions, 'tmpDir' | 'buildDir' | 'bindMounts' | 'buildEnvironment'>): Record<string, string> {
  const env: Record<string, string> = { LC_ALL: 'C.UTF-8' };
  const lines: string[] = [];
  if (o.tmpDir) lines.push(`$unshare_tmpdir_template = ${perlString(`${o.tmpDir}/tmp.sbuild.XXXXXXXXXX`)};`);
  if (o.bindMounts?.length) {
    const entries = o.bindMounts.map((m) => `{ directory => ${perlString(m.directory)}, mountpoint => ${perlString(m.mountpoint)} }`);
    lines.push(`$unshare_bind_mounts = [ ${entries.join(', ')} ];`);
  }
  const vars = Object.entries(o.buildEnvironment ?? {});
  if (vars.length) lines.push(`$build_environment = { ${vars.map(([k, v]) => `${perlString(k)} => ${perlString(v)}`).join(', ')} };`);
  if (lines.length) {
    const conf = join(o.buildDir, '.sbuild.conf');
    writeFileSync(conf, `${lines.join('\n')}\n1;\n`);
    env.SBUILD_CONFIG = conf;
  }
  return env;
}

export async function sbuild(o: SbuildOptions): Promise<SbuildResult> {
  const args = sbuildArgs(o);
  const before = new Set(existsSync(o.buildDir) ? readdirSync(o.buildDir) : []);
  // Under a death signal (supervised.ts): a killed pipeline must not leave its build running.
  const sub = execaSupervised('sbuild', args, {
    cwd: o.buildDir,
    reject: false,
    all: true,
    stdin: 'ignore',
    env: sbuildEnv(o),
    cancelSignal: o.signal,
  });
  if (o.onLine) {
    for await (const line of sub.iterable({ from: 'all' })) o.onLine(String(line));
  }
  const result = await sub;
  const log = newestBuildLog(o.buildDir, before);
  const summary = log ? parseSbuildSummary(readFileSync(log, 'utf8')) : undefined;
  const changes = readdirSync(o.buildDir).filter((f) => f.endsWith('.changes') && !before.has(f)).map((f) => join(o.buildDir, f))[0];
  return { exitCode: result.exitCode ?? 1, log, summary, changes, command: ['sbuild', ...args] };
}

/** The .build log this run wrote (sbuild adds a `<pkg>_<ver>_<arch>.build` symlink to it). */
function newestBuildLog(dir: string, before: Set<string>): string | undefined {
  const logs = readdirSync(dir)
    .filter((f) => f.endsWith('.build') && !before.has(f))
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile());
  const real = logs.map((f) => realpathSync(f));
  return [...new Set(real)].sort().pop();
}

/** camelCase of a summary key: `Fail-Stage` → `failStage`, `Build Architecture` → `buildArchitecture`. */
function camel(key: string): string {
  const parts = key.split(/[-\s]+/).filter(Boolean);
  return parts.map((p, i) => (i === 0 ? p.toLowerCase() : p[0].toUpperCase() + p.slice(1).toLowerCase())).join('');
}

/**
 * The key/value block after the `| Summary |` banner at the end of a .build log. Returns
 * undefined when the log has no summary (sbuild killed before it finished).
 */
export function parseSbuildSummary(log: string): SbuildSummary | undefined {
  const banner = log.lastIndexOf('| Summary ');
  if (banner < 0) return undefined;
  const rest = log.slice(banner).split('\n').slice(2);
  const summary: Record<string, string> = {};
  for (const line of rest) {
    if (/^-{20,}/.test(line)) break;
    const m = /^([A-Za-z][A-Za-z -]*?):\s*(.*)$/.exec(line);
    if (m) summary[camel(m[1])] = m[2].trim();
  }
  if (!summary.status) return undefined;
  return summary as SbuildSummary;
}

/** The `| Title |` section banners sbuild writes, in order (for progress phases). */
export function sectionTitle(line: string): string | undefined {
  const m = /^\| (.+?)\s+\|$/.exec(line);
  if (!m || /^\+?=+/.test(line)) return undefined;
  return m[1].replace(/\s{2,}.*$/, '').trim();
}
