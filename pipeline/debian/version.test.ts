import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { PipelineError } from '../errors.js';
import { aptListVersions, dpkgCompareBatch, type Relation } from '../tools/dpkgOracle.js';
import {
  compareVersions, debianVersion, formatVersion, isNativeVersion, isValidVersion, maxVersion,
  parseVersion, sortVersions, versionCompare, versionProblem,
} from './version.js';

// [a, expected sign of compare(a, b), b] — each one also asked of dpkg below.
const ORDERED: [string, -1 | 0 | 1, string][] = [
  ['1.0~rc1', -1, '1.0'], // ~ sorts before the end of the string
  ['1.0~~', -1, '1.0~'],
  ['1.0~~a', -1, '1.0~'],
  ['1.0~', -1, '1.0'],
  ['1.0~rc1', 1, '1.0~beta2'],
  ['1.0', -1, '1.0a'], // the end sorts before a letter
  ['1.0a', -1, '1.0+'], // letters before non-letters
  ['1.0a', -1, '1.0.'],
  ['1.0+', -1, '1.0.'], // '+' (43) vs '.' (46): both non-letters, ASCII order: 43+256 < 46+256
  ['1.0+a', -1, '1.0.a'],
  ['1.0Z', -1, '1.0a'], // ASCII order among letters
  ['1.0', 0, '1.0-0'], // missing revision == revision 0
  ['1.0', 0, '0:1.0'],
  ['1.0-1', -1, '1.0-1.1'],
  ['1.01', 0, '1.1'], // leading zeros ignored
  ['1.001', 0, '1.1'],
  ['1.0010', 1, '1.9'],
  ['1.000', 0, '1.0'],
  ['1.0', -1, '1.00.0'],
  ['1:0.1', 1, '9.9'], // epochs dominate
  ['2:0', 1, '1:999'],
  ['0:1.0', -1, '1:0.1'],
  ['10:1', 1, '9:1'],
  ['1.0-1', -1, '1.0-1+b1'],
  ['1.0-1', -1, '1.0-1ubuntu1'],
  ['1.0-1ubuntu1~ppa1', -1, '1.0-1ubuntu1'],
  ['1.0-1', -1, '1.0-1ppa1'],
  ['1.0-1ppa1', -1, '1.0-1ubuntu1'],
  ['1.0-1ubuntu1', -1, '1.0-2'],
  ['1.2-3~bpo24.04.1', -1, '1.2-3'],
  ['1.2-3~bpo22.04.1', -1, '1.2-3~bpo24.04.1'],
  ['1.2-3~bpo12+1', -1, '1.2-3'],
  ['1.2-3~bpo12+1', -1, '1.2-3~bpo12+2'],
  ['3.8.0-11+deb12u2', -1, '3.9.3-1+deb13u1'],
  ['1.0-1+deb12u1', 1, '1.0-1'],
  ['1-2-3', 1, '1-2'], // the revision is after the LAST hyphen: upstream 1-2 vs 1
  ['1-2-3', -1, '1-2-4'],
  ['1:1:1', 1, '1:1'], // colons allowed in upstream after an epoch
  ['1.0', -1, '1.0.0'],
  ['1.0', 1, '1'],
  ['0', -1, '0a'],
  ['2.4.7-1', 0, '2.4.7-01'],
  ['1a', -1, '1b'],
  ['1a1', -1, '1a10'],
  ['9', -1, '10'],
  ['99999999999999999999', -1, '100000000000000000000'], // digit runs longer than any int
  ['99999999999999999999', 0, '099999999999999999999'],
];

