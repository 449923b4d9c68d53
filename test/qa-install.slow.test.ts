/**
 * The installability and upgrade-path QA checks with the real tools: fixture packages built with
 * dpkg-buildpackage (test/fixtures/packages), judged for the backports stage (bookworm, its
 * pockets and bookworm-backports) — dose-debcheck over the real Packages lists, piuparts in the
 * shared cached bookworm chroot of the slow project (test/setup/chroots.ts).
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Workspace } from '../pipeline/config/workspace.js';
import type { QaContext } from '../pipeline/qa/check.js';
import { checkInstallability } from '../pipeline/qa/installability.js';
import { checkReleaseUpgrade, checkUpgradePath } from '../pipeline/qa/upgradePath.js';
import { sha256File } from '../pipeline/source/fetch.js';
import type { StagePlan } from '../pipeline/stages/plan.js';
import type { UploadSet } from '../pipeline/stages/upload.js';
import { stagesWorkspace, type StagesWorkspace } from './helpers/stagesWorkspace.js';
import { qaStage } from '../pipeline/qa/stage.js';
import type { QaRecord } from '../pipeline/qa/run.js';
import { collectReadiness } from '../pipeline/report/collect.js';
import { readGateRecord } from '../pipeline/stages/gates.js';
import { promote } from '../pipeline/stages/promote.js';
import { readUploadEvidence } from '../pipeline/stages/upload.js';
import { REPO } from './helpers/workspace.js';

const FIXTURES = join(REPO, 'test', 'fixtures', 'packages');

describe('QA: installability (dose-debcheck) and upgrade path (piuparts)', () => {
  let t: StagesWorkspace;
  let restore: () => void;
  let ws: Workspace;
  let scratch: string;
  const debs: Record<string, string> = {};

  beforeAll(async () => {
    t = stagesWorkspace({ packages: [], config: readFileSync(join(REPO, 'pipeline.yaml'), 'utf8') });
    t.env.PIPELINE_CACHE_DIR = inject('chrootCacheDir');
    restore = t.use();
    ws = t.ws();
    scratch = mkdtempSync(join(tmpdir(), 'qa-install-'));
    for (const pkg of ['hello-native', 'qa-broken-postinst', 'qa-unsat-depends']) {
      cpSync(join(FIXTURES, pkg), join(scratch, pkg), { recursive: true });
      await execa('dpkg-buildpackage', ['-b', '-uc', '-us'], { cwd: join(scratch, pkg) });
      debs[pkg] = join(scratch, `${pkg}_1.0_all.deb`);
    }
  });
  afterAll(async () => { restore(); await t.cleanup(); rmSync(scratch, { recursive: true, force: true }); });

  async function ctxFor(pkg: string): Promise<QaContext> {
    const stage = ws.config.stages.find((s) => s.name === 'backports')!;
    const deb = debs[pkg]!;
    return {
      ws, pkg, stage, plan: { version: '1.0' } as StagePlan,
      build: {
        package: pkg, version: '1.0', stage: 'backports', status: 'successful', outDir: scratch, inputsHash: 'test', finishedAt: new Date().toISOString(),
        artifacts: [{ path: deb, sha256: await sha256File(deb), size: statSync(deb).size }],
      },
      upload: { dir: join(scratch, 'upload', pkg) } as UploadSet,
      sourceId: 'test', workDir: join(scratch, 'qa', pkg),
    };
  }

  it('blocks an uninstallable dependency at installability, naming it', async () => {
    const o = await checkInstallability(await ctxFor('qa-unsat-depends'));
    expect(o.verdict).toBe('blocked');
    expect(o.reason).toContain('qa-unsat-depends 1.0: unmet dependency pipeline-no-such-runtime-package (>= 99)');
    expect(o.reason).toContain('bookworm-backports');
    expect(existsSync(o.log!)).toBe(true);
  });

  it('blocks a failing postinst at the upgrade path, quoting its output', async () => {
    const ctx = await ctxFor('qa-broken-postinst');
    expect((await checkInstallability(ctx)).verdict).toBe('pass');
    const o = await checkUpgradePath(ctx);
    expect(o.verdict, o.reason).toBe('blocked');
    expect(o.reason).toContain("qa-broken-postinst's postinst failed");
    expect(o.reason).toContain('cannot write /etc/qa-broken-postinst.conf');
    expect(o.reason).toContain('post-installation script subprocess returned error exit status 3');
    expect(o.todo).toContain('debian/qa-broken-postinst.postinst');
    // The full log stays in the check's work directory; the unpacked chroot does not.
    expect(readFileSync(o.log!, 'utf8')).toContain('piuparts');
    expect(o.log!.startsWith(ctx.workDir)).toBe(true);
    expect(existsSync(join(ctx.workDir, 'chroot'))).toBe(false);
  });

  it('passes a good package at installability; its release upgrade waits for the devel stage', async () => {
    // (Its upgrade path, a fresh install and purge since bookworm ships none, is the promote's below.)
    const ctx = await ctxFor('hello-native');
    const inst = await checkInstallability(ctx);
    expect(inst.verdict, inst.reason).toBe('pass');
    expect(inst.reason).toMatch(/^1 binary package installable against bookworm, bookworm-updates, bookworm-security, bookworm-backports/);
    // The backport's next step, the upgrade to the devel stage's version, cannot run while the devel
    // stage holds none: blocked, with the promote that fixes it, before any chroot is unpacked
    // (test/qa-release-upgrade.slow.test.ts runs that step).
    const next = await checkReleaseUpgrade(ctx);
    expect(next.verdict, next.reason).toBe('blocked');
    expect(next.reason).toContain("cannot be run: the devel stage's suite holds no version of hello-native yet");
    expect(next.fix).toBe('pipeline promote hello-native --to devel');
  });
});

describe('QA in the promote and pipeline qa (hello-stage, sbuild, bookworm)', () => {
  let t: StagesWorkspace;
  let restore: () => void;
  beforeAll(() => {
    // The PPA stage for bookworm, so the build and the QA chroot are the slow project's cached one.
    const yaml = readFileSync(join(REPO, 'pipeline.yaml'), 'utf8')
      .replace('target: { archive: local, suite: ppa, series: trixie }', 'target: { archive: local, suite: ppa, series: bookworm }')
      .replace(/builder: \{ suite: trixie,/g, 'builder: { suite: bookworm,');
    t = stagesWorkspace({ packages: [], config: yaml });
    cpSync(join(REPO, 'test', 'fixtures', 'stages', 'hello-stage'), join(t.root, 'packages', 'hello-stage'), { recursive: true });
    t.env.PIPELINE_BUILDER = 'sbuild';
    t.env.PIPELINE_CACHE_DIR = inject('chrootCacheDir');
    restore = t.use();
  });
  afterAll(async () => { restore(); await t.cleanup(); });

  it('the qa step judges the build before publish; pipeline qa keeps the verdicts, --force runs them again; the report shows them', async () => {
    const ws = t.ws();
    const r = await promote(ws, 'hello-stage', { to: 'ppa' });
    expect(r.state, `${r.message}\n${JSON.stringify(r.reports.map((x) => x.verdicts), null, 1)}`).toBe('done');
    const gates = readGateRecord(ws, 'hello-stage', 'ppa')!;
    const qa = gates.verdicts.filter((v) => ['installability', 'upgrade-path'].includes(v.gate));
    expect(qa.map((v) => [v.gate, v.verdict])).toEqual([['installability', 'pass'], ['upgrade-path', 'pass']]);
    expect(qa.every((v) => v.artifactSha256 === gates.sourceId)).toBe(true);
    expect(qa[1]!.reason).toContain('bookworm ships no hello-stage');

    const kept = await qaStage(ws, 'hello-stage', 'ppa');
    expect(kept.subject).toMatchObject({ state: 'published', version: '1.0-1~ppa1', sourceId: gates.sourceId });
    expect(kept.record.results.map((x) => x.at)).toEqual(readUploadEvidence<QaRecord>(kept.evidenceDir, 'qa')!.results.map((x) => x.at));
    expect(kept.gatesUpdated).toBe(true);
    const again = await qaStage(ws, 'hello-stage', 'ppa', { force: true });
    // Every check the stage runs (autopkgtest and reverse-dependencies are not applicable to hello-stage: passes that say so).
    expect(again.verdicts.map((v) => [v.gate, v.verdict])).toEqual([['installability', 'pass'], ['upgrade-path', 'pass'], ['autopkgtest', 'pass'], ['reverse-dependencies', 'pass'], ['debdiff', 'pass']]);
    expect(again.record.results[0]!.at > kept.record.results[0]!.at).toBe(true);
    // --check NAME: that check is judged again, the others' verdicts are kept as they were.
    const one = await qaStage(ws, 'hello-stage', 'ppa', { force: ['installability'] });
    expect(one.record.results[0]!.at > again.record.results[0]!.at).toBe(true);
    expect(one.record.results.slice(1).map((x) => x.at)).toEqual(again.record.results.slice(1).map((x) => x.at));

    const report = await collectReadiness(ws, {});
    const ppa = report.packages[0]!.stages.find((s) => s.stage === 'ppa')!;
    expect(ppa.checks.filter((c) => c.check === 'installability' || c.check === 'upgrade-path').map((c) => [c.check, c.verdict, c.artifactSha256]))
      .toEqual([['installability', 'pass', gates.sourceId], ['upgrade-path', 'pass', gates.sourceId]]);
  });
});
