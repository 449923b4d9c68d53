import { describe, expect, it } from 'vitest';
import { dpkgCompareBatch, type Relation } from '../tools/dpkgOracle.js';
import { backportVersion, check, ppaVersion, stageSuffix, type PolicyContext, type PolicyKind } from './versionPolicy.js';

// ---------------------------------------------------------------------------------------------
// Computed versions. `below`/`above`: what the computed version must sort below/above — every
// claim is also put to dpkg --compare-versions at the end of the file.

interface Computed {
  name: string;
  compute: () => string;
  expected: string;
  below?: string[];
  above?: string[];
}

const COMPUTED: Computed[] = [
  { name: 'first PPA upload', compute: () => ppaVersion('3.9.3-2', []), expected: '3.9.3-2~ppa1', below: ['3.9.3-2'], above: ['3.9.3-1+deb13u1'] },
  { name: 'PPA re-upload after a deleted ~ppa3', compute: () => ppaVersion('3.9.3-2', ['3.9.3-2~ppa1', '3.9.3-2~ppa3']), expected: '3.9.3-2~ppa4', below: ['3.9.3-2'], above: ['3.9.3-2~ppa3'] },
  { name: 'PPA counters of another base do not count', compute: () => ppaVersion('3.9.3-2', ['3.9.3-1~ppa7']), expected: '3.9.3-2~ppa1', above: ['3.9.3-1~ppa7'] },
  { name: 'PPA with an epoch', compute: () => ppaVersion('1:2.0-1', ['1:2.0-1~ppa2']), expected: '1:2.0-1~ppa3', below: ['1:2.0-1'], above: ['1:2.0-1~ppa2', '3.0-1'] },
  { name: 'PPA: 0:2.0-1 is 2.0-1', compute: () => ppaVersion('2.0-1', ['0:2.0-1~ppa2']), expected: '2.0-1~ppa3', above: ['0:2.0-1~ppa2'] },
  { name: 'PPA: ~ppa01 counts as 1', compute: () => ppaVersion('2.0-1', ['2.0-1~ppa01']), expected: '2.0-1~ppa2', above: ['2.0-1~ppa01'] },
  { name: 'PPA of a native package', compute: () => ppaVersion('1.0', ['1.0~ppa1']), expected: '1.0~ppa2', below: ['1.0'], above: ['1.0~ppa1', '0.9'] },
  { name: 'PPA of an upstream pre-release (~ twice)', compute: () => ppaVersion('2.0~rc1-1', []), expected: '2.0~rc1-1~ppa1', below: ['2.0~rc1-1', '2.0-1'], above: ['2.0~beta1-1'] },
  { name: 'backport to a PPA appends ~ppaN', compute: () => ppaVersion('1.2-3~bpo24.04.1', []), expected: '1.2-3~bpo24.04.1~ppa1', below: ['1.2-3~bpo24.04.1', '1.2-3'] },
  { name: 'Ubuntu backport', compute: () => backportVersion('3.8.0-1', { vendor: 'ubuntu', seriesVersion: '24.04', usedVersions: [] }), expected: '3.8.0-1~bpo24.04.1', below: ['3.8.0-1'], above: ['3.8.0-0ubuntu1', '3.7.0-1ubuntu0.24.04.1'] },
  { name: 'Debian backport re-upload', compute: () => backportVersion('3.9.3-2', { vendor: 'debian', seriesVersion: '12', usedVersions: ['3.9.3-2~bpo12+1'] }), expected: '3.9.3-2~bpo12+2', below: ['3.9.3-2'], above: ['3.9.3-2~bpo12+1', '3.8.0-11+deb12u2'] },
  { name: 'Debian backport: point release number ignored', compute: () => backportVersion('3.9.3-2', { vendor: 'debian', seriesVersion: '12.5', usedVersions: [] }), expected: '3.9.3-2~bpo12+1' },
  { name: 'backport counters are per series', compute: () => backportVersion('2.0~rc1-1', { vendor: 'ubuntu', seriesVersion: '24.04', usedVersions: ['2.0~rc1-1~bpo22.04.3'] }), expected: '2.0~rc1-1~bpo24.04.1', below: ['2.0~rc1-1'], above: ['2.0~rc1-1~bpo22.04.3'] },
  { name: 'backport with an epoch', compute: () => backportVersion('2:1.0-1', { vendor: 'debian', seriesVersion: '12', usedVersions: ['2:1.0-1~bpo12+1', '2:1.0-1~bpo12+2'] }), expected: '2:1.0-1~bpo12+3', below: ['2:1.0-1'], above: ['1:9.9-9', '2:1.0-1~bpo12+2'] },
];

