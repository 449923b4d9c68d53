/**
 * Each malformed debian/copyright of the corpus gets at least one finding WITH a line number (and
 * the finding we expect), never an exception.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintTree } from '../pipeline/lint/run.js';
import { makeTree } from './helpers/lint-tree.js';

const dir = join(import.meta.dirname, 'fixtures/copyright/malformed');

/** fixture → [tag, line] that must be among the findings. */
const expected: Record<string, Array<[string, number]>> = {
  'bad-continuation': [['syntax-error-in-dep5-copyright', 7]],
  'unknown-field': [['unknown-field-in-dep5-copyright', 6], ['missing-field-in-dep5-copyright', 4]],
  'tab-license-text': [['tab-in-license-text', 8]],
  'duplicate-paragraph': [['duplicate-globbing-patterns', 8], ['dep5-copyright-license-name-not-unique', 12], ['dep5-copyright-license-name-not-unique', 15]],
  empty: [['empty-debian-copyright', 1]],
  'blank-lines': [['empty-debian-copyright', 1]],
  'comments-only': [['empty-debian-copyright', 1]],
  'binary-junk': [['copyright-file-not-text', 2]],
  'duplicate-field': [['syntax-error-in-dep5-copyright', 6]],
  'continuation-first': [['syntax-error-in-dep5-copyright', 1]],
  utf16: [['copyright-file-not-text', 1], ['national-encoding', 1]],
  latin1: [['national-encoding', 2]],
  'missing-colon': [['syntax-error-in-dep5-copyright', 5]],
  truncated: [['syntax-error-in-dep5-copyright', 4]],
  'stray-pgp': [['syntax-error-in-dep5-copyright', 4]],
};

describe('malformed debian/copyright corpus', () => {
  const fixtures = readdirSync(dir).sort();
  it('has an expectation for every fixture', () => {
    expect(fixtures).toEqual(Object.keys(expected).sort());
  });
  for (const name of fixtures) {
    it(`${name}: a finding with a line number, no crash`, async () => {
      const root = makeTree({ 'debian/copyright': readFileSync(join(dir, name)), 'a.c': '' });
      const r = await lintTree(root, { detectLicenses: false });
      const mine = r.findings.filter((f) => f.file === 'debian/copyright');
      expect(mine.some((f) => typeof f.line === 'number' && f.line > 0)).toBe(true);
      const got = mine.map((f) => [f.tag, f.line]);
      for (const e of expected[name]) expect(got).toContainEqual(e);
    });
  }
});
