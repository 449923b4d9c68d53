/**
 * CLI conventions scripts can rely on: --version; --json and --format json are one request in
 * every command; under --json an error is one JSON object on stdout; distinct exit codes
 * (1 blocked, 2 usage/bad input, 3 environment, 75 locked); --waive names a known gate and does
 * not swallow the package argument.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cli, REPO } from './helpers/workspace.js';
import { stagesWorkspace, type StagesWorkspace } from './helpers/stagesWorkspace.js';

vi.setConfig({ testTimeout: 120_000 });

let t: StagesWorkspace;
beforeAll(() => { t = stagesWorkspace({ packages: ['zookeeper', 'txaws'] }); });
afterAll(async () => { await t.cleanup(); });
const run = (args: string[], env: Record<string, string> = {}) => cli({ root: t.root, config: t.config, env: { ...t.env, ...env } }, args);

describe('CLI conventions', () => {
  it('pipeline --version prints package.json\'s version, exit 0', async () => {
    const r = await cli(undefined, ['--version']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.trim()).toBe(JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version);
  });

  it('schedule trixie --format json is JSON (python3 -m json.tool reads it), the same as --json', async () => {
    const a = await run(['schedule', 'trixie', '--format', 'json']);
    expect(a.exitCode, a.stderr).toBe(0);
    const tool = await execa('python3', ['-m', 'json.tool'], { input: a.stdout, reject: false });
    expect(tool.exitCode, tool.stderr).toBe(0);
    const b = await run(['--json', 'schedule', 'trixie']);
    expect(JSON.parse(a.stdout)).toEqual(JSON.parse(b.stdout));
    expect(JSON.parse(a.stdout).schedules[0].series).toBe('trixie');
  });

  it('--waive: an unknown gate is refused with the list; the version policy is refused; the package argument is not swallowed', async () => {
    const bad = await run(['promote', '--waive', 'nosuchgate', '--reason', 'x', 'zookeeper', '--dry-run']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('--waive: unknown gate "nosuchgate" (gates: progression, dependencies, freeze, series-support, lint, binary-build, clean-tree, installability, upgrade-path, autopkgtest, reverse-dependencies, debdiff, release-upgrade, reproducible)');
    const vp = await run(['promote', 'zookeeper', '--waive', 'version-policy', '--reason', 'x', '--dry-run']);
    expect(vp.exitCode).toBe(2);
    expect(vp.stderr).toContain('the version-policy gate cannot be waived');
    const ok = await run(['promote', '--waive', 'lint', '--reason', 'checked by hand', 'zookeeper', '--dry-run']);
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('zookeeper: nothing yet → ppa');
  });

  it('an error under --json is one JSON object on stdout, with the exit code', async () => {
    const r = await run(['--json', 'show', 'nosuchpkg']);
    expect(r.exitCode).toBe(2);
    const e = JSON.parse(r.stdout);
    expect(e).toMatchObject({ exitCode: 2 });
    expect(e.error).toContain('nosuchpkg');
    const usage = await run(['--json', 'promote', '--no-such-option']);
    expect(usage.exitCode).toBe(2);
    expect(JSON.parse(usage.stdout).error).toContain("unknown option '--no-such-option'");
  });

  it('an unreachable upstream is an environment failure (exit 3), not a lint verdict (exit 1)', async () => {
    const env = { PIPELINE_UPSTREAM: '' };
    const r = await run(['lint', 'txaws'], env);
    expect(r.exitCode, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/upstream unreachable: \S+/);
  });

  it('runs --state with an unknown state, ci github --upload-config of a missing file: errors, exit 2', async () => {
    const s = await run(['runs', '--state', 'bogus']);
    expect(s.exitCode).toBe(2);
    expect(s.stderr).toContain('--state: unknown state "bogus" (states: running, interrupted, failed, done, abandoned)');
    const c = await run(['ci', 'github', '--upload-config', 'profiles/missing.yaml']);
    expect(c.exitCode).toBe(2);
    expect(c.stderr).toContain('profiles/missing.yaml: --upload-config: no such profile');
  });
});
