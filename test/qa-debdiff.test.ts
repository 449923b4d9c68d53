/**
 * The debdiff QA check with the real debdiff and dpkg-deb on real packages: three versions of a
 * small native package built with dpkg-buildpackage on the host (arch:all, debhelper), the first
 * published by the ppa stage (its upload directory and the build kept beside it), the others
 * checked at the devel stage against it.
 */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { stagesWorkspace, type StagesWorkspace } from './helpers/stagesWorkspace.js';
import { REPO } from './helpers/workspace.js';
import { runDebdiffCheck, judgeChanges } from '../pipeline/qa/debdiff.js';
import { qaWorkDir, runQa, toVerdict, type QaRecord } from '../pipeline/qa/run.js';
import { stageDebdiff } from '../pipeline/report/debdiff.js';
import type { QaContext } from '../pipeline/qa/check.js';
import { stage as stageConfig, type Workspace } from '../pipeline/config/workspace.js';
import type { StagePlan } from '../pipeline/stages/plan.js';
import type { UploadSet } from '../pipeline/stages/upload.js';
import { readUploadEvidence, uploadDir, writeUploadEvidence } from '../pipeline/stages/upload.js';
import { StateStore } from '../pipeline/state/store.js';
import type { BuildRecord } from '../pipeline/state/records.js';
import { artifactOf } from '../pipeline/state/artifact.js';
import { targetVersions } from '../pipeline/stages/target.js';
import { ensureSigningKey } from '../pipeline/archive/signing.js';
import { ensureArchive, reprepro } from '../pipeline/archive/reprepro.js';
import { privateApt } from '../pipeline/tools/apt.js';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 180_000 });

interface Version { version: string; entry: string; extraPackage: boolean; readme: boolean; bashDepends: boolean }

const V1: Version = { version: '1.0', entry: 'Initial release.', extraPackage: true, readme: false, bashDepends: false };
const V2: Version = { version: '1.1', entry: 'Ship a README.', extraPackage: true, readme: true, bashDepends: true };
const V3: Version = { version: '1.2', entry: 'Tidy up the packaging.', extraPackage: false, readme: true, bashDepends: true };

/** hello-native at `v` (changelog with every earlier entry), built with dpkg-buildpackage into `out`. */
async function buildVersion(out: string, v: Version, earlier: Version[]): Promise<{ dsc: string; debs: string[] }> {
  const dir = join(out, `hello-native-${v.version}`);
  cpSync(join(REPO, 'test/fixtures/packages/hello-native'), dir, { recursive: true });
  const control = readFileSync(join(dir, 'debian/control'), 'utf8')
    .replace('Description: tiny', `${v.bashDepends ? 'Depends: ${misc:Depends}, bash (>= 5)\n' : ''}Description: tiny`);
  writeFileSync(join(dir, 'debian/control'), control + (v.extraPackage
    ? '\nPackage: hello-extra\nArchitecture: all\nDepends: hello-native\nDescription: extra files for hello-native\n Examples.\n'
    : ''));
  if (v.extraPackage) {
    mkdirSync(join(dir, 'examples'));
    writeFileSync(join(dir, 'examples/hello.conf'), 'greeting=hello\n');
    writeFileSync(join(dir, 'debian/hello-extra.install'), 'examples/hello.conf usr/share/hello-extra\n');
    writeFileSync(join(dir, 'debian/hello-native.install'), 'hello-native usr/bin\n');
    writeFileSync(join(dir, 'debian/install'), '');
  }
  if (v.readme) {
    writeFileSync(join(dir, 'README.extra'), 'hello\n');
    const file = v.extraPackage ? 'debian/hello-native.install' : 'debian/install';
    writeFileSync(join(dir, file), 'hello-native usr/bin\nREADME.extra usr/share/doc/hello-native\n');
  }
  const entries = [v, ...earlier].map((e, i) =>
    `hello-native (${e.version}) unstable; urgency=medium\n\n  * ${e.entry}\n\n -- Pipeline Maintainers <pipeline@example.org>  ${['Wed', 'Thu', 'Fri'][earlier.length - i]}, 2${5 + earlier.length - i} Nov 2026 12:00:00 +0000\n`);
  writeFileSync(join(dir, 'debian/changelog'), entries.join('\n'));
  await execa('dpkg-buildpackage', ['-us', '-uc', '-d'], { cwd: dir, env: { LC_ALL: 'C.UTF-8' } });
  const debs = (v.extraPackage ? ['hello-native', 'hello-extra'] : ['hello-native']).map((p) => join(out, `${p}_${v.version}_all.deb`));
  return { dsc: join(out, `hello-native_${v.version}.dsc`), debs };
}

