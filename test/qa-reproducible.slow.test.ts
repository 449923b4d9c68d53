/**
 * The reproducible QA check with real sbuild in the cached bookworm chroot (test/setup/chroots.ts):
 * hello-native built once as a stage build, then again by the check with another build path,
 * time zone, locale and parallelism — identical .debs; and a copy whose debian/rules writes the
 * build path into the package — the check lists that file and keeps diffoscope's report.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildPackage } from '../pipeline/build/index.js';
import { loadWorkspace, stage as stageConfig, type Workspace } from '../pipeline/config/workspace.js';
import type { QaContext } from '../pipeline/qa/check.js';
import { runReproducibleCheck } from '../pipeline/qa/reproducible.js';
import type { StagePlan } from '../pipeline/stages/plan.js';
import type { UploadSet } from '../pipeline/stages/upload.js';
import type { BuildRecord } from '../pipeline/state/records.js';
import { REPO } from './helpers/workspace.js';

const STAGE = 'backports'; // bookworm chroot, distribution bookworm-backports

let root: string;
let ws: Workspace;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'pipeline-repro-'));
  ws = loadWorkspace({ config: join(REPO, 'pipeline.yaml'), env: { PIPELINE_CACHE_DIR: inject('chrootCacheDir'), PIPELINE_STATE_DIR: join(root, 'state') } });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function context(record: BuildRecord): QaContext {
  return {
    ws, pkg: record.package, stage: stageConfig(ws, STAGE),
    plan: { version: record.version, distribution: 'bookworm-backports' } as StagePlan,
    build: record, upload: { dsc: record.dsc! } as UploadSet, sourceId: 'test',
    workDir: join(root, 'qa', record.version, 'reproducible'),
  };
}

describe('reproducible QA check (real sbuild, diffoscope)', () => {
  it('passes for hello-native: the second, varied build makes the same .deb', async () => {
    const started = Date.now();
    const record = await buildPackage(ws, { dir: join(REPO, 'test/fixtures/packages/hello-native') }, STAGE);
    expect(record.status).toBe('successful');
    const stageBuild = Math.round((Date.now() - started) / 1000);
    const outcome = await runReproducibleCheck(context(record));
    expect(outcome.verdict, outcome.reason).toBe('pass');
    expect(outcome.reason).toMatch(/^1 \.deb identical \(sha256\) after a second build in \d+ s/);
    const d = outcome.details as any;
    expect(d.identical).toEqual(['hello-native_1.0_all.deb']);
    expect(d.rebuild.variations).toMatchObject({ buildPath: '/build/reproducible-check/hello-native', TZ: 'UTC-14', LC_ALL: 'C' });
    // The variations reached the build: sbuild's log shows the build path (as its log filter names
    // it) and dpkg-buildpackage's environment.
    const log = readFileSync(d.rebuild.log, 'utf8');
    expect(log).toContain("Log filtering will replace 'build/reproducible-check/hello-native' with '<<BUILDDIR>>'");
    for (const v of ['TZ=UTC-14', 'LC_ALL=C', 'DEB_BUILD_OPTIONS=parallel=2']) expect(log).toMatch(new RegExp(`^${v}$`, 'm'));
    console.log(`reproducible cost on hello-native: stage build (source + binary) ${stageBuild} s, second binary build ${d.rebuild.seconds} s`);
  });

  it('lists the file of a build that embeds its build path, with diffoscope\'s report', async () => {
    const dir = join(root, 'hello-unreproducible');
    cpSync(join(REPO, 'test/fixtures/packages/hello-native'), dir, { recursive: true });
    writeFileSync(join(dir, 'debian/changelog'), readFileSync(join(dir, 'debian/changelog'), 'utf8').replace('hello-native (1.0)', 'hello-native (1.1)'));
    writeFileSync(join(dir, 'debian/rules'), [
      '#!/usr/bin/make -f', '%:', '\tdh $@', '',
      'execute_after_dh_install:', '\tmkdir -p debian/hello-native/usr/share/hello-native', '\tpwd > debian/hello-native/usr/share/hello-native/build-path', '',
    ].join('\n'));
    const record = await buildPackage(ws, { dir }, STAGE);
    expect(record.status, record.message).toBe('successful');
    const outcome = await runReproducibleCheck(context(record));
    expect(outcome.verdict).toBe('blocked');
    expect(outcome.reason).toBe('not reproducible: hello-native_1.1_all.deb differs: /usr/share/hello-native/build-path');
    const d = outcome.details as any;
    expect(d.differing[0].files).toEqual(['/usr/share/hello-native/build-path']);
    expect(existsSync(d.differing[0].diffoscope)).toBe(true);
    expect(readFileSync(d.differing[0].diffoscope, 'utf8')).toContain('/build/reproducible-check/hello-native');
    expect(d.differing[0].diffoscopeMembers.join('\n')).toContain('build-path');
  });
});
