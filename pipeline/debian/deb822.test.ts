import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { oneLineOf } from '../../test/support/errors.js';
import { PipelineError } from '../errors.js';
import { dpkgParseControlFiles, type DpkgParsed } from '../tools/dpkgOracle.js';
import { fieldLineNumbers, foldedValue, multilineValue, parseDeb822, parseDeb822File } from './deb822.js';
import { scratchDir } from '../../test/helpers/scratch.js';

const FIXTURE_DSC = new URL('./fixtures/zookeeper_3.9.3-1+deb13u1.dsc', import.meta.url).pathname;
const REPO = new URL('../../', import.meta.url).pathname;


const CONTROL = `# a comment before anything
Source: hello
Section: devel
Build-Depends: debhelper-compat (= 13),
# a comment between continuation lines
 python3-all,
\tdh-python
Maintainer: Jane <jane@example.org>


Package: hello
Architecture: any
Description: says hello
 A longer text.
 .
 Second paragraph.
 ..
`;

describe('parseDeb822', () => {
  it('reads paragraphs, fields, continuation lines and line numbers', () => {
    const doc = parseDeb822(CONTROL, { file: 'debian/control' });
    expect(doc.signed).toBe(false);
    expect(doc.paragraphs).toHaveLength(2);
    const [src, bin] = doc.paragraphs as [typeof doc.paragraphs[0], typeof doc.paragraphs[0]];
    expect(src.line).toBe(2);
    expect(src.endLine).toBe(8);
    expect(src.names()).toEqual(['Source', 'Section', 'Build-Depends', 'Maintainer']);
    const bd = src.get('build-depends')!;
    expect(bd.line).toBe(4);
    expect(bd.endLine).toBe(7);
    expect(bd.lines).toEqual(['debhelper-compat (= 13),', ' python3-all,', '\tdh-python']);
    expect(bd.lineNumbers).toEqual([4, 6, 7]); // set because a comment interrupts the field
    expect(fieldLineNumbers(src.get("Section")!)).toEqual([3]);
    expect(bd.value).toBe('debhelper-compat (= 13),\npython3-all,\ndh-python');
    expect(foldedValue(bd)).toBe('debhelper-compat (= 13), python3-all, dh-python');
    expect(src.value('SOURCE')).toBe('hello');
    expect(src.value('Nope')).toBeUndefined();
    expect(bin.line).toBe(11);
    expect(bin.endLine).toBe(17);
    const desc = bin.get('Description')!;
    expect(multilineValue(desc)).toEqual(['says hello', 'A longer text.', '', 'Second paragraph.', '.']);
    expect(desc.value.split('\n')).toEqual(multilineValue(desc));
    // the tab continuation is valid (a warning only)
    expect(doc.problems).toEqual([{ line: 7, kind: 'tab-continuation', severity: 'warning', message: expect.stringContaining('tab') }]);
  });

  it('accepts CRLF, a BOM, whitespace-only separators and no final newline', () => {
    const doc = parseDeb822('\ufeffA: 1\r\nB: x\r\n  y  \r\n \t \r\n\r\nC: 3', { file: 'f', strict: true });
    expect(doc.paragraphs.map((p) => p.toRecord())).toEqual([{ A: '1', B: 'x\n y' }, { C: '3' }]);
    expect(doc.paragraphs[1]!.line).toBe(6);
    expect(doc.paragraphs[0]!.get('b')!.lines).toEqual(['x', '  y  ']);
    expect(doc.paragraphs[0]!.get('b')!.lineNumbers).toBeUndefined(); // contiguous
    expect(fieldLineNumbers(doc.paragraphs[0]!.get('b')!)).toEqual([2, 3]);
  });

  it('keeps the value dpkg gives a field with an empty first line', () => {
    const doc = parseDeb822('Files:\n abc 1 a.tar\n def 2 b.tar\n', { file: 'x.dsc', strict: true });
    expect(doc.paragraphs[0]!.value('files')).toBe('\nabc 1 a.tar\ndef 2 b.tar');
    expect(foldedValue(doc.paragraphs[0]!.get('Files')!)).toBe('abc 1 a.tar def 2 b.tar');
  });

  const broken: [string, string, number, string | RegExp][] = [
    [' indented: first\nA: b\n', 'continuation-without-field', 1, /continuation line .* before any field/],
    ['A: b\n\n more\n', 'continuation-without-field', 3, /before any field/],
    ['A: b\nB: c\na: d\n', 'duplicate-field', 3, "duplicate field 'a' (first at line 1)"],
    ['A: b\njust words\n', 'bad-field-line', 2, /not a field: 'just words'/],
    ['A: b\nSome Field: x\n', 'bad-field-line', 2, /bad field name 'Some Field'/],
    ['A: b\n-X: y\n', 'bad-field-line', 2, /bad field name '-X'/],
    [': y\n', 'bad-field-line', 1, /not a field|bad field/],
    ['A: b\n-----BEGIN PGP SIGNATURE-----\n', 'pgp', 2, /outside a signed message/],
    ['', 'empty', 1, /no paragraphs/],
    ['# only a comment\n\n', 'empty', 1, /no paragraphs/],
  ];
  it.each(broken)('reports %j as %s at line %i', (text, kind, line, message) => {
    const doc = parseDeb822(text, { file: 'debian/control' });
    const p = doc.problems.find((x) => x.kind === kind);
    expect(p, JSON.stringify(doc.problems)).toBeDefined();
    expect(p!.line).toBe(line);
    expect(p!.message).toMatch(message);
    expect(() => parseDeb822(text, { file: 'debian/control', strict: true })).toThrow(PipelineError);
    try {
      parseDeb822(text, { file: 'debian/control', strict: true });
    } catch (e) {
      expect((e as PipelineError).oneLine()).toMatch(new RegExp(`^debian/control:${line}: `));
    }
  });

  it('drops the continuation lines of a bad line instead of reporting each', () => {
    const doc = parseDeb822('A: b\nnot a field\n more\n more\nC: d\n', { file: 'f' });
    expect(doc.problems.map((p) => p.kind)).toEqual(['bad-field-line']);
    expect(doc.paragraphs[0]!.toRecord()).toEqual({ A: 'b', C: 'd' });
  });

  it('looks fields up case-insensitively in very long paragraphs too', () => {
    const text = Array.from({ length: 100 }, (_, i) => `Field-${i}: v${i}`).join('\n') + '\nfield-7: dup\n';
    const doc = parseDeb822(text, { file: 'big' });
    expect(doc.paragraphs[0]!.value('FIELD-99')).toBe('v99');
    expect(doc.paragraphs[0]!.value('field-7')).toBe('v7');
    expect(doc.problems.map((p) => [p.kind, p.line])).toEqual([['duplicate-field', 101]]);
  });

  it('empty text is fine when allowed', () => {
    expect(parseDeb822('', { file: 'Sources', strict: true, allowEmpty: true }).paragraphs).toEqual([]);
  });

  it('refuses binary junk without throwing in tolerant mode', () => {
    const junk = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)).toString('latin1');
    const doc = parseDeb822(junk, { file: 'junk' });
    expect(doc.problems.map((p) => p.kind)).toEqual(['binary']);
    expect(doc.paragraphs).toEqual([]);
    expect(oneLineOf(() => parseDeb822(junk, { file: 'junk', strict: true }))).toBe('junk:1: not a text file (binary content)');
    // invalid UTF-8 decoded by Node is a warning, the rest still parses
    const latin = parseDeb822(`A: caf${Buffer.from([0xe9]).toString('utf8')}\n`, { file: 'l' });
    expect(latin.problems.map((p) => [p.kind, p.severity])).toEqual([['encoding', 'warning']]);
    expect(latin.paragraphs).toHaveLength(1);
  });

  it('parseDeb822File names an unreadable file', () => {
    expect(oneLineOf(() => parseDeb822File('/nonexistent/control'))).toBe('/nonexistent/control: cannot read: ENOENT');
  });
});