describe('parseVersion', () => {
  it('splits epoch, upstream and revision like dpkg', () => {
    expect(parseVersion('1:2.3-4')).toEqual({ epoch: 1, upstream: '2.3', revision: '4' });
    expect(parseVersion('2.3')).toEqual({ epoch: 0, upstream: '2.3', revision: '' });
    expect(parseVersion('1-2-3')).toEqual({ epoch: 0, upstream: '1-2', revision: '3' });
    expect(parseVersion('3:1:2-x')).toEqual({ epoch: 3, upstream: '1:2', revision: 'x' });
    expect(parseVersion('  1.0  ')).toEqual({ epoch: 0, upstream: '1.0', revision: '' });
    expect(parseVersion('007:1')).toEqual({ epoch: 7, upstream: '1', revision: '' });
    expect(parseVersion('3.9.3-1+deb13u1')).toEqual({ epoch: 0, upstream: '3.9.3', revision: '1+deb13u1' });
  });

  const invalid: [string, RegExp][] = [
    ['', /version string is empty/],
    ['   ', /version string is empty/],
    ['1.0 2', /embedded spaces/],
    [':1.0', /epoch in version is empty/],
    ['a:1.0', /epoch in version is empty/],
    ['1a:1.0', /epoch in version is not number/],
    ['1.0:1', /epoch in version is not number/],
    ['-1:1.0', /epoch in version is negative/],
    ['2147483648:1.0', /epoch in version is too big/],
    ['1:', /nothing after colon/],
    ['1.0-', /revision number is empty/],
    ['-1', /version number is empty/],
    ['1:-1', /version number is empty/],
    ['a1.0', /does not start with digit/],
    ['~1', /does not start with digit/],
    ['1.0_1', /invalid character '_' in version number/],
    ['1.0-1_2', /invalid character '_' in revision number/],
    ['1:1.0-1:2', /invalid character ':' in revision number/],
    ['1.0-1:2', /epoch in version is not number/],
    ['1.0é', /invalid character 'é' in version number/],
  ];
  it.each(invalid)('refuses %j with the reason', (input, reason) => {
    expect(() => parseVersion(input)).toThrow(PipelineError);
    expect(() => parseVersion(input)).toThrow(reason);
    expect(isValidVersion(input)).toBe(false);
    expect(versionProblem(input)?.reason).toMatch(reason);
  });

  it('names the file and line when told where the version came from', () => {
    try {
      parseVersion('1.0-', { file: 'debian/changelog', line: 1 });
      expect.unreachable();
    } catch (e) {
      expect((e as PipelineError).oneLine()).toBe("debian/changelog:1: invalid Debian version '1.0-': revision number is empty");
    }
  });

  it('lenient mode accepts what dpkg only warns about, never what it refuses', () => {
    expect(parseVersion('a1.0', { lenient: true }).upstream).toBe('a1.0');
    expect(versionProblem('1.0_1')?.level).toBe('warning');
    expect(versionProblem('1.0-')?.level).toBe('error');
    expect(() => parseVersion('1.0-', { lenient: true })).toThrow(/revision number is empty/);
    expect(compareVersions('1.0_1', '1.0_2', { lenient: true })).toBe(-1);
    expect(() => compareVersions('1.0_1', '1.0_2')).toThrow(/invalid character/);
  });

  it('epoch limits follow strtol and INT_MAX', () => {
    expect(parseVersion('2147483647:1').epoch).toBe(2147483647);
    expect(parseVersion('+1:1').epoch).toBe(1); // strtol takes a sign; dpkg accepts it
    expect(compareVersions('+1:1.0', '1:1.0')).toBe(0);
  });
});

describe('validation agrees with dpkg', () => {
  // dpkg --compare-versions X eq X: exit 2 + "error: ... bad syntax: REASON" for errors,
  // "warning: ... bad syntax: REASON" for what it only warns about, silence for clean versions.
  const odd = [
    '1.0', '1:1.0-1', ' 1.0 ', '1.0 2', '1:', ':1', 'a:1', '1a:1', '-0:1.0', '+1:1.0', '2147483647:1', '2147483648:1',
    '99999999999999999999:1', '1.0-', '1-', '1:-1', 'a1', '~1', '1.0_1', '1.0-1_2', '1:1.0-1:2', '1:1.0-1:2_3', '1:1.0-1_2:3',
    '1.0-1-2', '1:a-1', '1.0\t', '1.0é', '1.0:1', '0:1:2', '1.0+~-a.b+c', '1.0-a-b_c', '1_0-1_0', '1:1_0:1-1',
  ];
  it.each(odd)('%j', async (v) => {
    const r = await execa('dpkg', ['--compare-versions', '--', v, 'eq', v], { reject: false, env: { LC_ALL: 'C' } });
    const m = /(error|warning): version '.*' has bad syntax: (.*)/.exec(r.stderr);
    const dpkg = r.exitCode === 2 && !m ? { level: 'error', reason: 'unparsed' } : m ? { level: m[1], reason: m[2] } : undefined;
    const ours = versionProblem(v);
    expect(ours && { level: ours.level, reason: ours.reason.replace(/ \('.*'\)$/, '').replace(/character '.*' in/, 'character in') }).toEqual(dpkg);
  });
});

describe('formatVersion', () => {
  it('round-trips and writes 0: only when needed', () => {
    for (const v of ['1:2.3-4', '2.3', '1-2-3', '3:1:2-x', '1.0~rc1+dfsg-1ubuntu1~ppa2']) {
      expect(formatVersion(parseVersion(v))).toBe(v);
    }
    expect(formatVersion({ epoch: 0, upstream: '1:2', revision: '1' })).toBe('0:1:2-1');
    expect(() => formatVersion({ epoch: 0, upstream: '1-2', revision: '' })).toThrow(/contains '-'/);
    expect(() => formatVersion({ epoch: 0, upstream: 'x', revision: '' })).toThrow(/does not start with digit/);
  });
});

