/**
 * The zx scripts the workflows call (scripts/ci/*.mjs) run here as a maintainer would run them,
 * against a temporary workspace with a real local archive (reprepro, dput local target). The
 * build script needs sbuild: test/build-run.slow.test.ts runs it.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { stagesWorkspace, type StagesWorkspace } from './helpers/stagesWorkspace.js';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 120_000 });

const REPO = new URL('..', import.meta.url).pathname;
const script = (name: string) => join(REPO, 'scripts', 'ci', `${name}.mjs`);

describe('CI scripts against a local archive', () => {
  let t: StagesWorkspace;
  const run = (name: string, args: string[], env: Record<string, string> = {}) =>
    execa('node', [script(name), ...args], { cwd: t.root, reject: false, env: { ...t.env, PIPELINE_CONFIG: t.config, ...env } });

  beforeAll(() => { t = stagesWorkspace({ packages: ['txaws'] }); });
  afterAll(async () => { await t.cleanup(); });

  it('lint.mjs lints a package against the stage gate', async () => {
    const r = await run('lint', ['--stage', 'ppa', 'txaws']);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^## txaws: pass \(\d+ files checked\)/m);
  });

  it('ppa-upload.mjs refuses a tag whose version is not the changelog version, with one line', async () => {
    const r = await run('ppa-upload', [], { REF_TYPE: 'tag', REF_NAME: 'txaws/9.9-1' });
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/tag names 9\.9-1 but packages\/txaws\/debian\/changelog is at 0\.2\.3-1/);
  });

  it('ppa-upload.mjs promotes the tagged package into the ppa suite of the local archive', async () => {
    const out = join(t.root, 'artifacts');
    const r = await run('ppa-upload', ['--out', out], { REF_TYPE: 'tag', REF_NAME: 'txaws/0.2.3-1' });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/txaws 0\.2\.3-1~ppa1 → .*: uploaded/);
    const listed = await execa('reprepro', ['-b', join(t.root, '.pipeline', 'archive'), 'list', 'ppa', 'txaws']);
    expect(listed.stdout).toMatch(/ppa\|main\|source: txaws 0\.2\.3-1~ppa1/);
    expect(existsSync(join(out, 'txaws_0.2.3-1~ppa1.dsc'))).toBe(true);
  });

  it('report.mjs writes Markdown, HTML and JSON and exits 1 while the set is not ready', async () => {
    const out = join(t.root, 'report');
    const summary = join(t.root, 'summary.md');
    const r = await run('report', ['--offline', '--out', out, '--summary', summary]);
    expect(r.exitCode, r.stderr).toBe(1);
    const json = JSON.parse(readFileSync(join(out, 'readiness.json'), 'utf8')) as { packages: { package?: string; name?: string }[] };
    expect(JSON.stringify(json.packages)).toContain('txaws');
    expect(readFileSync(join(out, 'readiness.html'), 'utf8')).toMatch(/<html[\s\S]*txaws/);
    expect(readFileSync(summary, 'utf8')).toBe(readFileSync(join(out, 'readiness.md'), 'utf8'));
  });
});

describe('import-key.mjs', () => {
  const home = mkdtempSync(join(tmpdir(), 'pipeline-keysrc-'));
  const target = mkdtempSync(join(tmpdir(), 'pipeline-keydst-'));
  let armored = '';
  let fingerprint = '';
  beforeAll(async () => {
    await execa('gpg', ['--homedir', home, '--batch', '--passphrase', '', '--quick-gen-key', 'CI Test <ci@example.org>', 'ed25519', 'sign', '1d']);
    armored = (await execa('gpg', ['--homedir', home, '--batch', '--armor', '--export-secret-keys'])).stdout;
    fingerprint = /^fpr:+([0-9A-F]+):/m.exec((await execa('gpg', ['--homedir', home, '--with-colons', '--list-secret-keys'])).stdout)![1]!;
  });
  afterAll(async () => {
    for (const h of [home, target]) {
      await execa('gpgconf', ['--homedir', h, '--kill', 'all'], { reject: false });
      rmSync(h, { recursive: true, force: true });
    }
  });

  it('imports the secret key without printing any of it', async () => {
    const r = await execa('node', [script('import-key')], { reject: false, env: { PPA_SIGNING_KEY: armored, PIPELINE_GNUPGHOME: target } });
    expect(r.exitCode, r.stderr).toBe(0);
    const printed = r.stdout + r.stderr;
    expect(printed).not.toMatch(/PRIVATE KEY|[A-Za-z0-9+/]{40}/);
    const listed = await execa('gpg', ['--homedir', target, '--with-colons', '--list-secret-keys']);
    expect(listed.stdout).toContain(fingerprint);
  });

  it('refuses an empty or non-key secret with one line and exit 2', async () => {
    const r = await execa('node', [script('import-key')], { reject: false, env: { PPA_SIGNING_KEY: 'not a key', PIPELINE_GNUPGHOME: target } });
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
