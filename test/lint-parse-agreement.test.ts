/**
 * "What does not parse is an error" (issue 14, item 3): for generated broken changelogs, lint's
 * changelog parser flags exactly the files dpkg-parsechangelog warns about (first problem on the same
 * line), each as an error-severity finding naming file and line; control files refused by
 * parseControl (what `show` uses) are lint errors; and copyright parse failures are errors.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseControl } from '../pipeline/debian/control.js';
import { isPipelineError } from '../pipeline/errors.js';
import { parseChangelog } from '../pipeline/lint/metadata/changelog-parse.js';
import { parseErrors, PARSE_ERROR_TAGS } from '../pipeline/lint/parseErrors.js';
import { allTags } from '../pipeline/lint/registry.js';
import { lintTree } from '../pipeline/lint/run.js';
import { HEADER, makeTree } from './helpers/lint-tree.js';
import { rng } from './helpers/rng.js';

const GOOD_CHANGELOG = [
  'demo (1.0-2) unstable; urgency=medium',
  '',
  '  * Second upload.',
  '    More text.',
  '',
  ' -- Demo Maintainer <demo@example.org>  Wed, 25 Nov 2026 20:00:37 +0000',
  '',
  'demo (1.0-1) unstable; urgency=low',
  '',
  '  * Initial release.',
  '',
  ' -- Demo Maintainer <demo@example.org>  Tue, 24 Nov 2026 10:00:00 +0100',
];


const LINE_VARIANTS = [
  'junk line', 'junk', '* unindented change', ' one-space change', '\tTab change', '  ', '# comment', '/* c */', '$Id: x $',
  ' -- Demo Maintainer <demo@example.org> Wed, 25 Nov 2026 20:00:37 +0000',
  ' -- Demo Maintainer <demo@example.org>   Wed, 25 Nov 2026 20:00:37 +0000',
  ' -- Demo Maintainer <demo@example.org>  Wed, 25 Nox 2026 20:00:37 +0000',
  ' -- Demo Maintainer <demo@example.org>  Wed, 25 November 2026 20:00:37 +0000',
  ' -- Demo Maintainer <demo@example.org>  Xyz, 25 Nov 2026 20:00:37 +0000',
  ' -- Demo Maintainer demo@example.org  Wed, 25 Nov 2026 20:00:37 +0000',
  ' -- Demo Maintainer <demo@example.org>  25 Nov 2026 20:00:37 +0000',
  ' --',
  'demo (1.0-3) unstable; urgency=medium',
  'demo (1.0-3) unstable; urgency=medium, foo',
  'demo (1.0-3) unstable; urgency=medium, urgency=low',
  'demo (1.0-3) unstable; urgency=very high!',
  'demo (1.0-3) unstable; binary-only=no',
  'demo (1.0-3) unstable; xs-foo=bar',
  'demo (1.0-3) unstable; color=red',
  'demo (1.0_3) unstable; urgency=medium',
  'demo (a:1.0) unstable; urgency=medium',
  'demo (1.0-3) unstable urgency=medium',
  'demo (1.0-3); urgency=medium',
  'Demo (1.0-3) unstable; urgency=medium',
  'Old Changelog:',
  'Local variables:',
];

function mutate(lines: string[], r: () => number): string[] {
  const out = [...lines];
  const n = 1 + Math.floor(r() * 2);
  for (let k = 0; k < n; k++) {
    const at = Math.floor(r() * (out.length + 1));
    const what = r();
    if (what < 0.35) out.splice(at, 0, LINE_VARIANTS[Math.floor(r() * LINE_VARIANTS.length)]);
    else if (what < 0.7 && at < out.length) out[at] = LINE_VARIANTS[Math.floor(r() * LINE_VARIANTS.length)];
    else if (what < 0.85 && at < out.length) out.splice(at, 1);
    else if (at < out.length) out.splice(at, 0, out[at]);
  }
  return out;
}

