/**
 * The local archive as a PPA, with the real tools: a stage's .debs (made by dpkg-deb) published
 * beside its source by reprepro includedeb, idempotently and after a kill half-way; the stage's
 * suite as an apt repository (apt-get update / install --simulate / --download-only with a private
 * apt configuration, signed-by the archive key); the snapshot a build chroot gets; and what a
 * build's inputs hash learns from it.
 */
import { execa } from 'execa';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadWorkspace, type Workspace } from '../config/workspace.js';
import { sha256File } from '../debian/dsc.js';
import type { BuildRecord } from '../state/records.js';
import { aptWith, stagesWorkspace, type StagesWorkspace } from '../../test/helpers/stagesWorkspace.js';
import { installedVersions, inSetBuildDeps, stageArchiveInputs, stageArchiveKey } from '../build/stageArchive.js';
import { readPackagesIndex } from './packagesIndex.js';
import { ensureArchive, reprepro } from './reprepro.js';
import { ensureSigningKey, type SigningKey } from './signing.js';
import { publishStageBinaries } from './stageBinaries.js';
import { chrootRepository, STAGE_ARCHIVE_MOUNT, stageRepository } from './stageRepository.js';

/** A real .deb: `name` at `version`, arch all, built from source `source (sourceVersion)`. */
async function makeDeb(dir: string, name: string, version: string, sourceVersion = version): Promise<string> {
  const root = join(dir, `${name}-root`);
  mkdirSync(join(root, 'DEBIAN'), { recursive: true });
  mkdirSync(join(root, 'usr', 'share', 'doc', name), { recursive: true });
  writeFileSync(join(root, 'usr', 'share', 'doc', name, 'README'), `${name} ${version}\n`);
  writeFileSync(join(root, 'DEBIAN', 'control'), [
    `Package: ${name}`, `Source: liba (${sourceVersion})`, `Version: ${version}`, 'Architecture: all', 'Section: libs', 'Priority: optional',
    'Maintainer: Pipeline Maintainers <pipeline@example.org>', `Description: ${name} for the stage archive test`, '',
  ].join('\n'));
  const deb = join(dir, `${name}_${version}_all.deb`);
  await execa('dpkg-deb', ['--root-owner-group', '--build', root, deb]);
  rmSync(root, { recursive: true });
  return deb;
}

async function buildRecordOf(debs: string[], over: Partial<BuildRecord> = {}): Promise<BuildRecord> {
  return {
    package: 'liba', version: '2.0-1~ppa1', stage: 'ppa', status: 'successful', outDir: '/x', inputsHash: 'h', finishedAt: '2026-12-07T00:00:00Z',
    artifacts: await Promise.all(debs.map(async (path) => ({ path, sha256: await sha256File(path), size: 1 }))), ...over,
  };
}