describe('OpenPGP clearsigned wrappers', () => {
  it('unwraps a real Debian .dsc with original line numbers', () => {
    const doc = parseDeb822File(FIXTURE_DSC, { strict: true });
    expect(doc.signed).toBe(true);
    expect(doc.paragraphs).toHaveLength(1);
    const p = doc.paragraphs[0]!;
    expect(p.line).toBe(4);
    expect(p.get('Format')!.line).toBe(4);
    expect(p.value('Version')).toBe('3.9.3-1+deb13u1');
    const sha = p.get('Checksums-Sha256')!;
    expect(sha.line).toBe(30);
    expect(sha.endLine).toBe(32);
    expect(p.endLine).toBe(35);
    expect(doc.problems).toEqual([]);
  });

  it('unwraps text signed by gpg here, dash-escaped lines included', async () => {
    const home = scratchDir('deb822-gpg-');
    const env = { GNUPGHOME: home };
    await execa('gpg', ['--batch', '--passphrase', '', '--quick-gen-key', 'Test <test@example.org>', 'ed25519', 'sign', 'never'], { env });
    const body = 'Source: x\nVersion: 1.0-1\n# -comment\nFiles:\n 0123 4 x_1.0.tar.xz\n\nPackage: y\nDescription: z\n';
    // a line starting with '-' in the signed text must be dash-escaped by gpg
    writeFileSync(join(home, 'msg'), `${body}`.replace('# -comment', '#-\n-Bad: field'));
    await execa('gpg', ['--batch', '--yes', '--clearsign', '--output', join(home, 'msg.asc'), join(home, 'msg')], { env });
    const signed = readFileSync(join(home, 'msg.asc'), 'utf8');
    expect(signed).toContain('\n- -Bad: field\n');
    const doc = parseDeb822(signed, { file: 'msg.asc' });
    expect(doc.signed).toBe(true);
    expect(doc.paragraphs.map((p) => p.names())).toEqual([['Source', 'Version', 'Files'], ['Package', 'Description']]);
    // "-Bad" is unescaped to a line starting with '-', which is not a valid field name
    const bad = doc.problems.find((p) => p.kind === 'bad-field-line')!;
    expect(signed.split('\n')[bad.line - 1]).toBe('- -Bad: field');
    const lines = signed.split('\n');
    expect(lines[doc.paragraphs[0]!.get('Files')!.line - 1]).toBe('Files:');
    expect(lines[doc.paragraphs[1]!.line - 1]).toBe('Package: y');
    await execa('gpgconf', ['--kill', 'all'], { env, reject: false });
  });

  it('reports broken wrappers', () => {
    const head = '-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nA: b\n';
    const noSig = parseDeb822(head, { file: 'x.dsc' });
    expect(noSig.problems.map((p) => [p.kind, p.line])).toEqual([['pgp', 1]]);
    expect(noSig.paragraphs[0]!.value('A')).toBe('b');
    const noEnd = parseDeb822(`${head}\n-----BEGIN PGP SIGNATURE-----\nabc\n`, { file: 'x.dsc' });
    expect(noEnd.problems.map((p) => [p.kind, p.line])).toEqual([['pgp', 6]]);
    const trailing = parseDeb822(`${head}\n-----BEGIN PGP SIGNATURE-----\nabc\n-----END PGP SIGNATURE-----\nA: c\n`, { file: 'x.dsc' });
    expect(trailing.problems.map((p) => [p.kind, p.line, p.message])).toEqual([['pgp', 9, 'text after the end of the OpenPGP signature']]);
    const badHeader = parseDeb822('-----BEGIN PGP SIGNED MESSAGE-----\nA: b\n', { file: 'x.dsc' });
    expect(badHeader.problems[0]!.kind).toBe('pgp');
    expect(oneLineOf(() => parseDeb822(head, { file: 'x.dsc', strict: true }))).toMatch(/^x\.dsc:1: signed message has no/);
  });
});