describe('compareVersions', () => {
  it.each(ORDERED)('%s (%i) %s', (a, expected, b) => {
    expect(compareVersions(a, b)).toBe(expected);
    expect(compareVersions(b, a)).toBe(expected === 0 ? 0 : -expected);
    expect(compareVersions(parseVersion(a), parseVersion(b))).toBe(expected);
  });

  it('agrees with dpkg on every hand-picked case, both ways round', async () => {
    const rels: Relation[] = ORDERED.flatMap(([a, r, b]) => {
      const op = r < 0 ? 'lt' : r > 0 ? 'gt' : 'eq';
      const inv = r < 0 ? 'gt' : r > 0 ? 'lt' : 'eq';
      return [{ a, op, b }, { a: b, op: inv, b: a }, { a, op: r === 0 ? 'ne' : 'eq', b }];
    });
    const answers = await dpkgCompareBatch(rels);
    // every third relation is the negation, which dpkg must answer false
    const labelled = rels.map((r, i) => `${r.a} ${r.op} ${r.b}: ${String(answers[i])}`);
    expect(labelled).toEqual(rels.map((r, i) => `${r.a} ${r.op} ${r.b}: ${String(i % 3 !== 2)}`));
  });
});

describe('versionCompare', () => {
  it('takes dpkg operators in both spellings', () => {
    const cases: [string, string, string, boolean][] = [
      ['1.0', 'lt', '1.1', true], ['1.0', '<<', '1.1', true], ['1.1', 'lt', '1.0', false],
      ['1.0', 'le', '1.0', true], ['1.0', '<=', '1.0-0', true], ['1.1', 'le', '1.0', false],
      ['1.0', 'eq', '1.00', true], ['1.0', '=', '1.0', true], ['1.0', 'eq', '1.0-1', false],
      ['1.0', 'ne', '1.0-1', true], ['1.0', 'ne', '1.0', false],
      ['1.0', 'ge', '1.0', true], ['1.0', '>=', '0.9', true], ['0.9', 'ge', '1.0', false],
      ['1.0', 'gt', '1.0~', true], ['1.0', '>>', '1.0~', true], ['1.0', 'gt', '1.0', false],
    ];
    for (const [a, op, b, want] of cases) expect(versionCompare(a, op, b), `${a} ${op} ${b}`).toBe(want);
  });

  it('refuses unknown and obsolete relations with a hint', () => {
    expect(() => versionCompare('1', 'lq', '2')).toThrow(/unknown version relation 'lq'/);
    try {
      versionCompare('1', '<', '2');
      expect.unreachable();
    } catch (e) {
      expect((e as PipelineError).hint).toMatch(/obsolete '<' as '<='/);
    }
  });
});

describe('sortVersions / maxVersion / isNativeVersion', () => {
  it('sorts in dpkg order, stable for equal versions, and reverses', () => {
    const input = ['1.0-1', '1.0~rc1-1', '1:0.1', '1.0-1ubuntu1~ppa1', '1.0-0', '1.0', '1.0-1ubuntu1', '1.0-1~bpo12+1', '0.9'];
    expect(sortVersions(input)).toEqual(['0.9', '1.0~rc1-1', '1.0-0', '1.0', '1.0-1~bpo12+1', '1.0-1', '1.0-1ubuntu1~ppa1', '1.0-1ubuntu1', '1:0.1']);
    expect(sortVersions(input, { reverse: true })).toEqual(['1:0.1', '1.0-1ubuntu1', '1.0-1ubuntu1~ppa1', '1.0-1', '1.0-1~bpo12+1', '1.0-0', '1.0', '1.0~rc1-1', '0.9']);
    expect(() => sortVersions(['1.0', 'x'])).toThrow(/'x'.*does not start with digit/);
    expect(maxVersion(input)).toBe('1:0.1');
    expect(maxVersion([])).toBeUndefined();
    expect(isNativeVersion('1.0')).toBe(true);
    expect(isNativeVersion('1.0-1')).toBe(false);
    expect(debianVersion.compare('1', '2')).toBe(-1);
  });
});

// ---------------------------------------------------------------------------------------------
// The oracle: ≥10,000 pairs from this machine's apt lists, every one checked by dpkg itself.

