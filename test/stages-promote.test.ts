/**
 * Promotion end to end, fast: the fixture set promoted with the `host` source builder into a real
 * reprepro archive (signed, dput local target, processincoming), then fetched back with a real
 * `apt-get source` through a private apt configuration that trusts only the archive's key.
 */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

// Promotions run dpkg-source, debsign, dput and reprepro for real: allow for a loaded CI machine.
vi.setConfig({ testTimeout: 300_000, hookTimeout: 120_000 });
import { cli } from './helpers/workspace.js';
import { aptGetSource, stagesWorkspace, treeHashes, type StagesWorkspace } from './helpers/stagesWorkspace.js';
import { promote, promoteAll } from '../pipeline/stages/promote.js';
import { status } from '../pipeline/stages/status.js';
import { planStage } from '../pipeline/stages/plan.js';
import { readGateRecord } from '../pipeline/stages/gates.js';
import { promoteSteps } from '../pipeline/stages/lifecycle.js';
import { StateStore } from '../pipeline/state/store.js';
import { sha256File } from '../pipeline/source/fetch.js';
import { sourceIdOfFile } from '../pipeline/debian/sourceId.js';
import { collectReadiness } from '../pipeline/report/collect.js';
import type { StepContext } from '../pipeline/state/steps.js';

const ARCHIVE = '.pipeline/archive';
const SUITES = ['ppa', 'trixie', 'bookworm-backports'];

async function cliIn(t: StagesWorkspace, args: string[]) {
  return cli({ root: t.root, config: t.config, env: t.env }, args);
}

