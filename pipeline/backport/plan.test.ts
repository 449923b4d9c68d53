import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { backportArgv } from '../cli/commands/backport.js';
import { stagesWorkspace } from '../../test/helpers/stagesWorkspace.js';
import { cli, REPO } from '../../test/helpers/workspace.js';
import { destinationStage, maintainerFromEnv, parseUploadTarget, planDestination, withoutPpaTail, type BackportArgs } from './plan.js';

const args = (over: Partial<BackportArgs> = {}): BackportArgs => ({
  source: 'hello', sourceSuite: 'trixie', version: '2.10-5', destinations: ['bookworm'], upload: 'local', build: true, builder: 'sbuild',
  sign: true, yes: false, workdir: '/tmp/x', failOn: 'error', maintainer: { name: 'A', email: 'a@example.org' }, ...over,
});

describe('the run kind', () => {
  it('`backport` is registered (pipeline resume rebuilds its steps) and standalone (no promote is resumed first)', async () => {
    const { registeredRunKinds, isStandaloneKind } = await import('../state/runner.js');
    await import('./run.js');
    expect(registeredRunKinds()).toContain('backport');
    expect(isStandaloneKind('backport')).toBe(true);
  });
  it('steps: fetch, then the lifecycle per destination; --dont-sign drops sign, publish and confirm', async () => {
    const { backportSteps } = await import('./run.js');
    const t = stagesWorkspace({ packages: [] });
    try {
      const names = (a: BackportArgs) => backportSteps(t.ws(), a).map((s) => s.name);
      expect(names(args({ destinations: ['bookworm'] }))).toEqual(['fetch', ...['verify', 'prepare', 'build', 'sign', 'lint', 'publish', 'confirm'].map((s) => `bookworm:${s}`)]);
      expect(names(args({ sign: false }))).toEqual(['fetch', 'bookworm:verify', 'bookworm:prepare', 'bookworm:build', 'bookworm:lint']);
      expect(backportSteps(t.ws(), args()).filter((s) => s.dryRun).map((s) => s.name)).toEqual(['bookworm:verify']);
    } finally {
      await t.cleanup();
    }
  });
});

describe('upload targets (-u)', () => {
  it('local, ppa:OWNER/NAME, a dput host; anything else is refused', () => {
    expect(parseUploadTarget('local')).toEqual({ kind: 'local' });
    expect(parseUploadTarget('ppa:me/test')).toEqual({ kind: 'ppa', host: 'ppa:me/test', owner: 'me', name: 'test' });
    expect(parseUploadTarget('mentors')).toEqual({ kind: 'dput', host: 'mentors' });
    expect(() => parseUploadTarget('ppa:me')).toThrow(/not ppa:OWNER\/NAME/);
    expect(() => parseUploadTarget('a host; rm -rf')).toThrow(/not a dput host name/);
  });
});

describe('the changelog identity, as dch reads DEBFULLNAME/DEBEMAIL', () => {
  const fallback = { name: 'Pipeline Maintainers', email: 'pipeline@example.org' };
  it('DEBFULLNAME and DEBEMAIL', () => {
    expect(maintainerFromEnv({ DEBFULLNAME: 'Jane Doe', DEBEMAIL: 'jane@example.org' }, fallback)).toEqual({ name: 'Jane Doe', email: 'jane@example.org' });
  });
  it('DEBEMAIL as "Name <address>" names the uploader when DEBFULLNAME is unset; DEBFULLNAME wins over it', () => {
    expect(maintainerFromEnv({ DEBEMAIL: 'Jane Doe <jane@example.org>' }, fallback)).toEqual({ name: 'Jane Doe', email: 'jane@example.org' });
    expect(maintainerFromEnv({ DEBFULLNAME: 'J. D.', DEBEMAIL: 'Jane Doe <jane@example.org>' }, fallback)).toEqual({ name: 'J. D.', email: 'jane@example.org' });
  });
  it('NAME and EMAIL when the DEB* ones are unset; DEB* win over them', () => {
    expect(maintainerFromEnv({ NAME: 'N', EMAIL: 'n@example.org' }, fallback)).toEqual({ name: 'N', email: 'n@example.org' });
    expect(maintainerFromEnv({ NAME: 'N', EMAIL: 'n@example.org', DEBEMAIL: 'd@example.org' }, fallback)).toEqual({ name: 'N', email: 'd@example.org' });
  });
  it('nothing set: pipeline.yaml\'s maintainer', () => {
    expect(maintainerFromEnv({}, fallback)).toEqual(fallback);
  });
});

describe('backportpackage\'s -v VERSION on the command line', () => {
  it('-v and --version after `backport` name the version; elsewhere -v stays --verbose', () => {
    expect(backportArgv(['node', 'p', 'backport', 'hello', '-v', '2.10-5', '-s', 'trixie'])).toEqual(['node', 'p', 'backport', 'hello', '--source-version', '2.10-5', '-s', 'trixie']);
    expect(backportArgv(['node', 'p', 'backport', 'hello', '--version', '2.10-5'])).toContain('--source-version');
    expect(backportArgv(['node', 'p', '-v', 'backport', 'hello', '--dry-run', '-v'])).toEqual(['node', 'p', '-v', 'backport', 'hello', '--dry-run', '-v']);
    expect(backportArgv(['node', 'p', 'promote', 'x', '-v'])).toEqual(['node', 'p', 'promote', 'x', '-v']);
  });
});

