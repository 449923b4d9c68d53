/**
 * A `pipeline build` SIGKILLed while sbuild runs must not leave that sbuild behind: it runs under
 * a parent-death signal (pipeline/tools/supervised.ts), aborts on it and cleans up. Real CLI, real
 * sbuild in the cached bookworm chroot (test/setup/chroots.ts).
 */
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, expect, inject, it } from 'vitest';
import { processRunning, processStartTime } from '../pipeline/state/proc.js';
import { REPO } from './helpers/workspace.js';

const root = mkdtempSync(join(tmpdir(), 'pipeline-killed-build-'));
interface Proc { pid: number; ppid: number; start?: string; argv: string[] }

function processes(): Proc[] {
  const out: Proc[] = [];
  for (const d of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const argv = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').filter(Boolean);
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      out.push({ pid: Number(d), ppid, start: processStartTime(Number(d)), argv });
    } catch { /* exited meanwhile */ }
  }
  return out;
}

/** sbuild processes of this test's build (their --build-dir is under `root`). */
const ourSbuilds = () => processes().filter((p) => p.argv.some((a) => /(^|\/)sbuild$/.test(a)) && p.argv.some((a) => a.includes(root)));

/** The text of every sbuild .build log under the state dir (the build's own directory). */
function buildLogs(dir = join(root, 'state')): string {
  let text = '';
  try {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) text += buildLogs(p);
      else if (e.isFile() && e.name.endsWith('.build')) text += readFileSync(p, 'utf8');
    }
  } catch { /* renamed or removed meanwhile */ }
  return text;
}

function descendants(of: number, all: Proc[]): Proc[] {
  const kids = all.filter((p) => p.ppid === of);
  return kids.flatMap((k) => [k, ...descendants(k.pid, all)]);
}

afterAll(() => {
  for (const p of ourSbuilds()) try { process.kill(p.pid, 'SIGKILL'); } catch { /* gone */ }
  rmSync(root, { recursive: true, force: true });
});

it('SIGKILL of pipeline build stops its sbuild (and what sbuild started) within seconds', async () => {
  cpSync(join(REPO, 'pipeline.yaml'), join(root, 'pipeline.yaml'));
  // sbuild unpacks the chroot here (not the shared /dev/shm), so its clean-up can be checked.
  const unpack = join(root, 'unpack');
  mkdirSync(unpack);
  chmodSync(root, 0o755); // the unshared (subuid) root of the chroot must reach it, as it reaches /tmp
  chmodSync(unpack, 0o1777);
  const env = { PIPELINE_CACHE_DIR: inject('chrootCacheDir'), PIPELINE_STATE_DIR: join(root, 'state'), PIPELINE_BUILD_TMPDIR: unpack };
  const cli = execa('node', [join(REPO, 'bin', 'pipeline.js'), '--config', join(root, 'pipeline.yaml'), 'build', '--force',
    '--dir', join(REPO, 'test', 'fixtures', 'packages', 'hello-native'), '--stage', 'backports'], { cwd: root, env, reject: false, stdin: 'ignore' });

  // Wait for sbuild to be well into the build (unpacked chroot, children of its own).
  const until = Date.now() + 120_000;
  let sbuild: Proc | undefined;
  while (!sbuild && Date.now() < until && cli.exitCode === null) {
    await new Promise((r) => setTimeout(r, 200));
    sbuild = ourSbuilds()[0];
  }
  expect(sbuild, 'sbuild never started').toBeDefined();
  // ...and past unpacking the chroot: its log has reached a later section.
  while (Date.now() < until && !/^\| (Fetch source files|Install package build dependencies|Build environment)/m.test(buildLogs())) {
    await new Promise((r) => setTimeout(r, 200));
  }
  expect(buildLogs()).toMatch(/^\| (Fetch source files|Install package build dependencies|Build environment)/m);
  const tree = [sbuild!, ...descendants(sbuild!.pid, processes())];
  expect(processRunning(sbuild!.pid, sbuild!.start)).toBe(true); // the build was still running when killed

  cli.kill('SIGKILL');
  expect((await cli).signal).toBe('SIGKILL');

  const deadline = Date.now() + 30_000;
  let left = tree;
  while (Date.now() < deadline) {
    left = tree.filter((p) => processRunning(p.pid, p.start));
    if (left.length === 0) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  expect(left.map((p) => `${p.pid} ${p.argv.join(' ').slice(0, 120)}`)).toEqual([]);
  expect(ourSbuilds()).toEqual([]);
  // sbuild aborted rather than died: it removed the chroot it had unpacked.
  expect(readdirSync(unpack)).toEqual([]);
}, 240_000);
