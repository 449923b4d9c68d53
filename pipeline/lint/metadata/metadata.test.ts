import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTree } from '../../../test/helpers/lint-tree.js';
import type { StageConfig } from '../../config/schema.js';
import { lintTree } from '../run.js';
import { parseChangelog, parseChangelogDate } from './changelog-parse.js';

const COPYRIGHT = 'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nCopyright: 2024 X\nLicense: Expat\n text\n';
const CONTROL = `Source: demo
Section: misc
Priority: optional
Maintainer: Demo Maintainer <demo@example.org>
Build-Depends: debhelper-compat (= 13), python3
Standards-Version: 4.7.2
Homepage: https://example.org/demo
Vcs-Git: https://salsa.debian.org/demo/demo.git
Vcs-Browser: https://salsa.debian.org/demo/demo
Rules-Requires-Root: no

Package: demo
Architecture: all
Description: demo package
 Long text.
`;
const changelog = (version = '1.0-1', dist = 'trixie', trailer = ' -- Demo Maintainer <demo@example.org>  Wed, 25 Nov 2026 20:00:37 +0000') =>
  `demo (${version}) ${dist}; urgency=medium\n\n  * Change.\n\n${trailer}\n`;
const WATCH = 'version=4\nhttps://example.org/releases/ demo-@ANY_VERSION@@ARCHIVE_EXT@\n';

async function lint(over: Record<string, string | undefined> = {}, stage?: Partial<StageConfig>) {
  const files: Record<string, string> = {
    'debian/copyright': COPYRIGHT,
    'debian/control': CONTROL,
    'debian/changelog': changelog(),
    'debian/source/format': '3.0 (quilt)\n',
    'debian/watch': WATCH,
  };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) delete files[k];
    else files[k] = v;
  }
  const r = await lintTree(makeTree(files), { detectLicenses: false, stage: stage as StageConfig | undefined, vendor: 'debian' });
  return r;
}
const tagsOf = async (...a: Parameters<typeof lint>) => (await lint(...a)).findings.map((f) => f.tag).sort();
const stageOf = (name: string, series: string, pocket?: string, lint: 'error' | 'warning' = 'warning') =>
  ({ name, kind: name, target: { archive: 'local', suite: pocket ? `${series}-${pocket}` : series, series, pocket }, gates: { lint, schedule: false, binaryBuild: true } }) as unknown as StageConfig;

