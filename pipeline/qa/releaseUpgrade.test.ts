/**
 * When the backport's release upgrade runs, and against what: the devel stage's suite of a real
 * local archive (reprepro, real .debs from dpkg-deb), the hook scripts' apt lines, the version
 * chain read from dpkg's output. The piuparts run itself is test/qa-release-upgrade.slow.test.ts.
 */
import { execa } from 'execa';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stagesWorkspace, type StagesWorkspace } from '../../test/helpers/stagesWorkspace.js';
import { REPO } from '../../test/helpers/workspace.js';
import { ensureArchive, reprepro } from '../archive/reprepro.js';
import { ensureSigningKey, type SigningKey } from '../archive/signing.js';
import type { Workspace } from '../config/workspace.js';
import type { BuildRecord } from '../state/records.js';
import { StateStore } from '../state/store.js';
import { describePath, keepReference, planReleaseUpgrade, referenceKey, sourceScripts, useReference, versionChain, type ReleaseUpgradePlan } from './releaseUpgrade.js';

async function makeDeb(dir: string, name: string, version: string): Promise<string> {
  const root = join(dir, `${name}-${version}-root`);
  mkdirSync(join(root, 'DEBIAN'), { recursive: true });
  writeFileSync(join(root, 'DEBIAN', 'control'), [
    `Package: ${name}`, `Version: ${version}`, 'Architecture: all', 'Section: misc', 'Priority: optional',
    'Maintainer: Pipeline Maintainers <pipeline@example.org>', `Description: ${name} for the release upgrade test`, '',
  ].join('\n'));
  const deb = join(dir, `${name}_${version}_all.deb`);
  await execa('dpkg-deb', ['--root-owner-group', '--build', root, deb]);
  rmSync(root, { recursive: true });
  return deb;
}

