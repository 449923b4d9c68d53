/**
 * Long-running tools with no effect outside their build directory (sbuild, mmdebstrap, lintian,
 * the host builder's dpkg-source, apt-get on the private lists and downloads) are started under util-linux `setpriv --pdeathsig SIGTERM`, so
 * the kernel sends them SIGTERM the moment the pipeline process dies — even by SIGKILL, when no
 * handler of ours can run. sbuild answers SIGTERM by aborting the build and removing its unshare
 * chroot. Without this, a killed `pipeline promote` leaves its sbuild running while `pipeline
 * resume` starts the same build again.
 *
 * Never for publishing tools (reprepro, dput, gpg, debsign): an upload or an archive write that
 * has begun must finish even if we die; recovery (publish reconcile) deals with what it left.
 *
 * setpriv sets the death signal and then execs the tool, so the child's pid is the tool's own
 * (execa's kill, timeout and cancelSignal reach the tool). Without setpriv (or a tool not on
 * PATH, whose "not found" error must stay the tool's) the plain command runs.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { execa, type Options, type ResultPromise } from 'execa';
import { trackChild } from '../state/children.js';

export interface SupervisedCommand {
  file: string;
  args: string[];
  /** Whether the death signal is set (false: setpriv missing, or the tool not found). */
  supervised: boolean;
}

/** The executable `name` resolves to on PATH (or itself when it has a slash), if any. */
export function findExecutable(name: string, path = process.env.PATH ?? ''): string | undefined {
  const candidates = name.includes('/') ? [name] : path.split(delimiter).filter((d) => isAbsolute(d)).map((d) => join(d, name));
  for (const c of candidates) {
    try { accessSync(c, constants.X_OK); return c; } catch { /* next */ }
  }
  return undefined;
}

let setprivChecked: string | undefined | null = null;
/** setpriv, if installed and new enough to know --pdeathsig (util-linux 2.33+). */
export function setprivPath(): string | undefined {
  if (setprivChecked === null) {
    const found = findExecutable('setpriv');
    const help = found ? spawnSync(found, ['--help'], { encoding: 'utf8', timeout: 5_000 }) : undefined;
    setprivChecked = found && help?.stdout?.includes('--pdeathsig') ? found : undefined;
  }
  return setprivChecked;
}

/** (file, args) → the argv that runs it with SIGTERM as its parent-death signal, or unchanged. */
export function supervisedCommand(file: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): SupervisedCommand {
  const setpriv = setprivPath();
  if (!setpriv || !findExecutable(file, env.PATH ?? process.env.PATH)) return { file, args: [...args], supervised: false };
  return { file: setpriv, args: ['--pdeathsig', 'SIGTERM', '--', file, ...args], supervised: true };
}

/**
 * execa(file, args, options) for a supervised tool: started under the death signal and recorded
 * in the child ledger (state/children.ts) while it runs, for a lock takeover after a crash.
 */
export function execaSupervised<O extends Options>(file: string, args: readonly string[], options: O): ResultPromise<O> {
  const cmd = supervisedCommand(file, args, { ...process.env, ...(options.env ?? {}) });
  const sub = execa(cmd.file, cmd.args, options) as unknown as ResultPromise<O>;
  const untrack = trackChild(sub.pid, [file, ...args]);
  sub.then(untrack, untrack);
  return sub;
}
