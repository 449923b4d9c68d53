/**
 * Builds see the stage's own archive, as builds in a Launchpad PPA see the PPA's packages — with
 * the real sbuild (unshare, the cached bookworm chroot), reprepro and apt. fixapp-b build-depends
 * on fixlib-a-dev (>= 2.0~), which no Debian archive has:
 *   - before fixlib-a is in the ppa stage, fixapp-b's test-build fails on that dependency;
 *   - promoted to ppa, fixlib-a's own binaries are published beside its source (the Packages
 *     index lists them, apt installs them from the archive);
 *   - then fixapp-b's ppa build succeeds, and its build record, the binary-build verdict, status
 *     and the report name fixlib-a-dev 2.0-1~ppa1 from the ppa stage's archive;
 *   - fixlib-a at devel takes ppa's test-build verdict: it publishes its source only and says why.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildPackage } from '../pipeline/build/index.js';
import { stageArchiveInputs } from '../pipeline/build/stageArchive.js';
import { readPackagesIndex } from '../pipeline/archive/packagesIndex.js';
import { stageRepository } from '../pipeline/archive/stageRepository.js';
import { promote } from '../pipeline/stages/promote.js';
import { readGateRecord } from '../pipeline/stages/gates.js';
import { renderStatus, status } from '../pipeline/stages/status.js';
import { collectReadiness } from '../pipeline/report/collect.js';
import { StateStore } from '../pipeline/state/store.js';
import { aptWith, stagesWorkspace, type StagesWorkspace } from './helpers/stagesWorkspace.js';
import { REPO } from './helpers/workspace.js';

describe('builds see the stage\'s own archive (fixlib-a → fixapp-b, sbuild)', () => {
  let t: StagesWorkspace;
  let restore: () => void;
  beforeAll(() => {
    // Builds in bookworm (the slow project's cached chroot). The upgrade path is off: piuparts of
    // each build in a trixie chroot (three runs, minutes) proves nothing about the stage archive;
    // test/qa-install.slow.test.ts tests the check. The other QA checks run as configured.
    const yaml = readFileSync(join(REPO, 'pipeline.yaml'), 'utf8').replace(/builder: \{ suite: trixie,/g, 'builder: { suite: bookworm,')
      .replace(/^(    gates: \{.*\})$/gm, '$1\n    qa: { upgrade-path: off }');
    t = stagesWorkspace({ packages: [], config: yaml });
    for (const p of ['fixlib-a', 'fixapp-b']) cpSync(join(REPO, 'test', 'fixtures', 'stages', p), join(t.root, 'packages', p), { recursive: true });
    t.env.PIPELINE_BUILDER = 'sbuild';
    t.env.PIPELINE_CACHE_DIR = inject('chrootCacheDir');
    restore = t.use();
  });
  afterAll(async () => { restore(); await t.cleanup(); });

  it('fixapp-b builds against fixlib-a-dev only once the ppa stage\'s archive has it, and its record names the version', async () => {
    const ws = t.ws();
    expect(ws.config.stages.map((s) => s.qa['upgrade-path'])).toEqual(['off', 'off', 'off']);
    const store = new StateStore(ws.stateDir);

    // Nothing in the stage yet: apt in the chroot cannot find fixlib-a-dev.
    const before = await buildPackage(ws, { pkg: 'fixapp-b' }, 'ppa');
    expect(before.status).toBe('failed');
    expect(before.failedPart).toBe('binary');
    expect(before.message).toContain('fixlib-a-dev');
    expect(before.stageArchive?.none).toMatch(/no signed index yet/);

    const a = await promote(ws, 'fixlib-a', { to: 'ppa' });
    expect(a.state, a.message).toBe('done');
    const aPub = store.read('fixlib-a', 'ppa', 'publish')!;
    expect(aPub.binaries).toEqual([expect.objectContaining({ package: 'fixlib-a-dev', version: '2.0-1~ppa1', architecture: 'all' })]);
    // The suite's Packages index lists the build's own .deb, byte for byte.
    const archiveDir = join(t.root, '.pipeline', 'archive');
    const listed = readPackagesIndex(archiveDir, 'ppa', ['amd64']);
    const built = store.read('fixlib-a', 'ppa', 'build')!.artifacts.find((x) => x.path.endsWith('.deb'))!;
    expect(listed).toEqual([expect.objectContaining({ package: 'fixlib-a-dev', version: '2.0-1~ppa1', source: 'fixlib-a', sha256: built.sha256 })]);
    // apt installs it from the archive (a private configuration: the stage's line, signed-by the archive key).
    const apt = mkdtempSync(join(tmpdir(), 'pipeline-apt-'));
    try {
      const r = await aptWith(apt, [stageRepository(ws, 'ppa')!.line], ['install', '--yes', '--download-only', 'fixlib-a-dev=2.0-1~ppa1']);
      expect(r.exitCode, r.all).toBe(0);
      const sim = await aptWith(apt, [stageRepository(ws, 'ppa')!.line], ['install', '--simulate', 'fixlib-a-dev']);
      expect(sim.all).toMatch(/^Inst fixlib-a-dev \(2\.0-1~ppa1 /m);
    } finally {
      rmSync(apt, { recursive: true, force: true });
    }

    const b = await promote(ws, 'fixapp-b', { to: 'ppa' });
    expect(b.state, b.message).toBe('done');
    const bBuild = store.read('fixapp-b', 'ppa', 'build')!;
    expect(bBuild.status).toBe('successful');
    expect(bBuild.binaryFrom).toBeUndefined();
    expect(bBuild.stageArchive).toMatchObject({ suite: 'ppa', offered: ['fixlib-a-dev=2.0-1~ppa1'] });
    expect(bBuild.inSetBuildDeps).toEqual([{ package: 'fixlib-a-dev', version: '2.0-1~ppa1', fromStage: true }]);
    // sbuild's own log says where it came from: the bind-mounted snapshot of the ppa suite.
    expect(readFileSync(bBuild.binaryLog!, 'utf8')).toMatch(/file:\/srv\/pipeline-stage-archive ppa/);
    const said = "built against fixlib-a-dev 2.0-1~ppa1 (from the ppa stage's archive)";
    expect(readGateRecord(ws, 'fixapp-b', 'ppa')!.verdicts.find((v) => v.gate === 'binary-build')!.reason).toContain(said);
    expect(store.read('fixapp-b', 'ppa', 'publish')!.binaries!.map((x) => x.package)).toEqual(['fixapp-b']);

    // status and the report show it.
    const text = renderStatus(await status(ws));
    expect(text).toContain(`fixapp-b ppa: ${said}; binaries fixapp-b 2.0-1~ppa1 (all)`);
    expect(text).toContain('fixlib-a ppa: binaries fixlib-a-dev 2.0-1~ppa1 (all)');
    const report = await collectReadiness(ws);
    const ppaOf = (p: string) => report.packages.find((x) => x.package === p)!.stages.find((s) => s.stage === 'ppa')!;
    expect(ppaOf('fixapp-b').checks.find((c) => c.check === 'binary-build')!.reason).toContain(said);
    expect(ppaOf('fixlib-a').checks.find((c) => c.check === 'reached')!.reason).toContain('binaries fixlib-a-dev 2.0-1~ppa1 (all)');

    // fixlib-a at devel: same tree and chroot, so ppa's test-build verdict is lent; its .debs carry
    // 2.0-1~ppa1, so devel publishes its source 2.0-1 only, and says so.
    const d = await promote(ws, 'fixlib-a', { to: 'devel' });
    expect(d.state, d.message).toBe('done');
    const dBuild = store.read('fixlib-a', 'devel', 'build')!;
    expect(dBuild.binaryFrom?.stage).toBe('ppa');
    expect(dBuild.noOwnBinaries).toContain('its .debs carry 2.0-1~ppa1, so this stage publishes its source only');
    const dPub = store.read('fixlib-a', 'devel', 'publish')!;
    expect(dPub).toMatchObject({ version: '2.0-1', binaries: [], binariesNote: dBuild.noOwnBinaries });
    expect(readPackagesIndex(archiveDir, 'trixie', ['amd64'])).toEqual([]);
    expect(stageArchiveInputs(ws, 'devel', join(t.root, 'packages', 'fixapp-b', 'debian')).offered).toEqual([]);
    expect(renderStatus(await status(ws))).toContain(`fixlib-a devel: source only: ${dBuild.noOwnBinaries}`);
  });
});
