import { describe, expect, it } from 'vitest';
import { formatLicenseExpression, parseLicenseExpression } from './license-expression.js';
import { canonicalLicenseName } from './spdx.js';

const fmt = (s: string) => {
  const p = parseLicenseExpression(s);
  return p.expression ? formatLicenseExpression(p.expression) : undefined;
};
const kinds = (s: string) => parseLicenseExpression(s).problems.map((p) => p.kind);

describe('license expressions', () => {
  it('and binds tighter than or', () => {
    expect(fmt('A or B and C')).toBe('a or (b and c)');
    expect(fmt('A and B or C')).toBe('(a and b) or c');
  });
  it('a comma before the operator makes it bind loosest', () => {
    expect(fmt('A or B, and C')).toBe('(a or b) and c');
    expect(fmt('GPL-2+ or Artistic-2.0, and BSD-3-clause')).toBe('(gpl-2+ or artistic-2) and bsd-3-clause');
    expect(fmt('A and B, or C and D')).toBe('(a and b) or (c and d)');
  });
  it('flattens same operators', () => {
    expect(fmt('A or B or C')).toBe('a or b or c');
  });
  it('reads "with X exception"', () => {
    const p = parseLicenseExpression('GPL-2+ with OpenSSL exception');
    expect(p.problems).toEqual([]);
    expect(p.names).toMatchObject([{ key: 'gpl-2+', exception: 'OpenSSL' }]);
    expect(fmt('GPL-3+ with GCC-runtime exception or MIT')).toBe('gpl-3+ with gcc-runtime exception or expat');
    expect(parseLicenseExpression('GPL-2.0-only WITH Classpath-exception-2.0').names[0]).toMatchObject({ key: 'gpl-2', exception: 'Classpath-exception-2.0' });
    expect(kinds('GPL-2 with OpenSSL')).toEqual(['bad-exception']);
  });
  it('is case-insensitive, folds .0 and maps SPDX names', () => {
    expect(canonicalLicenseName('Apache-2.0')).toBe('apache-2');
    expect(canonicalLicenseName('APACHE-2')).toBe('apache-2');
    expect(canonicalLicenseName('MIT')).toBe('expat');
    expect(canonicalLicenseName('GPL-2.0-or-later')).toBe('gpl-2+');
    expect(canonicalLicenseName('GPL-2.0+')).toBe('gpl-2+');
    expect(canonicalLicenseName('GPL-2.0-only')).toBe('gpl-2');
    expect(canonicalLicenseName('LGPL-2.1-or-later')).toBe('lgpl-2.1+');
    expect(canonicalLicenseName('LGPL-2.1+')).toBe('lgpl-2.1+');
    expect(canonicalLicenseName('MPL-2.0')).toBe('mpl-2');
    expect(canonicalLicenseName('CC-BY-SA-4.0')).toBe('cc-by-sa-4');
    expect(canonicalLicenseName('BSD-3-Clause')).toBe('bsd-3-clause');
    expect(canonicalLicenseName('GPL-3.0-or-later')).toBe(canonicalLicenseName('gpl-3+'));
  });
  it('reports problems instead of throwing', () => {
    expect(kinds('')).toEqual(['empty']);
    expect(kinds('GPL 2')).toEqual(['space-in-name']);
    expect(kinds('GPL-2 | BSD')).toEqual(['pipe']);
    expect(fmt('GPL-2 | BSD')).toBe('gpl-2 or bsd');
    expect(kinds('GPL-2, BSD')).toEqual(['bare-comma']);
    expect(kinds('GPL-2 or')).toEqual(['syntax']);
    expect(kinds('(GPL-2 or MIT')).toEqual(['syntax']);
    expect(fmt('(GPL-2 or MIT) and Zlib')).toBe('(gpl-2 or expat) and zlib');
    for (const junk of ['or or', ', ,', ')', 'with', 'and with exception', '\u0000\u0001']) {
      expect(() => parseLicenseExpression(junk)).not.toThrow();
    }
  });
});
