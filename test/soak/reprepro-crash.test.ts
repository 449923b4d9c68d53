// reprepro killed mid-run (found by the soak: a SIGKILL during the first export left a half-created
// database and every later publish failed). Under the archive lock, a stale db/lockfile is cleared;
// a database that still opens is kept (a committed run keeps its work), a broken one is put back
// from the copy taken before the killed run.
import { existsSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
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

/** zookeeper's ppa upload signed, linted and put by dput into the local archive's incoming queue (not processed). */
async function dputToIncoming(runId: string) {
  const { stagesWorkspace } = await import('../helpers/stagesWorkspace.js');
  const { promoteSteps } = await import('../../pipeline/stages/lifecycle.js');
  const { dput } = await import('../../pipeline/archive/dput.js');
  const t = stagesWorkspace({ packages: ['zookeeper'] });
  const restore = t.use();
  const ws = t.ws();
  const table = promoteSteps(ws, { package: 'zookeeper', stages: ['ppa'] });
  const step = (name: string) => table.steps.find((s) => s.name === `ppa:${name}`)!;
  const ctx = { runId, outputs: {} as Record<string, unknown>, dryRun: false, note: () => {} };
  for (const name of ['verify', 'prepare', 'build', 'sign', 'lint']) ctx.outputs[`ppa:${name}`] = await step(name).run(ctx);
  const set = ctx.outputs['ppa:sign'] as { changes: { path: string }; dsc: { path: string; sha256: string } };
  const key = await ensureSigningKey(ws, { create: true });
  const archive = await withLock(ws.stateDir, archiveLockName('local'), {}, () => ensureArchive(ws, 'local', key));
  await dput(ws, ws.config.stages[0]!, set.changes.path, key);
  return { t, restore, ws, step, ctx, set, key, archive };
}

describe('reprepro killed after processincoming committed, before the export', () => {
  it('publish reconcile re-exports first and confirms the upload instead of uploading it again', async () => {
    const { findSource, pendingIncoming } = await import('../../pipeline/archive/reprepro.js');
    const { t, restore, ws, step, ctx, set, key, archive } = await dputToIncoming('killed-export');
    try {
      // The killed reprepro: its database has the upload, the indices do not, its lockfile is left.
      await execa('reprepro', ['-b', archive.dir, '--gnupghome', key.gnupgHome, '--export=never', 'processincoming', 'ppa'], { env: { GNUPGHOME: key.gnupgHome } });
      writeFileSync(join(archive.dir, 'db', 'lockfile'), '');
      expect(pendingIncoming(archive, 'ppa')).toEqual([]);
      expect(findSource(archive, 'ppa', 'zookeeper', '3.9.3-2~ppa1')).toBeUndefined();
      const upload = `${set.changes.path.replace(/\.changes$/, '')}.pipeline-local-ppa.upload`;
      const deliveries = () => (readFileSync(upload, 'utf8').match(/^Successfully uploaded \S+_source\.changes/gm) ?? []).length;
      expect(deliveries()).toBe(1);

      const reconciled = await step('publish').reconcile!(ctx) as { reconciled?: boolean };
      expect(reconciled?.reconciled).toBe(true);
      expect(findSource(archive, 'ppa', 'zookeeper', '3.9.3-2~ppa1')?.files[set.dsc.path.split('/').pop()!]?.sha256).toBe(set.dsc.sha256);
      expect(deliveries()).toBe(1); // not uploaded again
      expect(existsSync(join(archive.dir, 'db', 'lockfile'))).toBe(false);
    } finally {
      restore();
      await t.cleanup();
    }
  });
});

describe('reprepro killed inside processincoming', () => {
  // Killed after reprepro logged the upload (what its notifier hook gives), or before (the log
  // entry removed, as a kill a moment earlier leaves it): either way one processing in the log.
  it.each([['after', false], ['before', true]])('killed %s logging: publish reconcile leaves incoming empty and the archive log with exactly one processing of the upload', async (_when, logLost) => {
    const { findSource, incomingDir } = await import('../../pipeline/archive/reprepro.js');
    const { readdirSync, chmodSync } = await import('node:fs');
    const { t, restore, ws, step, ctx, set, key, archive } = await dputToIncoming('killed-processincoming');
    try {
      const changesName = set.changes.path.split('/').pop()!;
      expect(readdirSync(incomingDir(archive, 'ppa'))).toContain(changesName);

      // SIGKILL from inside the real processincoming: a --changes notifier (which reprepro runs
      // once it has accepted the upload) kills reprepro, its parent, on the spot.
      const killer = join(dir, 'kill-reprepro.sh');
      writeFileSync(killer, '#!/bin/sh\nkill -9 "$PPID"\nsleep 5\n');
      chmodSync(killer, 0o755);
      const conf = join(archive.dir, 'conf', 'distributions');
      const original = readFileSync(conf, 'utf8');
      writeFileSync(conf, original.replace(/^(Codename: ppa\n)/m, `$1Log: ppa.log\n --changes ${killer}\n`));
      const killed = await execa('reprepro', ['-b', archive.dir, '--gnupghome', key.gnupgHome, 'processincoming', 'ppa'], { env: { GNUPGHOME: key.gnupgHome }, reject: false });
      expect(killed.signal).toBe('SIGKILL');
      writeFileSync(conf, original);
      // What it left: the upload committed and logged, its files still in incoming.
      expect(readdirSync(incomingDir(archive, 'ppa'))).toContain(changesName);
      // reprepro logs a processed upload as log/SUITE/NAME.NNNNNNN (NAME: the .changes without it).
      const logged = () => readdirSync(join(archive.dir, 'log', 'ppa')).filter((f) => f.startsWith(changesName.replace(/\.changes$/, '.')));
      expect(logged()).toHaveLength(1);
      if (logLost) rmSync(join(archive.dir, 'log', 'ppa', logged()[0]!), { recursive: true });

      const reconciled = await step('publish').reconcile!(ctx) as { reconciled?: boolean };
      expect(reconciled?.reconciled).toBe(true);
      expect(findSource(archive, 'ppa', 'zookeeper', '3.9.3-2~ppa1')?.files[set.dsc.path.split('/').pop()!]?.sha256).toBe(set.dsc.sha256);
      expect(readdirSync(incomingDir(archive, 'ppa'))).toEqual([]);
      // The next processincoming (the next upload to the suite) finds nothing left to log again.
      await withLock(ws.stateDir, archiveLockName('local'), {}, async () => {
        const { processIncoming } = await import('../../pipeline/archive/reprepro.js');
        await processIncoming(archive, key, 'ppa');
      });
      expect(logged()).toHaveLength(1);
    } finally {
      restore();
      await t.cleanup();
    }
  });
});