describe('planReleaseUpgrade: the backport → devel leg runs only when the devel stage has a higher version', () => {
  let t: StagesWorkspace;
  let ws: Workspace;
  let key: SigningKey;
  let dir: string;
  let restore: () => void;
  const backport = new Map([['qa-sysuser', '1.0-1~bpo12+1']]);
  const plan = () => planReleaseUpgrade(ws, 'qa-sysuser', ws.config.stages.find((s) => s.name === 'backports')!, backport, 'amd64');
  beforeAll(async () => {
    t = stagesWorkspace({ packages: [], config: readFileSync(join(REPO, 'pipeline.yaml'), 'utf8') });
    restore = t.use();
    ws = t.ws();
    key = await ensureSigningKey(ws, { create: true });
    dir = mkdtempSync(join(tmpdir(), 'pipeline-release-upgrade-'));
  });
  afterAll(async () => { restore(); await t.cleanup(); rmSync(dir, { recursive: true, force: true }); });

  it('is blocked while the devel stage holds no version, with the promote that fixes it', async () => {
    expect(plan()).toMatchObject({ blocked: expect.stringContaining('holds no version of qa-sysuser yet'), fix: 'pipeline promote qa-sysuser --to devel' });
    await ensureArchive(ws, 'local', key);
    await reprepro(await ensureArchive(ws, 'local', key), key, ['includedeb', 'trixie', await makeDeb(dir, 'other', '1.0')]);
    expect(plan()).toMatchObject({ blocked: "the devel stage's suite trixie holds no version of qa-sysuser yet: the upgrade to the next release cannot be run", fix: 'pipeline promote qa-sysuser --to devel' });
  });

  it('names a devel version that does not sort above the backport', async () => {
    await reprepro(await ensureArchive(ws, 'local', key), key, ['includedeb', 'trixie', await makeDeb(dir, 'qa-sysuser', '1.0-0.1')]);
    const p = plan();
    expect(p).toMatchObject({ blocked: "qa-sysuser 1.0-0.1 (trixie) does not sort above this backport's 1.0-1~bpo12+1: a user upgrading to trixie keeps the backport (the version policy blocks this too)" });
  });

  it('plans bookworm → trixie with both series\' pockets once devel is higher; the scripts switch them', async () => {
    await reprepro(await ensureArchive(ws, 'local', key), key, ['includedeb', 'trixie', await makeDeb(dir, 'qa-sysuser', '1.0-1')]);
    const p = plan() as ReleaseUpgradePlan;
    expect(p).toMatchObject({ lts: 'bookworm', devel: 'trixie', develVersions: new Map([['qa-sysuser', '1.0-1']]) });
    const scripts = sourceScripts(p, 'deb [trusted=yes] file:///w/backport-debs ./');
    const first = scripts['post_chroot_unpack_pipeline-sources']!;
    expect(first).toContain('http://deb.debian.org/debian bookworm-updates main');
    expect(first).toContain('bookworm-backports main');
    expect(first).not.toContain('backport-debs');
    const next = scripts['pre_distupgrade_pipeline-sources']!;
    const [, lts, devel] = /bookworm\)\n([\s\S]*?);;\ntrixie\)\n([\s\S]*?);;/.exec(next)!;
    expect(lts).toContain('deb [trusted=yes] file:///w/backport-debs ./');
    expect(devel).toContain('http://deb.debian.org/debian trixie-updates main');
    expect(devel).toContain('http://deb.debian.org/debian-security trixie-security main');
    expect(devel).not.toContain('bookworm');
    // After the last step only, in both chroots: what the next release no longer ships is purged
    // when nothing needs it (piuparts' final restore would ask for the LTS's version of it).
    const obsolete = scripts['post_distupgrade_pipeline-obsolete']!;
    expect(obsolete).toContain('[ "$PIUPARTS_DISTRIBUTION" = trixie ] || exit 0');
    expect(obsolete).toContain("apt list '?obsolete'");
    expect(obsolete).toContain('dpkg --purge "$p" ||');
    // Packages on one path are named together.
    const two = new Map([['libzk', ['0.9-1', '1.0-1~bpo12+1', '1.0-1']], ['zk', ['0.9-1', '1.0-1~bpo12+1', '1.0-1']]]);
    p.backport.set('libzk', '1.0-1~bpo12+1').set('zk', '1.0-1~bpo12+1');
    p.develVersions.set('libzk', '1.0-1').set('zk', '1.0-1');
    expect(describePath(p, two)).toBe('libzk, zk 0.9-1 (bookworm) → 1.0-1~bpo12+1 (this backport) → 1.0-1 (trixie)');
    p.backport.delete('libzk'); p.backport.delete('zk'); p.develVersions.delete('libzk'); p.develVersions.delete('zk');
    // The reference chroot a check made is reused by the next one with the same chroot and lines.
    const a = join(dir, 'check-a'); const b = join(dir, 'check-b');
    mkdirSync(a, { recursive: true }); mkdirSync(b, { recursive: true });
    const refKey = referenceKey(p, '/cache/bookworm-amd64-1.tar.zst');
    expect(referenceKey(p, '/cache/bookworm-amd64-2.tar.zst')).not.toBe(refKey);
    expect(useReference(refKey, a)).toBe(false);
    writeFileSync(join(a, 'release-upgrade-reference.meta'), 'state');
    keepReference(refKey, a, false);
    writeFileSync(join(b, 'release-upgrade-reference.meta'), 'stale');
    expect(useReference(refKey, b)).toBe(true);
    expect(readFileSync(join(b, 'release-upgrade-reference.meta'), 'utf8')).toBe('state');
    expect(useReference(referenceKey(p, '/cache/bookworm-amd64-2.tar.zst'), b)).toBe(false);
    expect(existsSync(join(b, 'release-upgrade-reference.meta'))).toBe(false);
    // The verdict's path: every version, the LTS's own first.
    expect(describePath(p, new Map([['qa-sysuser', ['1.0-1~bpo12+1', '1.0-1']]]))).toBe('qa-sysuser none (bookworm ships none) → 1.0-1~bpo12+1 (this backport) → 1.0-1 (trixie)');
    expect(describePath(p, new Map([['qa-sysuser', ['0.9-1', '1.0-1~bpo12+1', '1.0-1']]]))).toBe('qa-sysuser 0.9-1 (bookworm) → 1.0-1~bpo12+1 (this backport) → 1.0-1 (trixie)');
  });
});