describe('the local archive as a PPA', () => {
  let t: StagesWorkspace;
  let ws: Workspace;
  let key: SigningKey;
  let dir: string;
  let restore: () => void;
  beforeAll(async () => {
    t = stagesWorkspace({ packages: [] });
    restore = t.use();
    ws = t.ws();
    key = await ensureSigningKey(ws, { create: true });
    await ensureArchive(ws, 'local', key);
    dir = mkdtempSync(join(tmpdir(), 'pipeline-stage-debs-'));
    mkdirSync(join(dir, 'binary'));
  });
  afterAll(async () => { restore(); await t.cleanup(); rmSync(dir, { recursive: true, force: true }); });

  it('the stage suite is an apt repository signed-by the archive key', () => {
    const repo = stageRepository(ws, 'ppa')!;
    const archiveDir = join(t.root, '.pipeline', 'archive');
    expect(repo).toMatchObject({ kind: 'local', suite: 'ppa', available: true, archiveDir });
    expect(repo.line).toBe(`deb [signed-by=${archiveDir}/pipeline-archive-keyring.gpg] file://${archiveDir} ppa main`);
    expect(stageRepository(ws, 'backports')!.suite).toBe('bookworm-backports');
  });

  it('publishes the binaries beside the source, idempotently, and finishes a publication a kill cut short', async () => {
    const lib = await makeDeb(join(dir, 'binary'), 'liba', '2.0-1~ppa1');
    const dev = await makeDeb(join(dir, 'binary'), 'liba-dev', '2.0-1~ppa1');
    const build = await buildRecordOf([lib, dev]);
    const st = ws.config.stages.find((s) => s.name === 'ppa')!;
    // A kill after the first .deb went in: the suite holds one of the two.
    await reprepro({ ...(await ensureArchive(ws, 'local', key)) }, key, ['includedeb', 'ppa', lib]);
    const first = await publishStageBinaries(ws, st, '2.0-1~ppa1', build);
    expect(first.binaries!.map((b) => `${b.package} ${b.version} ${b.architecture}`)).toEqual(['liba 2.0-1~ppa1 all', 'liba-dev 2.0-1~ppa1 all']);
    const again = await publishStageBinaries(ws, st, '2.0-1~ppa1', build);
    expect(again).toEqual(first);
    const listed = readPackagesIndex(join(t.root, '.pipeline', 'archive'), 'ppa', ['amd64']);
    expect(listed.map((e) => `${e.package}=${e.version}`).sort()).toEqual(['liba-dev=2.0-1~ppa1', 'liba=2.0-1~ppa1']);
    expect(listed.find((e) => e.package === 'liba')!.sha256).toBe(build.artifacts[0]!.sha256);
    // Other suites are untouched.
    expect(readPackagesIndex(join(t.root, '.pipeline', 'archive'), 'trixie', ['amd64'])).toEqual([]);
  });

  it('publishes nothing false: a lent verdict, or a .deb of another source version, says so', async () => {
    const st = ws.config.stages.find((s) => s.name === 'devel')!;
    const lent = await buildRecordOf([], {
      stage: 'devel', version: '2.0-1', binaryFrom: { stage: 'ppa', version: '2.0-1~ppa1', finishedAt: '2026-12-07T00:00:00Z' },
      noOwnBinaries: 'the binary test-build is the ppa build of 2.0-1~ppa1 (2026-12-07 00:00): its .debs carry 2.0-1~ppa1, so this stage publishes its source only',
    });
    expect(await publishStageBinaries(ws, st, '2.0-1', lent)).toEqual({ binaries: [], binariesNote: lent.noOwnBinaries });
    const wrong = await buildRecordOf([await makeDeb(join(dir, 'binary'), 'libb', '2.0-1~ppa1')]);
    await expect(publishStageBinaries(ws, st, '2.0-1', wrong)).rejects.toThrow(/built from source version 2\.0-1~ppa1, not 2\.0-1: not published beside it/);
    expect(readPackagesIndex(join(t.root, '.pipeline', 'archive'), 'trixie', ['amd64'])).toEqual([]);
  });

  it('apt on the host installs from the stage suite: update verifies the signature, install resolves and fetches', async () => {
    const repo = stageRepository(ws, 'ppa')!;
    const a = mkdtempSync(join(tmpdir(), 'pipeline-apt-'));
    try {
      const sim = await aptWith(a, [repo.line], ['install', '--simulate', 'liba-dev']);
      expect(sim.exitCode, sim.all).toBe(0);
      expect(sim.all).toMatch(/^Inst liba-dev \(2\.0-1~ppa1 /m);
      const fetch = await aptWith(a, [repo.line], ['install', '--download-only', '--yes', 'liba']);
      expect(fetch.exitCode, fetch.all).toBe(0);
    } finally {
      rmSync(a, { recursive: true, force: true });
    }
  });

  it('the chroot sees a snapshot of the suite at the bind mount, a repository apt accepts as it is', async () => {
    const repo = stageRepository(ws, 'ppa')!;
    const view = mkdtempSync(join(tmpdir(), 'pipeline-view-'));
    try {
      const seen = await chrootRepository(ws, repo, view);
      expect(seen.line).toBe(`deb [signed-by=${STAGE_ARCHIVE_MOUNT}/pipeline-archive-keyring.gpg] file://${STAGE_ARCHIVE_MOUNT} ppa main`);
      expect(seen.bindMounts).toEqual([{ directory: view, mountpoint: STAGE_ARCHIVE_MOUNT }]);
      expect(seen.packages.map((p) => p.package).sort()).toEqual(['liba', 'liba-dev']);
      // The copy is a repository of its own: the same line, pointed at the copy, works for apt.
      const a = mkdtempSync(join(tmpdir(), 'pipeline-apt-'));
      const r = await aptWith(a, [seen.line.split(STAGE_ARCHIVE_MOUNT).join(view)], ['install', '--simulate', 'liba']);
      rmSync(a, { recursive: true, force: true });
      expect(r.exitCode, r.all).toBe(0);
    } finally {
      rmSync(view, { recursive: true, force: true });
    }
  });

  it('what the stage suite offers a package\'s Build-Depends enters the build inputs; nothing offered, nothing added', () => {
    const debian = join(dir, 'b', 'debian');
    mkdirSync(debian, { recursive: true });
    writeFileSync(join(debian, 'control'), 'Source: pkgb\nBuild-Depends: debhelper-compat (= 13), liba-dev (>= 2.0) | libother\n\nPackage: pkgb\nArchitecture: all\nDescription: pkgb\n pkgb\n');
    const ppa = stageArchiveInputs(ws, 'ppa', debian);
    expect(ppa.offered).toEqual(['liba-dev=2.0-1~ppa1']);
    expect(ppa.held).toContain('liba-dev=2.0-1~ppa1');
    expect(stageArchiveKey(ppa)).toEqual({ offered: ['liba-dev=2.0-1~ppa1'] });
    const devel = stageArchiveInputs(ws, 'devel', debian);
    expect(devel.offered).toEqual([]);
    expect(stageArchiveKey(devel)).toBeUndefined();
  });
});

describe('sbuild\'s log: the in-set build dependencies a build installed', () => {
  const log = 'Kernel: Linux\nToolchain package versions: binutils_2.40-2\nPackage versions: adduser_3.134 apt_2.6.1 automake_1:1.16.5-1.3 liba-dev_2.0-1~ppa1 libc6:amd64_2.36-9 python3-zookeeper_3.9.3-1\n\n';
  it('reads `Package versions:` (epochs, :arch qualifiers)', () => {
    const v = installedVersions(log);
    expect(v.get('automake')).toBe('1:1.16.5-1.3');
    expect(v.get('libc6')).toBe('2.36-9');
    expect(v.get('liba-dev')).toBe('2.0-1~ppa1');
  });
  it('names each binary of the set with its version and whether the stage archive gave it', () => {
    const t = stagesWorkspace({ packages: ['zookeeper'] });
    try {
      const ws = t.ws();
      expect(inSetBuildDeps(ws, log, ['liba-dev=2.0-1~ppa1'])).toEqual([
        { package: 'liba-dev', version: '2.0-1~ppa1', fromStage: true },
        // the set's zookeeper builds python3-zookeeper; this one came from the mirror
        { package: 'python3-zookeeper', version: '3.9.3-1', fromStage: false },
      ]);
      // A dependency of an offered one (not named by Build-Depends) that the stage's suite holds
      // at the installed version came from the stage; held at another version (and not the set's),
      // it is not an in-set build dependency at all.
      const withDep = `${log.trimEnd().replace('libc6:amd64_2.36-9', 'libc6:amd64_2.36-9 libzookeeper-mt2_3.9.3-2~ppa1')}\n\n`;
      expect(inSetBuildDeps(ws, withDep, ['liba-dev=2.0-1~ppa1'], ['liba-dev=2.0-1~ppa1', 'libzookeeper-mt2=3.9.3-2~ppa1'])).toContainEqual(
        { package: 'libzookeeper-mt2', version: '3.9.3-2~ppa1', fromStage: true });
      expect(inSetBuildDeps(ws, withDep, ['liba-dev=2.0-1~ppa1'], ['liba-dev=2.0-1~ppa1', 'libzookeeper-mt2=3.9.3-1']).map((d) => d.package))
        .toEqual(['liba-dev', 'python3-zookeeper']);
    } finally {
      rmSync(t.root, { recursive: true, force: true });
    }
  });
});

describe('a Launchpad PPA target as the stage\'s repository', () => {
  it('its apt line, signed-by the configured keyring; without one, not used, saying why', async () => {
    const root = mkdtempSync(join(tmpdir(), 'pipeline-ppa-repo-'));
    try {
      const REPO = join(import.meta.dirname, '..', '..');
      const yaml = readFileSync(join(REPO, 'profiles', 'ubuntu.yaml'), 'utf8');
      const load = (text: string) => {
        writeFileSync(join(root, 'ubuntu.yaml'), text.replace(/^root: .*$/m, `root: ${REPO}`));
        return loadWorkspace({ config: join(root, 'ubuntu.yaml'), env: { PIPELINE_STATE_DIR: join(root, 'state') } });
      };
      const bare = stageRepository(load(yaml), 'ppa')!;
      expect(bare).toMatchObject({ kind: 'remote', available: false, uri: 'https://ppa.launchpadcontent.net/ensemble/ppa/ubuntu' });
      expect(bare.why).toContain('archives.launchpad-ppa.keyring is not set');
      writeFileSync(join(root, 'ppa.asc'), '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n-----END PGP PUBLIC KEY BLOCK-----\n');
      const ws = load(yaml.replace('    index: https://ppa.launchpadcontent.net/ensemble/ppa/ubuntu\n', `    index: https://ppa.launchpadcontent.net/ensemble/ppa/ubuntu\n    keyring: ${join(root, 'ppa.asc')}\n`));
      const repo = stageRepository(ws, 'ppa')!;
      expect(repo.available).toBe(true);
      expect(repo.line).toBe(`deb [signed-by=${join(root, 'ppa.asc')}] https://ppa.launchpadcontent.net/ensemble/ppa/ubuntu ${repo.suite} main`);
      const view = mkdtempSync(join(tmpdir(), 'pipeline-view-'));
      const seen = await chrootRepository(ws, repo, view);
      expect(seen.line).toBe(`deb [signed-by=${STAGE_ARCHIVE_MOUNT}/stage-keyring.asc] https://ppa.launchpadcontent.net/ensemble/ppa/ubuntu ${repo.suite} main`);
      expect(readFileSync(join(view, 'stage-keyring.asc'), 'utf8')).toContain('BEGIN PGP PUBLIC KEY BLOCK');
      rmSync(view, { recursive: true, force: true });
      // A snapshot directory the unshare chroot could not reach is refused in one line.
      await expect(chrootRepository(ws, repo, join(root, 'view'))).rejects.toThrow(/is not searchable by others/);
      // The Ubuntu archive itself (a dput target that is no PPA) is not an extra repository.
      expect(stageRepository(ws, 'devel')).toBeUndefined();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