describe('computed versions', () => {
  it.each(COMPUTED)('$name → $expected', ({ compute, expected }) => {
    expect(compute()).toBe(expected);
  });

  it('refuses bases that cannot carry a stage suffix', () => {
    expect(() => ppaVersion('1.0-1+ppa1', [])).toThrow(/already carries a PPA suffix/);
    expect(() => ppaVersion('1.0-', [])).toThrow(/revision number is empty/);
    expect(() => backportVersion('1.0-1~bpo12+1', { vendor: 'debian', seriesVersion: '12', usedVersions: [] })).toThrow(/already carries a backport suffix/);
    expect(() => backportVersion('1.0-1', { vendor: 'ubuntu', seriesVersion: '24.4', usedVersions: [] })).toThrow(/'24.4' is not YY.MM/);
    expect(() => backportVersion('1.0-1', { vendor: 'debian', seriesVersion: 'bookworm', usedVersions: [] })).toThrow(/'bookworm' is not a number/);
  });

  it('stageSuffix reads the suffixes back', () => {
    expect(stageSuffix('1.2-3~bpo24.04.1~ppa2')).toEqual({ kind: 'ppa', base: '1.2-3~bpo24.04.1', n: 2 });
    expect(stageSuffix('1.2-3~bpo24.04.1')).toEqual({ kind: 'backports', base: '1.2-3', n: 1, series: '24.04', scheme: 'ubuntu' });
    expect(stageSuffix('3.9.3-2~bpo12+4')).toEqual({ kind: 'backports', base: '3.9.3-2', n: 4, series: '12', scheme: 'debian' });
    expect(stageSuffix('3.9.3-2')).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------------
// Checked candidates: [name, kind, candidate, ctx, the rules that must fail (exactly)].

const T = (targetVersions: string[], more: Partial<PolicyContext> = {}): PolicyContext => ({ targetVersions, ...more });

const CHECKS: [string, PolicyKind, string, PolicyContext, string[]][] = [
  ['PPA upload below the devel version', 'ppa', '3.9.3-2~ppa1', T([], { develVersion: '3.9.3-2' }), []],
  ['PPA of a native package', 'ppa', '1.0~ppa1', T([], { develVersion: '1.0' }), []],
  ['PPA for several series (~ppaN~ubuntuYY.MM.N)', 'ppa', '1.0-1~ppa1~ubuntu24.04.1', T([], { develVersion: '1.0-1' }), []],
  ['+ppa where ~ppa belongs', 'ppa', '3.9.3-2+ppa1', T([], { develVersion: '3.9.3-2' }), ['ppa-suffix', 'below-devel']],
  ['ppaN without ~', 'ppa', '1.0-1ppa1', T([], { develVersion: '1.0-1' }), ['ppa-suffix', 'below-devel']],
  ['no PPA suffix at all', 'ppa', '1.0-1', T([], { develVersion: '1.0-2' }), ['ppa-suffix']],
  ['PPA re-upload of a deleted version', 'ppa', '3.9.3-2~ppa2', T(['3.9.3-2~ppa1', '3.9.3-2~ppa2']), ['new-to-target']],
  ['PPA version dpkg-equal to a used one (~ppa01)', 'ppa', '3.9.3-2~ppa01', T(['3.9.3-2~ppa1']), ['new-to-target']],
  ['PPA counter below one used before', 'ppa', '3.9.3-2~ppa2', T(['3.9.3-2~ppa3']), ['ppa-counter']],
  ['PPA upload sorting above the devel version', 'ppa', '3.9.3-3~ppa1', T([], { develVersion: '3.9.3-2' }), ['below-devel']],
  ['PPA upload that dropped the epoch', 'ppa', '2.0-1~ppa1', T([], { develVersion: '1:2.0-1' }), ['epoch-kept']],
  ['PPA upload below what the PPA publishes', 'ppa', '3.9.3-1~ppa1', T(['3.9.3-2~ppa1'], { currentVersions: ['3.9.3-2~ppa1'] }), ['above-current']],
  ['devel upload above everything the release had', 'devel', '3.9.3-2', T(['3.9.3-1', '3.9.3-1+deb13u1']), []],
  ['devel: the epoch wins', 'devel', '1:1.0-1', T(['2.0-1']), []],
  ['devel version already present', 'devel', '3.9.3-1', T(['3.9.3-1']), ['new-to-target']],
  ['devel version below a stable update', 'devel', '3.9.3-1', T(['3.9.3-1+deb13u1']), ['above-target']],
  ['devel version below what the release publishes: one explanation', 'devel', '3.9.3-1', T(['3.9.3-1+deb13u1'], { currentVersions: ['3.9.3-1+deb13u1'] }), ['above-target']],
  ['devel: ~rc sorts below the final release', 'devel', '3.0~rc1-1', T(['3.0-1']), ['above-target']],
  ['devel upload with a PPA suffix', 'devel', '3.9.3-2~ppa1', T([]), ['no-stage-suffix']],
  ['Ubuntu backport', 'backports', '3.8.0-1~bpo24.04.1', T([], { develVersion: '3.8.0-1', ltsVersions: ['3.8.0-0ubuntu1', '3.7.0-1'], vendor: 'ubuntu', seriesVersion: '24.04' }), []],
  ['Debian backport', 'backports', '3.9.3-2~bpo12+1', T([], { develVersion: '3.9.3-2', ltsVersions: ['3.8.0-11+deb12u2'], vendor: 'debian', seriesVersion: '12' }), []],
  ['old ~ubuntuYY.MM.N scheme', 'backports', '3.8.0-1~ubuntu24.04.1', T([], { develVersion: '3.8.0-1', vendor: 'ubuntu', seriesVersion: '24.04' }), ['backport-suffix']],
  ['+bpo where ~bpo belongs', 'backports', '3.8.0-1+bpo24.04.1', T([], { develVersion: '3.8.0-1' }), ['backport-suffix', 'below-devel']],
  ['backport not above the LTS (-updates has the same version)', 'backports', '3.8.0-1~bpo24.04.1', T([], { develVersion: '3.8.0-1', ltsVersions: ['3.8.0-1'] }), ['above-lts']],
  ['Debian scheme on an Ubuntu target', 'backports', '3.8.0-1~bpo12+1', T([], { develVersion: '3.8.0-1', vendor: 'ubuntu', seriesVersion: '24.04' }), ['backport-suffix']],
  ['backport naming the wrong series', 'backports', '3.8.0-1~bpo22.04.1', T([], { vendor: 'ubuntu', seriesVersion: '24.04' }), ['backport-suffix']],
  ['backport re-upload of a version already there', 'backports', '3.8.0-1~bpo24.04.1', T(['3.8.0-1~bpo24.04.1'], { develVersion: '3.8.0-1' }), ['new-to-target']],
  ['backport counter reused', 'backports', '3.9.3-2~bpo12+1', T(['3.9.3-2~bpo12+2'], { vendor: 'debian', seriesVersion: '12' }), ['backport-counter']],
  ['backport with the epoch dropped', 'backports', '1.0-1~bpo12+1', T([], { develVersion: '1:1.0-1', ltsVersions: ['1:0.9-1'] }), ['epoch-kept', 'above-lts']],
  ['backport without a suffix', 'backports', '3.8.0-1', T([], { develVersion: '3.8.0-1', vendor: 'debian', seriesVersion: '12' }), ['backport-suffix', 'below-devel']],
  ['invalid candidate', 'ppa', '1.0-1~ppa_1', T([]), ['valid']],
];

describe('versionPolicy.check', () => {
  it.each(CHECKS)('%s (%s %s)', (_name, kind, candidate, ctx, rules) => {
    const r = check(kind, candidate, ctx);
    expect(r.problems.map((p) => p.rule)).toEqual(rules);
    expect(r.ok).toBe(rules.length === 0);
  });

  it('explains with the dpkg comparison that fails', () => {
    const r = check('ppa', '3.9.3-3~ppa1', T([], { develVersion: '3.9.3-2' }));
    expect(r.problems[0]!.message).toBe('3.9.3-3~ppa1 must sort below 3.9.3-2, the version in the development release, so that it replaces this upload (dpkg: 3.9.3-3~ppa1 << 3.9.3-2 is false)');
    expect(check('ppa', '3.9.3-2+ppa1', T([])).problems[0]!.message).toMatch(/^'\+ppa' where '~ppa' belongs: 3\.9\.3-2\+ppa1 sorts above 3\.9\.3-2 \(dpkg: 3\.9\.3-2\+ppa1 >> 3\.9\.3-2 is true\).*use 3\.9\.3-2~ppaN$/);
    expect(check('ppa', '3.9.3-2~ppa2', T(['3.9.3-2~ppa2'])).problems[0]!.message).toMatch(/Launchpad never accepts the same version twice even after deletion/);
    expect(check('ppa', '3.9.3-2~ppa01', T(['3.9.3-2~ppa1'])).problems[0]!.message).toMatch(/\(dpkg: 3\.9\.3-2~ppa01 = 3\.9\.3-2~ppa1\)/);
    expect(check('ppa', '3.9.3-2~ppa2', T(['3.9.3-2~ppa3'])).problems[0]!.message).toMatch(/use 3\.9\.3-2~ppa4$/);
    expect(check('backports', '3.8.0-1~ubuntu24.04.1', T([], { vendor: 'ubuntu', seriesVersion: '24.04' })).problems[0]!.message).toMatch(/\(3\.8\.0-1~bpo24\.04\.1\)$/);
  });

  it('computed versions pass the check of their own kind', () => {
    const used = ['3.9.3-2~ppa1', '3.9.3-2~ppa2'];
    const v = ppaVersion('3.9.3-2', used);
    expect(check('ppa', v, T(used, { develVersion: '3.9.3-2' }))).toEqual({ ok: true, problems: [] });
    const b = backportVersion('3.9.3-2', { vendor: 'debian', seriesVersion: '12', usedVersions: ['3.9.3-2~bpo12+1'] });
    expect(check('backports', b, T(['3.9.3-2~bpo12+1'], { develVersion: '3.9.3-2', ltsVersions: ['3.8.0-11+deb12u2'], vendor: 'debian', seriesVersion: '12' })).ok).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// Every ordering the table relies on, asked of dpkg itself.

describe('dpkg agrees with every ordering above', () => {
  it('computed versions sort where claimed, ok checks hold, and every quoted dpkg comparison is right', async () => {
    const rels: (Relation & { want: boolean; why: string })[] = [];
    for (const c of COMPUTED) {
      for (const b of c.below ?? []) rels.push({ a: c.expected, op: 'lt', b, want: true, why: c.name });
      for (const a of c.above ?? []) rels.push({ a: c.expected, op: 'gt', b: a, want: true, why: c.name });
    }
    for (const [name, kind, candidate, ctx, rules] of CHECKS) {
      if (rules.includes('valid')) continue;
      if (rules.length === 0) {
        if (ctx.develVersion) rels.push({ a: candidate, op: 'lt', b: ctx.develVersion, want: true, why: name });
        for (const v of ctx.ltsVersions ?? []) rels.push({ a: candidate, op: 'gt', b: v, want: true, why: name });
        if (kind === 'devel') for (const v of ctx.targetVersions) rels.push({ a: candidate, op: 'gt', b: v, want: true, why: name });
      }
      // "dpkg: A << B is false" in a message is a claim about dpkg: check it.
      for (const p of check(kind, candidate, ctx).problems) {
        for (const m of p.message.matchAll(/dpkg: (\S+) (<<|>>|=) (\S+?)(?: is (true|false))?\)/g)) {
          rels.push({ a: m[1]!, op: m[2] === '<<' ? 'lt' : m[2] === '>>' ? 'gt' : 'eq', b: m[3]!, want: m[4] !== 'false', why: `${name}: ${p.message}` });
        }
      }
    }
    expect(rels.length).toBeGreaterThan(40);
    const answers = await dpkgCompareBatch(rels);
    const wrong = rels.filter((r, i) => answers[i] !== r.want).map((r) => `${r.a} ${r.op} ${r.b} should be ${r.want} (${r.why})`);
    expect(wrong).toEqual([]);
  });
});
