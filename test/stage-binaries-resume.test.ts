/**
 * The stage's binaries beside its source, through the real promote lifecycle and the journal: the
 * confirm step has put them in the suite (reprepro includedeb) and fails before it records it (a
 * fault at `confirm.after-binaries`); resuming the run finishes it — the suite
 * lists the source once and each binary once, and the publish record names them. The builder is the
 * host source builder plus one .deb made by dpkg-deb (no sbuild: seconds).
 */
import { execa } from 'execa';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readPackagesIndex } from '../pipeline/archive/packagesIndex.js';
import { readSourcesIndex, repreproArchive } from '../pipeline/archive/reprepro.js';
import { registerBuilder } from '../pipeline/stages/builders.js';
import { hostBuild } from '../pipeline/stages/hostBuild.js';
import { promote } from '../pipeline/stages/promote.js';
import { artifactOf } from '../pipeline/state/artifact.js';
import { configureFaults, parseFaultSpec } from '../pipeline/state/faults.js';
import { resumeRun } from '../pipeline/state/runner.js';
import { StateStore } from '../pipeline/state/store.js';
import { stagesWorkspace, type StagesWorkspace } from './helpers/stagesWorkspace.js';
import { REPO } from './helpers/workspace.js';

/** The host source build, then the binary a test-build would make: hello-stage at the plan's version. */
registerBuilder('host-debs', async (req) => {
  const r = await hostBuild(req);
  const root = join(r.outDir, 'deb-root');
  mkdirSync(join(root, 'DEBIAN'), { recursive: true });
  writeFileSync(join(root, 'DEBIAN', 'control'), [
    'Package: hello-stage', `Version: ${req.plan.version}`, 'Architecture: all', 'Section: misc', 'Priority: optional',
    'Maintainer: Pipeline Maintainers <pipeline@example.org>', 'Description: hello-stage', '',
  ].join('\n'));
  const bin = join(r.outDir, 'binary');
  mkdirSync(bin, { recursive: true });
  const deb = join(bin, `hello-stage_${req.plan.version}_all.deb`);
  await execa('dpkg-deb', ['--root-owner-group', '--build', root, deb]);
  return { ...r, sourceSummary: { ...r.sourceSummary!, builder: 'host-debs' }, binarySummary: { status: 'successful' }, artifacts: [...r.artifacts, await artifactOf(deb)] };
});

describe('a stage\'s binaries, with a fault between including them and recording it', () => {
  let t: StagesWorkspace;
  let restore: () => void;
  beforeAll(() => {
    const yaml = readFileSync(join(REPO, 'pipeline.yaml'), 'utf8')
      .replace("    gates: { lint: error }\n", '    gates: { lint: error }\n    qa: { installability: off, upgrade-path: off, autopkgtest: off, reverse-dependencies: off, debdiff: off, reproducible: off }\n')
      + 'retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 20 }\n';
    t = stagesWorkspace({ packages: [], config: yaml });
    cpSync(join(REPO, 'test', 'fixtures', 'stages', 'hello-stage'), join(t.root, 'packages', 'hello-stage'), { recursive: true });
    t.env.PIPELINE_LINTIAN = '0';
    restore = t.use();
  });
  afterEach(() => configureFaults(undefined));
  afterAll(async () => { restore(); await t.cleanup(); });

  it('the resumed confirm finds them in the suite, includes nothing twice, and records them', async () => {
    const ws = t.ws();
    configureFaults(parseFaultSpec('1:1:throw', 'confirm.after-binaries'));
    const first = await promote(ws, 'hello-stage', { to: 'ppa', builder: 'host-debs' });
    expect(first.state).toBe('failed');
    expect(first.message).toContain('fault injected at confirm.after-binaries');
    const archive = repreproArchive(ws, 'local');
    const store = new StateStore(ws.stateDir);
    // In the suite, not on record yet.
    expect(readPackagesIndex(archive.dir, 'ppa', ['amd64']).map((e) => `${e.package}=${e.version}`)).toEqual(['hello-stage=1.0-1~ppa1']);
    expect(store.read('hello-stage', 'ppa', 'publish')).toBeUndefined();

    configureFaults(undefined);
    // The source is in the suite, so promote says ppa is reached; the run itself is resumed (as
    // `pipeline resume RUN` does, and the systemd service after a crash).
    const again = await resumeRun(ws, first.runId!);
    expect(again.state).toBe('done');
    expect(again.skipped).toContain('ppa:publish');
    const pub = store.read('hello-stage', 'ppa', 'publish')!;
    expect(pub.binaries).toEqual([expect.objectContaining({ package: 'hello-stage', version: '1.0-1~ppa1', architecture: 'all' })]);
    expect(readPackagesIndex(archive.dir, 'ppa', ['amd64'])).toHaveLength(1);
    expect(readSourcesIndex(archive, 'ppa').map((e) => `${e.package}=${e.version}`)).toEqual(['hello-stage=1.0-1~ppa1']);
    expect(readPackagesIndex(archive.dir, 'ppa', ['amd64'])[0]!.sha256).toBe(pub.binaries![0]!.sha256);
  });
});
