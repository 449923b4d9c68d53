// reprepro killed mid-run (found by the soak: a SIGKILL during the first export left a half-created
// database and every later publish failed). Under the archive lock, a stale db/lockfile is cleared;
// a database that still opens is kept (a committed run keeps its work), a broken one is put back
// from the copy taken before the killed run.
import { existsSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { ensureArchive, processIncoming, repreproArchive } from '../../pipeline/archive/reprepro.js';
import { ensureSigningKey } from '../../pipeline/archive/signing.js';
import { loadWorkspace } from '../../pipeline/config/workspace.js';
import { archiveLockName, withLock } from '../../pipeline/state/lock.js';
// @ts-expect-error plain ESM module without types
import { DRIVERS } from './drivers.mjs';

vi.setConfig({ testTimeout: 120_000 });
const driver = DRIVERS.promote;
const dir = mkdtempSync(join(tmpdir(), 'reprepro-crash-'));
afterAll(() => { driver.cleanup(dir); rmSync(dir, { recursive: true, force: true }); });

async function setup() {
  const t = driver.workspace(dir, driver.setup(dir));
  const saved = process.env.PIPELINE_GNUPGHOME;
  process.env.PIPELINE_GNUPGHOME = t.env().PIPELINE_GNUPGHOME;
  const ws = loadWorkspace({ cwd: dir, env: t.env() });
  const key = await ensureSigningKey(ws, { create: true });
  if (saved === undefined) delete process.env.PIPELINE_GNUPGHOME; else process.env.PIPELINE_GNUPGHOME = saved;
  const locked = <T>(fn: () => Promise<T>) => withLock(ws.stateDir, archiveLockName('local'), {}, fn);
  const archive = await locked(() => ensureArchive(ws, 'local', key));
  return { ws, key, archive, locked };
}

const list = (archiveDir: string) => execa('reprepro', ['-b', archiveDir, 'list', 'ppa']);

describe('reprepro killed mid-run', () => {
  it('a stale lockfile over a healthy database is cleared and the database kept', async () => {
    const { key, archive, locked } = await setup();
    writeFileSync(join(archive.dir, 'db', 'lockfile'), '');
    writeFileSync(join(archive.dir, 'db', 'kept-sentinel'), 'x');
    await locked(() => processIncoming(archive, key, 'ppa'));
    expect(existsSync(join(archive.dir, 'db', 'lockfile'))).toBe(false);
    expect(existsSync(join(archive.dir, 'db', 'kept-sentinel'))).toBe(true);
    await list(archive.dir);
  });

  it('a half-written database is put back from the snapshot taken before the killed run', async () => {
    const { ws, key, locked } = await setup();
    const archive = repreproArchive(ws, 'local');
    // What a SIGKILL in the middle of reprepro's write leaves: its lockfile and a table that does not open.
    writeFileSync(join(archive.dir, 'db', 'lockfile'), '');
    truncateSync(join(archive.dir, 'db', 'references.db'), 0);
    await expect(list(archive.dir)).rejects.toThrow();
    // Outside the archive lock nothing is touched (another writer might be running).
    await expect(processIncoming(archive, key, 'ppa')).rejects.toThrow(/reprepro processincoming failed/);
    expect(existsSync(join(archive.dir, 'db', 'lockfile'))).toBe(true);
    await locked(() => processIncoming(archive, key, 'ppa'));
    await list(archive.dir);
    expect(existsSync(join(archive.dir, 'dists', 'ppa', 'InRelease'))).toBe(true);
  });
});
