/**
 * `pipeline chroot` and `pipeline build` on bad input and a broken environment: one error line
 * naming the problem (and the fix), a non-zero exit, and nothing written to the cache.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorLines, REPO, tempWorkspace, type TempWorkspace } from './helpers/workspace.js';
import { acquireLock, packageLockName } from '../pipeline/state/lock.js';

let t: TempWorkspace;
let bin: string;

beforeAll(() => {
  t = tempWorkspace(['zookeeper']);
  // A PATH with the basic tools but without mmdebstrap and sbuild.
  bin = join(t.root, 'bin');
  mkdirSync(bin);
  for (const tool of ['dpkg-parsechangelog', 'tar', 'cp', 'sh', 'dch', 'dpkg-source']) {
    if (existsSync(`/usr/bin/${tool}`)) symlinkSync(`/usr/bin/${tool}`, join(bin, tool));
  }
});
afterAll(() => rmSync(t.root, { recursive: true, force: true }));

async function run(args: string[], env: Record<string, string> = {}) {
  const r = await execa(process.execPath, [join(REPO, 'bin', 'pipeline.js'), '--config', t.config, ...args], {
    cwd: t.root, reject: false, stdin: 'ignore', env: { ...t.env, ...env },
  });
  return { exitCode: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr) };
}

describe('pipeline chroot', () => {
  it('list on an empty cache', async () => {
    const r = await run(['--json', 'chroot', 'list']);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ chroots: [], layers: [], layersSizeBytes: 0, layersLimitBytes: 4096 * 1048576 });
  });

  it('prune on an empty cache prunes nothing; a bad bound is one error line', async () => {
    const r = await run(['chroot', 'prune']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.trim()).toBe('nothing to prune');
    const bad = await run(['chroot', 'prune', '--max-size-mib', 'lots']);
    expect(bad.exitCode).toBe(2);
    expect(errorLines(bad.stderr)).toEqual([expect.stringMatching(/--max-size-mib: not a number of MiB: "lots"/)]);
  });

  it('create without mmdebstrap: one line naming the missing tool and `pipeline doctor --fix`, no cache entry', async () => {
    const r = await run(['chroot', 'create', 'bookworm'], { PATH: bin });
    expect(r.exitCode).toBe(3); // a missing tool: the environment, not the input
    const lines = errorLines(r.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^pipeline: missing tools?: mmdebstrap.*\(run pipeline doctor --fix\)$/);
    const dir = join(t.env.PIPELINE_CACHE_DIR!, 'chroots');
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
  });

  it('an unknown suite is one error line', async () => {
    const r = await run(['chroot', 'create', 'sid']);
    expect(r.exitCode).toBe(2);
    expect(errorLines(r.stderr)).toEqual([expect.stringMatching(/unknown series "sid"/)]);
  });
});

describe('pipeline build', () => {
  it('needs a package or --dir', async () => {
    const r = await run(['build']);
    expect(r.exitCode).toBe(2);
    expect(errorLines(r.stderr)).toEqual([expect.stringMatching(/name a package or pass --dir/)]);
  });

  it('an unknown package or stage is one error line', async () => {
    const a = await run(['build', 'nosuch', '--stage', 'ppa']);
    expect(a.exitCode).toBe(2);
    expect(errorLines(a.stderr)).toEqual([expect.stringMatching(/unknown package "nosuch"/)]);
    const b = await run(['build', '--dir', join(REPO, 'test', 'fixtures', 'packages', 'hello-native'), '--stage', 'nosuch']);
    expect(b.exitCode).toBe(2);
    expect(errorLines(b.stderr)).toEqual([expect.stringMatching(/unknown stage "nosuch"/)]);
  });

  it('a directory that is not a source tree is one error line', async () => {
    const r = await run(['build', '--dir', t.root, '--stage', 'backports']);
    expect(r.exitCode).toBe(2);
    expect(errorLines(r.stderr)).toEqual([expect.stringMatching(/not a source tree \(no debian\/changelog\)/)]);
  });

  it('a package whose lock a live run holds: refused with exit 75 naming the holder, no run journaled', async () => {
    const state = t.env.PIPELINE_STATE_DIR!;
    const lock = await acquireLock(state, packageLockName('zookeeper'), { command: 'pipeline promote zookeeper' });
    try {
      const r = await run(['build', 'zookeeper', '--stage', 'ppa']);
      expect(r.exitCode).toBe(75);
      expect(errorLines(r.stderr)).toEqual([expect.stringMatching(new RegExp(`zookeeper is locked by another run: .*pid ${process.pid}.*pipeline promote zookeeper`))]);
      const w = await run(['build', 'zookeeper', '--stage', 'ppa', '--wait', '0.5']);
      expect(w.exitCode).toBe(75);
      expect(w.stderr).toMatch(/gave up waiting/);
    } finally {
      lock.release();
    }
    expect(existsSync(join(state, 'runs'))).toBe(false);
    expect(existsSync(join(state, 'builds'))).toBe(false);
  });

  it('without sbuild: one line naming the fix, nothing under builds/', async () => {
    const r = await run(['build', '--dir', join(REPO, 'test', 'fixtures', 'packages', 'hello-native'), '--stage', 'backports'], { PATH: bin });
    expect(r.exitCode).toBe(3);
    expect(errorLines(r.stderr)).toEqual([expect.stringMatching(/^pipeline: missing tools: sbuild, mmdebstrap.*\(run pipeline doctor --fix\)$/)]);
    expect(existsSync(join(t.env.PIPELINE_STATE_DIR!, 'builds'))).toBe(false);
  });
});
