/**
 * Crash-consistent use of a tool's small on-disk database (reprepro's `db/`): a copy is taken before
 * every write, under the lock that serialises the writers; when a run of the tool was killed
 * mid-write (its own lock file left behind) and the database no longer opens, the copy is put back.
 *
 * Found by the recovery soak: a SIGKILL during reprepro's first `export` leaves a half-created
 * Berkeley DB (`db_open(...references.db): File exists` / `unexpected file type`) and every later
 * publish fails. Restoring only when the database is broken matters: a killed run that had already
 * committed keeps its work (rolling it back could make a second upload of what was accepted).
 *
 * Layout: `<backup>/` is a full copy of the directory, or holds only `.absent` when the directory
 * did not exist yet. It is replaced atomically (copy aside, rename), so a crash while taking a
 * snapshot leaves the previous one (`<backup>.old` between the two renames).
 */
import { cpSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';

const ABSENT = '.absent';

export function snapshotDir(dir: string, backup: string): void {
  const tmp = `${backup}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  if (existsSync(dir)) {
    cpSync(dir, tmp, { recursive: true, filter: (src) => !src.endsWith('/lockfile') });
  } else {
    mkdirSync(tmp, { recursive: true });
    writeFileSync(`${tmp}/${ABSENT}`, '');
  }
  rmSync(`${backup}.old`, { recursive: true, force: true });
  if (existsSync(backup)) renameSync(backup, `${backup}.old`);
  renameSync(tmp, backup);
  rmSync(`${backup}.old`, { recursive: true, force: true });
}

/** Put the last snapshot back in place of `dir`; false when there is none. */
export function restoreSnapshot(dir: string, backup: string): boolean {
  const from = existsSync(backup) ? backup : existsSync(`${backup}.old`) ? `${backup}.old` : undefined;
  if (!from) return false;
  rmSync(dir, { recursive: true, force: true });
  if (!existsSync(`${from}/${ABSENT}`)) cpSync(from, dir, { recursive: true });
  return true;
}