describe('metadata checks', () => {
  it('a clean package has no findings', async () => {
    expect((await lint()).findings).toEqual([]);
  });

  it('control: required fields, contacts, empty fields', async () => {
    const control = CONTROL.replace('Maintainer: Demo Maintainer <demo@example.org>\n', 'Uploaders: <x@example.org>, Bad Address\n').replace('Architecture: all\n', '').replace('Section: misc', 'Section:');
    const r = await lint({ 'debian/control': control });
    const got = r.findings.map((f) => [f.tag, f.detail, f.line]);
    expect(got).toContainEqual(['required-field', '(in section for source) Maintainer', 1]);
    expect(got).toContainEqual(['required-field', '(in section for demo) Architecture', 12]);
    expect(got).toContainEqual(['no-phrase', 'Uploaders: <x@example.org>', 4]);
    expect(got).toContainEqual(['malformed-contact', 'Uploaders: Bad Address', 4]);
    expect(got).toContainEqual(['debian-control-has-empty-field', 'Section', 2]);
  });

  it('control: Standards-Version against current Policy', async () => {
    const sv = async (v: string) => tagsOf({ 'debian/control': CONTROL.replace('4.7.2', v) });
    expect(await sv('4.7.0')).toEqual(['out-of-date-standards-version']);
    expect(await sv('4.9.9')).toEqual(['newer-standards-version']);
    expect(await sv('4.7')).toEqual(['invalid-standards-version']);
    expect(await sv('4.6.7')).toEqual(['invalid-standards-version']);
    // dated before 4.7.0 existed: 4.6.2 was current then
    const old = changelog('1.0-1', 'trixie', ' -- Demo Maintainer <demo@example.org>  Mon, 04 Mar 2024 10:00:00 +0000');
    expect(await tagsOf({ 'debian/control': CONTROL.replace('4.7.2', '4.6.2'), 'debian/changelog': old })).toEqual([]);
  });

  it('control: Homepage, Vcs, Rules-Requires-Root', async () => {
    const c = CONTROL.replace('https://example.org/demo', 'http://example.org/demo')
      .replace('Vcs-Git: https://', 'Vcs-Git: git://')
      .replace('Vcs-Browser: https://salsa.debian.org/demo/demo\n', 'Vcs-Svn: svn://x/y\n')
      .replace('Rules-Requires-Root: no\n', '');
    expect(await tagsOf({ 'debian/control': c })).toEqual([
      'homepage-field-uses-insecure-uri', 'missing-vcs-browser-field', 'silent-on-rules-requiring-root',
      'vcs-field-uses-insecure-uri', 'vcs-field-uses-insecure-uri', 'vcs-fields-use-more-than-one-vcs',
    ]);
    expect(await tagsOf({ 'debian/control': CONTROL.replace('Homepage: https://example.org/demo', 'Homepage: example') })).toEqual(['bad-homepage']);
    expect(await tagsOf({ 'debian/control': CONTROL.replace('Rules-Requires-Root: no', 'Rules-Requires-Root: yes') })).toEqual(['invalid-rules-requires-root-value']);
  });

  it('control: debhelper compat level and Build-Depends syntax', async () => {
    const bd = (v: string) => CONTROL.replace('debhelper-compat (= 13), python3', v);
    expect(await tagsOf({ 'debian/control': bd('debhelper-compat (= 13), python3'), 'debian/compat': '13\n' })).toEqual(['declares-possibly-conflicting-debhelper-compat-versions']);
    expect(await tagsOf({ 'debian/control': bd('debhelper (>= 9)'), 'debian/compat': '9\n' })).toEqual(['package-uses-deprecated-debhelper-compat-version', 'uses-debhelper-compat-file']);
    expect(await tagsOf({ 'debian/control': bd('debhelper (>= 12)') })).toEqual(['debhelper-compat-file-is-missing']);
    expect(await tagsOf({ 'debian/control': bd('debhelper-compat (= 12)') })).toEqual(['package-uses-old-debhelper-compat-version']);
    const r = await lint({ 'debian/control': bd('debhelper-compat (= 13),\n python3 (>= 3.0') });
    expect(r.findings.map((f) => [f.tag, f.line])).toEqual([['bad-relation', 6]]);
    expect(await tagsOf({ 'debian/control': bd('debhelper-compat (= 13), python3 (> 3)') })).toEqual(['obsolete-relation-form-in-source']);
  });

  it('control: syntax errors carry a line', async () => {
    const r = await lint({ 'debian/control': CONTROL.replace('Priority: optional\n', 'Priority optional\n') });
    expect(r.findings.map((f) => [f.tag, f.line])).toContainEqual(['syntax-error-in-debian-control', 3]);
  });

  it('changelog: distribution must fit the stage', async () => {
    const backports = stageOf('backports', 'bookworm', 'backports');
    expect(await tagsOf({ 'debian/changelog': changelog('1.0-1~bpo12+1', 'bookworm-backports') }, backports)).toEqual([]);
    const wrong = await lint({ 'debian/changelog': changelog('1.0-1~bpo12+1', 'bookworm') }, backports);
    expect(wrong.findings.map((f) => [f.tag, f.detail])).toEqual([
      ['distribution-does-not-fit-stage', 'bookworm (stage backports uploads to bookworm-backports)'],
      ['upload-has-backports-version-number', '1.0-1~bpo12+1 bookworm'],
    ]);
    expect(wrong.gate.verdict).toBe('blocked');
    expect(await tagsOf({ 'debian/changelog': changelog('1.0-1', 'bookworm-backports') }, backports)).toEqual(['backports-upload-has-incorrect-version-number']);
    expect(await tagsOf({ 'debian/changelog': changelog('1.0-1', 'trixie') }, stageOf('ppa', 'trixie', undefined, 'error'))).toEqual([]);
    expect(await tagsOf({ 'debian/changelog': changelog('1.0-1', 'UNRELEASED') }, stageOf('ppa', 'trixie'))).toEqual(['distribution-does-not-fit-stage', 'unreleased-changelog-distribution']);
  });

  it('changelog: a misspelt distribution is caught on the source', async () => {
    const r = await lint({ 'debian/changelog': changelog('1.0-1', 'bookwrom-backports') });
    expect(r.findings.map((f) => [f.tag, f.detail, f.line])).toContainEqual(['bad-distribution-in-changelog', 'bookwrom-backports', 1]);
  });

  it('changelog: version, date, address, syntax', async () => {
    expect(await tagsOf({ 'debian/changelog': changelog('1.0-0') })).toEqual(['debian-revision-is-zero']);
    expect(await tagsOf({ 'debian/changelog': changelog('a:1.0-1') })).toEqual(['malformed-debian-changelog-version']);
    const t = (s: string) => changelog('1.0-1', 'trixie', s);
    expect(await tagsOf({ 'debian/changelog': t(' -- Demo Maintainer <demo@example.org>  Thu, 25 Nov 2026 20:00:37 +0000') })).toEqual(['debian-changelog-has-wrong-day-of-week']);
    expect(await tagsOf({ 'debian/changelog': t(' -- Demo Maintainer <demo@example.org>  Wed, 31 Nov 2026 20:00:37 +0000') })).toEqual(['invalid-date-in-debian-changelog']);
    // Another address is another uploader (an NMU to the nmu check): only the changelog tags here.
    const changelogTags = async (text: string) => (await tagsOf({ 'debian/changelog': text })).filter((tag) => !/nmu|upload/.test(tag));
    expect(await changelogTags(t(' -- Demo Maintainer <demo@localhost>  Wed, 25 Nov 2026 20:00:37 +0000'))).toEqual(['bogus-mail-host-in-debian-changelog']);
    expect(await tagsOf({ 'debian/changelog': t(' -- Demo Maintainer <demo@example.org> Wed, 25 Nov 2026 20:00:37 +0000') })).toEqual(['syntax-error-in-debian-changelog']);
    const broken = await lint({ 'debian/changelog': `${changelog()}garbage here\n` });
    expect(broken.findings.map((f) => [f.tag, f.line])).toEqual([['syntax-error-in-debian-changelog', 6]]);
    expect(await tagsOf({ 'debian/changelog': undefined })).toContain('no-debian-changelog');
  });

  it('source format and watch file', async () => {
    expect(await tagsOf({ 'debian/source/format': undefined })).toEqual(['missing-debian-source-format']);
    expect(await tagsOf({ 'debian/source/format': '3.0 (git)\n' })).toEqual(['unsupported-source-format']);
    expect(await tagsOf({ 'debian/source/format': '3.0 (native)\n' })).toEqual(['source-format-does-not-fit-version']);
    expect(await tagsOf({ 'debian/source/formats': 'x' })).toEqual(['unknown-file-in-debian-source']);
    expect(await tagsOf({ 'debian/watch': undefined })).toEqual(['debian-watch-file-is-missing']);
    expect(await tagsOf({ 'debian/watch': 'https://example.org/ demo-(.*).tar.gz\n' })).toEqual(['missing-debian-watch-file-standard']);
    expect(await tagsOf({ 'debian/watch': 'version=3\nhttps://example.org/ demo-(.*).tar.gz\n' })).toEqual(['older-debian-watch-file-standard']);
    expect(await tagsOf({ 'debian/watch': 'version=7\n' })).toEqual(['unknown-debian-watch-file-standard']);
    expect(await tagsOf({ 'debian/watch': 'version=4\nnot a url\nhttp://example.org/ demo-(.*).tar.gz\n' })).toEqual(['debian-watch-line-invalid', 'debian-watch-uses-insecure-uri']);
    expect(await tagsOf({ 'debian/watch': 'version=4\nopts="pgpsigurlmangle=s/$/.asc/" \\\n  https://example.org/ \\\n  demo-(.*).tar.gz\n' })).toEqual([]);
    expect(await tagsOf({ 'debian/watch': 'Version: 5\n\nSource: https://example.org/\nMatching-Pattern: demo-@ANY_VERSION@@ARCHIVE_EXT@\n' })).toEqual([]);
    expect(await tagsOf({ 'debian/watch': 'Version: 5\n\nMatching-Pattern: x\n' })).toEqual(['debian-watch-line-invalid']);
  });

  it('package.yaml agrees with debian/', async () => {
    const yaml = (version: string, name = 'demo') => `name: ${name}\nupstream:\n  name: Demo\n  homepage: https://example.org/demo\n  version: "${version}"\n  supports: ">=1.0.0 <2.0.0"\nsource:\n  kind: url\n  url: https://example.org/demo-1.0.tar.gz\nmir:\n  required: true\n`;
    const run = async (text: string, over: Record<string, string | undefined> = {}) => {
      const root = makeTree({ 'debian/copyright': COPYRIGHT, 'debian/control': CONTROL, 'debian/changelog': changelog(), 'debian/source/format': '3.0 (quilt)\n', 'debian/watch': WATCH, 'package.yaml': text });
      for (const [k, v] of Object.entries(over)) if (v !== undefined) writeFileSync(join(root, k), v);
      return lintTree(root, { detectLicenses: false, packageYaml: join(root, 'package.yaml') });
    };
    expect((await run(yaml('1.0'))).findings.map((f) => [f.tag, f.detail])).toEqual([['mir-without-owning-team', undefined]]);
    const bad = await run(yaml('2.1', 'other'));
    expect(bad.findings.map((f) => [f.tag, f.line]).sort()).toEqual([
      ['mir-without-owning-team', 10], ['package-yaml-name-mismatch', 1], ['package-yaml-upstream-outside-supports', 6], ['package-yaml-upstream-version-mismatch', 5],
    ]);
    const invalid = await run('name: demo\nupstream: [1\n');
    expect(invalid.findings.map((f) => f.tag)).toEqual(['package-yaml-invalid']);
    expect(invalid.findings[0].line).toBeGreaterThan(0);
  });
});

