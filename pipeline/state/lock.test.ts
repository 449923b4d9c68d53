import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { acquireLock, clearStaleToolLock, holderAlive, lockFile, lockHolder, LOCK_BUSY_EXIT, processStartTime, withLock } from './lock.js';
import { scratchDir } from '../../test/helpers/scratch.js';

const dist = fileURLToPath(new URL('../../dist/pipeline/state/lock.js', import.meta.url));
const tmp = () => scratchDir('lock-');

/** A child process that takes the lock, prints "held", holds it for `ms`, then releases it. */
function holder(stateDir: string, name: string, ms: number): Promise<ChildProcess> {
  if (!existsSync(dist)) throw new Error('build first (npx tsc -p .)');
  const child = spawn(process.execPath, ['--input-type=module', '-e', `
    const { acquireLock } = await import(${JSON.stringify(dist)});
    const l = await acquireLock(${JSON.stringify(stateDir)}, ${JSON.stringify(name)}, { command: 'pipeline promote zookeeper' });
    console.log('held');
    setTimeout(() => { l.release(); process.exit(0); }, ${ms});`], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve) => child.stdout!.on('data', (d) => { if (String(d).includes('held')) resolve(child); }));
}

function deadPid(): number {
  return spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' }).stdout.trim() as unknown as number;
}

