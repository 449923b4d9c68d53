// A SIGKILLed pipeline must not leave its tools running. The holder is a real node process that
// starts `sleep 300` the way the tool wrappers do (through the compiled dist/, as the CLI runs:
// build with `npx tsc -p .` first); the test kills the holder with SIGKILL and watches /proc.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireLock } from '../state/lock.js';
import { processRunning } from '../state/proc.js';
import { findExecutable, setprivPath, supervisedCommand } from './supervised.js';

const REPO = join(import.meta.dirname, '..', '..');
const DIST = `${join(REPO, 'dist', 'pipeline')}/`;
const leftovers: number[] = [];
const dirs: string[] = [];
afterAll(() => {
  for (const pid of leftovers) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/**
 * Start a node holder running `body` (an ES module; `mod(p)` imports dist/pipeline/p), which
 * prints the pid of the child it started; resolve to the holder and that pid.
 */
async function holder(body: string, env: Record<string, string> = {}) {
  const script = `const mod = (p) => import(${JSON.stringify(DIST)} + p);\n${body}`;
  const sub = execa('node', ['--input-type=module', '-e', script], { cwd: REPO, reject: false, env, stdin: 'ignore' });
  const pid = await new Promise<number>((resolve, reject) => {
    let out = '';
    sub.stdout!.on('data', (d: Buffer) => {
      out += String(d);
      const m = /^(\d+)\n/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    sub.catch(reject);
    void sub.then((r) => reject(new Error(`holder ended before starting its child: ${r.stderr}`)));
  });
  leftovers.push(pid);
  return { sub, pid };
}

async function goneWithin(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!processRunning(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !processRunning(pid);
}

describe('supervisedCommand', () => {
  it('wraps a tool in setpriv --pdeathsig SIGTERM, and leaves a tool that is not on PATH to fail as itself', () => {
    expect(setprivPath()).toBe(findExecutable('setpriv'));
    expect(supervisedCommand('sleep', ['300'])).toEqual({ file: setprivPath(), args: ['--pdeathsig', 'SIGTERM', '--', 'sleep', '300'], supervised: true });
    expect(supervisedCommand('no-such-tool-here', ['x'])).toEqual({ file: 'no-such-tool-here', args: ['x'], supervised: false });
    expect(supervisedCommand('sleep', ['1'], { PATH: '/nonexistent' }).supervised).toBe(false);
  });
});

describe('a SIGKILLed pipeline process', () => {
  it('takes its supervised tool down with it (the kernel sends SIGTERM)', async () => {
    const { sub, pid } = await holder(`
      const { execaSupervised } = await mod('tools/supervised.js');
      const child = execaSupervised('sleep', ['300'], { reject: false, stdin: 'ignore' });
      console.log(child.pid);
      setInterval(() => {}, 1000);`);
    expect(processRunning(pid)).toBe(true);
    sub.kill('SIGKILL');
    await sub;
    expect(await goneWithin(pid, 5_000)).toBe(true);
  });

  it('takes the private apt configuration\'s apt-get down with it', async () => {
    // A stand-in apt-get on PATH that says its pid and hangs, as a fetch from a dead mirror would.
    const root = mkdtempSync(join(tmpdir(), 'supervised-apt-')); dirs.push(root);
    const { mkdirSync, writeFileSync } = await import('node:fs');
    mkdirSync(join(root, 'bin'));
    writeFileSync(join(root, 'bin', 'apt-get'), '#!/bin/sh\necho $$ > "$APT_PID_FILE"\nexec sleep 300\n', { mode: 0o755 });
    const pidFile = join(root, 'apt.pid');
    const { sub } = await holder(`
      const { loadWorkspace } = await mod('config/workspace.js');
      const { privateApt } = await mod('tools/apt.js');
      const { existsSync, readFileSync } = await import('node:fs');
      const ws = loadWorkspace({ config: ${JSON.stringify(join(REPO, 'pipeline.yaml'))}, env: { ...process.env } });
      privateApt(ws, 'bookworm').update({ force: true }).catch(() => {});
      const t = setInterval(() => { if (existsSync(process.env.APT_PID_FILE)) { console.log(readFileSync(process.env.APT_PID_FILE, 'utf8').trim()); clearInterval(t); } }, 20);
      setInterval(() => {}, 1000);`, {
      PATH: `${join(root, 'bin')}:${process.env.PATH}`, APT_PID_FILE: pidFile, PIPELINE_CACHE_DIR: join(root, 'cache'), PIPELINE_STATE_DIR: join(root, 'state'),
    });
    const { readFileSync } = await import('node:fs');
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(processRunning(pid)).toBe(true);
    sub.kill('SIGKILL');
    await sub;
    expect(await goneWithin(pid, 5_000)).toBe(true);
  });

  it('leaves an unsupervised child running (what happened before)', async () => {
    const { sub, pid } = await holder(`
      const { spawn } = await import('node:child_process');
      const child = spawn('sleep', ['300'], { stdio: 'ignore' });
      console.log(child.pid);
      setInterval(() => {}, 1000);`);
    sub.kill('SIGKILL');
    await sub;
    expect(await goneWithin(pid, 2_000)).toBe(false);
    process.kill(pid, 'SIGKILL');
    expect(await goneWithin(pid, 5_000)).toBe(true);
  });
});

describe('lock takeover stops the leftover children a dead holder recorded', () => {
  // The death signal's gap (a kill before setpriv's prctl, or a tool ignoring SIGTERM): the child
  // is started unsupervised here and only recorded in the ledger, which the takeover must act on.
  const start = (stateDir: string, command: string) => holder(`
    const { acquireLock } = await mod('state/lock.js');
    const { trackChild } = await mod('state/children.js');
    const { spawn } = await import('node:child_process');
    await acquireLock(${JSON.stringify(stateDir)}, 'pkg-demo', { command: 'pipeline build demo' });
    const child = spawn('sh', ['-c', ${JSON.stringify(command)}], { stdio: 'ignore' });
    trackChild(child.pid, ['sleep', '300']);
    console.log(child.pid);
    setInterval(() => {}, 1000);`);

  it('SIGTERM, and the takeover line says so', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'children-')); dirs.push(stateDir);
    const { sub, pid } = await start(stateDir, 'exec sleep 300');
    sub.kill('SIGKILL');
    await sub;
    expect(processRunning(pid)).toBe(true); // nothing else stops it
    const lines: string[] = [];
    const lock = await acquireLock(stateDir, 'pkg-demo', { onTakeover: (h, why) => lines.push(`took over from pid ${h.pid} (${why})`) });
    lock.release();
    expect(processRunning(pid)).toBe(false);
    expect(lines).toEqual([`took over from pid ${sub.pid} (process ${sub.pid} is gone; stopped its leftover sleep (pid ${pid}))`]);
  });

  it('SIGKILL after the grace period for a child that ignores SIGTERM', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'children-')); dirs.push(stateDir);
    const { sub, pid } = await start(stateDir, 'trap "" TERM; exec sleep 300');
    sub.kill('SIGKILL');
    await sub;
    const lines: string[] = [];
    const t0 = Date.now();
    const lock = await acquireLock(stateDir, 'pkg-demo', { reapGraceMs: 700, onTakeover: (_h, why) => lines.push(why) });
    lock.release();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(700);
    expect(processRunning(pid)).toBe(false);
    expect(lines[0]).toContain(`stopped its leftover sleep (pid ${pid}, needed SIGKILL)`);
  });

  it('never signals a process that merely reuses a recorded pid (start time differs)', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'children-')); dirs.push(stateDir);
    const { sub, pid } = await start(stateDir, 'exec sleep 300');
    sub.kill('SIGKILL');
    await sub;
    // Rewrite the ledger as if the recorded child had been another process with this pid.
    const { readdirSync, readFileSync, writeFileSync } = await import('node:fs');
    const dir = join(stateDir, 'children');
    const [file] = readdirSync(dir);
    const ledger = JSON.parse(readFileSync(join(dir, file!), 'utf8'));
    ledger.children[0].startTime = '1';
    writeFileSync(join(dir, file!), JSON.stringify(ledger));
    const lines: string[] = [];
    (await acquireLock(stateDir, 'pkg-demo', { onTakeover: (_h, why) => lines.push(why) })).release();
    expect(lines).toEqual([`process ${sub.pid} is gone`]);
    expect(processRunning(pid)).toBe(true);
    process.kill(pid, 'SIGKILL');
  });
});