describe('the plan per destination (backportpackage\'s scheme, as the version policy states it)', () => {
  const t = stagesWorkspace({ packages: [] });
  const u = stagesWorkspace({ packages: [], config: readFileSync(join(REPO, 'profiles', 'ubuntu-local.yaml'), 'utf8').replace(/^root: \.\.$/m, 'root: .') });
  afterAll(async () => { await t.cleanup(); await u.cleanup(); });

  it('a Debian release through the local archive: BASE~bpo12+1 into the backports stage\'s suite, -v the newest the pockets have', () => {
    const ws = t.ws();
    const { ws: bws, stage } = destinationStage(ws, 'bookworm', { kind: 'local' });
    expect(stage.name).toBe('backports');
    const plan = planDestination(bws, stage, args(), { kind: 'local' }, ['2.10-3', '2.10-2']);
    expect(plan).toMatchObject({ version: '2.10-5~bpo12+1', distribution: 'bookworm-backports', changesSince: '2.10-3', includeOrig: true, message: 'No-change backport to bookworm.' });
    expect(plan.target.upload).toBe('local:bookworm-backports');
  });

  it('ppa:OWNER/NAME adds ~ppa1 as backportpackage does; the PPA takes the bare series; the gate judges the backport version', () => {
    const ws = t.ws();
    const target = parseUploadTarget('ppa:me/test');
    const { ws: bws, stage } = destinationStage(ws, 'bookworm', target);
    const plan = planDestination(bws, stage, args({ upload: 'ppa:me/test' }), target, []);
    expect(plan).toMatchObject({ version: '2.10-5~bpo12+1~ppa1', distribution: 'bookworm' });
    expect(withoutPpaTail(plan).version).toBe('2.10-5~bpo12+1');
    // Above a backport of the same base the LTS already holds (the local archive's ~bpo12+2).
    expect(planDestination(bws, stage, args({ upload: 'ppa:me/test' }), target, ['2.10-3', '2.10-5~bpo12+2']).version).toBe('2.10-5~bpo12+3~ppa1');
    expect(ws.config.stages.some((s) => s.name === stage.name)).toBe(false); // the run's own stage, not pipeline.yaml's
  });

  it('a Debian dput host takes SERIES-backports', () => {
    const target = parseUploadTarget('mentors');
    const { ws: bws, stage } = destinationStage(t.ws(), 'bookworm', target);
    expect(planDestination(bws, stage, args({ upload: 'mentors' }), target, []).distribution).toBe('bookworm-backports');
  });

  it('an Ubuntu LTS: BASE~bpoYY.MM.1 (the backporters\' scheme since 2021)', () => {
    const ws = u.ws();
    const { ws: bws, stage } = destinationStage(ws, 'resolute', { kind: 'local' });
    const plan = planDestination(bws, stage, args({ sourceSuite: 'tbd2704', destinations: ['resolute'] }), { kind: 'local' }, []);
    expect(plan).toMatchObject({ version: '2.10-5~bpo26.04.1', distribution: 'resolute-backports' });
  });

  it('a destination without a series, or without a local backports stage, is one error line', () => {
    expect(() => destinationStage(t.ws(), 'sid', { kind: 'local' })).toThrow(/-d sid: not a series/);
    expect(() => destinationStage(t.ws(), 'trixie', { kind: 'local' })).toThrow(/-d trixie: no backports stage of pipeline.yaml uploads trixie to a local archive/);
  });
});

describe('pipeline backport: usage errors before any fetch (exit 2, one line)', () => {
  const t = stagesWorkspace({ packages: [] });
  afterAll(() => t.cleanup());
  const run = (a: string[]) => cli(t, ['backport', ...a]);

  it.each([
    [['hello', '-s', 'trixie', '-d', 'bookworm', '-u', 'ppa:me/test'], /an upload to ppa:me\/test asks first, and there is no terminal to ask on \(pass -y/],
    [['hello', '-s', 'trixie', '-d', 'bookworm', '-u', 'mentors', '--dont-sign'], /--dont-sign with -u: an upload must be signed/],
    [['hello', '-s', 'trixie', '-d', 'bookworm', '--builder', 'cowbuilder'], /--builder cowbuilder: sbuild or pbuilder/],
    [['hello', '-s', 'sid', '-d', 'bookworm'], /-s sid: not a series/],
    [['hello', '-s', 'trixie', '-d', 'jessie'], /-d jessie: not a series/],
    [['hello', '-s', 'trixie'], /name a destination: -d SERIES/],
    [['hello', '-s', 'trixie', '-d', 'bookworm', '--fail-on', 'fatal'], /--fail-on fatal: one of error, warning, info, pedantic/],
    [['hello', '-s', 'trixie', '-d', 'bookworm', '-k', 'DEADBEEFDEADBEEF'], /-k DEADBEEFDEADBEEF: no secret key of that name in .*gnupg/],
  ])('%j', async (a, message) => {
    const r = await run(a as string[]);
    expect(r.exitCode, r.stderr).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message as RegExp);
    expect(r.stdout).toBe('');
  });

  it('a package of the workspace is promote\'s: refused, naming the command', async () => {
    const w = stagesWorkspace({ packages: ['txaws'] });
    try {
      const r = await cli(w, ['backport', 'txaws', '-s', 'trixie', '-d', 'bookworm']);
      expect(r.exitCode).toBe(2);
      expect(r.stderr.trim()).toBe('pipeline: txaws is a package of this workspace (packages/txaws) (pipeline promote txaws --to backports)');
    } finally {
      await w.cleanup();
    }
  });

  it('pipeline --help lists backport', async () => {
    const r = await execa('node', [join(REPO, 'bin', 'pipeline.js'), '--help'], { reject: false });
    expect(String(r.stdout)).toMatch(/^\s+backport \[options\] <source>/m);
  });
});
