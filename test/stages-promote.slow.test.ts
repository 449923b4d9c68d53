/**
 * Promotion with the real container builder: a tiny arch:all fixture goes ppa → devel → backports
 * with sbuild (unshare) building its source package and test-building its binary for every
 * stage in the cached bookworm chroot (test/setup/chroots.ts), lintian on every .changes, then
 * the local archive serves the exact .dsc that was checked to `apt-get source`.
 */
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { promote } from '../pipeline/stages/promote.js';
import { readGateRecord } from '../pipeline/stages/gates.js';
import { sha256File } from '../pipeline/source/fetch.js';
import { StateStore } from '../pipeline/state/store.js';
import { collectReadiness } from '../pipeline/report/collect.js';
import { aptGetSource, stagesWorkspace, type StagesWorkspace } from './helpers/stagesWorkspace.js';
import { REPO } from './helpers/workspace.js';

/**
 * The default profile with every stage building in bookworm (the chroot the slow setup caches),
 * the upgrade path and the release upgrade off: piuparts (a minute or more per stage, ~6 min for the
 * release upgrade's two dist-upgrades) proves nothing about the promotion.
 * test/qa-install.slow.test.ts tests the upgrade path, at the backports stage and in a promote;
 * test/qa-release-upgrade.slow.test.ts the release upgrade.
 */
function bookwormBuilders(yaml: string): string {
  return yaml.replace(/builder: \{ suite: trixie,/g, 'builder: { suite: bookworm,')
    .replace(/^(    gates: \{.*\})$/gm, '$1\n    qa: { upgrade-path: off, release-upgrade: off }');
}

describe('promote with sbuild (hello-stage, arch:all)', () => {
  let t: StagesWorkspace;
  let restore: () => void;
  beforeAll(() => {
    t = stagesWorkspace({ packages: [], config: bookwormBuilders(readFileSync(join(REPO, 'pipeline.yaml'), 'utf8')) });
    cpSync(join(REPO, 'test', 'fixtures', 'stages', 'hello-stage'), join(t.root, 'packages', 'hello-stage'), { recursive: true });
    t.env.PIPELINE_BUILDER = 'sbuild';
    t.env.PIPELINE_CACHE_DIR = inject('chrootCacheDir');
    restore = t.use();
  });
  afterAll(async () => { restore(); await t.cleanup(); });

  it('builds in the container, gates pass, and every stage lands the checked .dsc', async () => {
    const ws = t.ws();
    expect(ws.config.stages.every((s) => s.builder.suite === 'bookworm')).toBe(true);
    expect(ws.config.stages.map((s) => s.qa['upgrade-path'])).toEqual(['off', 'off', 'off']);
    expect(ws.config.stages.map((s) => s.qa['release-upgrade'])).toEqual(['off', 'off', 'off']);
    const r = await promote(ws, 'hello-stage', { to: 'backports' });
    expect(r.state, `${r.message}\n${JSON.stringify(r.reports.map((x) => x.verdicts), null, 1)}`).toBe('done');
    expect(r.reports.map((s) => s.published?.version)).toEqual(['1.0-1~ppa1', '1.0-1', '1.0-1~bpo12+1']);

    const store = new StateStore(ws.stateDir);
    for (const s of r.reports) {
      const build = store.read('hello-stage', s.stage, 'build')!;
      expect(build.status).toBe('successful');
      expect(build.sourceSummary?.status).toBe('successful');
      expect(build.binarySummary?.status).toBe('successful');
      const gates = readGateRecord(ws, 'hello-stage', s.stage)!;
      expect(gates.verdicts.find((v) => v.gate === 'binary-build')?.verdict).toBe('pass');
      // One test-build per distinct input: every stage builds in bookworm here, so ppa's
      // test-build is the only one; devel and backports build their own source package and
      // take its verdict, naming it, with their gates bound to their own upload.
      if (s.stage === 'ppa') {
        expect(build.binaryFrom).toBeUndefined();
        expect(build.commands).toHaveLength(2);
      } else {
        const ppa = store.read('hello-stage', 'ppa', 'build')!;
        expect(build.binaryFrom).toEqual({ stage: 'ppa', version: '1.0-1~ppa1', finishedAt: ppa.finishedAt, log: ppa.binaryLog });
        expect(build.commands).toHaveLength(1);
        expect(gates.verdicts.find((v) => v.gate === 'binary-build')?.reason).toContain(`the verdict of the ppa build of 1.0-1~ppa1`);
        expect(gates.verdicts.every((v) => v.artifactSha256 === gates.sourceId)).toBe(true);
      }
      expect(gates.verdicts.find((v) => v.gate === 'lint')?.verdict).toBe('pass');
      // The qa step's debdiff (default warn): the first stage has nothing to compare with; the
      // others compare with the previous stage's upload — the changelog, and the very same .deb.
      expect(gates.verdicts.find((v) => v.gate === 'debdiff'), s.stage).toMatchObject({ verdict: 'pass', reason: {
        ppa: 'not applicable: nothing to compare with: local:ppa holds no other hello-stage, and trixie\'s lists name none',
        devel: 'against 1.0-1~ppa1 (the ppa stage\'s upload): source +0 -0 ~1 file; binaries: same files and relations',
        backports: 'against 1.0-1 (the devel stage\'s upload): source +0 -0 ~1 file; binaries: same files and relations',
      }[s.stage] });
      const dir = await aptGetSource(join(t.root, '.pipeline', 'archive'), ['ppa', 'trixie', 'bookworm-backports'], 'hello-stage', s.published!.version, join(t.root, 'apt', s.stage));
      expect(await sha256File(join(dir, `hello-stage_${s.published!.version}.dsc`))).toBe(gates.dscSha256);
    }

    // The report after the real main-job path: ready at every stage, with no waiver (sbuild built
    // the binaries, lintian ran), each check naming the published upload's source identity.
    for (const release of [undefined, 'bookworm']) {
      const report = await collectReadiness(ws, { ...(release ? { release } : {}) });
      const p = report.packages.find((x) => x.package === 'hello-stage')!;
      const open = p.stages.flatMap((x) => x.checks.filter((c) => c.verdict !== 'pass'));
      expect(p.stages.map((x) => [x.stage, x.verdict]), JSON.stringify(open, null, 1)).toEqual([['ppa', 'pass'], ['devel', 'pass'], ['backports', 'pass']]);
      expect(p.stages.map((x) => x.debdiff?.summary.slice(0, 28))).toEqual(['nothing to compare with: loc', 'against 1.0-1~ppa1 (the ppa ', 'against 1.0-1 (the devel sta']);
      p.stages.forEach((x, i) => {
        const published = r.reports[i]!.published!;
        expect(x.subject).toMatchObject({ state: 'published', version: published.version, sourceId: published.sourceId });
        for (const c of x.checks.filter((c) => !['dependencies', 'freeze'].includes(c.check))) expect(c.artifactSha256, `${x.stage} ${c.check}`).toBe(published.sourceId);
      });
      expect(report.overall.ready).toBe(true);
      expect(p.stages[1]!.checks.find((c) => c.check === 'binary-build')?.reason).toContain('the verdict of the ppa build of 1.0-1~ppa1');
    }
  });
});
