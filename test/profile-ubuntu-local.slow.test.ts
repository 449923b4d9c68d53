/**
 * Issue #13, item 3, with the real tools: profiles/ubuntu-local.yaml as shipped carries a small
 * package (the arch:all hello-stage fixture) through the three Ubuntu stages — real sbuild in the
 * Debian chroots standing in for Ubuntu's (trixie for the development series, bookworm for the
 * LTS: builder.standIn, stated in every build record), real debsign, real dput into the local
 * Launchpad-like upload queues and reprepro processincoming into suites named after the Ubuntu
 * series — and `apt-get source` returns the ~bpo26.04.1 upload. (The fast
 * test/profile-ubuntu-local.test.ts does the same with host source builds.)
 */
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { listVersions, repreproArchive } from '../pipeline/archive/reprepro.js';
import { sha256File } from '../pipeline/source/fetch.js';
import { readGateRecord } from '../pipeline/stages/gates.js';
import { promote } from '../pipeline/stages/promote.js';
import { StateStore } from '../pipeline/state/store.js';
import { aptGetSource, stagesWorkspace, type StagesWorkspace } from './helpers/stagesWorkspace.js';
import { REPO } from './helpers/workspace.js';

/**
 * The profile as shipped, but the stages' QA checks off: they read the Ubuntu series' own archive
 * (apt-get update of archive.ubuntu.com tbd2704/resolute), which is out of reach here — this test
 * is about the builds in the stand-in chroots and the uploads into the local queues.
 */
const QA_OFF = '    qa: { installability: off, upgrade-path: off, autopkgtest: off, reverse-dependencies: off, debdiff: off, release-upgrade: off, reproducible: off }';
const profile = () => readFileSync(join(REPO, 'profiles', 'ubuntu-local.yaml'), 'utf8').replace(/^root: \.\.$/m, 'root: .')
  .replace(/^(    gates: \{.*\})$/gm, `$1\n${QA_OFF}`);

describe('profiles/ubuntu-local.yaml with real sbuild and dput: ppa → devel → backports', () => {
  let t: StagesWorkspace;
  let restore: () => void;
  beforeAll(() => {
    t = stagesWorkspace({ packages: [], config: profile() });
    cpSync(join(REPO, 'test', 'fixtures', 'stages', 'hello-stage'), join(t.root, 'packages', 'hello-stage'), { recursive: true });
    t.env.PIPELINE_BUILDER = 'sbuild';
    t.env.PIPELINE_CACHE_DIR = inject('chrootCacheDir');
    restore = t.use();
  });
  afterAll(async () => { restore(); await t.cleanup(); });

  it('every stage lands in its Ubuntu-named suite, built in the stated stand-in chroot; apt-get source returns the ~bpo26.04.1 upload', async () => {
    const ws = t.ws();
    const r = await promote(ws, 'hello-stage', { to: 'backports' });
    expect(r.state, `${r.message}\n${JSON.stringify(r.reports.map((x) => x.verdicts), null, 1)}`).toBe('done');
    expect(r.reports.map((x) => [x.stage, x.version, x.distribution])).toEqual([
      ['ppa', '1.0-1~ppa1', 'tbd2704'],
      ['devel', '1.0-1', 'tbd2704'],
      ['backports', '1.0-1~bpo26.04.1', 'resolute-backports'],
    ]);
    expect(listVersions(repreproArchive(ws, 'ppa-local'), 'tbd2704', 'hello-stage')).toEqual(['1.0-1~ppa1']);
    expect(listVersions(repreproArchive(ws, 'ubuntu-local'), 'tbd2704', 'hello-stage')).toEqual(['1.0-1']);
    expect(listVersions(repreproArchive(ws, 'ubuntu-local'), 'resolute-backports', 'hello-stage')).toEqual(['1.0-1~bpo26.04.1']);

    const store = new StateStore(ws.stateDir);
    for (const s of r.reports) {
      expect(s.published?.confirmed, s.stage).toBe(true);
      // dput's own record of the upload to the local queue, beside the signed .changes.
      expect(s.published?.dput?.[0]).toBe('dput');
      expect(existsSync(s.published!.uploadRecord!), s.stage).toBe(true);
      const build = store.read('hello-stage', s.stage, 'build')!;
      expect(build.sourceSummary?.status, s.stage).toBe('successful');
      expect(build.binarySummary?.status ?? (build.binaryFrom ? 'successful' : undefined), s.stage).toBe('successful');
      expect(build.chroot?.standIn, s.stage).toMatch(/stands in for ubuntu .*: Ubuntu's archive is out of reach from this machine/);
      expect(build.chroot?.tarball).toMatch(s.stage === 'backports' ? /bookworm-amd64-/ : /trixie-amd64-/);
      expect(readGateRecord(ws, 'hello-stage', s.stage)!.verdicts.find((v) => v.gate === 'lint')?.verdict).toBe('pass');
    }

    const backport = r.reports[2]!;
    const dir = await aptGetSource(repreproArchive(ws, 'ubuntu-local').dir, ['resolute-backports'], 'hello-stage', '1.0-1~bpo26.04.1', join(t.root, 'apt-out'));
    expect(await sha256File(join(dir, 'hello-stage_1.0-1~bpo26.04.1.dsc'))).toBe(backport.published!.dscSha256);
  });
});
