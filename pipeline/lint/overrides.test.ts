import { describe, expect, it } from 'vitest';
import { HEADER, makeTree } from '../../test/helpers/lint-tree.js';
import type { Finding } from '../state/records.js';
import { formatHuman, formatLintian } from './format.js';
import { parseLintianLine, parseLintianOutput } from './lintian.js';
import { applyOverrides, parseOverrides } from './overrides.js';
import { lintTree, mergeFindings } from './run.js';

const f = (tag: string, detail?: string, file?: string, line?: number): Finding => ({ tag, severity: 'warning', source: 'pipeline', detail, file, line });

describe('lintian-overrides', () => {
  it('parses lintian syntax: package and type prefixes, comments, blank lines', () => {
    const p = parseOverrides(
      [
        '# vendored, upstream knows',
        'zookeeper source: superfluous-file-pattern gone/* [debian/copyright:*]',
        'superfluous-file-pattern',
        '',
        'zookeeper source superfluous-file-pattern',
        'zookeeper [amd64] source: some-tag',
        'other-pkg: not-ours',
      ].join('\n'),
      'zookeeper',
    );
    expect(p.overrides.map((o) => [o.tag, o.pattern, o.line, o.justification])).toEqual([
      ['superfluous-file-pattern', 'gone/* [debian/copyright:*]', 2, 'vendored, upstream knows'],
      ['superfluous-file-pattern', '', 3, 'vendored, upstream knows'],
      ['some-tag', '', 6, ''],
      ['other-pkg:', 'not-ours', 7, ''],
    ]);
    expect(p.problems).toEqual([{ line: 5, message: 'expected a colon' }]);
  });

  it('matches wildcards against the hint context "DETAIL [FILE:LINE]"', () => {
    const { overrides } = parseOverrides('x source: file-without-copyright-information vendor/* [debian/copyright]\nx source: tab-in-license-text [debian/copyright:1?]\n', 'x');
    const findings = [
      f('file-without-copyright-information', 'vendor/a/b.js', 'debian/copyright'),
      f('file-without-copyright-information', 'src/a.c', 'debian/copyright'),
      f('tab-in-license-text', undefined, 'debian/copyright', 12),
      f('tab-in-license-text', undefined, 'debian/copyright', 2),
    ];
    const r = applyOverrides(findings, overrides, new Set(['file-without-copyright-information', 'tab-in-license-text']));
    expect(r.findings.map((x) => Boolean(x.overridden))).toEqual([true, false, true, false]);
    expect(r.unused).toEqual([]);
  });

  it('is honoured by lintTree, and unused ones are reported', async () => {
    const copyright = `${HEADER}\nFiles: src/*\nCopyright: x\nLicense: MIT\n\nLicense: Expat\n text\n`;
    const root = makeTree({
      'debian/copyright': copyright,
      'src/a.c': '',
      'other/b.c': '',
      'debian/source/lintian-overrides': 'demo source: file-without-copyright-information other/*\ndemo source: superfluous-file-pattern\n',
      'debian/changelog': 'demo (1.0-1) unstable; urgency=medium\n\n  * x\n\n -- A B <a@example.org>  Wed, 25 Nov 2026 20:00:37 +0000\n',
    });
    const r = await lintTree(root, { detectLicenses: false });
    const fw = r.findings.filter((x) => x.tag === 'file-without-copyright-information');
    expect(fw.map((x) => [x.detail, Boolean(x.overridden)])).toContainEqual(['other/b.c', true]);
    expect(fw.map((x) => [x.detail, Boolean(x.overridden)])).toContainEqual(['debian/changelog', false]);
    expect(r.findings.filter((x) => x.tag === 'unused-override').map((x) => [x.detail, x.line])).toEqual([['superfluous-file-pattern', 2]]);
    expect(formatLintian(r)).not.toContain('other/b.c');
    expect(formatLintian(r, { showOverridden: true })).toContain('O: demo source: file-without-copyright-information other/b.c [debian/copyright]');
  });
});

