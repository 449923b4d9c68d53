/**
 * Checks run before anything is written: the tools a clean build needs exist, and the caller has
 * the subordinate uid/gid range that unshare mode maps the chroot's users into. Each failure is
 * one line naming the fix (`pipeline doctor --fix`), so a cache entry is never half-created.
 */
import { accessSync, constants, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { delimiter, join } from 'node:path';
import { EXIT, PipelineError } from '../errors.js';

const FIX = 'run pipeline doctor --fix';

/** Which Debian package provides each tool (for the error line). */
const PROVIDERS: Record<string, string> = {
  sbuild: 'sbuild',
  mmdebstrap: 'mmdebstrap',
  newuidmap: 'uidmap',
  newgidmap: 'uidmap',
  dch: 'devscripts',
  'dpkg-source': 'dpkg-dev',
  zstd: 'zstd',
  pbuilder: 'pbuilder',
  debootstrap: 'debootstrap',
};

export function findTool(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '/usr/bin:/bin').split(delimiter)) {
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

export function requireTools(names: string[], env: NodeJS.ProcessEnv = process.env): void {
  const missing = names.filter((n) => !findTool(n, env));
  if (missing.length) {
    const pkgs = [...new Set(missing.map((n) => PROVIDERS[n] ?? n))];
    throw new PipelineError(`missing tool${missing.length > 1 ? 's' : ''}: ${missing.join(', ')} (Debian package${pkgs.length > 1 ? 's' : ''} ${pkgs.join(', ')})`, { hint: FIX, exitCode: EXIT.environment });
  }
}

export interface SubidRange {
  start: number;
  count: number;
}

/** The first range of at least 65536 ids for this user in an /etc/subuid-format file. */
export function subidRange(file: string, user: string, uid: number): SubidRange | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const [who, start, count] = line.trim().split(':');
    if ((who === user || who === String(uid)) && Number(count) >= 65536) return { start: Number(start), count: Number(count) };
  }
  return undefined;
}

/** Unshare mode (mmdebstrap and sbuild) maps the chroot's 65536 ids into the caller's subid range. */
export function requireSubids(files = { subuid: '/etc/subuid', subgid: '/etc/subgid' }): void {
  const { username, uid } = userInfo();
  for (const [kind, file] of Object.entries(files)) {
    if (!subidRange(file, username, uid))
      throw new PipelineError(`no ${kind} range of 65536 ids for user ${username} (unshare-mode chroots need one)`, { file, hint: FIX });
  }
}

/** Everything a chroot or a build needs. */
export function requireBuildEnvironment(tools: string[]): void {
  requireTools(tools);
  requireSubids();
}
