/**
 * `pipeline build PKG` is a journaled run: SIGKILLed while sbuild builds, it is listed as an
 * interrupted build run; `pipeline resume` finishes it (chroot step from the journal, the build
 * step run again), and the next `pipeline build` is served from that record. Real CLI, real
 * sbuild in the cached bookworm chroot (test/setup/chroots.ts).
 */
import { cpSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { readJournal } from '../pipeline/state/journal.js';
import { StateStore } from '../pipeline/state/store.js';
import { stagesWorkspace, type StagesWorkspace } from './helpers/stagesWorkspace.js';
import { REPO } from './helpers/workspace.js';

let t: StagesWorkspace;
beforeAll(() => {
  const yaml = readFileSync(join(REPO, 'pipeline.yaml'), 'utf8').replace(/builder: \{ suite: trixie,/g, 'builder: { suite: bookworm,');
  t = stagesWorkspace({ packages: [], config: yaml });
  cpSync(join(REPO, 'test', 'fixtures', 'stages', 'hello-stage'), join(t.root, 'packages', 'hello-stage'), { recursive: true });
  t.env.PIPELINE_CACHE_DIR = inject('chrootCacheDir');
});
afterAll(async () => { await t.cleanup(); });

const cli = (args: string[]) => execa(process.execPath, [join(REPO, 'bin', 'pipeline.js'), '--config', t.config, ...args], {
  cwd: t.root, env: t.env, reject: false, stdin: 'ignore',
});

/** The sbuild .build logs of this workspace's builds (in-progress temporary directories too). */
function buildLogText(dir = join(t.env.PIPELINE_STATE_DIR!, 'builds')): string {
  let text = '';
  try {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) text += buildLogText(p);
      else if (e.name.endsWith('.build')) text += readFileSync(p, 'utf8');
    }
  } catch { /* renamed meanwhile */ }
  return text;
}

it('killed mid-sbuild: an interrupted build run; resume finishes it; the next build is served from its record', async () => {
  const state = t.env.PIPELINE_STATE_DIR!;
  const first = cli(['build', 'hello-stage', '--stage', 'backports']);
  const until = Date.now() + 180_000;
  while (Date.now() < until && first.exitCode === null && !/^\| (Install package build dependencies|Build environment|Build)\b/m.test(buildLogText())) {
    await new Promise((r) => setTimeout(r, 200));
  }
  expect(first.exitCode, 'the build ended before it could be killed').toBeNull();
  first.kill('SIGKILL');
  expect((await first).signal).toBe('SIGKILL');

  const runs = JSON.parse(String((await cli(['--json', 'runs'])).stdout)) as Array<Record<string, unknown>>;
  expect(runs).toHaveLength(1);
  expect(runs[0]).toMatchObject({ package: 'hello-stage', command: 'build', state: 'interrupted', steps: ['chroot', 'build'], done: ['chroot'], interrupted: 'build' });
  const runId = runs[0]!.runId as string;
  expect(new StateStore(state).read('hello-stage', 'backports', 'build')).toBeUndefined();

  const resumed = await cli(['resume']);
  expect(resumed.exitCode, String(resumed.stderr)).toBe(0);
  expect(String(resumed.stdout)).toContain(`${runId}: done (1 step(s) from the journal)`);
  const record = new StateStore(state).read('hello-stage', 'backports', 'build')!;
  expect(record).toMatchObject({ status: 'successful', version: '1.0-1~bpo12+1' });
  expect(existsSync(record.dsc!.path)).toBe(true);
  const types = readJournal(join(state, 'runs', runId, 'journal.jsonl')).entries.map((e) => e.type === 'step-start' || e.type === 'step-end' ? `${e.type}:${e.step}` : e.type);
  expect(types).toEqual(['run-planned', 'step-start:chroot', 'step-end:chroot', 'step-start:build', 'run-resumed', 'step-start:build', 'step-end:build', 'run-done']);

  const again = await cli(['--json', 'build', 'hello-stage', '--stage', 'backports']);
  expect(again.exitCode, String(again.stderr)).toBe(0);
  expect(JSON.parse(String(again.stdout))).toMatchObject({ status: 'successful', cached: true, dsc: { sha256: record.dsc!.sha256 } });
  const after = JSON.parse(String((await cli(['--json', 'runs'])).stdout)) as Array<Record<string, unknown>>;
  expect(after.map((r) => [r.command, r.state])).toEqual([['build', 'done'], ['build', 'done']]);

  // The workflows' build script is the same journaled run, and copies the artifacts out.
  const out = join(t.root, 'artifacts');
  const script = await execa(process.execPath, [join(REPO, 'scripts', 'ci', 'build.mjs'), '--stage', 'backports', '--out', out, 'hello-stage'], {
    cwd: t.root, env: { ...t.env, PIPELINE_CONFIG: t.config }, reject: false,
  });
  expect(script.exitCode, String(script.stderr)).toBe(0);
  expect(String(script.stdout)).toContain('hello-stage 1.0-1~bpo12+1 (backports): successful');
  expect(readdirSync(join(out, 'hello-stage_backports'))).toContain('hello-stage_1.0-1~bpo12+1.dsc');
  const final = JSON.parse(String((await cli(['--json', 'runs'])).stdout)) as Array<Record<string, unknown>>;
  expect(final.map((r) => [r.command, r.state])).toEqual([['build', 'done'], ['build', 'done'], ['build', 'done']]);
}, 400_000);
