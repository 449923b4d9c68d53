/**
 * The child-process ledger: which long-running tools (sbuild, mmdebstrap, lintian) this process
 * started, so that whoever takes over its lock after a crash can stop the ones still running.
 *
 * The first line of defence is the kernel: those tools run under `setpriv --pdeathsig SIGTERM`
 * (pipeline/tools/supervised.ts), so they are told to stop the moment we die. That has a gap — a
 * SIGKILL between the fork and setpriv's prctl leaves the child without a death signal — and a
 * tool may ignore SIGTERM. So while this process holds a lock in a state directory, the pid and
 * start time of every tracked child are also written to `<stateDir>/children/<pid>-<start>.json`.
 * When a dead holder's lock is taken over (lock.ts), its ledger is read and every child whose pid
 * *and* start time still match (never a stranger that reused the pid) gets SIGTERM, then SIGKILL
 * after a grace period. Only then does the new holder go on: no leftover build writes into the
 * build directory the resumed run is about to use.
 *
 * Written atomically (rename) but without fsync: the ledger only matters while its processes
 * live, and a power cut ends them all.
 */
import { mkdirSync, readFileSync, unlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { processRunning, processStartTime } from './proc.js';

export interface ChildRecord {
  pid: number;
  /** /proc/<pid>/stat field 22: tells this child from a later process with the same pid. */
  startTime: string;
  /** The tool's command line, for messages. */
  command: string[];
  since: string;
}

interface LedgerFile {
  parent: { pid: number; startTime?: string };
  children: ChildRecord[];
}

/** A leftover child that a takeover stopped. */
export interface ReapedChild {
  pid: number;
  command: string[];
  /** SIGTERM sufficed, or it needed SIGKILL after the grace period. */
  signal: 'SIGTERM' | 'SIGKILL';
}

export interface ReapOptions {
  /** How long a child gets to exit after SIGTERM (sbuild cleans its chroot up) before SIGKILL. */
  graceMs?: number;
  pollMs?: number;
}

export const DEFAULT_REAP_GRACE_MS = 20_000;

const tracked = new Map<number, ChildRecord>();
/** State dirs in which this process holds a lock, with how many locks. */
const ledgerDirs = new Map<string, number>();
let selfStart: string | undefined | null = null;

export function childLedgerFile(stateDir: string, parent: { pid: number; startTime?: string }): string {
  return join(stateDir, 'children', `${parent.pid}-${parent.startTime ?? 'unknown'}.json`);
}

function ownLedger(stateDir: string): string {
  if (selfStart === null) selfStart = processStartTime(process.pid);
  return childLedgerFile(stateDir, { pid: process.pid, startTime: selfStart });
}

function unlinkQuietly(file: string): void {
  try { unlinkSync(file); } catch { /* not there */ }
}

function writeLedger(stateDir: string): void {
  const file = ownLedger(stateDir);
  if (tracked.size === 0) return unlinkQuietly(file);
  const data: LedgerFile = { parent: { pid: process.pid, startTime: selfStart ?? undefined }, children: [...tracked.values()] };
  try {
    mkdirSync(join(stateDir, 'children'), { recursive: true });
    writeFileAtomic.sync(file, `${JSON.stringify(data)}\n`, { fsync: false });
  } catch {
    // The ledger is a second line of defence; failing to write it must not fail a build.
  }
}

const writeAll = () => { for (const dir of ledgerDirs.keys()) writeLedger(dir); };

/** lock.ts: this process now holds a lock in `stateDir`; keep its ledger there. */
export function attachChildLedger(stateDir: string): void {
  const n = ledgerDirs.get(stateDir) ?? 0;
  ledgerDirs.set(stateDir, n + 1);
  if (n === 0 && tracked.size) writeLedger(stateDir);
}

/** lock.ts: a lock in `stateDir` was released; the last one removes the ledger. */
export function detachChildLedger(stateDir: string): void {
  const n = ledgerDirs.get(stateDir) ?? 0;
  if (n > 1) return void ledgerDirs.set(stateDir, n - 1);
  ledgerDirs.delete(stateDir);
  unlinkQuietly(ownLedger(stateDir));
}

/**
 * Record a child that just started (its pid from execa); returns the function that forgets it
 * again, to call when it ends. A child that is already gone is not recorded.
 */
export function trackChild(pid: number | undefined, command: string[]): () => void {
  if (pid === undefined) return () => {};
  const startTime = processStartTime(pid);
  if (startTime === undefined) return () => {};
  tracked.set(pid, { pid, startTime, command, since: new Date().toISOString() });
  writeAll();
  return () => {
    if (tracked.get(pid)?.startTime !== startTime) return;
    tracked.delete(pid);
    writeAll();
  };
}

/** Children this process tracks now (tests, diagnostics). */
export function trackedChildren(): ChildRecord[] {
  return [...tracked.values()];
}

const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function waitGone(children: ChildRecord[], ms: number, pollMs: number): Promise<ChildRecord[]> {
  const deadline = Date.now() + ms;
  let left = children.filter((c) => processRunning(c.pid, c.startTime));
  while (left.length && Date.now() < deadline) {
    await delay(pollMs);
    left = left.filter((c) => processRunning(c.pid, c.startTime));
  }
  return left;
}

function signal(c: ChildRecord, sig: NodeJS.Signals): void {
  // Checked right before the kill: a child that exited meanwhile may have left its pid to a stranger.
  if (!processRunning(c.pid, c.startTime)) return;
  try { process.kill(c.pid, sig); } catch { /* exited meanwhile */ }
}

/**
 * Stop the children a dead lock holder left running: SIGTERM, then SIGKILL for those still there
 * after `graceMs`. Returns what was stopped (empty when the death signal had already done it).
 * Does nothing while the holder itself still runs. The holder's ledger is removed.
 */
export async function reapOrphans(stateDir: string, holder: { pid: number; startTime?: string }, options: ReapOptions = {}): Promise<ReapedChild[]> {
  if (processRunning(holder.pid, holder.startTime)) return [];
  const file = childLedgerFile(stateDir, holder);
  let ledger: LedgerFile;
  try {
    ledger = JSON.parse(readFileSync(file, 'utf8')) as LedgerFile;
  } catch {
    unlinkQuietly(file); // none, or unreadable (a ledger is only ever replaced whole, so: junk)
    return [];
  }
  const alive = (ledger.children ?? []).filter((c) => c.startTime && processRunning(c.pid, c.startTime));
  for (const c of alive) signal(c, 'SIGTERM');
  const pollMs = options.pollMs ?? 100;
  const stubborn = await waitGone(alive, options.graceMs ?? DEFAULT_REAP_GRACE_MS, pollMs);
  for (const c of stubborn) signal(c, 'SIGKILL');
  await waitGone(stubborn, 5_000, pollMs);
  unlinkQuietly(file);
  return alive.map((c) => ({ pid: c.pid, command: c.command, signal: stubborn.includes(c) ? 'SIGKILL' : 'SIGTERM' }));
}

/** `; stopped its leftover sbuild (pid 123)` — appended to the takeover line; empty when none. */
export function describeReaped(reaped: ReapedChild[]): string {
  if (reaped.length === 0) return '';
  const what = reaped.map((c) => `${basename(c.command[0] ?? '?')} (pid ${c.pid}${c.signal === 'SIGKILL' ? ', needed SIGKILL' : ''})`);
  return `; stopped its leftover ${what.join(', ')}`;
}