async function buildRecord(stage: string, version: string, dsc: string, debs: string[], outDir: string): Promise<BuildRecord> {
  return {
    package: 'hello-native', version, stage, status: 'successful', outDir, inputsHash: 'test',
    dsc: await artifactOf(dsc), artifacts: await Promise.all([dsc, ...debs].map(artifactOf)), finishedAt: new Date().toISOString(),
  };
}

describe('debdiff QA check (real debdiff, dpkg-deb)', () => {
  let t: StagesWorkspace;
  let restore: () => void;
  let ws: Workspace;
  const built: Record<string, { dsc: string; debs: string[] }> = {};

  beforeAll(async () => {
    t = stagesWorkspace({ packages: [] });
    restore = t.use();
    ws = t.ws();
    const out = join(t.root, 'builds');
    mkdirSync(out);
    built['1.0'] = await buildVersion(out, V1, []);
    built['1.1'] = await buildVersion(out, V2, [V1]);
    built['1.2'] = await buildVersion(out, V3, [V2, V1]);
    // The ppa stage published 1.0: its upload directory (the source package) and the build beside it.
    const up = uploadDir(ws, 'hello-native', 'ppa', '1.0');
    mkdirSync(up, { recursive: true });
    for (const f of ['hello-native_1.0.dsc', 'hello-native_1.0.tar.xz']) cpSync(join(out, f), join(up, f));
    writeUploadEvidence({ dir: up }, 'build', await buildRecord('ppa', '1.0', join(up, 'hello-native_1.0.dsc'), built['1.0'].debs, out));
    new StateStore(ws.stateDir).write('publish', {
      package: 'hello-native', version: '1.0', stage: 'ppa', target: 'local', suite: 'ppa', dscSha256: 'x', publishedAt: new Date().toISOString(), confirmed: true,
    });
  });
  afterAll(async () => { restore(); await t.cleanup(); });

  async function check(version: string, stageName = 'devel', w = ws, target: Partial<StagePlan['target']> = {}, builderSuite?: string) {
    const configured = stageConfig(w, stageName);
    const stage = builderSuite ? { ...configured, builder: { ...configured.builder, suite: builderSuite } } : configured;
    const plan = {
      package: 'hello-native', source: 'hello-native', version, stage: stageName, kind: stage.kind,
      target: { archive: stage.target.archive, archiveKind: 'reprepro', suite: stage.target.suite, series: stage.target.series, upload: `local:${stage.target.suite}`, ...target },
      targetVersions: target.archiveKind === 'dput' ? { current: [], history: [] } : targetVersions(w, 'hello-native', stage),
    } as unknown as StagePlan;
    const b = built[version]!;
    const ctx: QaContext = {
      ws: w, pkg: 'hello-native', stage, plan, build: await buildRecord(stageName, version, b.dsc, b.debs, join(t.root, 'builds')),
      upload: { dir: join(t.root, 'builds'), dsc: await artifactOf(b.dsc) } as UploadSet,
      sourceId: 'test', workDir: join(t.root, 'qa', version, `debdiff-${Date.now()}`),
    };
    return { ctx, outcome: await runDebdiffCheck(ctx) };
  }

  it('summarises the added file and the changed dependency against the previous stage\'s upload, full diffs kept', async () => {
    const { ctx, outcome } = await check('1.1');
    expect(outcome.verdict, outcome.reason).toBe('pass');
    expect(outcome.reason).toMatch(/^against 1\.0 \(the ppa stage's upload\): source \+1 -0 ~\d+ files; hello-native \+1 -0 files, Depends \+bash \(>= 5\)/);
    const d = outcome.details as any;
    expect(d.source.added).toEqual(['README.extra']);
    expect(d.source.changed).toEqual(expect.arrayContaining(['debian/changelog', 'debian/control']));
    expect(d.binaries.files['hello-native']).toEqual({ added: ['/usr/share/doc/hello-native/README.extra'], removed: [] });
    expect(d.binaries.relations['hello-native']).toEqual({ Depends: { added: ['bash (>= 5)'], removed: [] } });
    expect(d.binaries.droppedPackages).toEqual([]);
    // The real debdiff's output is kept beside the upload's QA evidence.
    expect(readFileSync(join(ctx.workDir, 'source.debdiff'), 'utf8')).toMatch(/^\+README\.extra usr\/share\/doc\/hello-native$/m);
    expect(readFileSync(join(ctx.workDir, 'binary.debdiff'), 'utf8')).toMatch(/Files in second set of \.debs but not in first[\s\S]*README\.extra/);
  });

  it('runs as the stage\'s qa step runs it (runQa: the stage\'s severity, qa.json beside the upload), which the report reads', async () => {
    // A package definition for the waiver lookup; the devel stage's defaults: debdiff warn, reproducible off.
    cpSync(join(REPO, 'test/fixtures/packages/hello-native'), join(t.root, 'packages/hello-native'), { recursive: true });
    writeFileSync(join(t.root, 'packages/hello-native/package.yaml'), readFileSync(join(REPO, 'test/fixtures/stages/hello-stage/package.yaml'), 'utf8').replaceAll('hello-stage', 'hello-native'));
    const { ctx } = await check('1.2');
    const upload = { ...ctx.upload, dir: uploadDir(ws, 'hello-native', 'devel', '1.2') };
    mkdirSync(upload.dir, { recursive: true });
    const workDir = qaWorkDir(ws, 'hello-native', 'devel', '1.2');
    // Only debdiff: the other checks (installability, upgrade path, autopkgtest...) have their own tests.
    const only = { installability: 'off', 'upgrade-path': 'off', autopkgtest: 'off', 'reverse-dependencies': 'off', reproducible: 'off' } as const;
    const { verdicts } = await runQa({ ...ctx, stage: { ...ctx.stage, qa: only }, upload, workDir });
    expect(verdicts).toEqual([expect.objectContaining({ gate: 'debdiff', verdict: 'waived', artifactSha256: 'test', reason: expect.stringMatching(/^binary package hello-extra dropped/) })]);
    const kept = readUploadEvidence<QaRecord>(upload.dir, 'qa')!;
    expect(kept.results.map((r) => [r.check, r.severity])).toEqual([['debdiff', 'warn']]);
    expect(readFileSync(join(workDir, 'debdiff', 'source.debdiff'), 'utf8')).toContain('hello-extra');
    expect(stageDebdiff(ws, 'hello-native', 'devel', { state: 'signed', version: '1.2', sourceId: 'test' }).debdiff).toMatchObject({ verdict: 'blocked', summary: expect.stringContaining('dropped hello-extra') });
  });

  it('a dropped binary package blocks under severity block (waived under the default warn), naming it', async () => {
    const { outcome } = await check('1.2');
    expect(outcome.verdict).toBe('blocked');
    expect(outcome.reason).toMatch(/^binary package hello-extra dropped \(the new changelog entries do not mention it\)/);
    expect((outcome.details as any).binaries.droppedPackages).toEqual(['hello-extra']);
    expect(toVerdict('debdiff', 'block', outcome, 'devel')).toMatchObject({ gate: 'debdiff', verdict: 'blocked' });
    expect(toVerdict('debdiff', 'warn', outcome, 'devel')).toMatchObject({ verdict: 'waived' });
  });

  it('binaries built for another series are reported, not judged (a rebuild renames files without dropping anything)', async () => {
    const { outcome } = await check('1.2', 'devel', ws, {}, 'bookworm');
    expect(outcome.verdict, outcome.reason).toBe('pass');
    expect(outcome.reason).toMatch(/; dropped hello-extra; binaries built in trixie, this build in bookworm: reported, not judged$/);
    expect(outcome.details).toMatchObject({ binariesJudged: false, problems: [], binaries: { droppedPackages: ['hello-extra'] } });
  });

  it('nothing to compare with: not applicable, saying why', async () => {
    const { outcome } = await check('1.0');
    expect(outcome.verdict).toBe('not-applicable');
    expect(outcome.reason).toMatch(/^nothing to compare with: local:trixie holds no other hello-native, the ppa stage published no other version/);
    expect(outcome.log).toBeUndefined();
  });

  it('a drop or a file gone that the new changelog entries name does not block', () => {
    const bin = { addedPackages: [], droppedPackages: ['hello-extra'], files: { 'hello-extra': { added: [], removed: ['/usr/share/hello-extra/hello.conf'] }, 'hello-native': { added: [], removed: ['/usr/share/doc/hello-native/README.extra'] } }, moved: [], relations: {} };
    const silent = { added: [], removed: [], changed: [], changelogAdded: ['  * Tidy up.'] };
    expect(judgeChanges(silent, bin)).toEqual([
      'binary package hello-extra dropped (the new changelog entries do not mention it)',
      '1 file gone from hello-native without a changelog mention: /usr/share/doc/hello-native/README.extra',
    ]);
    expect(judgeChanges({ ...silent, changelogAdded: ['  * Drop hello-extra (merged), and README.extra.'] }, bin)).toEqual([]);
  });

  it('compares with what the local suite holds: the pool\'s .dsc and the .debs its Packages index lists', async () => {
    const key = await ensureSigningKey(ws, { create: true });
    const archive = await ensureArchive(ws, 'local', key);
    await reprepro(archive, key, ['includedsc', 'trixie', built['1.0']!.dsc]);
    await reprepro(archive, key, ['includedeb', 'trixie', ...built['1.0']!.debs]);
    const { outcome } = await check('1.1');
    expect(outcome.verdict, outcome.reason).toBe('pass');
    expect(outcome.reason).toMatch(/^against 1\.0 \(local:trixie\): source \+1 -0 ~\d+ files; hello-native \+1 -0 files, Depends \+bash \(>= 5\)/);
    const d = outcome.details as any;
    expect(d.against.dsc).toBe(join(archive.dir, 'pool/main/h/hello-native/hello-native_1.0.dsc'));
    expect(d.binaries.droppedPackages).toEqual([]);
  });

  it('with nothing in the target and no earlier stage: the version the series ships, fetched with apt-get source through the private apt', async () => {
    // trixie's "Debian mirror" is the local archive's trixie suite (file://, signed-by its key), which holds 1.0.
    const archive = join(t.root, '.pipeline/archive');
    const config = readFileSync(t.config, 'utf8').replace(/( {2}trixie:\n)[\s\S]*?(?=\n {2}bookworm:)/,
      `$1    mirror: file://${archive}\n    keyring: ${archive}/pipeline-archive-keyring.gpg\n    components: [main]\n    version: "13"`);
    writeFileSync(t.config, config);
    const debian = t.ws();
    await privateApt(debian, 'trixie').update(); // as `pipeline fetch PKG --lists` does: the check reads lists, never fetches them
    const { ctx, outcome } = await check('1.1', 'ppa', debian);
    expect(outcome.verdict, outcome.reason).toBe('pass');
    expect(outcome.reason).toMatch(/^against 1\.0 \(Debian trixie\): source \+1 -0 ~\d+ files; binaries not compared \(no \.debs of 1\.0 found\)$/);
    expect((outcome.details as any).against.dsc).toBe(join(ctx.workDir, 'baseline', 'hello-native_1.0.dsc'));
  });

  it('for a distribution\'s archive as a dput target, what its series\' lists hold comes before the previous stage\'s upload', async () => {
    const debian = t.ws(); // trixie's lists from the previous test
    expect((await check('1.1', 'devel', debian, { archiveKind: 'dput', upload: 'ubuntu' })).outcome.reason).toMatch(/^against 1\.0 \(Debian trixie\)/);
    expect((await check('1.1', 'devel', debian, { archiveKind: 'dput', upload: 'ppa:ensemble/ppa' })).outcome.reason).toMatch(/^against 1\.0 \(the ppa stage's upload\)/);
  });
});
