/**
 * Bad input through the real CLI: one clear error line naming the file (and line and key where
 * there is one), a non-zero exit, and nothing written — not in the workspace, not in the state or
 * cache directories.
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, errorLines, snapshot, tempWorkspace, type TempWorkspace } from './helpers/workspace.js';

function lineOf(file: string, pattern: RegExp): number {
  const i = readFileSync(file, 'utf8').split('\n').findIndex((l) => pattern.test(l));
  if (i < 0) throw new Error(`${pattern} not in ${file}`);
  return i + 1;
}

function edit(file: string, from: string | RegExp, to: string): void {
  const text = readFileSync(file, 'utf8');
  const next = text.replace(from, to);
  if (next === text) throw new Error(`no ${from} in ${file}`);
  writeFileSync(file, next);
}

/** Runs the command and checks the common contract; returns the one error line. */
async function expectOneError(ws: TempWorkspace, args: string[], exitCode = 2): Promise<string> {
  const before = snapshot(ws.root);
  const r = await cli(ws, args);
  const lines = errorLines(r.stderr);
  expect(lines, r.stderr).toHaveLength(1);
  expect(r.exitCode).toBe(exitCode);
  // Under --json the error is also one JSON object on stdout; otherwise stdout stays empty.
  if (args.includes('--json')) expect(JSON.parse(r.stdout)).toMatchObject({ exitCode, error: expect.any(String) });
  else expect(r.stdout).toBe('');
  expect(snapshot(ws.root)).toEqual(before);
  return lines[0]!;
}

describe('bad input: one error line, non-zero exit, nothing written', () => {
  it('pipeline.yaml with a YAML syntax error names the file and line', async () => {
    const ws = tempWorkspace();
    const line = lineOf(ws.config, /^stages:/);
    edit(ws.config, /^stages:\n/m, 'stages: [\n');
    const err = await expectOneError(ws, ['packages']);
    expect(err).toMatch(/^pipeline: pipeline\.yaml:\d+: invalid YAML: /);
    expect(Number(/pipeline\.yaml:(\d+)/.exec(err)![1])).toBeGreaterThanOrEqual(line);
  });

  it('pipeline.yaml with a wrong type names the file, line and key', async () => {
    const ws = tempWorkspace();
    edit(ws.config, /(trixie:\n(?:.*\n)*?\s+)components: \[main\]/, '$1components: main');
    const line = lineOf(ws.config, /components: main$/);
    const err = await expectOneError(ws, ['show', 'zookeeper']);
    expect(err).toMatch(new RegExp(`^pipeline: pipeline\\.yaml:${line}: series\\.trixie\\.components: `));
  });

  it('pipeline.yaml naming an unknown archive names the stage key', async () => {
    const ws = tempWorkspace();
    edit(ws.config, 'target: { archive: local, suite: ppa', 'target: { archive: nowhere, suite: ppa');
    const err = await expectOneError(ws, ['packages']);
    expect(err).toMatch(/^pipeline: pipeline\.yaml:\d+: stages\.0\.target\.archive: unknown archive "nowhere"/);
  });

  it('an unknown package is named with the known ones', async () => {
    const ws = tempWorkspace();
    const err = await expectOneError(ws, ['show', 'kafka']);
    expect(err).toBe('pipeline: packages: unknown package "kafka" (known: txaws, txzookeeper, zookeeper)');
    expect(await expectOneError(ws, ['fetch', 'kafka'])).toMatch(/unknown package "kafka"/);
  });

  it('pipeline qa --check with a name that is no QA check names the known ones', async () => {
    const ws = tempWorkspace();
    const err = await expectOneError(ws, ['qa', 'zookeeper', '--stage', 'ppa', '--check', 'piuparts']);
    expect(err).toMatch(/not a QA check: piuparts \(installability, upgrade-path, autopkgtest, reverse-dependencies, debdiff, release-upgrade, reproducible\)/);
  });

  it('a package.yaml missing a field names the file, line and key', async () => {
    const ws = tempWorkspace();
    const file = join(ws.root, 'packages', 'txaws', 'package.yaml');
    edit(file, /^ {2}homepage: .*\n/m, '');
    const line = lineOf(file, /^upstream:/);
    const err = await expectOneError(ws, ['packages']);
    expect(err).toMatch(new RegExp(`^pipeline: packages/txaws/package\\.yaml:${line}: upstream\\.homepage: `));
  });

  it('a debian/control with a broken paragraph names the file and line', async () => {
    const ws = tempWorkspace();
    const file = join(ws.root, 'packages', 'txaws', 'debian', 'control');
    edit(file, '\nPackage: python3-txaws\n', '\n continuation of nothing\nPackage: python3-txaws\n');
    const line = lineOf(file, /^ continuation of nothing/);
    const err = await expectOneError(ws, ['show', 'txaws']);
    expect(err).toMatch(new RegExp(`^pipeline: packages/txaws/debian/control:${line}: `));
  });

  it('an invalid version string is refused before anything is created', async () => {
    const ws = tempWorkspace();
    const err = await expectOneError(ws, ['new', 'txfoo', '--upstream-version', '1.0 beta']);
    expect(err).toMatch(/invalid --upstream-version "1\.0 beta": .*spaces/);
    expect(existsSync(join(ws.root, 'packages', 'txfoo'))).toBe(false);
  });

  it('a dependency cycle names its members and their package.yaml files', async () => {
    const ws = tempWorkspace();
    edit(join(ws.root, 'packages', 'zookeeper', 'package.yaml'), /^depends: \[\]$/m, 'depends: [txaws]');
    edit(join(ws.root, 'packages', 'txaws', 'package.yaml'), /^depends: \[\]$/m, 'depends: [txzookeeper]');
    const err = await expectOneError(ws, ['packages']);
    expect(err).toContain('dependency cycle: txaws → txzookeeper → zookeeper → txaws');
    for (const p of ['txaws', 'txzookeeper', 'zookeeper']) expect(err).toContain(`packages/${p}/package.yaml`);
  });

  it('an unknown dependency names the file and line that asks for it', async () => {
    const ws = tempWorkspace();
    const file = join(ws.root, 'packages', 'txaws', 'package.yaml');
    edit(file, /^depends: \[\]$/m, 'depends:\n  - twisted');
    const line = lineOf(file, /^ {2}- twisted/);
    const err = await expectOneError(ws, ['packages', '--json']);
    expect(err).toMatch(new RegExp(`^pipeline: packages/txaws/package\\.yaml:${line}: depends\\.0: unknown package "twisted"`));
  });

  it('an unreachable upstream is said plainly, exit 3 (the environment, not a verdict)', async () => {
    const ws = tempWorkspace(['txaws']);
    edit(join(ws.root, 'packages', 'txaws', 'package.yaml'), /url: .*/, 'url: http://127.0.0.1:39999/txAWS-0.2.3.tar.gz');
    const err = await expectOneError(ws, ['fetch', 'txaws'], 3);
    expect(err).toMatch(/^pipeline: packages\/txaws\/package\.yaml: upstream unreachable: http:\/\/127\.0\.0\.1:39999\/txAWS-0\.2\.3\.tar\.gz \(.*ECONNREFUSED.*\) \(pass --generated/);
  });
});
