/**
 * `pipeline backport SOURCE --source trixie --destination bookworm -b`, end to end with the real
 * tools: apt-get source from trixie's deb-src (the private apt), the version gate over bookworm's
 * pockets, dch as DEBFULLNAME/DEBEMAIL, a real build (sbuild in the cached chroot, or pbuilder in
 * its cached base tarball from test/setup/pbuilder.ts), debsign, lint with lintian, dput +
 * reprepro processincoming into bookworm-backports, and the journal.
 *
 * The package is dash (0.5.12-12 in trixie, 0.5.12-2 in bookworm; 3.0 (quilt), an orig tarball,
 * two minutes of build): hello, the first choice, cannot be fetched here — this machine's Debian
 * mirror answers 404 for hello_2.10-5.debian.tar.xz (PIPELINE_TEST_BACKPORT_SOURCE picks another).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { backport, type BackportResult } from '../pipeline/backport/index.js';
import { findTool } from '../pipeline/build/preflight.js';
import { aptGetSource, stagesWorkspace, type StagesWorkspace } from './helpers/stagesWorkspace.js';
import { cli } from './helpers/workspace.js';
import { scratchDir } from './helpers/scratch.js';

const SOURCE = process.env.PIPELINE_TEST_BACKPORT_SOURCE ?? 'dash';
const canPbuilder = process.getuid?.() === 0 && Boolean(findTool('pbuilder'));

function backportSuite(builder: 'sbuild' | 'pbuilder') {
  return () => {
    let t: StagesWorkspace;
    let result: BackportResult;
    let env: Record<string, string>;
    let changes: string;

    beforeAll(async () => {
      t = stagesWorkspace({ packages: [] });
      // The shared cache: chroot tarballs, the pbuilder base, trixie's and bookworm's apt lists.
      env = { PIPELINE_CACHE_DIR: inject('chrootCacheDir'), DEBFULLNAME: 'Backport Tester', DEBEMAIL: 'tester@example.org' };
      const r = await cli(t, ['backport', SOURCE, '--source', 'trixie', '--destination', 'bookworm', '-b', '--builder', builder, '--json'], env);
      expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
      result = JSON.parse(r.stdout) as BackportResult;
      changes = result.destinations[0]!.signed!.changes;
    });
    afterAll(() => t?.cleanup());

    it('lands SOURCE_*~bpo12+1 in bookworm-backports, confirmed in the index', () => {
      const d = result.destinations[0]!;
      expect(result.state).toBe('done');
      expect(d.version).toMatch(/~bpo12\+1$/);
      expect(d.distribution).toBe('bookworm-backports');
      expect(d.published).toMatchObject({ version: d.version, suite: 'bookworm-backports', confirmed: true });
      expect(d.verdicts.find((v) => v.gate === 'version-policy')?.reason).toMatch(/highest LTS version: bookworm has /);
    });

    it('apt-get source from the local archive returns that version, with the backporter\'s changelog entry', async () => {
      const version = result.destinations[0]!.version;
      const into = scratchDir('pipeline-bpo-src-');
      await aptGetSource(join(t.root, '.pipeline', 'archive'), ['bookworm-backports'], SOURCE, version, into);
      const dsc = readdirSync(into).find((f) => f.endsWith('.dsc'))!;
      expect(dsc).toBe(`${SOURCE}_${version}.dsc`);
      await execa('dpkg-source', ['-x', '--no-check', dsc, 'tree'], { cwd: into });
      const top = await execa('dpkg-parsechangelog', ['-l', join(into, 'tree', 'debian', 'changelog'), '-S', 'Maintainer']);
      expect(String(top.stdout)).toBe('Backport Tester <tester@example.org>');
      const text = await execa('dpkg-parsechangelog', ['-l', join(into, 'tree', 'debian', 'changelog'), '-S', 'Changes']);
      expect(String(text.stdout)).toContain('No-change backport to bookworm.');
    });

    it('the .changes and the .dsc are signed: gpg --verify accepts them', async () => {
      for (const file of [changes, changes.replace(/_source\.changes$/, '.dsc')]) {
        const r = await execa('gpg', ['--batch', '--homedir', t.env.PIPELINE_GNUPGHOME!, '--verify', file], { reject: false });
        expect(r.exitCode, `${file}: ${r.stderr}`).toBe(0);
        expect(String(r.stderr)).toMatch(/Good signature/);
      }
      expect(readFileSync(changes, 'utf8')).toMatch(/^Changed-By: Backport Tester <tester@example.org>$/m);
    });

    it('lint ran on the upload, lintian too, and its verdict is bound to the upload', () => {
      const dir = join(changes, '..');
      const lint = JSON.parse(readFileSync(join(dir, 'lint.json'), 'utf8'));
      expect(lint.lintian?.ran).toBe(true);
      expect(lint.version).toBe(result.destinations[0]!.version);
      const gates = JSON.parse(readFileSync(join(dir, 'gates.json'), 'utf8'));
      expect(gates.verdicts.map((v: { gate: string }) => v.gate)).toEqual(['version-policy', 'series-support', 'lint']);
      expect(new Set(gates.verdicts.map((v: { artifactSha256: string }) => v.artifactSha256))).toEqual(new Set([gates.sourceId]));
      expect(result.destinations[0]!.lint?.lintian).toBe(true);
    });

    it(`built the binaries with ${builder}`, () => {
      const build = JSON.parse(readFileSync(join(changes, '..', 'build.json'), 'utf8'));
      expect(build.status).toBe('successful');
      const binDir = join(build.outDir, 'binary');
      expect(readdirSync(binDir).filter((f) => f.endsWith('.deb')).length).toBeGreaterThan(0);
      if (builder === 'pbuilder') {
        expect(build.binarySummary).toMatchObject({ status: 'successful', builder: 'pbuilder' });
        expect(build.binarySummary.basetgz).toMatch(new RegExp(`${inject('chrootCacheDir')}/pbuilder/bookworm-amd64-[0-9a-f]{8}\\.tgz$`));
        expect(existsSync(build.binarySummary.basetgz)).toBe(true);
        expect(readFileSync(build.binaryLog, 'utf8')).toMatch(/dpkg-buildpackage/);
      } else {
        expect(build.chroot.tarball).toMatch(/bookworm-amd64-[0-9a-f]{8}\.tar\.zst$/);
      }
    });

    it('is journaled: pipeline runs lists the backport run as done', async () => {
      const r = await cli(t, ['runs', '--json'], env);
      const runs = JSON.parse(r.stdout) as Array<{ runId: string; command: string; state: string; package: string }>;
      const mine = runs.find((x) => x.runId === result.runId);
      expect(mine).toMatchObject({ command: 'backport', state: 'done', package: SOURCE });
    });
  };
}

describe('pipeline backport -b, sbuild', backportSuite('sbuild'));
describe.skipIf(!canPbuilder)('pipeline backport -b --builder pbuilder (a real pbuilder base; root)', backportSuite('pbuilder'));

describe('pipeline backport -u HOST: a host of the user\'s own dput.cf (source only, no -b)', () => {
  let t: StagesWorkspace;
  let home: string;
  let incoming: string;
  beforeAll(() => {
    t = stagesWorkspace({ packages: [] });
    home = scratchDir('pipeline-bpo-home-');
    incoming = join(home, 'incoming');
    mkdirSync(incoming);
    // A host only ~/.dput.cf names: dput reads it as the user's configuration.
    writeFileSync(join(home, '.dput.cf'), `[my-queue]\nmethod = local\nincoming = ${incoming}\nallow_unsigned_uploads = 0\nrun_dinstall = 0\n`);
  });
  afterAll(() => t?.cleanup());

  it('uploads the signed backport there with -y; its distribution is SERIES-backports for a Debian series', async () => {
    const env = { HOME: home, PIPELINE_CACHE_DIR: inject('chrootCacheDir'), DEBEMAIL: 'Queue Tester <queue@example.org>', DEBFULLNAME: '', NAME: '' };
    const r = await cli(t, ['backport', SOURCE, '-s', 'trixie', '-d', 'bookworm', '-u', 'my-queue', '-y', '--builder', 'pbuilder', '--json'], env);
    expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
    const result = JSON.parse(r.stdout) as BackportResult;
    const d = result.destinations[0]!;
    expect(d.upload.command).toEqual(['dput', 'my-queue', d.signed!.changes]);
    expect(d.published).toMatchObject({ confirmed: false });
    const uploaded = readdirSync(incoming);
    expect(uploaded).toContain(`${SOURCE}_${d.version}_source.changes`);
    const changes = readFileSync(join(incoming, `${SOURCE}_${d.version}_source.changes`), 'utf8');
    expect(changes).toMatch(/^Distribution: bookworm-backports$/m);
    expect(changes).toMatch(/^Changed-By: Queue Tester <queue@example.org>$/m);
    expect(changes).toMatch(/-----BEGIN PGP SIGNATURE-----/);
  });

  it('without -y it asks first, as backportpackage does: a declined upload uploads nothing (exit 1)', async () => {
    const restore = t.use();
    const saved = { HOME: process.env.HOME, PIPELINE_CACHE_DIR: process.env.PIPELINE_CACHE_DIR };
    Object.assign(process.env, { HOME: home, PIPELINE_CACHE_DIR: inject('chrootCacheDir') });
    const asked: string[] = [];
    try {
      const before = readdirSync(incoming).sort();
      const run = backport(t.ws(), { source: SOURCE, sourceSuite: 'trixie', destinations: ['bookworm'], upload: 'my-queue', builder: 'pbuilder' }, {
        ask: async (q) => { asked.push(q); return false; },
      });
      await expect(run).rejects.toThrow(/upload to my-queue declined: nothing uploaded/);
      expect(asked).toEqual([expect.stringMatching(/^Upload \S+~bpo12\+2_source\.changes to my-queue\? \[y\/N\] $/)]);
      expect(readdirSync(incoming).sort()).toEqual(before);
    } finally {
      Object.assign(process.env, saved);
      restore();
    }
  });
});