describe('promote zookeeper through ppa → devel → backports', () => {
  let t: StagesWorkspace;
  let restore: () => void;
  beforeAll(() => { t = stagesWorkspace(); restore = t.use(); });
  afterAll(async () => { restore(); await t.cleanup(); });

  it('lands the right version in each suite, and apt-get source returns the exact .dsc that was checked', async () => {
    const ws = t.ws();
    const r = await promote(ws, 'zookeeper', { to: 'backports' });
    expect(r.state, r.message).toBe('done');
    expect(r.stages).toEqual(['ppa', 'devel', 'backports']);
    expect(r.reports.map((s) => s.published?.version)).toEqual(['3.9.3-2~ppa1', '3.9.3-2', '3.9.3-2~bpo12+1']);
    expect(r.reports.every((s) => s.published?.confirmed)).toBe(true);
    // The backport's changelog entry, as dch wrote it.
    expect(r.reports[2]!.changelogEntry).toMatch(/^zookeeper \(3\.9\.3-2~bpo12\+1\) bookworm-backports; urgency=medium\n\n {2}\* No-change backport to bookworm\.\n/);
    expect(r.reports[2]!.distribution).toBe('bookworm-backports');

    const archive = join(t.root, ARCHIVE);
    for (const s of r.reports) {
      const p = s.published!;
      const gates = readGateRecord(ws, 'zookeeper', s.stage)!;
      expect(gates.dscSha256).toBe(p.dscSha256);
      // One identity per upload: the unsigned .dsc the build made, the signed upload and the
      // archive's copy all carry the same source identity, and every verdict is bound to it.
      const build = new StateStore(ws.stateDir).read('zookeeper', s.stage, 'build')!;
      expect(build.dsc!.sha256).not.toBe(p.dscSha256);
      expect(build.dsc!.sourceId).toBe(p.sourceId);
      expect(gates.sourceId).toBe(p.sourceId);
      expect(gates.verdicts.every((v) => v.artifactSha256 === p.sourceId)).toBe(true);
      expect(new StateStore(ws.stateDir).read('zookeeper', s.stage, 'lint')!.artifactSha256).toBe(p.sourceId);
      const dir = await aptGetSource(archive, SUITES, 'zookeeper', p.version, join(t.root, 'apt-out', s.stage));
      const dsc = join(dir, `zookeeper_${p.version}.dsc`);
      expect(existsSync(dsc)).toBe(true);
      expect(await sha256File(dsc)).toBe(p.dscSha256);
      expect(sourceIdOfFile(dsc)).toBe(p.sourceId);
    }
  });

  it('the report says zookeeper is ready for every stage it reached, each row naming the artifact it judged; status agrees', async () => {
    const ws = t.ws();
    const published = ['ppa', 'devel', 'backports'].map((st) => new StateStore(ws.stateDir).read('zookeeper', st, 'publish')!);
    for (const release of [undefined, 'bookworm']) {
      const r = await collectReadiness(ws, { ...(release ? { release } : {}) });
      const z = r.packages.find((p) => p.package === 'zookeeper')!;
      expect(z.stages.map((x) => [x.stage, x.verdict, x.ready]), JSON.stringify(z.stages.flatMap((x) => x.checks.filter((c) => c.verdict !== 'pass')), null, 1))
        .toEqual([['ppa', 'waived', true], ['devel', 'waived', true], ['backports', 'waived', true]]);
      z.stages.forEach((x, i) => {
        expect(x.subject).toMatchObject({ state: 'published', version: published[i]!.version, sourceId: published[i]!.sourceId, dscSha256: published[i]!.dscSha256 });
        for (const c of x.checks.filter((c) => !['dependencies', 'freeze'].includes(c.check))) expect(c.artifactSha256, `${x.stage} ${c.check}`).toBe(published[i]!.sourceId);
        // The host builder's shortcuts are said as waivers, with who: never a silent pass.
        expect(x.checks.find((c) => c.check === 'binary-build')).toMatchObject({ verdict: 'waived', waiver: { by: 'PIPELINE_BUILDER=host' } });
        expect(x.checks.find((c) => c.check === 'lintian')).toMatchObject({ verdict: 'waived', waiver: { by: 'PIPELINE_BUILDER=host' } });
      });
    }
    const json = await cliIn(t, ['--json', 'report', '--offline']);
    const z = JSON.parse(json.stdout).packages.find((p: { package: string }) => p.package === 'zookeeper');
    expect(z.stages.map((x: { ready: boolean }) => x.ready)).toEqual([true, true, true]);
    // The set is not ready (txzookeeper and txaws never went): exit 1; zookeeper alone is: exit 0.
    expect(json.exitCode).toBe(1);
    const alone = await cliIn(t, ['report', 'zookeeper', '--offline', '--format', 'json']);
    expect(alone.exitCode, alone.stderr).toBe(0);
    expect(JSON.parse(alone.stdout).overall).toMatchObject({ ready: true, summary: '1 of 1 package ready for trixie' });
    const st = await status(ws, ['zookeeper']);
    expect(st.rows[0]!.cells.map((c) => c.verdict)).toEqual(['waived', 'waived', 'waived']);
    expect(st.rows[0]!.openRuns).toEqual([]);
  });

  it('signs the archive: InRelease verifies with the exported key', async () => {
    const keyring = join(t.root, ARCHIVE, 'pipeline-archive-keyring.gpg');
    const r = await execa('gpgv', ['--keyring', keyring, join(t.root, ARCHIVE, 'dists', 'ppa', 'InRelease')], { reject: false });
    expect(r.exitCode, r.stderr).toBe(0);
  });

  it('status shows the three stages, and a plain promote has nothing left to do', async () => {
    const report = await status(t.ws(), ['zookeeper']);
    const row = report.rows[0]!;
    expect(row.cells.map((c) => c.landed)).toEqual(['3.9.3-2~ppa1', '3.9.3-2', '3.9.3-2~bpo12+1']);
    expect(row.current).toBe('backports');
    expect(row.next).toBeUndefined();
    const again = await promote(t.ws(), 'zookeeper');
    expect(again.state).toBe('nothing-to-do');

    const text = await cliIn(t, ['status']);
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toMatch(/zookeeper\s+3\.9\.3-2\s+3\.9\.3-2~ppa1 ✓\s+3\.9\.3-2 ✓\s+3\.9\.3-2~bpo12\+1 ✓/);
    const jr = await cliIn(t, ['--json', 'status']);
    expect(jr.exitCode, jr.stderr).toBe(0);
    const json = JSON.parse(jr.stdout);
    expect(json.rows.find((x: { package: string }) => x.package === 'txzookeeper').next).toBe('ppa');
  });

  it('--dry-run writes nothing: archive, state and packages/ unchanged byte for byte', async () => {
    const before = treeHashes(t.root);
    const dry = await cliIn(t, ['promote', 'txzookeeper', '--to', 'backports', '--dry-run']);
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('txzookeeper (0.9.8-1~ppa1) trixie; urgency=medium');
    expect(dry.stdout).toContain('upload: dput -c');
    expect(dry.stdout).toContain('0.9.8-1~bpo12+1');
    expect(dry.stdout).toMatch(/✓ dependencies: pass — in ppa: zookeeper 3\.9\.3-2~ppa1/);
    // The QA checks each stage will run after its build, with their severity.
    expect(dry.stdout).toContain('qa after the build: installability (block), upgrade-path (block)');
    const all = await cliIn(t, ['promote', '--all', '--to', 'backports', '--dry-run', '--json']);
    expect(all.exitCode, all.stderr).toBe(0);
    const results = JSON.parse(all.stdout).results;
    expect(results.map((x: { state: string }) => x.state)).toEqual(['dry-run', 'nothing-to-do', 'dry-run']);
    const qa = results[0].reports[0].qa as Array<{ check: string; severity: string; implemented: boolean }>;
    expect(qa.map((q) => [q.check, q.severity, q.implemented])).toEqual(expect.arrayContaining([['installability', 'block', true], ['upgrade-path', 'block', true]]));
    expect(treeHashes(t.root)).toEqual(before);
  });

  it('a PPA version is never reused, even after it was deleted from the PPA', async () => {
    const ws = t.ws();
    const archive = join(t.root, ARCHIVE);
    await execa('reprepro', ['-b', archive, '--gnupghome', t.env.PIPELINE_GNUPGHOME, 'removesrc', 'ppa', 'zookeeper']);
    const plan = await planStage(ws, 'zookeeper', 'ppa');
    expect(plan.targetVersions.current).toEqual([]);
    expect(plan.targetVersions.history).toEqual(['3.9.3-2~ppa1']);
    expect(plan.version).toBe('3.9.3-2~ppa2');
    expect(plan.includeOrig).toBe(true); // the deleted upload's orig went with it
  });
});

