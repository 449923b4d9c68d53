/**
 * The autopkgtest check with the real autopkgtest and autopkgtest-virt-unshare in the shared cached
 * bookworm chroot (the backports stage's container): the hello-qa fixture's test `greets` against a
 * build that greets (pass) and one that does not (blocked, naming the test and quoting its output).
 * About a minute a run: the tarball unpacked, apt lists fetched, the test's dependencies installed.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadWorkspace } from '../config/workspace.js';
import { buildDeb, buildDsc, qaContext } from '../../test/helpers/qaFixtures.js';
import { REPO } from '../../test/helpers/workspace.js';
import { autopkgtestCheck } from './autopkgtest.js';

const greeter = (word: string) => ({ name: 'hello-qa', version: '1.0', files: { 'usr/bin/hello-qa': `#!/bin/sh\necho ${word}\n` } });

describe('autopkgtest check (real autopkgtest, unshare testbed)', () => {
  let dir: string;
  let dsc: string;
  const tarball = inject('chroots').bookworm!;
  const ws = loadWorkspace({ config: join(REPO, 'pipeline.yaml') });
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pipeline-qa-adt-'));
    dsc = await buildDsc(join(REPO, 'test', 'fixtures', 'qa', 'hello-qa'), join(dir, 'src'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('passes when the test passes against the build, naming the test', async () => {
    const deb = await buildDeb(join(dir, 'good'), greeter('hello'));
    const ctx = qaContext(ws, { pkg: 'hello-qa', version: '1.0', stage: 'backports', dsc, debs: [deb], tarball, workDir: join(dir, 'qa-good') });
    const started = Date.now();
    const o = await autopkgtestCheck.run(ctx);
    console.log(`autopkgtest run (pass): ${((Date.now() - started) / 1000).toFixed(0)} s\n${o.reason}`);
    expect(o.verdict, o.reason).toBe('pass');
    expect(o.reason).toContain('greets PASS');
    expect(existsSync(join(dir, 'qa-good', 'out', 'log'))).toBe(true);
  });

  it('blocks when the test fails, naming it and quoting its output', async () => {
    const deb = await buildDeb(join(dir, 'bad'), greeter('goodbye'));
    const ctx = qaContext(ws, { pkg: 'hello-qa', version: '1.0', stage: 'backports', dsc, debs: [deb], tarball, workDir: join(dir, 'qa-bad') });
    const o = await autopkgtestCheck.run(ctx);
    console.log(`${o.reason}\n${o.log}`);
    expect(o.verdict).toBe('blocked');
    expect(o.reason).toMatch(/^test greets failed: expected hello, got: goodbye/);
    expect(o.log).toContain('| expected hello, got: goodbye');
    expect(o.log).toContain(join(dir, 'qa-bad', 'out', 'log'));
  });
});
