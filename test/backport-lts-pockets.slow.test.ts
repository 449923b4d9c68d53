/**
 * The backport version gate with real apt lists: `pipeline fetch zookeeper --lists` fills the
 * private lists of bookworm, bookworm-updates and bookworm-security (Debian's mirror and
 * debian-security, about 21 MB), the pockets' versions are read back per suite (apt-cache showsrc
 * is the oracle for the set), and the gate refuses a backport between the release and -security
 * versions naming the pocket that holds the highest one; a pocket whose lists are gone is named
 * as unchecked.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Workspace } from '../pipeline/config/workspace.js';
import { seriesPocketVersions } from '../pipeline/stages/backports.js';
import { stageOf } from '../pipeline/stages/lifecycle.js';
import type { StagePlan } from '../pipeline/stages/plan.js';
import { privateApt } from '../pipeline/tools/apt.js';
import { stagesWorkspace, type StagesWorkspace } from './helpers/stagesWorkspace.js';
import { cli, REPO } from './helpers/workspace.js';

function planFor(source: string, candidate: string, base: string): StagePlan {
  return {
    package: source, source, stage: 'backports', kind: 'backports', baseVersion: base, baseDistribution: 'trixie',
    version: candidate, distribution: 'bookworm-backports', message: '', newEntry: true, includeOrig: true,
    target: { archive: 'local', archiveKind: 'reprepro', suite: 'bookworm-backports', series: 'bookworm', upload: 'local:bookworm-backports' },
    seriesVersion: '12', targetVersions: { current: [], history: [] },
  };
}

describe('backport version gate over bookworm, -updates and -security (real apt lists)', () => {
  let t: StagesWorkspace;
  let ws: Workspace;
  const gate = (plan: StagePlan) => stageOf(ws.config.stages.find((s) => s.kind === 'backports')!).versionGate(ws, plan);

  beforeAll(async () => {
    t = stagesWorkspace({ packages: ['zookeeper'] });
    ws = t.ws();
    const r = await cli(t, ['fetch', 'zookeeper', '--lists', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout).lists).toEqual([{ series: 'bookworm', suites: ['bookworm', 'bookworm-updates', 'bookworm-security'] }]);
  });
  afterAll(() => t.cleanup());

  it('the private sources list names the three pockets; their Sources lists are on disk', () => {
    const lists = readdirSync(join(ws.cacheDir, 'apt', 'bookworm', 'state', 'lists'));
    for (const re of [/^deb\.debian\.org_debian_dists_bookworm_main_source_Sources/, /^deb\.debian\.org_debian_dists_bookworm-updates_main_source_Sources/, /^deb\.debian\.org_debian-security_dists_bookworm-security_main_source_Sources/]) {
      expect(lists.some((f) => re.test(f)), String(re)).toBe(true);
    }
  });

  it('sees zookeeper in bookworm (3.8.0-11+deb12u2) and bookworm-security (3.8.0-11+deb12u1), none in -updates', async () => {
    const pockets = await seriesPocketVersions(ws, 'bookworm', 'zookeeper');
    expect(pockets?.map((p) => [p.suite, p.versions, p.missingComponents])).toEqual([
      ['bookworm', ['3.8.0-11+deb12u2'], undefined],
      ['bookworm-updates', [], undefined],
      ['bookworm-security', ['3.8.0-11+deb12u1'], undefined],
    ]);
    // apt-cache showsrc (no pocket information) agrees on the set.
    const apt = privateApt(ws, 'bookworm');
    const r = await execa('apt-cache', [...apt.options, 'showsrc', '--only-source', 'zookeeper'], { env: { LC_ALL: 'C.UTF-8' } });
    const shown = [...String(r.stdout).matchAll(/^Version: (.+)$/gm)].map((m) => m[1]).sort();
    expect(shown).toEqual(['3.8.0-11+deb12u1', '3.8.0-11+deb12u2']);
  });

  it('refuses a backport between the release and -security versions, naming bookworm-security (openssl)', async () => {
    const pockets = await seriesPocketVersions(ws, 'bookworm', 'openssl');
    const sec = pockets!.find((p) => p.suite === 'bookworm-security')!.versions[0]!;
    const rel = pockets!.find((p) => p.suite === 'bookworm')!.versions[0]!;
    const candidate = '3.0.21-1~bpo12+1';
    const dpkg = (a: string, op: string, b: string) => execa('dpkg', ['--compare-versions', a, op, b], { reject: false }).then((x) => x.exitCode === 0);
    expect(await dpkg(candidate, 'gt', rel)).toBe(true);
    expect(await dpkg(candidate, 'lt', sec)).toBe(true);
    const v = await gate(planFor('openssl', candidate, '3.5.4-1'));
    expect(v.verdict).toBe('blocked');
    expect(v.reason).toContain(`must sort above ${sec}`);
    expect(v.reason).toContain(`highest LTS version: bookworm-security has ${sec}`);
  });

  it('refuses zookeeper 3.8.0-11+deb12u2~bpo12+1 (below the release), passes 3.9.3-2~bpo12+1 naming what it saw', async () => {
    const low = await gate(planFor('zookeeper', '3.8.0-11+deb12u2~bpo12+1', '3.9.3-2'));
    expect(low.verdict).toBe('blocked');
    expect(low.reason).toMatch(/highest LTS version: bookworm has 3\.8\.0-11\+deb12u2/);
    const ok = await gate(planFor('zookeeper', '3.9.3-2~bpo12+1', '3.9.3-2'));
    expect(ok.verdict, ok.reason).toBe('pass');
    expect(ok.reason).toMatch(/highest LTS version: bookworm has 3\.8\.0-11\+deb12u2; bookworm-updates has no zookeeper\)$/);
    expect(ok.reason).not.toMatch(/unchecked/);
  });

  it('names a pocket whose lists are missing as unchecked instead of passing silently', async () => {
    const dir = join(ws.cacheDir, 'apt', 'bookworm', 'state', 'lists');
    for (const f of readdirSync(dir).filter((x) => x.includes('bookworm-security_main_source_Sources'))) rmSync(join(dir, f));
    const pockets = await seriesPocketVersions(ws, 'bookworm', 'openssl');
    expect(pockets!.find((p) => p.suite === 'bookworm-security')).toMatchObject({ versions: [], missingComponents: ['main'] });
    // The same candidate now passes on what could be seen, and says what could not.
    const v = await gate(planFor('openssl', '3.0.21-1~bpo12+1', '3.5.4-1'));
    expect(v.verdict).toBe('pass');
    expect(v.reason).toMatch(/unchecked: bookworm-security \(apt lists not fetched: pipeline fetch openssl --lists\)/);
  });
});

describe('a pocket whose mirror cannot be reached', () => {
  let t: StagesWorkspace;
  afterAll(() => t.cleanup());

  it('fetch --lists says which lists did not come, the lists are not taken as fresh, the gate names the pocket unchecked', async () => {
    const yaml = readFileSync(join(REPO, 'pipeline.yaml'), 'utf8')
      .replace('{ suite: bookworm-security, mirror: http://deb.debian.org/debian-security }', '{ suite: bookworm-security, mirror: http://127.0.0.1:9/debian-security }');
    expect(yaml).toContain('127.0.0.1:9');
    t = stagesWorkspace({ packages: ['zookeeper'], config: yaml });
    const r = await cli(t, ['fetch', 'zookeeper', '--lists']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/apt lists of bookworm: bookworm, bookworm-updates, bookworm-security \(missing: bookworm-security: the backport version gate names them unchecked; Failed to fetch http:\/\/127\.0\.0\.1:9\/debian-security\//);
    const ws = t.ws();
    expect(existsSync(join(ws.cacheDir, 'apt', 'bookworm', 'state', 'lists', '.updated'))).toBe(false);
    const pockets = await seriesPocketVersions(ws, 'bookworm', 'zookeeper');
    expect(pockets?.map((p) => [p.suite, p.versions, p.missingComponents])).toEqual([
      ['bookworm', ['3.8.0-11+deb12u2'], undefined],
      ['bookworm-updates', [], undefined],
      ['bookworm-security', [], ['main']],
    ]);
    const v = await stageOf(ws.config.stages.find((s) => s.kind === 'backports')!).versionGate(ws, planFor('zookeeper', '3.9.3-2~bpo12+1', '3.9.3-2'));
    expect(v.verdict).toBe('pass');
    expect(v.reason).toMatch(/highest LTS version: bookworm has 3\.8\.0-11\+deb12u2; bookworm-updates has no zookeeper; unchecked: bookworm-security \(apt lists not fetched/);
  });
});