// ---------------------------------------------------------------------------------------------
// Real files, with dpkg-dev's own parser (Dpkg::Control::HashCore) as the oracle.

function expectSameAsDpkg(file: string, dpkg: DpkgParsed | undefined) {
  expect(dpkg, file).toBeDefined();
  if (!Array.isArray(dpkg)) throw new Error(`dpkg refused ${file}: ${dpkg!.error}`);
  const doc = parseDeb822File(file);
  // Dpkg::Control re-capitalises names (Files-Excluded-Unicode-Data); we keep them as written.
  const ours = doc.paragraphs.map((p) => p.fields.map((f) => [f.name.toLowerCase(), f.value]));
  expect(ours, file).toEqual(dpkg.map((p) => p.map(([n, v]) => [n.toLowerCase(), v])));
  expect(doc.problems.filter((p) => p.severity === 'error'), file).toEqual([]);
}

describe('real files agree with Dpkg::Control', () => {
  it('/var/lib/dpkg/status, the .dsc fixture and the zookeeper package', async () => {
    const files = ['/var/lib/dpkg/status', FIXTURE_DSC, join(REPO, 'packages/zookeeper/debian/control'), join(REPO, 'packages/zookeeper/debian/copyright')]
      .filter((f) => existsSync(f));
    expect(files.length).toBeGreaterThanOrEqual(2);
    const dpkg = await dpkgParseControlFiles(files);
    for (const f of files) expectSameAsDpkg(f, dpkg[f]);
    expect(parseDeb822File('/var/lib/dpkg/status').paragraphs.length).toBeGreaterThan(100);
  });

  it('every DEP-5 /usr/share/doc/*/copyright parses exactly as dpkg reads it', async () => {
    const files: string[] = [];
    for (const d of readdirSync('/usr/share/doc')) {
      const f = `/usr/share/doc/${d}/copyright`;
      try {
        if (readFileSync(f, 'utf8').startsWith('Format:')) files.push(f);
      } catch { /* not every doc dir has one */ }
    }
    expect(files.length).toBeGreaterThan(50);
    const dpkg = await dpkgParseControlFiles(files);
    let compared = 0;
    for (const f of files) {
      const ref = dpkg[f];
      // files dpkg itself refuses still parse tolerantly, with the problem located
      if (!Array.isArray(ref)) {
        const doc = parseDeb822File(f);
        expect(doc.problems.some((p) => p.severity === 'error'), `${f}: dpkg said ${ref?.error}`).toBe(true);
        continue;
      }
      expectSameAsDpkg(f, ref);
      compared++;
    }
    expect(compared).toBeGreaterThan(50);
  });
});