describe('changelog parser against dpkg-parsechangelog', () => {
  const samples = [
    '/work/main/packages/zookeeper/debian/changelog',
    ...readdirSync('/usr/share/doc').slice(0, 400).map((d) => `/usr/share/doc/${d}/changelog.Debian.gz`),
  ];
  it('reads the same source, version, distribution and date as dpkg for real changelogs', () => {
    let compared = 0;
    for (const file of samples) {
      let text: string;
      try {
        text = file.endsWith('.gz') ? execFileSync('zcat', [file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }) : readFileSync(file, 'utf8');
      } catch {
        continue;
      }
      if (compared >= 40) break;
      const ours = parseChangelog(text).entries[0];
      const tmp = join(makeTree({}), 'changelog');
      writeFileSync(tmp, text);
      const out = execFileSync('dpkg-parsechangelog', ['-l', tmp, '--count', '1'], { encoding: 'utf8' });
      const field = (n: string) => new RegExp(`^${n}: (.*)$`, 'm').exec(out)?.[1];
      const dpkg = [field('Source'), field('Version'), field('Distribution'), field('Timestamp')];
      expect(ours, file).toBeDefined();
      const ts = Math.floor(parseChangelogDate(ours!.trailer!.date).date!.getTime() / 1000);
      expect([ours!.source, ours!.version, ours!.distributions.join(' '), String(ts)], file).toEqual(dpkg);
      compared++;
    }
    expect(compared).toBeGreaterThanOrEqual(20);
  });
});