describe('planReleaseUpgrade: a devel stage that published its source only (its test-build lent by the ppa)', () => {
  let t: StagesWorkspace;
  let ws: Workspace;
  let dir: string;
  let restore: () => void;
  afterAll(async () => { restore(); await t.cleanup(); rmSync(dir, { recursive: true, force: true }); });

  it('takes the lender\'s .debs as the devel binaries, saying so; blocked when they are gone', async () => {
    t = stagesWorkspace({ packages: [], config: readFileSync(join(REPO, 'pipeline.yaml'), 'utf8') });
    restore = t.use();
    ws = t.ws();
    const key = await ensureSigningKey(ws, { create: true });
    dir = mkdtempSync(join(tmpdir(), 'pipeline-release-upgrade-'));
    // The devel suite holds the source 1.0 and no binaries, as a devel stage that reused ppa's test-build.
    const tree = join(dir, 'qa-sysuser-1.0');
    mkdirSync(join(tree, 'debian', 'source'), { recursive: true });
    writeFileSync(join(tree, 'debian', 'source', 'format'), '3.0 (native)\n');
    writeFileSync(join(tree, 'debian', 'control'), 'Source: qa-sysuser\nMaintainer: Pipeline Maintainers <pipeline@example.org>\nStandards-Version: 4.6.2\n\nPackage: qa-sysuser\nArchitecture: all\nDescription: test\n test\n');
    writeFileSync(join(tree, 'debian', 'changelog'), 'qa-sysuser (1.0) trixie; urgency=medium\n\n  * Test.\n\n -- Pipeline Maintainers <pipeline@example.org>  Mon, 07 Dec 2026 00:00:00 +0000\n');
    await execa('dpkg-source', ['-b', 'qa-sysuser-1.0'], { cwd: dir });
    const archive = await ensureArchive(ws, 'local', key);
    await reprepro(archive, key, ['-S', 'misc', '-P', 'optional', 'includedsc', 'trixie', join(dir, 'qa-sysuser_1.0.dsc')]);
    const deb = await makeDeb(dir, 'qa-sysuser', '1.0~ppa1');
    const store = new StateStore(ws.stateDir);
    const at = '2026-12-07T00:00:00Z';
    store.write('build', { package: 'qa-sysuser', stage: 'ppa', version: '1.0~ppa1', artifacts: [{ path: deb, sha256: 'x' }] } as unknown as BuildRecord);
    store.write('build', { package: 'qa-sysuser', stage: 'devel', version: '1.0', artifacts: [], binaryFrom: { stage: 'ppa', version: '1.0~ppa1', finishedAt: at } } as unknown as BuildRecord);
    const plan = () => planReleaseUpgrade(ws, 'qa-sysuser', ws.config.stages.find((s) => s.name === 'backports')!, new Map([['qa-sysuser', '1.0~bpo12+1']]), 'amd64');
    const p = plan() as ReleaseUpgradePlan;
    expect(p.develDebs).toEqual([deb]);
    expect(p.develVersions).toEqual(new Map([['qa-sysuser', '1.0~ppa1']]));
    expect(describePath(p, new Map([['qa-sysuser', ['1.0~bpo12+1', '1.0~ppa1']]]))).toBe(
      "qa-sysuser none (bookworm ships none) → 1.0~bpo12+1 (this backport) → 1.0~ppa1 (the devel stage's 1.0 (source only in trixie; its binaries are the ppa test-build's 1.0~ppa1 of the same tree and chroot))");
    rmSync(deb);
    expect(plan()).toMatchObject({ blocked: expect.stringContaining('holds qa-sysuser 1.0 as source only, and the binaries of ppa 1.0~ppa1 whose test-build it reused are gone'), fix: 'pipeline build qa-sysuser --stage devel --rebuild' });
  });
});

describe('versionChain: what dpkg unpacked, in order', () => {
  it('follows a package through the log, once per version', () => {
    const log = [
      '  Unpacking hello (2.10-3) ...', '  Unpacking hello-extra (1) ...', '  Unpacking hello (2.10-3+bpo1) over (2.10-3) ...',
      '  Unpacking hello (2.10-3+bpo1) over (2.10-3) ...', '  Unpacking hello:amd64 (2.11-1) over (2.10-3+bpo1) ...',
    ].join('\n');
    expect(versionChain(log, 'hello')).toEqual(['2.10-3', '2.10-3+bpo1', '2.11-1']);
    expect(versionChain(log, 'hello-extra')).toEqual(['1']);
    expect(versionChain(log, 'nope')).toEqual([]);
  });
});
