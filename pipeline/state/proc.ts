/**
 * What /proc says about a process: its start time (to tell a pid from a later reuse of the same
 * number) and whether it is still running. Shared by the locks and the child-process ledger.
 */
import { readFileSync } from 'node:fs';

/** Fields 3.. of /proc/<pid>/stat (after the parenthesised comm, which may hold spaces and ')'). */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** Field 22 of /proc/<pid>/stat: the process's start time in clock ticks after boot. */
export function processStartTime(pid: number): string | undefined {
  return statFields(pid)?.[22 - 3];
}

/**
 * Is this exact process (pid, and start time when given) still running? A zombie is not: it has
 * exited and only waits for its parent to collect it.
 */
export function processRunning(pid: number, startTime?: string): boolean {
  const fields = statFields(pid);
  if (!fields) return false;
  if (fields[0] === 'Z' || fields[0] === 'X') return false;
  return startTime === undefined || fields[22 - 3] === startTime;
}
