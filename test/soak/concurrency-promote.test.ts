// Two concurrent `pipeline promote zookeeper` on one machine (the real promote, host source
// builder): one proceeds, the other refuses naming the holder — or, with --wait, waits and then
// takes the next step; the archive is consistent afterwards. The first is frozen (SIGSTOP) while
// it holds the package lock, so the overlap is certain rather than a race.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { loadWorkspace } from '../../pipeline/config/workspace.js';
// @ts-expect-error plain ESM module without types
import { DRIVERS } from './drivers.mjs';
// @ts-expect-error plain ESM module without types
import { repreproList } from './kind.mjs';
import { CLI, node, type Exit } from './helpers.js';

vi.setConfig({ testTimeout: 600_000 });
const driver = DRIVERS.promote;
const dirs: string[] = [];
afterAll(() => { for (const d of dirs) { driver.cleanup(d); rmSync(d, { recursive: true, force: true }); } });

function promoteInBackground(dir: string, env: NodeJS.ProcessEnv, args: string[]) {
  const child = spawn(process.execPath, [CLI, 'promote', ...args], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => { stdout += d; });
  child.stderr!.on('data', (d) => { stderr += d; });
  const done = new Promise<Exit>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done, stderr: () => stderr };
}

async function until(cond: () => boolean, what: string, ms = 300_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'soak-promote-'));
  dirs.push(dir);
  const t = driver.workspace(dir, driver.setup(dir));
  const ws = loadWorkspace({ cwd: dir, env: t.env() });
  const lock = join(ws.stateDir, 'locks', 'pkg-zookeeper.lock');
  const holds = (pid: number) => existsSync(lock) && readFileSync(lock, 'utf8').includes(`"pid":${pid},`);
  return { dir, env: t.env() as NodeJS.ProcessEnv, ws, holds, archive: driver.archive(ws) as string };
}

describe('two concurrent pipeline promote zookeeper', () => {
  it('the second refuses with a message naming the holder; the first finishes; the archive is consistent', async () => {
    const { dir, env, holds, archive } = setup();
    const first = promoteInBackground(dir, env, ['zookeeper']);
    await until(() => holds(first.child.pid!), 'the first promote to take the package lock');
    first.child.kill('SIGSTOP');
    const second = await node(CLI, ['promote', 'zookeeper'], dir, env);
    first.child.kill('SIGCONT');
    expect(second.code).toBe(75);
    expect(second.stderr).toMatch(new RegExp(`^pipeline: .*zookeeper is locked by another run: pid ${first.child.pid} \\(pipeline promote zookeeper(, run \\S+)?\\) since \\d{4}-\\S+ \\(wait for it with --wait`, 'm'));
    const r = await first.done;
    expect(r.code, r.stderr).toBe(0);
    expect((await repreproList(archive, 'ppa')).map((e: { package: string }) => e.package)).toEqual(['zookeeper']);
    expect(await repreproList(archive, 'trixie')).toEqual([]);
    await execa('reprepro', ['-b', archive, 'check']);
  });

  it('with --wait the second waits for the first, then promotes to the next stage; one upload each', async () => {
    const { dir, env, holds, archive } = setup();
    const first = promoteInBackground(dir, env, ['zookeeper']);
    await until(() => holds(first.child.pid!), 'the first promote to take the package lock');
    first.child.kill('SIGSTOP');
    const second = promoteInBackground(dir, env, ['zookeeper', '--wait']);
    await until(() => second.stderr().includes(`locked by pid ${first.child.pid}`), 'the second promote to wait');
    first.child.kill('SIGCONT');
    const [r1, r2] = await Promise.all([first.done, second.done]);
    expect([r1.code, r2.code], r1.stderr + r2.stderr).toEqual([0, 0]);
    const ppa = await repreproList(archive, 'ppa');
    const trixie = await repreproList(archive, 'trixie');
    expect(ppa).toHaveLength(1);
    expect(trixie).toHaveLength(1);
    expect(ppa[0].version).toMatch(/~ppa1$/);
    expect(trixie[0].version).toBe(ppa[0].version.replace(/~ppa1$/, ''));
    const runs = (await node(CLI, ['runs', '--json'], dir, env)).stdout;
    expect(JSON.parse(runs).map((x: { state: string; args: { stages: string[] } }) => `${x.state} ${x.args.stages.join(',')}`)).toEqual(['done ppa', 'done devel']);
    await execa('reprepro', ['-b', archive, 'check']);
  });
});