describe('dependencies and failures', () => {
  let t: StagesWorkspace;
  let restore: () => void;
  beforeAll(() => { t = stagesWorkspace(); restore = t.use(); });
  afterAll(async () => { restore(); await t.cleanup(); });

  it('txzookeeper before zookeeper reached the stage is blocked, naming zookeeper and the fix', async () => {
    const r = await cliIn(t, ['promote', 'txzookeeper']);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain('dependencies: blocked — txzookeeper needs zookeeper in ppa first: zookeeper has not reached ppa');
    expect(r.stdout).toContain('fix: pipeline promote zookeeper --to ppa');
    expect(existsSync(join(t.root, ARCHIVE, 'pool', 'main', 't'))).toBe(false);
  });

  it('--all stops the dependants of a failed package and promotes the others; a waiver with a reason lets it through', async () => {
    // Break zookeeper's metadata: a Maintainer address without a real mail host (a lint error).
    const control = join(t.root, 'packages', 'zookeeper', 'debian', 'control');
    writeFileSync(control, readFileSync(control, 'utf8').replace('<pipeline@example.org>', '<pipeline@localhost>'));
    const all = await promoteAll(t.ws(), { to: 'ppa' });
    const by = Object.fromEntries(all.results.map((x) => [x.package, x]));
    expect(by.zookeeper!.state).toBe('blocked');
    expect(by.zookeeper!.message).toMatch(/lint/);
    expect(by.txzookeeper!.state).toBe('skipped');
    expect(by.txzookeeper!.message).toContain('zookeeper');
    expect(by.txaws!.state).toBe('done');
    expect(all.exitCode).toBe(1);

    const waived = await cliIn(t, ['promote', 'zookeeper', '--waive', 'lint', '--reason', 'copyright fixed upstream next release']);
    expect(waived.exitCode, waived.stdout + waived.stderr).toBe(0);
    expect(waived.stdout).toContain('~ lint: waived');
    expect(waived.stdout).toContain('waived by tester: copyright fixed upstream next release');
    const rec = readGateRecord(t.ws(), 'zookeeper', 'ppa')!;
    expect(rec.verdicts.find((v) => v.gate === 'lint')).toMatchObject({ verdict: 'waived', waiver: { by: 'tester' } });
  });

});

describe('gates are bound to the exact artifact', () => {
  let t: StagesWorkspace;
  let restore: () => void;
  beforeAll(() => { t = stagesWorkspace({ packages: ['zookeeper'] }); restore = t.use(); });
  afterAll(async () => { restore(); await t.cleanup(); });

  it('publish refuses bytes that differ from the checked ones', async () => {
    const ws = t.ws();
    const table = promoteSteps(ws, { package: 'zookeeper', stages: ['ppa'] });
    const ctx: StepContext = { runId: 'test', outputs: {}, dryRun: false, note: () => {} };
    for (const step of table.steps) {
      if (step.name === 'ppa:publish') break;
      ctx.outputs[step.name] = await step.run(ctx);
    }
    const set = ctx.outputs['ppa:sign'] as { dsc: { path: string; sha256: string } };
    expect(readGateRecord(ws, 'zookeeper', 'ppa')!.dscSha256).toBe(set.dsc.sha256);
    appendFileSync(set.dsc.path, '\n');
    const publish = table.steps.find((s) => s.name === 'ppa:publish')!;
    await expect(publish.run(ctx)).rejects.toThrow(/changed after its checks/);
    expect(new StateStore(ws.stateDir).read('zookeeper', 'ppa', 'publish')).toBeUndefined();
    expect(existsSync(join(t.root, ARCHIVE, 'pool', 'main', 'z'))).toBe(false);
  });
});
