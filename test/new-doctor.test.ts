/**
 * `pipeline new` (templates → a package definition that loads, plans and lints) and
 * `pipeline doctor` (tools, subordinate ids with --fix on scratch files, signing key).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { packagesInOrder } from '../pipeline/config/packages.js';
import { loadWorkspace } from '../pipeline/config/workspace.js';
import { freeSubidStart, parseSubidFile, runDoctor, SUBID_COUNT, TOOLS } from '../pipeline/doctor/checks.js';
import { lintTree } from '../pipeline/lint/index.js';
import { prepareSourceTree } from '../pipeline/source/tree.js';
import { renderTemplate } from '../pipeline/templates/newPackage.js';
import { cli, snapshot, tempWorkspace } from './helpers/workspace.js';
import { scratchDir } from './helpers/scratch.js';

describe('pipeline new', () => {
  it('creates a definition that loads, sorts after its dependency, plans and lints clean', async () => {
    const t = tempWorkspace(['zookeeper']);
    const r = await cli(t, ['new', 'txfoo', '--upstream-version', '1.2.0', '--homepage', 'https://example.org/txfoo',
      '--license', 'LGPL-3+', '--copyright', '2011 Canonical Ltd.', '--depends', 'zookeeper', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const dir = join(t.root, 'packages', 'txfoo');
    expect(JSON.parse(r.stdout).files).toEqual([
      'debian/changelog', 'debian/control', 'debian/copyright', 'debian/rules', 'debian/source/format', 'debian/watch', 'package.yaml',
    ]);
    const parsed = await execa('dpkg-parsechangelog', ['-l', join(dir, 'debian', 'changelog')]);
    expect(parsed.stdout).toMatch(/^Version: 1\.2\.0-1$/m);
    expect(parsed.stdout).toMatch(/^Distribution: trixie$/m);
    expect(parsed.stdout).toMatch(/^Maintainer: Pipeline Maintainers <pipeline@example\.org>$/m);
    expect(readFileSync(join(dir, 'debian', 'control'), 'utf8')).not.toMatch(/\{\{/);
    expect((await execa('test', ['-x', join(dir, 'debian', 'rules')], { reject: false })).exitCode).toBe(0);

    const ws = { ...loadWorkspace({ config: t.config }), cacheDir: t.env.PIPELINE_CACHE_DIR! };
    expect(packagesInOrder(ws).map((p) => p.definition.name)).toEqual(['zookeeper', 'txfoo']);
    const show = await cli(t, ['show', 'txfoo', '--json']);
    expect(JSON.parse(show.stdout).stages.map((s: { version: string }) => s.version)).toEqual(['1.2.0-1~ppa1', '1.2.0-1', '1.2.0-1~bpo12+1']);
    const tree = await prepareSourceTree(ws, 'txfoo', { generated: true });
    const lint = await lintTree(tree.tree);
    // Current Standards-Version; the one thing left to the maintainer is the description.
    expect(lint.findings.filter((f) => f.severity === 'error' || f.severity === 'warning').map((f) => [f.tag, f.file])).toEqual([
      ['description-is-template-placeholder', 'debian/control'],
    ]);
    expect(lint.findings.map((f) => f.tag)).not.toContain('out-of-date-standards-version');
  });

  it('passes its own gates once the placeholder description is written; until then promote is blocked naming it', async () => {
    const t = tempWorkspace([]);
    const r = await cli(t, ['new', 'txbaz', '--upstream-version', '0.3.0', '--homepage', 'https://example.org/txbaz', '--license', 'Expat', '--copyright', '2026 Example Authors']);
    expect(r.exitCode, r.stderr).toBe(0);
    const blocked = await cli(t, ['promote', 'txbaz', '--dry-run', '--generated']);
    expect(blocked.exitCode, blocked.stdout + blocked.stderr).toBe(1);
    expect(blocked.stdout).toContain('description-is-template-placeholder');
    const control = join(t.root, 'packages', 'txbaz', 'debian', 'control');
    writeFileSync(control, readFileSync(control, 'utf8').replace(/^ txbaz is packaged here[\s\S]*?(?=^ \.$)/m,
      ' txbaz is a small asynchronous client library for Twisted applications\n that talk to an example service.\n'));
    const ok = await cli(t, ['promote', 'txbaz', '--dry-run', '--generated']);
    expect(ok.exitCode, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).not.toContain('description-is-template-placeholder');
  });

  it('refuses to overwrite, and leaves nothing behind on bad options', async () => {
    const t = tempWorkspace(['txaws']);
    const before = snapshot(t.root);
    const exists = await cli(t, ['new', 'txaws']);
    expect(exists.exitCode).toBe(2);
    expect(exists.stderr).toMatch(/packages\/txaws: already exists; not overwriting/);
    for (const args of [['--license', 'WTFPL'], ['--depends', 'nosuch'], ['--homepage', 'not a url']]) {
      const r = await cli(t, ['new', 'txbar', ...args]);
      expect(r.exitCode, args.join(' ')).toBe(2);
    }
    expect(snapshot(t.root)).toEqual(before);
  });

  it('templates: an unknown placeholder is an error, not output', () => {
    expect(renderTemplate('a {{name}} b', { name: 'x' }, 't')).toBe('a x b');
    expect(() => renderTemplate('{{nmae}}', { name: 'x' }, 'debian-templates/control')).toThrow(/debian-templates\/control: unknown placeholder \{\{nmae\}\}|unknown placeholder/);
  });
});

describe('pipeline doctor', () => {
  it('parses subordinate id files and picks a free range', () => {
    const e = parseSubidFile('# comment\nroot:100000:65536\nalice:200000:65536\nbad line\n');
    expect(e).toEqual([{ owner: 'root', start: 100000, count: 65536, line: 2 }, { owner: 'alice', start: 200000, count: 65536, line: 3 }]);
    expect(freeSubidStart([])).toBe(200000);
    expect(freeSubidStart(e)).toBe(265536);
    expect(freeSubidStart([{ owner: 'x', start: 100000, count: 65536, line: 1 }])).toBe(200000);
  });

  it('--fix adds USER:200000:65536 where missing, once, and then reports ok', async () => {
    const dir = scratchDir('subid-');
    const subuid = join(dir, 'subuid');
    const subgid = join(dir, 'subgid');
    writeFileSync(subuid, 'someone:100000:65536');
    writeFileSync(subgid, '');
    const opts = { user: 'builder', subuidFile: subuid, subgidFile: subgid, canWriteSystem: true };
    const check = await runDoctor(opts);
    expect(check.rows.find((r) => r.name === 'subuid builder')).toMatchObject({ status: 'missing', required: true });
    expect(check.ok).toBe(false);
    const fixed = await runDoctor({ ...opts, fix: true });
    expect(fixed.rows.find((r) => r.name === 'subuid builder')?.status).toBe('fixed');
    expect(readFileSync(subuid, 'utf8')).toBe(`someone:100000:65536\nbuilder:200000:${SUBID_COUNT}\n`);
    expect(readFileSync(subgid, 'utf8')).toBe(`builder:200000:${SUBID_COUNT}\n`);
    await runDoctor({ ...opts, fix: true });
    expect(readFileSync(subuid, 'utf8').match(/builder/g)).toHaveLength(1);
    const after = await runDoctor(opts);
    expect(after.rows.find((r) => r.name === 'subgid builder')?.status).toBe('ok');
  });

  it('without root it says how to fix, and writes nothing', async () => {
    const dir = scratchDir('subid-');
    const subuid = join(dir, 'subuid');
    writeFileSync(subuid, '');
    const r = await runDoctor({ user: 'builder', subuidFile: subuid, subgidFile: subuid, canWriteSystem: false, fix: true });
    expect(r.rows.find((x) => x.name === 'subuid builder')?.fix).toMatch(/^sudo pipeline doctor --fix/);
    expect(readFileSync(subuid, 'utf8')).toBe('');
  });

  it('reports every tool this machine has, and a missing one as missing with its package', async () => {
    const r = await runDoctor({ user: userInfo().username });
    for (const t of TOOLS) expect(r.rows.find((x) => x.name === t.tool)?.status, t.tool).toBe('ok');
    const saved = process.env.PATH;
    try {
      process.env.PATH = '/nonexistent';
      const { whichTool } = await import('../pipeline/doctor/checks.js');
      expect(whichTool('no-such-tool-here')).toBeUndefined();
    } finally {
      process.env.PATH = saved;
    }
  });

  it('--fix-system (what setup.sh runs through sudo) leaves the key and directories to the user', async () => {
    const t = tempWorkspace(['txaws']);
    const r = await cli(t, ['doctor', '--fix-system', '--json']);
    const rows = JSON.parse(r.stdout).rows as { name: string; status: string }[];
    expect(rows.find((x) => x.name === 'signing key')?.status).toBe('missing');
    expect(existsSync(t.env.PIPELINE_GNUPGHOME!)).toBe(false);
    expect(existsSync(t.env.PIPELINE_STATE_DIR!)).toBe(false);
  });

  it('the CLI creates the signing key with --fix, and --json gives the table', async () => {
    const t = tempWorkspace(['txaws']);
    const before = await cli(t, ['doctor', '--json']);
    const rows = JSON.parse(before.stdout).rows as { name: string; status: string }[];
    expect(rows.find((r) => r.name === 'signing key')?.status).toBe('missing');
    expect(before.exitCode).toBe(1);
    expect(existsSync(t.env.PIPELINE_GNUPGHOME!)).toBe(false);
    const fixed = await cli(t, ['doctor', '--fix', '--json']);
    const fixedRows = JSON.parse(fixed.stdout).rows as { name: string; status: string }[];
    expect(fixedRows.find((r) => r.name === 'signing key')?.status).toBe('fixed');
    const again = await cli(t, ['doctor', '--json']);
    expect(JSON.parse(again.stdout).rows.find((r: { name: string }) => r.name === 'signing key').status).toBe('ok');
    // gpg started an agent for the scratch home: stop it with the test.
    await execa('gpgconf', ['--homedir', t.env.PIPELINE_GNUPGHOME!, '--kill', 'gpg-agent'], { reject: false });
  });
});