describe('lintian hint lines', () => {
  it('parses real lintian output', () => {
    const out = `W: zookeeper source: newer-standards-version 4.7.0 (current is 4.6.2)
I: zookeeper source: uses-python-distutils [zookeeper-contrib/zookeeper-contrib-zkpython/src/python/setup.py:17]
N: Javascript files with some series of functions
O: zookeeper source: source-is-missing [a/raphael.js]
P: zookeeper source: source-contains-prebuilt-javascript-object [a/yui-min.js]
E: zookeeper-bin: some-error detail`;
    expect(parseLintianOutput(out).map((x) => [x.tag, x.severity, x.detail, x.file, x.line, Boolean(x.overridden)])).toEqual([
      ['newer-standards-version', 'warning', '4.7.0 (current is 4.6.2)', undefined, undefined, false],
      ['uses-python-distutils', 'info', undefined, 'zookeeper-contrib/zookeeper-contrib-zkpython/src/python/setup.py', 17, false],
      ['source-is-missing', 'info', undefined, 'a/raphael.js', undefined, true],
      ['source-contains-prebuilt-javascript-object', 'pedantic', undefined, 'a/yui-min.js', undefined, false],
      ['some-error', 'error', 'detail', undefined, undefined, false],
    ]);
    expect(parseLintianLine('N: note')).toBeUndefined();
  });

  it('merge keeps lintian hints only for tags we do not check ourselves', () => {
    const ours = [f('superfluous-file-pattern', 'gone/*', 'debian/copyright', 9)];
    const theirs: Finding[] = [
      { ...ours[0], source: 'lintian', line: 8 }, // lintian points at the Files field, we at the pattern
      // A pattern only shadowed by a later paragraph: lintian 2.116 reports it, our same check does not.
      { ...ours[0], source: 'lintian', detail: 'other/*', line: 20 },
      // Lintian 2.116 knows Policy only up to 4.6.2; our Standards-Version check knows 4.7.x.
      { tag: 'newer-standards-version', severity: 'warning', source: 'lintian', detail: '4.7.0 (current is 4.6.2)', file: 'debian/control', line: 60 },
      { tag: 'uses-python-distutils', severity: 'info', source: 'lintian', file: 'setup.py', line: 17 },
      { tag: 'uses-python-distutils', severity: 'info', source: 'lintian', file: 'setup.py', line: 17 },
    ];
    expect(mergeFindings(ours, theirs).map((x) => [x.tag, x.detail, x.source])).toEqual([
      ['superfluous-file-pattern', 'gone/*', 'pipeline'],
      ['uses-python-distutils', undefined, 'lintian'],
    ]);
    // With nothing superseded, lintian's distinct hints all come through, duplicates still once.
    expect(mergeFindings(ours, theirs, new Set()).map((x) => x.detail ?? x.tag)).toEqual([
      'gone/*', 'other/*', '4.7.0 (current is 4.6.2)', 'uses-python-distutils',
    ]);
  });

  it('renders lintian lines and human text grouped by file with line numbers', () => {
    const record = {
      package: 'demo',
      findings: [f('tab-in-license-text', undefined, 'debian/copyright', 12), f('file-without-copyright-information', 'a.c', 'debian/copyright'), { ...f('out-of-date-standards-version', '4.6.2', 'debian/control', 60), severity: 'info' as const }],
      filesChecked: 3,
      gate: { gate: 'lint:warning', verdict: 'blocked' as const, reason: '2 findings' },
    };
    expect(formatLintian(record).split('\n')).toEqual([
      'W: demo source: file-without-copyright-information a.c [debian/copyright]',
      'W: demo source: tab-in-license-text [debian/copyright:12]',
      'I: demo source: out-of-date-standards-version 4.6.2 [debian/control:60]',
    ]);
    const human = formatHuman(record);
    expect(human).toContain('debian/control\n  60: I out-of-date-standards-version 4.6.2');
    expect(human).toContain('debian/copyright\n      W file-without-copyright-information a.c\n  12: W tab-in-license-text');
    expect(human).toContain('gate lint:warning: BLOCKED');
  });
});
