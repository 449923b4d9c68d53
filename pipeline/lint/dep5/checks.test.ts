import { describe, expect, it } from 'vitest';
import { HEADER, makeTree } from '../../../test/helpers/lint-tree.js';
import { DEP5_CHECKS } from '../registry.js';
import { lintTree as lintAll, type LintTreeOptions } from '../run.js';

// DEP-5 checks only: the metadata checks have their own tests.
const lintTree = (dir: string, o: LintTreeOptions = {}) => lintAll(dir, { ...o, checks: DEP5_CHECKS });

const APACHE = 'License: Apache-2.0\n On Debian systems see /usr/share/common-licenses/Apache-2.0.\n';

async function lint(copyright: string | Buffer, files: Record<string, string> = {}) {
  const root = makeTree({ 'debian/copyright': copyright, 'debian/changelog': 'demo (1.0-1) unstable; urgency=medium\n', ...files });
  const r = await lintTree(root, { detectLicenses: false });
  return r.findings;
}
const tags = (fs: { tag: string }[]) => fs.map((f) => f.tag);
const one = (fs: Awaited<ReturnType<typeof lint>>, tag: string) => fs.filter((f) => f.tag === tag);

const base = (extra = '', files = 'Files: *\nCopyright: 2024 Someone\nLicense: Apache-2.0\n') => `${HEADER}\n${files}\n${extra}\n${APACHE}`;