/** A small seeded PRNG so a failure can be reproduced (the seed is printed in the failure). */
function mulberry32(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Near-miss variants of a real version: the kind of neighbours uploads actually have. */
function mutations(v: string, rnd: () => number): string[] {
  const out = [
    `${v}~`, `${v}~rc1`, `${v}+b1`, `${v}a`, `${v}.0`, `${v}0`, `${v}~ppa1`, `${v}~bpo24.04.1`, `${v}~bpo12+1`,
    `${v}ppa1`, `${v}ubuntu1`, `1:${v.replace(/^\d+:/, '')}`, v.replace(/-[^-]*$/, ''), `${v}-0`, `${v}-1`,
  ];
  // Bump or shrink one digit, pad a number with zeros, swap a separator.
  const digits = [...v.matchAll(/\d/g)];
  if (digits.length) {
    const d = digits[Math.floor(rnd() * digits.length)]!;
    const i = d.index!;
    const n = Number(d[0]);
    out.push(v.slice(0, i) + String((n + 1) % 10) + v.slice(i + 1));
    out.push(v.slice(0, i) + String((n + 9) % 10) + v.slice(i + 1));
    out.push(`${v.slice(0, i)}0${v.slice(i)}`);
  }
  const seps = [...v.matchAll(/[.+~]/g)];
  if (seps.length) {
    const s = seps[Math.floor(rnd() * seps.length)]!;
    for (const r of ['.', '+', '~']) if (r !== s[0]) out.push(v.slice(0, s.index) + r + v.slice(s.index! + 1));
  }
  return out.filter((x) => x !== v && isValidVersion(x));
}

describe('oracle: dpkg --compare-versions on versions from the apt lists', () => {
  it('agrees on ≥10,000 pairs (random, same package, sorted neighbours, mutations)', async () => {
    const seed = Number(process.env.VERSION_ORACLE_SEED ?? Date.now() % 1_000_000);
    const rnd = mulberry32(seed);
    const corpus = await aptListVersions();
    const valid = corpus.filter((c) => isValidVersion(c.version));
    expect(valid.length, 'apt lists hold versions (run apt-get update)').toBeGreaterThan(1000);
    const distinct = [...new Set(valid.map((c) => c.version))];
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;

    const pairs: [string, string][] = [];
    // 1. random pairs across the whole archive
    for (let i = 0; i < 3000; i++) pairs.push([pick(distinct), pick(distinct)]);
    // 2. same package, different versions (release vs -updates vs -security, binary vs source)
    const byPackage = new Map<string, Set<string>>();
    for (const { package: p, version } of valid) {
      let s = byPackage.get(p);
      if (!s) byPackage.set(p, (s = new Set()));
      s.add(version);
    }
    const multi = [...byPackage.values()].filter((s) => s.size > 1).map((s) => [...s]);
    for (let i = 0; i < 2000 && multi.length; i++) {
      const vs = pick(multi);
      pairs.push([pick(vs), pick(vs)]);
    }
    // 3. neighbours in our own order (the closest real versions there are)
    const sorted = sortVersions(distinct);
    for (let i = 0; i < 2500; i++) {
      const j = Math.floor(rnd() * (sorted.length - 1));
      pairs.push([sorted[j]!, sorted[j + 1]!]);
    }
    // 4. a real version against its near-miss mutations, and mutations against each other
    while (pairs.length < 12_000) {
      const v = pick(distinct);
      const ms = mutations(v, rnd);
      if (ms.length === 0) continue;
      pairs.push([v, pick(ms)]);
      pairs.push([pick(ms), pick(ms)]);
    }

    const relations: Relation[] = pairs.map(([a, b]) => {
      const r = compareVersions(a, b);
      return { a, op: r < 0 ? 'lt' : r > 0 ? 'gt' : 'eq', b };
    });
    // A sample of deliberately false claims proves the harness can say "no".
    const falseClaims: Relation[] = relations.slice(0, 200).map((r) => ({ ...r, op: r.op === 'eq' ? 'ne' : r.op === 'lt' ? 'ge' : 'le' }));
    const answers = await dpkgCompareBatch([...relations, ...falseClaims]);

    const disagreements = relations
      .map((r, i) => ({ ...r, dpkg: answers[i] }))
      .filter((r) => r.dpkg !== true)
      .map((r) => `${r.a} ${r.op} ${r.b} (dpkg: ${String(r.dpkg)})`);
    expect(disagreements, `seed ${seed}`).toEqual([]);
    expect(answers.slice(relations.length).every((x) => x === false), `seed ${seed}`).toBe(true);
    expect(relations.length).toBeGreaterThanOrEqual(10_000);
    // The corpus really exercises all three outcomes and close versions.
    const counts = { lt: 0, eq: 0, gt: 0 } as Record<string, number>;
    for (const r of relations) counts[r.op]!++;
    expect(counts.lt).toBeGreaterThan(1000);
    expect(counts.gt).toBeGreaterThan(1000);
    expect(counts.eq).toBeGreaterThan(50);
  }, 180_000); // ~12 s on an idle 2-core machine; the margin is for a loaded one
});
