/**
 * Ubuntu uploads judged by Ubuntu's conventions (issue #13): lintian's own Ubuntu profile (the
 * installed /usr/share/lintian/profiles/ubuntu/main.profile is the oracle) disables Debian's NMU
 * tags; dpkg's Ubuntu vendor rule (Dpkg::Vendor::Ubuntu) wants an Ubuntu Maintainer and
 * XSBC-Original-Maintainer on an ubuntuN version; a series the profile declares is a known
 * distribution.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NMU_CASES, nmuCaseFiles } from '../../../test/fixtures/lint/nmu-cases.js';
import { makeTree } from '../../../test/helpers/lint-tree.js';
import { lintianArguments } from '../lintian.js';
import { lintTree } from '../run.js';
import { nmuCheck, UBUNTU_DISABLED_NMU_TAGS } from './nmu.js';

const NMU_TAGS = new Set(nmuCheck.tags.map((t) => t.name));
const tags = async (files: Record<string, string>, vendor: 'debian' | 'ubuntu', declaredSeries?: string[]) =>
  (await lintTree(makeTree(files), { detectLicenses: false, vendor, ...(declaredSeries ? { declaredSeries } : {}) })).findings.map((f) => f.tag);

describe('Ubuntu vendor rules', () => {
  it('the NMU tags skipped for Ubuntu are exactly the nmu tags lintian\'s installed Ubuntu profile disables', () => {
    const profile = readFileSync('/usr/share/lintian/profiles/ubuntu/main.profile', 'utf8');
    const disabled = new Set(profile.split('Disable-Tags:')[1]!.split('\n').map((l) => l.trim()).filter(Boolean));
    expect([...UBUNTU_DISABLED_NMU_TAGS].sort()).toEqual([...NMU_TAGS].filter((t) => disabled.has(t)).sort());
  });

  it('an upload by someone outside Maintainer/Uploaders: Debian NMU tags for debian, none of the disabled ones for ubuntu', async () => {
    const c = NMU_CASES.find((x) => x.name === 'nmu-unsaid')!;
    expect((await tags(nmuCaseFiles(c), 'debian')).filter((t) => NMU_TAGS.has(t)).sort()).toEqual(['no-nmu-in-changelog', 'source-nmu-has-incorrect-version-number']);
    expect((await tags(nmuCaseFiles(c), 'ubuntu')).filter((t) => UBUNTU_DISABLED_NMU_TAGS.has(t))).toEqual([]);
  });

  it('an ubuntuN version wants an Ubuntu Maintainer and XSBC-Original-Maintainer (what update-maintainer writes)', async () => {
    const c = { ...NMU_CASES.find((x) => x.name === 'nmu-unsaid')!, version: '1.0-1ubuntu1' };
    const files = nmuCaseFiles(c);
    const got = await tags(files, 'ubuntu');
    expect(got).toContain('ubuntu-version-without-ubuntu-maintainer');
    expect(got).toContain('ubuntu-version-without-original-maintainer');
    const maintained = files['debian/control']!.replace(/^Maintainer: (.*)$/m, 'Maintainer: Ubuntu Developers <ubuntu-devel-discuss@lists.ubuntu.com>\nXSBC-Original-Maintainer: $1');
    const after = await tags({ ...files, 'debian/control': maintained }, 'ubuntu');
    expect(after.filter((t) => t.startsWith('ubuntu-version-'))).toEqual([]);
    // Debian profiles do not apply Ubuntu's rule; a ~bpo backport (no ubuntuN) keeps the Debian Maintainer.
    expect((await tags(files, 'debian')).filter((t) => t.startsWith('ubuntu-version-'))).toEqual([]);
    const bpo = nmuCaseFiles({ ...c, version: '1.0-1~bpo26.04.1' });
    expect((await tags(bpo, 'ubuntu')).filter((t) => t.startsWith('ubuntu-version-'))).toEqual([]);
  });

  it('a distribution the profile declares is known; undeclared it is bad-distribution-in-changelog', async () => {
    const c = NMU_CASES[0]!;
    const files = nmuCaseFiles(c);
    files['debian/changelog'] = files['debian/changelog']!.replace(`(${c.version}) unstable`, `(${c.version}) tbd2704`);
    expect(await tags(files, 'ubuntu')).toContain('bad-distribution-in-changelog');
    expect(await tags(files, 'ubuntu', ['tbd2704', 'resolute'])).not.toContain('bad-distribution-in-changelog');
  });

  it('lintian\'s bad-distribution-in-changes-file (its own static list) gives way for a series the profile declares, with its pockets', async () => {
    const c = NMU_CASES.find((x) => x.name === 'nmu-unsaid')!;
    const lintian = (detail: string) => ({ tag: 'bad-distribution-in-changes-file', severity: 'error' as const, source: 'lintian' as const, detail });
    const found = async (detail: string, declaredSeries?: string[]) => (await lintTree(makeTree(nmuCaseFiles(c)), {
      detectLicenses: false, vendor: 'ubuntu', extraFindings: [lintian(detail)], ...(declaredSeries ? { declaredSeries } : {}),
    })).findings.filter((f) => f.tag === 'bad-distribution-in-changes-file').map((f) => f.detail);
    expect(await found('tbd2704', ['tbd2704', 'resolute'])).toEqual([]);
    expect(await found('resolute-backports', ['tbd2704', 'resolute'])).toEqual([]);
    expect(await found('nosuchseries', ['tbd2704', 'resolute'])).toEqual(['nosuchseries']);
    expect(await found('tbd2704')).toEqual(['tbd2704']);
  });

  it('lintian\'s binary-nmu-debian-revision-in-source gives way for Ubuntu\'s ~bpoYY.MM.N backports, not for a binNMU or under Debian', async () => {
    const c = NMU_CASES.find((x) => x.name === 'nmu-unsaid')!;
    const lintian = (detail: string) => ({ tag: 'binary-nmu-debian-revision-in-source', severity: 'warning' as const, source: 'lintian' as const, detail });
    const found = async (detail: string, vendor: 'debian' | 'ubuntu') => (await lintTree(makeTree(nmuCaseFiles(c)), {
      detectLicenses: false, vendor, extraFindings: [lintian(detail)],
    })).findings.filter((f) => f.tag === 'binary-nmu-debian-revision-in-source').map((f) => f.detail);
    expect(await found('1.0-1~bpo26.04.1', 'ubuntu')).toEqual([]);
    expect(await found('1.0-1.0.1', 'ubuntu')).toEqual(['1.0-1.0.1']);
    expect(await found('1.0-1+b1', 'ubuntu')).toEqual(['1.0-1+b1']);
    expect(await found('1.0-1~bpo26.04.1', 'debian')).toEqual(['1.0-1~bpo26.04.1']);
  });

  it('the real lintian runs with the vendor\'s profile', () => {
    expect(lintianArguments('x.changes', { profile: 'ubuntu' }).join(' ')).toContain('--profile ubuntu');
    expect(lintianArguments('x.changes', {}).join(' ')).not.toContain('--profile');
  });
});
