/**
 * The lint gate on debian/ runs in prepare, before the build: a finding the lint step would block
 * on after a quarter-hour build (here lintian's unnecessary-team-upload, which blocked the README
 * main job's devel stage) blocks at once, with no build started and nothing uploaded; a waiver
 * for the lint gate lets it through, as it does at the lint step.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { promote } from '../pipeline/stages/promote.js';
import { stagesWorkspace, type StagesWorkspace } from './helpers/stagesWorkspace.js';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 120_000 });

describe('lint gate on debian/ before the build', () => {
  let t: StagesWorkspace;
  let restore: () => void;
  beforeAll(() => {
    t = stagesWorkspace({ packages: ['zookeeper'] });
    restore = t.use();
    // The fixture's own upload (3.9.3-2, released to trixie) calls itself a team upload, while its
    // uploader, Pipeline Maintainers, is the Maintainer.
    const changelog = join(t.root, 'packages', 'zookeeper', 'debian', 'changelog');
    const text = readFileSync(changelog, 'utf8');
    expect(text.split('\n')[2]).toBe('  * Upload for the ensemble progression.');
    writeFileSync(changelog, text.replace('  * Upload for the ensemble progression.', '  * Team upload for the ensemble progression.'));
  });
  afterAll(async () => { restore(); await t.cleanup(); });

  it('ppa passes: its new top entry is the maintainer\'s own', async () => {
    const r = await promote(t.ws(), 'zookeeper', { to: 'ppa' });
    expect(r.state, r.message).toBe('done');
    expect(r.reports[0]?.published?.version).toBe('3.9.3-2~ppa1');
  });

  it('devel is blocked in prepare, naming the tag, with no build started and nothing uploaded', async () => {
    const ws = t.ws();
    const r = await promote(ws, 'zookeeper', { to: 'devel' });
    expect(r.state).toBe('blocked');
    expect(r.message).toContain('lint: debian/, before the build: 1 finding at warning or worse (unnecessary-team-upload)');
    expect(r.reports[0]?.done).toEqual(['verify']);
    expect(existsSync(join(ws.stateDir, 'builds', 'zookeeper_3.9.3-2_devel'))).toBe(false);
    expect(existsSync(join(ws.stateDir, 'uploads', 'zookeeper', 'devel'))).toBe(false);
  });

  it('a waiver of the lint gate lets prepare through, as it would the lint step', async () => {
    const ws = t.ws();
    const r = await promote(ws, 'zookeeper', { to: 'devel', waivers: [{ gate: 'lint', by: 'tester', reason: 'team upload wording kept on purpose' }] });
    expect(r.state, r.message).toBe('done');
    expect(r.reports[0]?.published?.version).toBe('3.9.3-2');
  });
});

describe('promote --dry-run shows the early lint of debian/', () => {
  let t: StagesWorkspace;
  let restore: () => void;
  beforeAll(() => { t = stagesWorkspace({ packages: ['zookeeper'] }); restore = t.use(); });
  afterAll(async () => { restore(); await t.cleanup(); });

  it('passes for the fixture as it is, and blocks (exit 1) once its control file lists a bogus uploader address', async () => {
    const ok = await promote(t.ws(), 'zookeeper', { to: 'ppa', dryRun: true });
    expect(ok.state, ok.message).toBe('dry-run');
    expect(ok.reports[0]?.verdicts.find((v) => v.gate === 'lint')?.verdict).toBe('pass');

    const control = join(t.root, 'packages', 'zookeeper', 'debian', 'control');
    writeFileSync(control, readFileSync(control, 'utf8').replace(/^Maintainer: .*$/m, 'Maintainer: Pipeline Maintainers <pipeline@localhost>'));
    const bad = await promote(t.ws(), 'zookeeper', { to: 'ppa', dryRun: true });
    expect(bad.exitCode).toBe(1);
    const lint = bad.reports[0]?.verdicts.find((v) => v.gate === 'lint');
    expect(lint?.verdict).toBe('blocked');
    expect(lint?.reason).toMatch(/^debian\/, before the build: .*bogus-mail-host/);
  });
});
