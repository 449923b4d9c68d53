/**
 * Inter-process locks: one run per package (`<stateDir>/locks/pkg-<name>.lock`) and one writer per
 * archive (`archive-<name>.lock`).
 *
 * Why not proper-lockfile: it decides staleness by mtime, so a holder must keep touching the lock
 * from a timer (which stalls while a synchronous tool call blocks the event loop), and a SIGKILLed
 * holder is only noticed after the stale timeout. A lock that records *who* holds it is exact and
 * immediate: the pid, that process's start time (field 22 of /proc/<pid>/stat, so a reused pid is
 * not mistaken for the holder) and the boot id (a lock from before a reboot is dead). Its record
 * also names the command and run, so a refused second `promote` can say who is in the way.
 *
 * Creation is atomic: the record is written to a private temp file and hard-linked to the lock
 * name (link(2) fails if the name exists), so a lock file is never seen half-written. Taking over a
 * dead holder's lock is serialised by a `.takeover` directory (mkdir is atomic), and the dead
 * record is re-read under it, so two processes cannot both take over the same stale lock.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync, existsSync, fsyncSync, linkSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmdirSync, statSync, unlinkSync, writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { PipelineError } from '../errors.js';
import { attachChildLedger, detachChildLedger, reapOrphans, describeReaped } from './children.js';
import { faultPoint } from './faults.js';
import { processStartTime } from './proc.js';

export interface LockHolder {
  pid: number;
  /** /proc/<pid>/stat field 22 (clock ticks since boot), when /proc exists. */
  startTime?: string;
  bootId?: string;
  host: string;
  since: string;
  /** What holds it, for the refusal message: e.g. `pipeline promote zookeeper`. */
  command: string;
  runId?: string;
  token: string;
}

export interface LockOptions {
  /** false/undefined: refuse at once if held; true: wait forever; a number: wait that many ms. */
  wait?: boolean | number;
  pollMs?: number;
  command?: string;
  runId?: string;
  /** Called once when the lock is busy and we are going to wait. */
  onWait?(holder: LockHolder): void;
  /** Called when a dead holder's lock is taken over (`why` also names leftover children it stopped). */
  onTakeover?(holder: LockHolder, why: string): void;
  /** After a takeover, how long the dead holder's leftover tools get after SIGTERM before SIGKILL. */
  reapGraceMs?: number;
}

export interface Lock {
  name: string;
  file: string;
  holder: LockHolder;
  release(): void;
}

/** Exit code of a refused lock (sysexits EX_TEMPFAIL: try again later). */
export const LOCK_BUSY_EXIT = 75;

export const packageLockName = (pkg: string) => `pkg-${pkg}`;
export const archiveLockName = (archive: string) => `archive-${archive}`;

export function lockFile(stateDir: string, name: string): string {
  if (!/^[a-z0-9][a-z0-9.+_-]*$/i.test(name)) throw new PipelineError(`not a lock name: ${JSON.stringify(name)}`);
  return join(stateDir, 'locks', `${name}.lock`);
}

export { processStartTime };

let cachedBootId: string | undefined | null = null;
function bootId(): string | undefined {
  if (cachedBootId === null) {
    try { cachedBootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim(); } catch { cachedBootId = undefined; }
  }
  return cachedBootId;
}

/** Is the recorded holder still running? `why` says how a dead one was recognised. */
export function holderAlive(h: LockHolder): { alive: boolean; why: string } {
  if (h.host !== hostname()) return { alive: true, why: `held on another host (${h.host})` };
  const boot = bootId();
  if (h.bootId && boot && h.bootId !== boot) return { alive: false, why: 'holder ran before the last reboot' };
  try {
    process.kill(h.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return { alive: false, why: `process ${h.pid} is gone` };
  }
  const start = processStartTime(h.pid);
  if (h.startTime && start && start !== h.startTime) return { alive: false, why: `pid ${h.pid} was reused by another process` };
  return { alive: true, why: 'running' };
}

function readHolder(file: string): { holder?: LockHolder; raw?: string } {
  try {
    const raw = readFileSync(file, 'utf8');
    try { return { holder: JSON.parse(raw) as LockHolder, raw }; } catch { return { raw }; }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw e;
  }
}

/** The live holder of a lock, if any (a dead holder's lock reads as free). */
export function lockHolder(stateDir: string, name: string): LockHolder | undefined {
  const { holder } = readHolder(lockFile(stateDir, name));
  return holder && holderAlive(holder).alive ? holder : undefined;
}

// Locks this process holds, by file: re-entrant (the runner and a step may both take the archive lock).
const held = new Map<string, { lock: Lock; count: number }>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => { for (const { lock } of held.values()) releaseFile(lock.file, lock.holder.token); });
}

function releaseFile(file: string, token: string): void {
  const { holder } = readHolder(file);
  if (holder?.token === token) {
    try { unlinkSync(file); } catch { /* already gone */ }
  }
}

function describe(h: LockHolder): string {
  return `pid ${h.pid} (${h.command}${h.runId ? `, run ${h.runId}` : ''}) since ${h.since}`;
}

const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Remove a dead holder's lock, under the takeover guard, only if it is still that same record. */
function takeOver(file: string, staleRaw: string): boolean {
  const guard = `${file}.takeover`;
  try {
    mkdirSync(guard);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    // A takeover guard left by a process killed inside the few lines below.
    try { if (Date.now() - statSync(guard).mtimeMs > 10_000) rmdirSync(guard); } catch { /* raced */ }
    return false;
  }
  try {
    if (readHolder(file).raw !== staleRaw) return false; // someone else already took it over
    unlinkSync(file);
    return true;
  } finally {
    rmdirSync(guard);
  }
}

