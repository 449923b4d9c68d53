/**
 * `pipeline doctor`: is this machine ready to run the pipeline? Each check is a row
 * {name, required, status, detail, fix}; `--fix` repairs what can be repaired here (as root: the
 * missing Debian packages and the subordinate uid/gid range sbuild's unshare mode needs; as the
 * user: the local signing key, the state and cache directories) and says how to fix the rest.
 *
 *   const report = await runDoctor({ ws, fix: true });   // report.ok === every required row ok
 */
import { accessSync, appendFileSync, constants, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { delimiter, join, relative } from 'node:path';
import { execa } from 'execa';
import type { Workspace } from '../config/workspace.js';
import { isPipelineError } from '../errors.js';
import { ensureSigningKey, findSigningKey, gnupgHome, listSecretKeys, localKeyUid } from '../archive/signing.js';

export type CheckStatus = 'ok' | 'fixed' | 'missing' | 'warning';

export interface CheckRow {
  name: string;
  /** A required row that is not ok/fixed makes doctor exit 1. */
  required: boolean;
  status: CheckStatus;
  detail: string;
  /** How to fix it, when it is not ok. */
  fix?: string;
}

export interface DoctorReport {
  ok: boolean;
  rows: CheckRow[];
}

/** One tool check: what it checks (the tool, and a capability when the tool alone is not enough) and its fix (the package). */
export interface ToolCheck {
  tool: string;
  /** The Debian package that ships it: `--fix` installs it (as root). */
  pkg: string;
  purpose: string;
  /** A capability the tool must have: `tool ...args` prints `expect` (e.g. setpriv --pdeathsig). */
  probe?: { args: string[]; expect: RegExp; need: string };
}

/** The Debian tools pipeline calls, and the package that ships each. */
export const TOOLS: readonly ToolCheck[] = [
  { tool: 'sbuild', pkg: 'sbuild', purpose: 'clean builds' },
  { tool: 'mmdebstrap', pkg: 'mmdebstrap', purpose: 'chroot tarballs' },
  { tool: 'dpkg-source', pkg: 'dpkg-dev', purpose: 'source packages' },
  { tool: 'dpkg-parsechangelog', pkg: 'dpkg-dev', purpose: 'changelog reading' },
  { tool: 'dch', pkg: 'devscripts', purpose: 'changelog entries' },
  { tool: 'debsign', pkg: 'devscripts', purpose: 'signing uploads' },
  { tool: 'gpg', pkg: 'gnupg', purpose: 'signing keys' },
  { tool: 'dput', pkg: 'dput', purpose: 'uploads' },
  { tool: 'lintian', pkg: 'lintian', purpose: 'package lint' },
  { tool: 'reprepro', pkg: 'reprepro', purpose: 'local archive' },
  { tool: 'licensecheck', pkg: 'licensecheck', purpose: 'license detection' },
  { tool: 'newuidmap', pkg: 'uidmap', purpose: 'unshare-mode user namespaces (uid map)' },
  { tool: 'newgidmap', pkg: 'uidmap', purpose: 'unshare-mode user namespaces (gid map)' },
  { tool: 'zstd', pkg: 'zstd', purpose: 'chroot tarballs (.tar.zst)' },
  { tool: 'dose-debcheck', pkg: 'dose-distcheck', purpose: 'QA: installability' },
  { tool: 'piuparts', pkg: 'piuparts', purpose: 'QA: upgrade path (install, upgrade, purge)' },
  { tool: 'autopkgtest', pkg: 'autopkgtest', purpose: 'QA: autopkgtest and reverse dependencies (autopkgtest-virt-unshare)' },
  { tool: 'autodep8', pkg: 'autodep8', purpose: 'QA: the tests of a Testsuite: autopkgtest-pkg-* field' },
  { tool: 'apt-ftparchive', pkg: 'apt-utils', purpose: 'QA: a package\'s new binaries offered to its dependants\' tests' },
  {
    tool: 'setpriv', pkg: 'util-linux', purpose: 'long-running tools die with pipeline (setpriv --pdeathsig)',
    probe: { args: ['--help'], expect: /--pdeathsig/, need: 'util-linux 2.33 or later (setpriv --pdeathsig)' },
  },
];

/** `apt-get install` of missing packages (root only), waiting for another apt/dpkg instead of failing. */
export async function aptInstall(pkgs: readonly string[]): Promise<{ ok: boolean; error?: string }> {
  const env = { DEBIAN_FRONTEND: 'noninteractive', LC_ALL: 'C.UTF-8' };
  const install = () => execa('apt-get', ['install', '-y', '-qq', '--no-install-recommends', '-o', 'DPkg::Lock::Timeout=300', ...pkgs], { reject: false, all: true, env });
  let r = await install();
  if (r.exitCode !== 0) {
    // Lists older than the archive (or none yet, on a fresh machine): refresh once and retry.
    await execa('apt-get', ['update', '-qq', '-o', 'DPkg::Lock::Timeout=300'], { reject: false, env });
    r = await install();
  }
  if (r.exitCode === 0) return { ok: true };
  const lines = String(r.all ?? '').split('\n').filter((l) => l.startsWith('E:'));
  return { ok: false, error: (lines[0] ?? String(r.all ?? '').trim().split('\n').pop() ?? `exit ${r.exitCode}`).replace(/^E:\s*/, '') };
}

/** Whether the tool has the capability its check names (no probe: being there is enough). */
async function probeTool(path: string, t: ToolCheck): Promise<boolean> {
  if (!t.probe) return true;
  const r = await execa(path, t.probe.args, { reject: false, all: true, timeout: 10_000, env: { LC_ALL: 'C.UTF-8' } });
  return t.probe.expect.test(String(r.all ?? ''));
}

/** Subordinate ids sbuild/mmdebstrap's unshare mode needs for one user (as `adduser` grants). */
export const SUBID_COUNT = 65536;
export const SUBID_START = 200000;

export interface SubidEntry { owner: string; start: number; count: number; line: number }

export function parseSubidFile(text: string): SubidEntry[] {
  return text.split('\n').flatMap((raw, i) => {
    const m = /^([^:#\s]+):(\d+):(\d+)\s*$/.exec(raw.trim());
    return m ? [{ owner: m[1]!, start: Number(m[2]), count: Number(m[3]), line: i + 1 }] : [];
  });
}

/** The user's usable range (by name or numeric uid), if one of at least SUBID_COUNT ids exists. */
export function subidRangeOf(entries: readonly SubidEntry[], user: string, uid: number): SubidEntry | undefined {
  return entries.find((e) => (e.owner === user || e.owner === String(uid)) && e.count >= SUBID_COUNT);
}

/** SUBID_START if free, else the first start above every existing range. */
export function freeSubidStart(entries: readonly SubidEntry[]): number {
  const overlaps = (s: number) => entries.some((e) => s < e.start + e.count && e.start < s + SUBID_COUNT);
  if (!overlaps(SUBID_START)) return SUBID_START;
  return Math.max(...entries.map((e) => e.start + e.count));
}

export function whichTool(tool: string, path = process.env.PATH ?? ''): string | undefined {
  const dirs = [...path.split(delimiter), '/usr/sbin', '/sbin', '/usr/bin', '/bin'];
  for (const d of dirs) {
    if (!d) continue;
    const p = join(d, tool);
    try { accessSync(p, constants.X_OK); return p; } catch { /* next */ }
  }
  return undefined;
}

async function packageVersions(pkgs: string[]): Promise<Map<string, string>> {
  const r = await execa('dpkg-query', ['-W', '-f', '${Package}\t${Version}\t${db:Status-Abbrev}\n', ...pkgs], { reject: false });
  const out = new Map<string, string>();
  for (const line of String(r.stdout).split('\n')) {
    const [p, v, st] = line.split('\t');
    if (p && v && st?.startsWith('ii')) out.set(p, v);
  }
  return out;
}

export interface DoctorOptions {
  /** The workspace, or the error loading it (doctor still checks the machine). */
  ws?: Workspace;
  wsError?: unknown;
  fix?: boolean;
  /**
   * With fix: 'system' repairs only /etc/subuid and /etc/subgid (setup.sh runs that part through
   * sudo, so the signing key and directories are still created as the user, owned by the user).
   */
  fixScope?: 'all' | 'system';
  /** The user sbuild will run as (default: $SUDO_USER when run through sudo, else the current user). */
  user?: string;
  subuidFile?: string;
  subgidFile?: string;
  /** Whether this process may write /etc/sub[ug]id and install packages (default: running as root). */
  canWriteSystem?: boolean;
  /** The tool checks (default TOOLS). */
  tools?: readonly ToolCheck[];
}

export async function runDoctor(opts: DoctorOptions = {}): Promise<DoctorReport> {
  const rows: CheckRow[] = [];
  const installs = new Set<string>();

  // 1. Tools.
  const tools = opts.tools ?? TOOLS;
  const canWrite = opts.canWriteSystem ?? process.getuid?.() === 0;
  const checkTool = async (t: ToolCheck, versions: Map<string, string>): Promise<CheckRow> => {
    const path = whichTool(t.tool);
    const pkgVersion = versions.get(t.pkg) ? ` (${t.pkg} ${versions.get(t.pkg)})` : '';
    if (!path) return { name: t.tool, required: true, status: 'missing', detail: `not found (needed for ${t.purpose})`, fix: `apt-get install ${t.pkg}` };
    if (!(await probeTool(path, t))) {
      return { name: t.tool, required: true, status: 'missing', detail: `${path}${pkgVersion} lacks what ${t.purpose} needs: ${t.probe!.need}`, fix: `apt-get install ${t.pkg}` };
    }
    return { name: t.tool, required: true, status: 'ok', detail: `${path}${pkgVersion}` };
  };
  const pkgsOf = () => [...new Set(tools.map((t) => t.pkg))];
  const versionsBefore = await packageVersions(pkgsOf());
  let toolRows = await Promise.all(tools.map((t) => checkTool(t, versionsBefore)));
  for (const [i, r] of toolRows.entries()) if (r.status === 'missing') installs.add(tools[i]!.pkg);
  if (installs.size && opts.fix && canWrite) {
    const installed = await aptInstall([...installs]);
    const versions = await packageVersions(pkgsOf());
    toolRows = await Promise.all(toolRows.map(async (before, i) => {
      if (before.status !== 'missing') return before;
      const t = tools[i]!;
      const after = await checkTool(t, versions);
      if (after.status === 'ok') return { ...after, status: 'fixed' as const, detail: `installed ${t.pkg}: ${after.detail}` };
      return { ...after, detail: `${after.detail}; apt-get install ${t.pkg} ${installed.ok ? 'did not provide it' : `failed: ${installed.error}`}` };
    }));
  }
  const stillMissing = [...new Set(toolRows.flatMap((r, i) => (r.status === 'missing' ? [tools[i]!.pkg] : [])))];
  if (stillMissing.length) {
    // Name the one command that fixes every missing tool.
    const how = canWrite ? 'pipeline doctor --fix' : 'sudo pipeline doctor --fix';
    for (const r of toolRows) if (r.status === 'missing') r.fix = `${how} (apt-get install ${stillMissing.join(' ')}; or bash scripts/setup.sh)`;
  }
  rows.push(...toolRows);
  const distroInfo = '/usr/share/distro-info/debian.csv';
  rows.push(existsSync(distroInfo)
    ? { name: 'distro-info-data', required: true, status: 'ok', detail: distroInfo }
    : { name: 'distro-info-data', required: true, status: 'missing', detail: `${distroInfo} not found`, fix: 'apt-get install distro-info-data' });

  // 2. Subordinate ids for the user sbuild runs as.
  const me = userInfo();
  const user = opts.user ?? process.env.SUDO_USER ?? me.username;
  const uid = opts.user || process.env.SUDO_USER ? Number(process.env.SUDO_UID ?? -1) : me.uid;
  for (const [kind, file] of [['subuid', opts.subuidFile ?? '/etc/subuid'], ['subgid', opts.subgidFile ?? '/etc/subgid']] as const) {
    const entries = existsSync(file) ? parseSubidFile(readFileSync(file, 'utf8')) : [];
    const have = subidRangeOf(entries, user, uid);
    const name = `${kind} ${user}`;
    if (have) {
      rows.push({ name, required: true, status: 'ok', detail: `${file}:${have.line}: ${have.owner}:${have.start}:${have.count}` });
      continue;
    }
    const start = freeSubidStart(entries);
    const line = `${user}:${start}:${SUBID_COUNT}`;
    if (opts.fix && canWrite) {
      const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
      appendFileSync(file, `${text && !text.endsWith('\n') ? '\n' : ''}${line}\n`);
      rows.push({ name, required: true, status: 'fixed', detail: `added ${line} to ${file}` });
    } else {
      rows.push({
        name, required: true, status: 'missing', detail: `no range of ${SUBID_COUNT} ids for ${user} in ${file} (sbuild --chroot-mode=unshare needs one)`,
        fix: canWrite ? 'pipeline doctor --fix' : `sudo pipeline doctor --fix (adds ${line})`,
      });
    }
  }

  // 3. Workspace-dependent checks: configuration, keyrings, directories, signing key.
  const ws = opts.ws;
  const userFix = Boolean(opts.fix) && (opts.fixScope ?? 'all') === 'all';
  if (!ws) {
    const why = isPipelineError(opts.wsError) ? opts.wsError.oneLine() : String(opts.wsError ?? 'no workspace');
    rows.push({ name: 'pipeline.yaml', required: true, status: 'missing', detail: why, fix: 'run from a checkout or pass --config FILE' });
    return { ok: rows.every((r) => !r.required || r.status === 'ok' || r.status === 'fixed'), rows };
  }
  rows.push({ name: 'pipeline.yaml', required: true, status: 'ok', detail: `${ws.configFile} (profile ${ws.config.profile})` });
  for (const [series, conf] of Object.entries(ws.config.series)) {
    if (!conf.keyring) continue;
    rows.push(existsSync(conf.keyring)
      ? { name: `keyring ${series}`, required: false, status: 'ok', detail: conf.keyring }
      : { name: `keyring ${series}`, required: false, status: 'warning', detail: `${conf.keyring} not found (apt cannot verify ${conf.mirror})`, fix: `apt-get install ${ws.config.vendor}-archive-keyring` });
  }
  for (const [what, dir] of [['state dir', ws.stateDir], ['cache dir', ws.cacheDir]] as const) {
    if (existsSync(dir)) rows.push({ name: what, required: false, status: 'ok', detail: dir });
    else if (userFix) { mkdirSync(dir, { recursive: true }); rows.push({ name: what, required: false, status: 'fixed', detail: `created ${dir}` }); }
    else rows.push({ name: what, required: false, status: 'warning', detail: `${dir} does not exist yet (created on first use)`, fix: 'pipeline doctor --fix' });
  }
  rows.push(await signingKeyRow(ws, userFix));
  return { ok: rows.every((r) => !r.required || r.status === 'ok' || r.status === 'fixed'), rows };
}

/** The `ppa:` hosts the profile uploads to: Launchpad takes only keys registered with the uploader's account. */
function launchpadTargets(ws: Workspace): string[] {
  return Object.values(ws.config.archives).flatMap((a) => (a.kind === 'dput' && a.host.startsWith('ppa:') ? [a.host] : []));
}

export async function signingKeyRow(ws: Workspace, fix: boolean): Promise<CheckRow> {
  const file = relative(process.cwd(), ws.configFile) || ws.configFile;
  try {
    const existing = await findSigningKey(ws);
    const lp = launchpadTargets(ws);
    if (existing) {
      const detail = `${existing.uid} ${existing.fingerprint} (${existing.origin}, ${existing.gnupgHome})`;
      // The pipeline's own key signs the local archive; Launchpad has never seen it.
      if (existing.origin === 'local' && lp.length) {
        return { name: 'signing key', required: false, status: 'warning', detail: `${detail}: the pipeline's own key, which ${lp.join(', ')} will reject (Launchpad accepts uploads signed by a key registered with your account)`, fix: `set signing.key in ${file} to your Launchpad key's fingerprint` };
      }
      return { name: 'signing key', required: true, status: 'ok', detail: lp.length ? `${detail}; ${lp.join(', ')} accepts it if it is registered with your Launchpad account` : detail };
    }
    if (!fix) {
      const held = await listSecretKeys(ws);
      const want = localKeyUid(ws);
      const detail = held.length
        ? `no key for ${ws.config.maintainer?.email ?? want} (the maintainer ${file} signs as) in ${gnupgHome(ws)}, which holds ${held.map((k) => `${k.uid} ${k.fingerprint}`).join(', ')}`
        : `no signing key in ${gnupgHome(ws)}`;
      return { name: 'signing key', required: true, status: 'missing', detail, fix: held.length ? `signing.key: FINGERPRINT in ${file} to use one of them, or pipeline doctor --fix to create "${want}"` : 'pipeline doctor --fix' };
    }
    const made = await ensureSigningKey(ws, { create: true });
    return { name: 'signing key', required: true, status: 'fixed', detail: `created ${made.uid} ${made.fingerprint} in ${made.gnupgHome}` };
  } catch (e) {
    if (!isPipelineError(e)) throw e;
    return { name: 'signing key', required: true, status: 'missing', detail: e.message, fix: e.hint ?? 'see pipeline.yaml signing.key' };
  }
}
