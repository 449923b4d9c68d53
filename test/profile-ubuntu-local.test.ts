/**
 * The Ubuntu profile run here (issue #13, item 3, without real sbuild): profiles/ubuntu-local.yaml
 * carries txaws through the three Ubuntu stages into local upload queues standing in for
 * Launchpad's (real dput into an incoming directory, real reprepro processincoming into suites
 * named after the Ubuntu series), with the Debian-chroot override declared and stated. The builds
 * here are the fast `host` source builds; the real-sbuild run of the same profile is not part of
 * this test. `apt-get source` returns the ~bpo26.04.1 upload.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { listVersions, repreproArchive } from '../pipeline/archive/reprepro.js';
import { collectReadiness } from '../pipeline/report/collect.js';
import { promote } from '../pipeline/stages/promote.js';
import { aptGetSource, stagesWorkspace, type StagesWorkspace } from './helpers/stagesWorkspace.js';
import { cli, errorLines, REPO } from './helpers/workspace.js';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 120_000 });

const profile = () => readFileSync(join(REPO, 'profiles', 'ubuntu-local.yaml'), 'utf8').replace(/^root: \.\.$/m, 'root: .');

describe('profiles/ubuntu-local.yaml: the Ubuntu stages into local Launchpad-like upload queues', () => {
  let t: StagesWorkspace;
  let restore: () => void;
  beforeAll(() => {
    t = stagesWorkspace({ packages: ['txaws'], config: profile() });
    restore = t.use();
  });
  afterAll(async () => { restore(); await t.cleanup(); });

  it('ppa → devel → backports: each upload lands in the suite named after its Ubuntu series; apt-get source gets the backport', async () => {
    const ws = t.ws();
    const r = await promote(ws, 'txaws', { to: 'backports' });
    expect(r.state, r.message).toBe('done');
    expect(r.reports.map((x) => [x.stage, x.version, x.distribution])).toEqual([
      ['ppa', '0.2.3-1~ppa1', 'tbd2704'],
      ['devel', '0.2.3-1', 'tbd2704'],
      ['backports', '0.2.3-1~bpo26.04.1', 'resolute-backports'],
    ]);
    expect(listVersions(repreproArchive(ws, 'ppa-local'), 'tbd2704', 'txaws')).toEqual(['0.2.3-1~ppa1']);
    expect(listVersions(repreproArchive(ws, 'ubuntu-local'), 'tbd2704', 'txaws')).toEqual(['0.2.3-1']);
    expect(listVersions(repreproArchive(ws, 'ubuntu-local'), 'resolute-backports', 'txaws')).toEqual(['0.2.3-1~bpo26.04.1']);
    for (const rep of r.reports) expect(rep.published?.confirmed).toBe(true);

    const dir = await aptGetSource(repreproArchive(ws, 'ubuntu-local').dir, ['resolute-backports'], 'txaws', '0.2.3-1~bpo26.04.1', join(t.root, 'apt-out'));
    expect(existsSync(join(dir, 'txaws_0.2.3-1~bpo26.04.1.dsc'))).toBe(true);

    // The chroot override is stated, never silent: in the report's notes.
    const report = await collectReadiness(ws);
    expect(report.notes).toContain("stage backports builds in debian bookworm's chroot stands in for ubuntu resolute: Ubuntu's archive is out of reach from this machine");
  });

  it('a Debian chroot for an Ubuntu stage without builder.standIn: one error at the builder\'s line', async () => {
    writeFileSync(t.config, profile().replace(/, standIn: "[^"]*"/, ''));
    const r = await cli({ root: t.root, config: t.config, env: t.env }, ['promote', 'txaws', '--to', 'ppa', '--dry-run']);
    const lines = errorLines(r.stderr);
    expect(lines).toHaveLength(1);
    expect(r.exitCode).toBe(2);
    const line = readFileSync(t.config, 'utf8').split('\n').findIndex((l) => l.includes('builder: { suite: trixie')) + 1;
    expect(lines[0]).toContain(`pipeline.yaml:${line}`);
    expect(lines[0]).toContain("stage ppa targets ubuntu's tbd2704 but builds in debian's trixie: say why with builder.standIn");
  });
});