describe('locks', () => {
  it('reads the process start time from /proc (field 22)', () => {
    const st = processStartTime(process.pid);
    expect(st).toMatch(/^\d+$/);
    const fields = readFileSync('/proc/self/stat', 'utf8');
    expect(Number(st)).toBeLessThanOrEqual(Number(fields.slice(fields.lastIndexOf(')') + 2).split(' ')[19]));
  });

  it('is exclusive across processes, and refuses naming the holder', async () => {
    const dir = tmp();
    const child = await holder(dir, 'pkg-zookeeper', 1500);
    const err = await acquireLock(dir, 'pkg-zookeeper').then(() => undefined, (e: unknown) => e as Error & { exitCode: number });
    expect(err?.message).toMatch(new RegExp(`zookeeper is locked by another run: pid ${child.pid} \\(pipeline promote zookeeper\\) since 20`));
    expect(err?.exitCode).toBe(LOCK_BUSY_EXIT);
    expect(lockHolder(dir, 'pkg-zookeeper')?.pid).toBe(child.pid);
    child.kill('SIGKILL');
  });

  it('waits for a live holder when asked, and gets the lock when it is released', async () => {
    const dir = tmp();
    const child = await holder(dir, 'archive-local', 800);
    const waited: number[] = [];
    const t0 = Date.now();
    const lock = await acquireLock(dir, 'archive-local', { wait: 10_000, pollMs: 50, onWait: (h) => waited.push(h.pid) });
    expect(waited).toEqual([child.pid]);
    expect(Date.now() - t0).toBeGreaterThan(300);
    expect(lockHolder(dir, 'archive-local')?.pid).toBe(process.pid);
    lock.release();
    expect(existsSync(lockFile(dir, 'archive-local'))).toBe(false);
  });

  it('gives up waiting after the timeout', async () => {
    const dir = tmp();
    const child = await holder(dir, 'pkg-txaws', 5000);
    await expect(acquireLock(dir, 'pkg-txaws', { wait: 300, pollMs: 50 })).rejects.toThrow(/gave up waiting/);
    child.kill('SIGKILL');
  });

  it('takes over the lock of a process killed with SIGKILL', async () => {
    const dir = tmp();
    const child = await holder(dir, 'pkg-zookeeper', 60_000);
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    expect(existsSync(lockFile(dir, 'pkg-zookeeper'))).toBe(true); // left behind
    const why: string[] = [];
    const lock = await acquireLock(dir, 'pkg-zookeeper', { onTakeover: (_h, w) => why.push(w) });
    expect(why).toEqual([`process ${child.pid} is gone`]);
    lock.release();
  });

  it('takes over a lock whose pid was reused by another process (start time differs), or from before a reboot', async () => {
    const dir = tmp();
    mkdirSync(join(dir, 'locks'));
    const record = { pid: process.pid, startTime: '1', host: hostname(), since: '2026-01-01T00:00:00Z', command: 'old', token: 'x' };
    expect(holderAlive(record)).toEqual({ alive: false, why: `pid ${process.pid} was reused by another process` });
    expect(holderAlive({ ...record, startTime: processStartTime(process.pid), bootId: 'another-boot' }).alive).toBe(false);
    expect(holderAlive({ ...record, startTime: processStartTime(process.pid) }).alive).toBe(true);
    expect(holderAlive({ ...record, pid: Number(deadPid()) }).alive).toBe(false);
    writeFileSync(lockFile(dir, 'pkg-a'), JSON.stringify(record));
    const lock = await acquireLock(dir, 'pkg-a');
    expect(JSON.parse(readFileSync(lockFile(dir, 'pkg-a'), 'utf8')).token).not.toBe('x');
    lock.release();
  });

  it('is re-entrant within a process and released by withLock however fn ends', async () => {
    const dir = tmp();
    const a = await acquireLock(dir, 'archive-local');
    const b = await acquireLock(dir, 'archive-local');
    expect(b).toBe(a);
    b.release();
    expect(existsSync(lockFile(dir, 'archive-local'))).toBe(true);
    a.release();
    expect(existsSync(lockFile(dir, 'archive-local'))).toBe(false);
    await expect(withLock(dir, 'archive-local', {}, async () => { throw new Error('boom'); })).rejects.toThrow('boom');
    expect(existsSync(lockFile(dir, 'archive-local'))).toBe(false);
  });

  it('clears a tool\'s stale lock file only under the guard lock and with no live tool process', async () => {
    const dir = tmp();
    const toolLock = join(dir, 'lockfile');
    writeFileSync(toolLock, '');
    const isTool = (marker: string) => (argv: string[]) => argv.includes(marker);
    expect(clearStaleToolLock(toolLock, 'archive-local', isTool('never'))).toBe(false); // guard not held
    const guard = await acquireLock(dir, 'archive-local');
    const live = spawn('sh', ['-c', 'sleep 30', 'tool', dir]); // argv: sh -c 'sleep 30' tool DIR
    await new Promise((r) => setTimeout(r, 100));
    expect(clearStaleToolLock(toolLock, 'archive-local', isTool(dir))).toBe(false); // the tool still runs
    expect(existsSync(toolLock)).toBe(true);
    live.kill('SIGKILL');
    await new Promise((r) => live.on('exit', r));
    expect(clearStaleToolLock(toolLock, 'archive-local', isTool(dir))).toBe(true);
    expect(existsSync(toolLock)).toBe(false);
    guard.release();
  });

  it('lets exactly one of many racing processes take over a stale lock at a time', async () => {
    const dir = tmp();
    mkdirSync(join(dir, 'locks'));
    writeFileSync(lockFile(dir, 'pkg-race'), JSON.stringify({ pid: Number(deadPid()), host: hostname(), since: 'x', command: 'dead', token: 't' }));
    const counter = join(dir, 'inside');
    const script = `
      import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
      const { withLock } = await import(${JSON.stringify(dist)});
      await withLock(${JSON.stringify(dir)}, 'pkg-race', { wait: 30000, pollMs: 10 }, async () => {
        appendFileSync(${JSON.stringify(counter)}, 'in\\n');
        const n = readFileSync(${JSON.stringify(counter)}, 'utf8').split('\\n').filter(Boolean).length;
        await new Promise((r) => setTimeout(r, 30));
        const m = readFileSync(${JSON.stringify(counter)}, 'utf8').split('\\n').filter(Boolean).length;
        if (n !== m) { console.error('overlap'); process.exit(3); }
        appendFileSync(${JSON.stringify(counter)}, '');
      });`;
    const kids = Array.from({ length: 6 }, () => spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'inherit' }));
    const codes = await Promise.all(kids.map((k) => new Promise<number | null>((r) => k.on('exit', r))));
    expect(codes).toEqual([0, 0, 0, 0, 0, 0]);
    expect(readFileSync(counter, 'utf8').trim().split('\n')).toHaveLength(6);
  });
});