/** What the strict reader (tools/changelog.ts, behind `show` and the stages) refuses: a located dpkg warning or a failure. */
function dpkgFirstProblem(file: string): number | undefined {
  const r = spawnSync('dpkg-parsechangelog', ['-l', file, '--all'], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C.UTF-8' } });
  const located = r.stderr.split('\n').map((l) => /^dpkg-parsechangelog: (?:warning|error): +\S.*?\(l(\d+)\): /.exec(l)).find(Boolean);
  if (located) return Number(located[1]);
  return r.status !== 0 ? 0 : undefined;
}

describe('changelog: lint refuses exactly what dpkg-parsechangelog warns about', () => {
  it('160 generated changelogs: same verdict, same first line, error severity', async () => {
    const dir = makeTree({});
    const file = join(dir, 'changelog');
    const r = rng(Number(process.env.CL_SEED ?? 14));
    let rejected = 0;
    for (let i = 0; i < Number(process.env.CL_CASES ?? 160); i++) {
      const lines = i === 0 ? GOOD_CHANGELOG : mutate(GOOD_CHANGELOG, r);
      const text = `${lines.join('\n')}\n`;
      writeFileSync(file, text);
      const dpkg = dpkgFirstProblem(file);
      const ours = parseChangelog(text).problems;
      const label = `case ${i}:\n${text}`;
      expect(ours.length > 0, label).toBe(dpkg !== undefined);
      if (dpkg) expect(ours[0].line, label).toBe(dpkg);
      if (dpkg !== undefined) rejected++;
    }
    expect(rejected).toBeGreaterThan(60);
    // No hang on a hostile line either.
    const t0 = performance.now();
    parseChangelog(`demo (1) unstable; urgency=low\n\n  * x\n\n -- ${' <>'.repeat(200_000)}\n${'a '.repeat(200_000)}\n`);
    expect(performance.now() - t0).toBeLessThan(1000);
  }, 600_000);

  it('a first line that is not an entry header is an error finding with file and line, failing the default gate', async () => {
    const root = makeTree({ 'debian/changelog': `Changes:\n${GOOD_CHANGELOG.join('\n')}\n`.replace('Changes:', 'this is not a header') });
    const rec = await lintTree(root, { detectLicenses: false });
    const f = rec.findings.find((x) => x.tag === 'syntax-error-in-debian-changelog');
    expect(f).toMatchObject({ severity: 'error', file: 'debian/changelog', line: 1 });
    expect(rec.gate.verdict).toBe('blocked');
  });
});

const CONTROL = 'Source: demo\nMaintainer: Demo <demo@example.org>\nStandards-Version: 4.7.2\n\nPackage: demo\nArchitecture: all\nDescription: d\n d.\n';
const CONTROLS: Record<string, string> = {
  good: CONTROL,
  'no binary paragraph': CONTROL.slice(0, CONTROL.indexOf('\n\n') + 1),
  'invalid binary name': CONTROL.replace('Package: demo', 'Package: Demo_Pkg'),
  'one-letter binary name': CONTROL.replace('Package: demo', 'Package: d'),
  'invalid source name': CONTROL.replace('Source: demo', 'Source: -demo'),
  'binary first': CONTROL.split('\n\n').reverse().join('\n\n'),
  'duplicate binary': `${CONTROL}\nPackage: demo\nArchitecture: all\nDescription: d\n d.\n`,
  'second source': `${CONTROL}\nSource: other\n`,
  'bad continuation': CONTROL.replace(' d.', 'd.'),
  'no paragraphs': '\n\n',
};

describe('control: lint and parseControl (show) refuse the same files', () => {
  for (const [name, text] of Object.entries(CONTROLS)) {
    it(name, async () => {
      let shown: { line?: number } | undefined;
      try {
        parseControl(text, 'debian/control');
      } catch (e) {
        if (!isPipelineError(e)) throw e;
        shown = { line: e.line };
      }
      const errors = (await parseErrors(makeTree({ 'debian/control': text }))).filter((f) => f.file === 'debian/control');
      expect(errors.length > 0).toBe(shown !== undefined);
      expect(name === 'good').toBe(shown === undefined);
      for (const f of errors) expect(f).toMatchObject({ severity: 'error', file: 'debian/control', line: expect.any(Number) });
      if (shown?.line) expect(errors.map((f) => f.line)).toContain(shown.line);
    });
  }
});

describe('copyright: what does not parse is an error', () => {
  const cases: Record<string, [string, number]> = {
    'missing License': [`${HEADER}\nFiles: *\nCopyright: 2024 X\n`, 4],
    'missing Copyright': [`${HEADER}\nFiles: *\nLicense: Expat\n text\n`, 4],
    'bad continuation': [`${HEADER}\nFiles: *\nCopyright: 2024 X\nLicense: Expat\ntext\n`, 7],
    'ambiguous paragraph': [`${HEADER}\nFiles: *\nCopyright: 2024 X\nLicense: Expat\n text\n\nCopyright: 2024 Y\nLicense: Expat\n`, 9],
    'unparseable expression': [`${HEADER}\nFiles: *\nCopyright: 2024 X\nLicense: GPL-2 or\n`, 6],
  };
  for (const [name, [text, line]] of Object.entries(cases)) {
    it(name, async () => {
      const rec = await lintTree(makeTree({ 'debian/copyright': text, 'a.c': '' }), { detectLicenses: false });
      const errors = rec.findings.filter((f) => f.file === 'debian/copyright' && f.severity === 'error' && PARSE_ERROR_TAGS.has(f.tag));
      expect(errors.map((f) => f.line)).toContain(line);
      expect(rec.gate.verdict).toBe('blocked');
    });
  }
});

describe('the parse-error tags', () => {
  it('are all error severity, whatever lintian says', () => {
    const byName = new Map(allTags().map((t) => [t.name, t]));
    for (const tag of PARSE_ERROR_TAGS) expect(byName.get(tag)?.severity, tag).toBe('error');
  });
  it('dpkg-parsechangelog is the oracle here', () => {
    expect(execFileSync('dpkg-parsechangelog', ['--version'], { encoding: 'utf8' })).toMatch(/dpkg/);
  });
});
