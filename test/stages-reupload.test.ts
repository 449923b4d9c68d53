/**
 * A second upload of the same upstream version to a stage (a changelog-only change promoted
 * again): the .changes leaves the orig tarball out (-sd, the archive has it), but the upload
 * directory still holds the complete source package, so the lint step can unpack the .dsc.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { promote } from '../pipeline/stages/promote.js';
import { uploadDir } from '../pipeline/stages/upload.js';
import { stagesWorkspace, type StagesWorkspace } from './helpers/stagesWorkspace.js';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 120_000 });

describe('promote after a changelog-only change (same upstream version, -sd)', () => {
  let t: StagesWorkspace;
  let restore: () => void;
  beforeAll(() => { t = stagesWorkspace({ packages: ['zookeeper'] }); restore = t.use(); });
  afterAll(async () => { restore(); await t.cleanup(); });

  it('lands the new version; the upload directory holds the orig tarball the .changes leaves out', async () => {
    const ws = t.ws();
    expect((await promote(ws, 'zookeeper', { to: 'ppa' })).state).toBe('done');
    const changelog = join(t.root, 'packages', 'zookeeper', 'debian', 'changelog');
    await execa('dch', ['--changelog', changelog, '--newversion', '3.9.3-3', '--distribution', 'unstable', '--force-distribution', '--', 'Changelog-only change.'],
      { env: { DEBFULLNAME: 'Pipeline Tests', DEBEMAIL: 'tests@localhost' } });
    const r = await promote(ws, 'zookeeper', { to: 'ppa' });
    expect(r.state, r.message).toBe('done');
    expect(r.reports[0]!.published?.version).toBe('3.9.3-3~ppa1');
    const dir = uploadDir(ws, 'zookeeper', 'ppa', '3.9.3-3~ppa1');
    const changes = (await execa('cat', [join(dir, 'zookeeper_3.9.3-3~ppa1_source.changes')])).stdout;
    expect(changes).not.toMatch(/orig\.tar/); // -sd: the archive has it
    expect(existsSync(join(dir, 'zookeeper_3.9.3.orig.tar.gz')) || existsSync(join(dir, 'zookeeper_3.9.3.orig.tar.xz'))).toBe(true);
  });
});
