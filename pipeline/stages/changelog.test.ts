/**
 * applyPlanToTree (the one changelog step every builder runs) puts the stage's distribution on
 * the prepared tree's top entry whatever that entry said before — a new entry over a released
 * one, re-targeting an entry already released to another distribution (where `dch --release`
 * keeps the old one), releasing an UNRELEASED entry — with dpkg-parsechangelog as the oracle;
 * and the host builder's source package carries it (the .changes' Distribution).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { stagesWorkspace } from '../../test/helpers/stagesWorkspace.js';
import { applyPlanToTree, dchArguments } from './changelog.js';
import { hostBuild } from './hostBuild.js';
import { planStage, type SourcePlan } from './plan.js';

const MAINTAINER = { name: 'Pipeline Maintainers', email: 'pipeline@example.org' };
const OLD_TRAILER = ' -- Jane Doe <jane@example.org>  Mon, 01 Jan 2024 12:00:00 +0000';

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

/** A tree whose debian/changelog's top entry is `version` released to `distribution` by someone else. */
function tree(version: string, distribution: string): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'changelog-tree-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'debian'));
  const file = join(dir, 'debian', 'changelog');
  writeFileSync(file, [
    `foo (${version}) ${distribution}; urgency=medium`, '', '  * Upstream fix.', '', OLD_TRAILER, '',
    'foo (1.0-1) unstable; urgency=medium', '', '  * Initial release.', '', ' -- Jane Doe <jane@example.org>  Sun, 01 Dec 2023 12:00:00 +0000', '',
  ].join('\n'));
  return { dir, file };
}

/** dpkg-parsechangelog's view of the top entry (the oracle). */
async function parsed(dir: string, field: string, extra: string[] = []): Promise<string> {
  const r = await execa('dpkg-parsechangelog', ['-l', join(dir, 'debian', 'changelog'), ...extra, '-S', field], { env: { LC_ALL: 'C.UTF-8' } });
  return String(r.stdout).trim();
}

const plan = (p: Partial<SourcePlan> & Pick<SourcePlan, 'version' | 'distribution' | 'newEntry'>): SourcePlan => ({
  baseVersion: '1.0-2', baseDistribution: 'unstable', message: '', includeOrig: true, ...p,
} as SourcePlan);

describe('applyPlanToTree: the top entry carries the stage distribution (dpkg-parsechangelog)', () => {
  it('new entry over an entry released to another distribution', async () => {
    const t = tree('1.0-2', 'unstable');
    await applyPlanToTree(t.dir, plan({ version: '1.0-2~bpo12+1', distribution: 'bookworm-backports', newEntry: true, message: 'No-change backport to bookworm.' }), MAINTAINER);
    expect(await parsed(t.dir, 'Version')).toBe('1.0-2~bpo12+1');
    expect(await parsed(t.dir, 'Distribution')).toBe('bookworm-backports');
    expect(await parsed(t.dir, 'Maintainer')).toBe('Pipeline Maintainers <pipeline@example.org>');
    expect(await parsed(t.dir, 'Changes')).toContain('No-change backport to bookworm.');
    // The released entry below is untouched.
    expect(await parsed(t.dir, 'Distribution', ['-o1', '-c1'])).toBe('unstable');
  });

  it('re-release of an entry already released to another distribution: only its distribution changes', async () => {
    const t = tree('1.0-2', 'unstable');
    const before = readFileSync(t.file, 'utf8');
    await applyPlanToTree(t.dir, plan({ version: '1.0-2', distribution: 'trixie', newEntry: false }), MAINTAINER);
    expect(await parsed(t.dir, 'Distribution')).toBe('trixie');
    expect(await parsed(t.dir, 'Version')).toBe('1.0-2');
    // Text and trailer stay as they were (no `[ Name ]` header, no new date): one line differs.
    expect(readFileSync(t.file, 'utf8')).toBe(before.replace('foo (1.0-2) unstable;', 'foo (1.0-2) trixie;'));
  });

  it('re-release from sid: what the tree says decides the dch arguments', async () => {
    const t = tree('1.0-2', 'sid');
    await applyPlanToTree(t.dir, plan({ version: '1.0-2', distribution: 'trixie', newEntry: false }), MAINTAINER);
    expect(await parsed(t.dir, 'Distribution')).toBe('trixie');
  });

  it('re-release of an UNRELEASED entry releases it to the stage distribution', async () => {
    const t = tree('1.0-2', 'UNRELEASED');
    await applyPlanToTree(t.dir, plan({ version: '1.0-2', distribution: 'trixie', newEntry: false }), MAINTAINER);
    expect(await parsed(t.dir, 'Distribution')).toBe('trixie');
    expect(await parsed(t.dir, 'Maintainer')).toBe('Pipeline Maintainers <pipeline@example.org>');
  });

  it('nothing to do when the entry already has the stage distribution: the file is unchanged', async () => {
    const t = tree('1.0-2', 'trixie');
    const before = readFileSync(t.file, 'utf8');
    await applyPlanToTree(t.dir, plan({ version: '1.0-2', distribution: 'trixie', newEntry: false }), MAINTAINER);
    expect(readFileSync(t.file, 'utf8')).toBe(before);
  });

  it('dch arguments: --release only for UNRELEASED, --append for a released entry, --newversion for a new one', () => {
    const re = plan({ version: '1.0-2', distribution: 'trixie', newEntry: false });
    expect(dchArguments(re, 'UNRELEASED')[0]!.slice(0, 4)).toEqual(['--release', '--no-multimaint', '--distribution', 'trixie']);
    expect(dchArguments(re, 'unstable')[0]!.slice(0, 4)).toEqual(['--append', '--no-multimaint', '--distribution', 'trixie']);
    expect(dchArguments(re, 'trixie')).toEqual([]);
    expect(dchArguments(plan({ version: '1.0-2~ppa1', distribution: 'trixie', newEntry: true, message: 'm' }), 'trixie')[0]!.slice(0, 2)).toEqual(['--newversion', '1.0-2~ppa1']);
  });
});

describe('host builder: the source package has the stage distribution', () => {
  it('devel stage over a changelog released to unstable → .changes and .dsc tree say trixie', async () => {
    const t = stagesWorkspace({ packages: ['zookeeper'] });
    const restore = t.use();
    try {
      const changelog = join(t.root, 'packages', 'zookeeper', 'debian', 'changelog');
      writeFileSync(changelog, readFileSync(changelog, 'utf8').replace(/^zookeeper \(3\.9\.3-2\) trixie;/, 'zookeeper (3.9.3-2) unstable;'));
      const ws = t.ws();
      const p = await planStage(ws, 'zookeeper', 'devel');
      expect(p).toMatchObject({ newEntry: false, distribution: 'trixie', baseDistribution: 'unstable' });
      const rec = await hostBuild({ ws, pkg: 'zookeeper', stage: 'devel', plan: p });
      const changes = readFileSync(rec.sourceChanges!.path, 'utf8');
      expect(changes).toMatch(/^Distribution: trixie$/m);
      const x = join(t.root, 'x');
      await execa('dpkg-source', ['-x', rec.dsc!.path, x], { env: { LC_ALL: 'C.UTF-8' } });
      expect(await parsed(x, 'Distribution')).toBe('trixie');
    } finally {
      restore();
      await t.cleanup();
    }
  });
});