describe('DEP-5 checks', () => {
  it('a correct file gives no findings', async () => {
    const fs = await lint(base(), { 'src/a.c': '', 'README': '', 'COPYING': '' });
    expect(fs).toEqual([]);
  });

  it('http and https Format URIs are both valid (no insecure-copyright-format-uri)', async () => {
    const fs = await lint(base().replace('https://', 'http://'), { 'a': '' });
    expect(fs).toEqual([]);
  });

  it('file-without-copyright-information names each uncovered file, never COPYING/LICENSE', async () => {
    const fs = await lint(base('', 'Files: src/*\nCopyright: x\nLicense: Apache-2.0\n'), { 'src/a.c': '', 'doc/b.txt': '', 'LICENSE': '', 'sub/COPYING.LIB': '' });
    expect(one(fs, 'file-without-copyright-information').map((f) => f.detail).sort()).toEqual(['debian/changelog', 'debian/copyright', 'doc/b.txt']);
    expect(one(fs, 'file-without-copyright-information')[0].file).toBe('debian/copyright');
  });

  it('superfluous-file-pattern only for a pattern that matches no file — not for one a later paragraph shadows', async () => {
    const copyright = base('', 'Files: *\nCopyright: x\nLicense: Apache-2.0\n\nFiles: src/a.c\n       gone/*\nCopyright: y\nLicense: Apache-2.0\n\nFiles: src/*\nCopyright: z\nLicense: Apache-2.0\n');
    const fs = await lint(copyright, { 'src/a.c': '' });
    const sup = one(fs, 'superfluous-file-pattern');
    expect(sup.map((f) => [f.detail, f.line])).toEqual([['gone/*', 9]]);
    // src/a.c is shadowed by src/* (same depth): not superfluous, not out of order
    expect(tags(fs)).not.toContain('globbing-patterns-out-of-order');
  });

  it('globbing-patterns-out-of-order when a deeper pattern loses to a broader later one', async () => {
    const copyright = base('', 'Files: *\nCopyright: x\nLicense: Apache-2.0\n\nFiles: src/lib/*\nCopyright: y\nLicense: Apache-2.0\n\nFiles: src/*\nCopyright: z\nLicense: Apache-2.0\n');
    const fs = await lint(copyright, { 'src/lib/a.c': '' });
    expect(one(fs, 'globbing-patterns-out-of-order').map((f) => f.detail)).toEqual(['src/lib/* src/* src/lib/a.c']);
    expect(tags(fs)).not.toContain('superfluous-file-pattern');
  });

  it('the last matching paragraph wins (license comparison uses the winner)', async () => {
    const copyright = `${HEADER}\nFiles: *\nCopyright: x\nLicense: GPL-2+\n\nFiles: src/*\nCopyright: y\nLicense: Apache-2.0\n\n${APACHE}`;
    const fs = await lint(copyright, { 'src/a.c': '' });
    // GPL-2+ has no stand-alone paragraph: reported once, at the License line of the first paragraph
    expect(one(fs, 'missing-license-paragraph-in-dep5-copyright').map((f) => [f.detail, f.line])).toEqual([['gpl-2+', 6]]);
  });

  it('missing / unused license paragraphs compare names as the spec says (case, .0, SPDX)', async () => {
    const copyright = `${HEADER}\nFiles: *\nCopyright: x\nLicense: apache-2 and MIT\n\n${APACHE}\nLicense: Expat\n text\n\nLicense: BSD-3-clause\n text\n`;
    const fs = await lint(copyright, { a: '' });
    expect(tags(fs)).not.toContain('missing-license-paragraph-in-dep5-copyright');
    expect(one(fs, 'unused-license-paragraph-in-dep5-copyright').map((f) => f.detail)).toEqual(['bsd-3-clause']);
  });

  it('an expression with explanatory text still uses its stand-alone paragraphs (lintian false positive)', async () => {
    const copyright = `${HEADER}\nFiles: *\nCopyright: x\nLicense: GPL-3 or BSD-3-clause\n Dual licensed; see below.\n\nLicense: GPL-3\n text\n\nLicense: BSD-3-clause\n text\n`;
    const fs = await lint(copyright, { a: '' });
    expect(fs).toEqual([]);
  });

  it('stand-alone License paragraphs before Files: * do not make it "not first"', async () => {
    const copyright = `${HEADER}\n${APACHE}\nFiles: *\nCopyright: x\nLicense: Apache-2.0\n`;
    expect(await lint(copyright, { a: '' })).toEqual([]);
    const bad = `${HEADER}\nFiles: a\nCopyright: x\nLicense: Apache-2.0\n\nFiles: *\nCopyright: x\nLicense: Apache-2.0\n\n${APACHE}`;
    expect(one(await lint(bad, { a: '' }), 'global-files-wildcard-not-first-paragraph-in-dep5-copyright').map((f) => f.line)).toEqual([8]);
  });

  it('\\\\ is a valid escape; others are not', async () => {
    const ok = await lint(base('', 'Files: *\nCopyright: x\nLicense: Apache-2.0\n\nFiles: we\\\\ird\nCopyright: x\nLicense: Apache-2.0\n'), { 'we\\ird': '' });
    expect(ok).toEqual([]);
    const bad = await lint(base('', 'Files: *\nCopyright: x\nLicense: Apache-2.0\n\nFiles: a\\.c\nCopyright: x\nLicense: Apache-2.0\n'), { a: '' });
    expect(one(bad, 'invalid-escape-sequence-in-dep5-copyright').map((f) => [f.detail, f.line])).toEqual([['\\.', 8]]);
  });

  it('a comma in Files is reported but coverage is still checked', async () => {
    const fs = await lint(base('', 'Files: *\nCopyright: x\nLicense: Apache-2.0\n\nFiles: a.c, gone.c\nCopyright: x\nLicense: Apache-2.0\n'), { 'a.c': '' });
    expect(tags(fs).sort()).toEqual(['comma-separated-files-in-dep5-copyright', 'superfluous-file-pattern']);
    expect(one(fs, 'superfluous-file-pattern')[0].detail).toBe('gone.c');
  });

  it('missing and empty fields', async () => {
    const copyright = `Upstream-Name: x\n\nFiles:\nCopyright:\nLicense: Apache-2.0\n\nFiles: *\nLicense: Apache-2.0\n\nFiles: b\nCopyright: x\n\n${APACHE}`;
    const fs = one(await lint(`Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n${copyright.replace('Upstream-Name: x\n', '')}`, { b: '' }), 'missing-field-in-dep5-copyright');
    expect(fs.map((f) => [f.detail, f.line])).toEqual([
      ['(empty field) Files', 3],
      ['(empty field) Copyright', 4],
      ['Copyright', 7],
      ['License', 10],
    ]);
  });

  it('Format URIs: unknown, unversioned, wiki, template', async () => {
    const withFormat = (uri: string) => base().replace(/^Format: .*$/m, `Format: ${uri}`);
    expect(tags(await lint(withFormat('https://example.org/dep5'), { a: '' }))).toContain('unknown-copyright-format-uri');
    expect(tags(await lint(withFormat('http://dep.debian.net/deps/dep5'), { a: '' }))).toEqual(['unversioned-copyright-format-uri']);
    expect(tags(await lint(withFormat('http://wiki.debian.org/Proposals/CopyrightFormat'), { a: '' }))).toEqual(['wiki-copyright-format-uri']);
    expect(tags(await lint(withFormat('http://svn.debian.org/wsvn/dep/web/deps/dep5.mdwn?op=file&rev=REVISION'), { a: '' }))).toContain('boilerplate-copyright-format-uri');
    expect(tags(await lint(withFormat('http://svn.debian.org/wsvn/dep/web/deps/dep5.mdwn?op=file&rev=150'), { a: '' }))).toEqual(['out-of-date-copyright-format-uri']);
  });

  it('obsolete and unknown fields, odd paragraphs', async () => {
    const copyright = `${HEADER}Name: demo\n\nFiles: *\nCopyright: x\nLicence: Apache-2.0\nLicense: Apache-2.0\n\nCopyright: x\nLicense: Apache-2.0\n\nComment: what\n\n${APACHE}`;
    const fs = await lint(copyright, { a: '' });
    expect(one(fs, 'obsolete-field-in-dep5-copyright').map((f) => f.detail)).toEqual(['Name Upstream-Name']);
    expect(one(fs, 'unknown-field-in-dep5-copyright').map((f) => f.detail)).toEqual(['Licence (did you mean License?)']);
    expect(tags(fs)).toContain('ambiguous-paragraph-in-dep5-copyright');
    expect(one(fs, 'unknown-paragraph-in-dep5-copyright').map((f) => f.line)).toEqual([13]);
  });

  it('duplicate patterns and duplicate license names', async () => {
    const copyright = `${HEADER}\nFiles: *\nCopyright: x\nLicense: Apache-2.0\n\nFiles: *\nCopyright: y\nLicense: Apache-2.0\n\n${APACHE}\n${APACHE}`;
    const fs = await lint(copyright, { a: '' });
    expect(one(fs, 'duplicate-globbing-patterns').map((f) => f.detail)).toEqual(['* (lines 4 8)']);
    expect(one(fs, 'dep5-copyright-license-name-not-unique')).toHaveLength(2);
  });

  it('license names are unique as written: an SPDX alias is another name (tmux: BSD-2-clause and BSD-2-clause-NetBSD)', async () => {
    const bsd = (name: string) => `License: ${name}\n Redistribution and use in source and binary forms...\n`;
    const copyright = `${HEADER}\nFiles: *\nCopyright: x\nLicense: BSD-2-clause\n\nFiles: a\nCopyright: y\nLicense: BSD-2-clause-NetBSD\n\n${bsd('BSD-2-clause')}\n${bsd('BSD-2-clause-NetBSD')}`;
    expect(one(await lint(copyright, { a: '' }), 'dep5-copyright-license-name-not-unique')).toEqual([]);
    const twice = `${HEADER}\nFiles: *\nCopyright: x\nLicense: BSD-2-clause\n\n${bsd('BSD-2-clause')}\n${bsd('bsd-2-clause')}`;
    expect(one(await lint(twice, { a: '' }), 'dep5-copyright-license-name-not-unique')).toHaveLength(2);
  });

  it('license short-name problems', async () => {
    const files = (lic: string) => `Files: *\nCopyright: x\nLicense: ${lic}\n text\n`;
    expect(tags(await lint(base('', files('GPL2')), { a: '' }))).toContain('invalid-short-name-in-dep5-copyright');
    expect(tags(await lint(base('', files('unknown')), { a: '' }))).toContain('license-problem-undefined-license');
    const pipe = await lint(base('', files('GPL-2 | MIT')), { a: '' });
    expect(tags(pipe)).toContain('pipe-symbol-used-as-license-disjunction');
    // `|` is no operator: "gpl-2 | mit" is one name with spaces (lintian says both)
    expect(one(pipe, 'space-in-std-shortname-in-dep5-copyright').map((f) => f.detail)).toEqual(['gpl-2 | mit']);
    expect(tags(await lint(base('', files('public domain')), { a: '' }))).toContain('space-in-std-shortname-in-dep5-copyright');
    expect(tags(await lint(base('', files('GPL-2+ with OpenSSL')), { a: '' }))).toContain('bad-exception-format-in-dep5-copyright');
    expect(tags(await lint(base('', files('GPL-2+ with OpenSSL exception')), { a: '' }))).not.toContain('bad-exception-format-in-dep5-copyright');
    expect(tags(await lint(base('', files('GPL-2, MIT')), { a: '' }))).toContain('bad-license-expression-in-dep5-copyright');
    expect(tags(await lint(base('', 'Files: *\nCopyright: x\nLicense:\n text\n'), { a: '' }))).toContain('empty-short-license-in-dep5-copyright');
    expect(tags(await lint(base('', files('CC-BY-4.0')), { a: '' }))).toContain('incomplete-creative-commons-license');
  });

  it('stand-alone paragraph without text, and a reference to the header License', async () => {
    const noText = `${HEADER}\nFiles: *\nCopyright: x\nLicense: Apache-2.0\n\nLicense: Apache-2.0\n`;
    expect(tags(await lint(noText, { a: '' }))).toContain('missing-license-text-in-dep5-copyright');
    const header = `${HEADER}License: Expat\n text\n\nFiles: *\nCopyright: x\nLicense: Expat\n`;
    expect(tags(await lint(header, { a: '' }))).toEqual(['dep5-file-paragraph-references-header-paragraph']);
  });

  it('Files-Excluded files are left out of coverage; present ones in a repacked source are an error', async () => {
    const copyright = base().replace('Upstream-Name: demo\n', 'Upstream-Name: demo\nFiles-Excluded: vendor\n *.jar\n');
    const root = { 'a.c': '', 'vendor/x/y.js': '', 'lib/z.jar': '' };
    expect(await lint(copyright, root)).toEqual([]);
    const rootR = makeTree({ 'debian/copyright': copyright, 'debian/changelog': 'demo (1.0+dfsg-1) unstable; urgency=medium\n', ...root });
    const r = await lintTree(rootR, { detectLicenses: false });
    expect(one(r.findings, 'source-ships-excluded-file').map((f) => f.detail).sort()).toEqual(['lib/z.jar', 'vendor/x/y.js']);
    expect(r.gate.verdict).toBe('blocked');
  });

  it('license files listed explicitly, redundant patterns', async () => {
    const copyright = base('', 'Files: *\nCopyright: x\nLicense: Apache-2.0\n\nFiles: src/COPYING src/*\nCopyright: y\nLicense: Apache-2.0\n');
    const fs = await lint(copyright, { 'src/COPYING': '' });
    expect(tags(fs)).toContain('license-file-listed-in-debian-copyright');
    expect(one(fs, 'redundant-globbing-patterns').map((f) => f.detail)).toEqual(['(src/* src/COPYING) for src/COPYING']);
  });

  it('no copyright at all, empty, not DEP-5, CRs', async () => {
    const r = await lintTree(makeTree({ 'debian/changelog': 'x (1) unstable; urgency=low\n' }), { detectLicenses: false });
    expect(tags(r.findings)).toEqual(['no-debian-copyright-in-source']);
    expect(one(await lint(''), 'empty-debian-copyright').map((f) => f.line)).toEqual([1]);
    expect(tags(await lint('This package was debianized by me.\nCopyright: GPL\n'))).toEqual(['no-dep5-copyright']);
    expect(tags(await lint(base().replace(/\n/g, '\r\n'), { a: '' }))).toEqual(['copyright-has-crs']);
  });
});