/**
 * Take a lock. Busy: refuse with a message naming the holder, or wait (`wait: true` or a timeout
 * in ms). A lock whose holder is dead (gone, pid reused, or from before a reboot) is taken over.
 */
export async function acquireLock(stateDir: string, name: string, options: LockOptions = {}): Promise<Lock> {
  const file = lockFile(stateDir, name);
  const mine = held.get(file);
  if (mine) {
    mine.count++;
    return mine.lock;
  }
  mkdirSync(join(stateDir, 'locks'), { recursive: true });
  const holder: LockHolder = {
    pid: process.pid,
    startTime: processStartTime(process.pid),
    bootId: bootId(),
    host: hostname(),
    since: new Date().toISOString(),
    command: options.command ?? (process.argv.slice(2).join(' ') ? `pipeline ${process.argv.slice(2).join(' ')}` : 'pipeline'),
    runId: options.runId,
    token: randomBytes(8).toString('hex'),
  };
  const tmp = `${file}.${process.pid}.${holder.token}`;
  writeFileSync(tmp, `${JSON.stringify(holder)}\n`);
  const fd = openSync(tmp, 'r');
  try { fsyncSync(fd); } finally { closeSync(fd); }
  const deadline = options.wait === true ? Infinity : typeof options.wait === 'number' ? Date.now() + options.wait : 0;
  let waited = false;
  try {
    for (;;) {
      try {
        linkSync(tmp, file);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const { holder: other, raw } = readHolder(file);
      if (raw === undefined) continue; // released between link and read: try again
      const status = other ? holderAlive(other) : undefined;
      // A record that does not parse cannot have been written by us (link is atomic): it is junk.
      if (!other || !status!.alive) {
        if (takeOver(file, raw)) {
          // Tools the dead holder started may outlive it (children.ts): stop them before going on.
          // Not after a reboot: they died with it, and pid + start time may match new processes.
          const sameBoot = other && (!other.bootId || other.bootId === bootId());
          const reaped = sameBoot ? await reapOrphans(stateDir, other, { graceMs: options.reapGraceMs }) : [];
          options.onTakeover?.(other ?? ({ pid: 0, command: 'unreadable lock', since: '?', host: '?', token: '' }), (status?.why ?? 'unreadable lock file') + describeReaped(reaped));
        }
        continue;
      }
      if (Date.now() >= deadline) {
        const what = name.startsWith('pkg-') ? `${name.slice(4)} is locked by another run` : `${name} is locked`;
        throw new PipelineError(`${what}: ${describe(other)}${waited ? `; gave up waiting` : ''}`, {
          file,
          hint: waited ? 'try again later, or wait longer' : 'wait for it with --wait, or try again later',
          exitCode: LOCK_BUSY_EXIT,
        });
      }
      if (!waited) { waited = true; options.onWait?.(other); }
      await delay(Math.min(options.pollMs ?? 200, Math.max(1, deadline - Date.now())));
    }
  } finally {
    try { unlinkSync(tmp); } catch { /* fine */ }
  }
  installExitHook();
  attachChildLedger(stateDir);
  const lock: Lock = {
    name,
    file,
    holder,
    release() {
      const entry = held.get(file);
      if (!entry || --entry.count > 0) return;
      held.delete(file);
      releaseFile(file, holder.token);
      detachChildLedger(stateDir);
    },
  };
  held.set(file, { lock, count: 1 });
  try {
    faultPoint('lock.after-acquire');
  } catch (e) {
    lock.release();
    throw e;
  }
  return lock;
}

/** Rewrite a held lock's record (e.g. to name the run once it is known); atomic via rename. */
export function updateLock(lock: Lock, patch: Partial<Pick<LockHolder, 'command' | 'runId'>>): void {
  Object.assign(lock.holder, patch);
  const tmp = `${lock.file}.${process.pid}.${lock.holder.token}.new`;
  writeFileSync(tmp, `${JSON.stringify(lock.holder)}\n`);
  const fd = openSync(tmp, 'r');
  try { fsyncSync(fd); } finally { closeSync(fd); }
  renameSync(tmp, lock.file);
}

/** Run `fn` holding the lock; released however `fn` ends (a crash leaves it for takeover). */
export async function withLock<T>(stateDir: string, name: string, options: LockOptions, fn: (lock: Lock) => Promise<T>): Promise<T> {
  const lock = await acquireLock(stateDir, name, options);
  try {
    return await fn(lock);
  } finally {
    lock.release();
  }
}

/** Does this process hold the lock called `name` (in any state dir)? */
export function holdsLock(name: string): boolean {
  return [...held.values()].some((h) => h.lock.name === name);
}

/**
 * A tool's own lock left behind by a killed run — reprepro's `db/lockfile` after a SIGKILL makes
 * every later reprepro call fail. It is removed only while this process holds `guard` (the lock
 * that serialises every writer of that resource, e.g. the archive lock) and no live process of the
 * tool (`isTool(argv)`) is running: then nobody can be using it. Returns true when removed.
 */
export function clearStaleToolLock(file: string, guard: string, isTool: (argv: string[]) => boolean): boolean {
  if (!existsSync(file) || !holdsLock(guard)) return false;
  let pids: string[] = [];
  try { pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d)); } catch { return false; } // no /proc: cannot tell
  for (const pid of pids) {
    try {
      if (isTool(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean))) return false;
    } catch { /* exited meanwhile */ }
  }
  try { unlinkSync(file); } catch { return false; }
  return true;
}

/** Is a lock file present at all (held or stale)? For `pipeline runs` and tests. */
export function lockExists(stateDir: string, name: string): boolean {
  return existsSync(lockFile(stateDir, name));
}
