import { existsSync } from 'node:fs';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { oneLineOf } from '../../test/support/errors.js';
import { parseDeb822 } from './deb822.js';
import { formatRelations, parseControl, parseControlFile, parseFieldRelations, parseRelations } from './control.js';

const REPO = new URL('../../', import.meta.url).pathname;


const GOOD = `Source: txzookeeper
Section: python
Priority: optional
Maintainer: Jane <jane@example.org>
Build-Depends: debhelper-compat (= 13), dh-python, python3-all,
 python3-twisted <!nocheck>, zookeeper [amd64 arm64]
Standards-Version: 4.7.0

Package: python3-txzookeeper
Architecture: all
Depends: \${misc:Depends}, \${python3:Depends}
Description: Twisted ZooKeeper client
 Long text.
`;

describe('parseControl', () => {
  it('splits source and binary paragraphs', () => {
    const c = parseControl(GOOD, 'debian/control');
    expect(c.sourceName).toBe('txzookeeper');
    expect(c.packageNames).toEqual(['python3-txzookeeper']);
    expect(c.source.value('Standards-Version')).toBe('4.7.0');
    expect(c.binaries[0]!.line).toBe(9);
  });

  const broken: [string, string, string][] = [
    ['missing Source', 'Section: python\n\nPackage: a1\n', 'debian/control:1: Source: missing Source field in the first (source) paragraph'],
    ['first paragraph is a binary', 'Package: a1\nArchitecture: all\n\nSource: a\n', "debian/control:1: Source: the first paragraph must be the source paragraph (Source: ...), but it is binary package 'a1'"],
    ['continuation before any field', 'Source: a1\n\n Package: x\n', 'debian/control:3: continuation line (starting with a space or tab) before any field of the paragraph'],
    ['garbage line', 'Source: a1\nthis is not a field\n\nPackage: b1\n', "debian/control:2: not a field: 'this is not a field' (expected 'Name: value', or a continuation line starting with a space)"],
    ['duplicate field', 'Source: a1\nSection: x\nsection: y\n\nPackage: b1\n', "debian/control:3: duplicate field 'section' (first at line 2)"],
    ['no binaries', 'Source: a1\nSection: x\n', 'debian/control:2: no binary package paragraph (Package: ...) after the source paragraph'],
    ['binary without Package', 'Source: a1\n\nArchitecture: all\n', 'debian/control:3: Package: binary paragraph without a Package field'],
    ['two sources', 'Source: a1\n\nSource: b1\n', 'debian/control:3: Package: a second Source paragraph (first at line 1); binary paragraphs need a Package field'],
    ['bad source name', 'Source: Foo_Bar\n\nPackage: b1\n', "debian/control:1: Source: invalid source package name 'Foo_Bar' (lower-case letters, digits, + - . ; at least two characters)"],
    ['duplicate package', 'Source: a1\n\nPackage: b1\n\nPackage: b1\n', "debian/control:5: Package: binary package 'b1' defined twice (first at line 3)"],
    ['empty', '', 'debian/control:1: no paragraphs (the file is empty or only comments)'],
  ];
  it.each(broken)('%s → one error line naming file:line', (_name, text, line) => {
    expect(oneLineOf(() => parseControl(text, 'debian/control'))).toBe(line);
  });

  it('parses the real zookeeper debian/control and every relation in it', () => {
    const path = `${REPO}packages/zookeeper/debian/control`;
    if (!existsSync(path)) return expect.fail(`${path} missing`);
    const c = parseControlFile(path, 'packages/zookeeper/debian/control');
    expect(c.sourceName).toBe('zookeeper');
    expect(c.packageNames).toContain('libzookeeper-java');
    const bd = parseFieldRelations(c.source.get('Build-Depends')!);
    expect(bd.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(bd.groups.length).toBeGreaterThan(20);
    expect(bd.groups.flat().every((r) => typeof r.line === 'number' && r.line >= c.source.get('Build-Depends')!.line)).toBe(true);
    expect(() => parseControlFile('/nonexistent/control', 'debian/control')).toThrow(/cannot read: ENOENT/);
  });
});

describe('parseRelations', () => {
  it('parses alternatives, versions, arch qualifiers, architectures and profiles', () => {
    const r = parseRelations('a (>= 1.0-1) | b:any, c [!amd64 !i386] <!nocheck> <stage1 cross>, ${misc:Depends}');
    expect(r.problems).toEqual([]);
    expect(r.groups).toHaveLength(3);
    expect(r.groups[0]!.map((x) => [x.name, x.archQualifier, x.version])).toEqual([
      ['a', undefined, { op: '>=', version: '1.0-1' }],
      ['b', 'any', undefined],
    ]);
    expect(r.groups[1]![0]!.architectures).toEqual([{ name: 'amd64', negated: true }, { name: 'i386', negated: true }]);
    expect(r.groups[1]![0]!.profiles).toEqual([[{ name: 'nocheck', negated: true }], [{ name: 'stage1', negated: false }, { name: 'cross', negated: false }]]);
    expect(r.groups[2]![0]).toMatchObject({ name: '${misc:Depends}', substvar: true });
    expect(formatRelations(r.groups)).toBe('a (>= 1.0-1) | b:any, c [!amd64 !i386] <!nocheck> <stage1 cross>, ${misc:Depends}');
  });

  it('tolerates what dpkg tolerates, with warnings', () => {
    expect(parseRelations('a, b,').problems).toEqual([]); // trailing comma
    expect(parseRelations('').groups).toEqual([]);
    const empty = parseRelations('a,, b');
    expect(empty.groups.map((g) => g[0]!.name)).toEqual(['a', 'b']);
    expect(empty.problems.map((p) => [p.severity, p.message, p.offset])).toEqual([['warning', 'empty entry between commas', 2]]);
    const obsolete = parseRelations('a (< 2)');
    expect(obsolete.groups[0]![0]!.version).toEqual({ op: '<=', version: '2', obsoleteOp: '<' });
    expect(obsolete.problems[0]!.message).toMatch(/obsolete relation '<'.*means '<='/);
    expect(parseRelations('a [amd64 !i386]').problems.map((p) => p.severity)).toEqual(['warning']);
  });

  const errors: [string, RegExp][] = [
    ['a (>= 1.0', /missing '\)'/],
    ['a (~ 1.0)', /bad version constraint/],
    ['a (>= 1.0_x)', /invalid version '1.0_x'.*invalid character/],
    ['a | | b', /empty alternative/],
    ['a [amd64] (>= 1)', /out of order/],
    ['a [amd64', /missing '\]'/],
    ['a <nocheck', /missing '>'/],
    ['a [am_d64]', /'am_d64' is not a valid architecture/],
    ['-a', /package name expected/],
    ['a b', /unexpected 'b'/],
    ['a:', /architecture qualifier expected/],
  ];
  it.each(errors)('%j is an error', (value, message) => {
    const r = parseRelations(value);
    expect(r.problems.filter((p) => p.severity === 'error').map((p) => p.message).join('; ')).toMatch(message);
  });

  it('locates problems on their file line', () => {
    const doc = parseDeb822('Source: x1\nBuild-Depends: a,\n# comment\n b (>= 1,\n c\n', { file: 'debian/control' });
    const r = parseFieldRelations(doc.paragraphs[0]!.get('Build-Depends')!);
    expect(r.groups.map((g) => [g[0]!.name, g[0]!.line])).toEqual([['a', 2], ['c', 5]]);
    expect(r.problems.map((p) => [p.line, p.text])).toEqual([[4, 'b (>= 1']]);
  });

  it('accepts and refuses the same relations as Dpkg::Deps, with the same structure', async () => {
    const cases = [
      'a', 'a (>= 1.0)', 'a (<< 2:1.0~rc1-1)', 'a:any', 'a:native (= 1)', 'a [amd64]', 'a [!amd64 !i386]',
      'a <!nocheck>', 'a <stage1 !cross> <nocheck>', 'a (>= 1) [amd64] <!nocheck>', 'a | b | c',
      'a, b (>= 2) | c [linux-any]', 'a (> 1)', 'a (< 1)', '  a  (  >=  1  )  ', 'a,,b', 'a,', 'a.b+c-d',
      'a (>= 1', 'a [amd64] (>= 1)', 'a | | b', 'a b', '-a', 'a:', 'a (~ 1)', 'a [amd64', 'a <nocheck',
    ];
    const script = `
      use Dpkg::Deps; use JSON::PP;
      my @out;
      while (my $line = <STDIN>) {
        chomp $line;
        local $SIG{__WARN__} = sub {};
        my $d = deps_parse($line, build_dep => 1);
        if (!defined $d) { push @out, undef; next; }
        my @groups;
        for my $g ($d->get_deps()) {
          my @alts = $g->isa('Dpkg::Deps::OR') ? $g->get_deps() : ($g);
          push @groups, [ map { {
            name => $_->{package}, qual => $_->{archqual}, op => $_->{relation},
            version => defined $_->{version} ? "$_->{version}" : undef,
            arches => $_->{arches}, profiles => $_->{restrictions},
          } } @alts ];
        }
        push @out, \\@groups;
      }
      print JSON::PP->new->canonical->encode(\\@out);`;
    const { stdout } = await execa('perl', ['-e', script], { input: `${cases.join('\n')}\n` });
    const dpkg = JSON.parse(stdout) as unknown[];
    const ours = cases.map((c) => {
      const r = parseRelations(c);
      if (r.problems.some((p) => p.severity === 'error')) return null;
      return r.groups.map((g) => g.map((x) => ({
        name: x.name, qual: x.archQualifier ?? null, op: x.version?.op ?? null, version: x.version?.version ?? null,
        arches: x.architectures?.map((a) => (a.negated ? '!' : '') + a.name) ?? null,
        profiles: x.profiles?.map((p) => p.map((t) => (t.negated ? '!' : '') + t.name)) ?? null,
      })));
    });
    expect(ours).toEqual(dpkg);
  });
});
