// Two promotions at once on one machine: the same package → one proceeds, the other refuses (or
// waits with --wait); different packages → both proceed, the archive lock serialises their writes.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { node, soakWorkspace, START, type Exit } from './helpers.js';
// @ts-expect-error plain ESM module without types
import { repreproList } from './kind.mjs';

const cache = mkdtempSync(join(tmpdir(), 'soak-cache-'));
afterAll(() => rmSync(cache, { recursive: true, force: true }));
const lockOf = (dir: string, name: string) => join(dir, '.pipeline', 'state', 'locks', `${name}.lock`);

/** Start a promotion in the background; resolves once it holds `lock` (or has finished). */
function background(dir: string, env: NodeJS.ProcessEnv, args: string[], lock: string): { started: Promise<void>; done: Promise<Exit>; pid: number } {
  const child = spawn(process.execPath, [START, ...args], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => { stdout += d; });
  child.stderr!.on('data', (d) => { stderr += d; });
  const done = new Promise<Exit>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  let finished = false;
  void done.then(() => { finished = true; });
  const started = (async () => {
    while (!finished && !(existsSync(lock) && readFileSync(lock, 'utf8').includes(`"pid":${child.pid}`))) await new Promise((r) => setTimeout(r, 25));
  })();
  return { started, done, pid: child.pid! };
}

const uploads = (dir: string) => readFileSync(join(dir, 'uploads.ledger'), 'utf8').trim().split('\n');

describe('concurrent promotions', () => {
  it('a second promotion of the same package refuses, naming the holder; the archive stays consistent', async () => {
    const { dir, env } = soakWorkspace(cache);
    const slow = { ...env, SOAK_PUBLISH_DELAY_MS: '2500' };
    const first = background(dir, slow, ['zookeeper', 'ppa'], lockOf(dir, 'pkg-zookeeper'));
    await first.started;
    const second = await node(START, ['zookeeper', 'ppa'], dir, env);
    expect(second.code).toBe(75);
    expect(second.stderr).toMatch(new RegExp(`zookeeper is locked by another run: pid ${first.pid} \\(pipeline soak-promote zookeeper, run \\S+\\) since \\d{4}-`));
    expect(second.stderr).toMatch(/wait for it with --wait/);
    expect((await first.done).code).toBe(0);
    expect(await repreproList(join(dir, 'archive'), 'ppa')).toEqual([{ package: 'zookeeper', version: '3.8.0-1~ppa1' }]);
    expect(uploads(dir)).toHaveLength(1);
    await execa('reprepro', ['-b', join(dir, 'archive'), 'check']);
  });

  it('with --wait the second waits for the first, then finds the version already published (no second upload)', async () => {
    const { dir, env } = soakWorkspace(cache);
    const first = background(dir, { ...env, SOAK_PUBLISH_DELAY_MS: '1500' }, ['txaws', 'ppa'], lockOf(dir, 'pkg-txaws'));
    await first.started;
    const second = await node(START, ['txaws', 'ppa'], dir, { ...env, SOAK_WAIT: '60000' });
    expect(second.stderr).toMatch(new RegExp(`waiting for txaws: locked by pid ${first.pid}`));
    expect(second.code, second.stderr).toBe(0);
    expect((await first.done).code).toBe(0);
    expect(await repreproList(join(dir, 'archive'), 'ppa')).toEqual([{ package: 'txaws', version: '0.5.0-1~ppa1' }]);
    expect(uploads(dir)).toHaveLength(1);
  });

  it('different packages proceed together; the archive lock lets one write the archive at a time', async () => {
    const { dir, env } = soakWorkspace(cache);
    const slow = { ...env, SOAK_PUBLISH_DELAY_MS: '1500' };
    const a = background(dir, slow, ['zookeeper', 'ppa'], lockOf(dir, 'pkg-zookeeper'));
    const b = background(dir, slow, ['txaws', 'ppa'], lockOf(dir, 'pkg-txaws'));
    await Promise.all([a.started, b.started]);
    const [ra, rb] = await Promise.all([a.done, b.done]);
    expect([ra.code, rb.code]).toEqual([0, 0]);
    // Both held the archive lock for 1.5 s: the two windows must not overlap.
    const [w1, w2] = readFileSync(join(dir, 'archive-writes.log'), 'utf8').trim().split('\n')
      .map((l) => l.split(' ').slice(1).map(Number) as [number, number]).sort((x, y) => x[0] - y[0]);
    expect(w2![0]).toBeGreaterThanOrEqual(w1![1]);
    expect(await repreproList(join(dir, 'archive'), 'ppa')).toEqual([
      { package: 'txaws', version: '0.5.0-1~ppa1' }, { package: 'zookeeper', version: '3.8.0-1~ppa1' },
    ]);
    expect(uploads(dir)).toHaveLength(2);
    await execa('reprepro', ['-b', join(dir, 'archive'), 'check']);
  });
});
