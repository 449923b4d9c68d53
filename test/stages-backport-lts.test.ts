/**
 * The backport version gate against every pocket of the LTS (release, -updates, -security) as a
 * table: which pocket holds the highest LTS version is named in the verdict, a backport that sorts
 * between the release's version and an update pocket's is refused naming that pocket, pockets
 * whose lists are missing are named as unchecked. dpkg --compare-versions is the oracle for
 * every verdict: pass exactly when dpkg puts the candidate above every LTS version.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { loadWorkspace } from '../pipeline/config/workspace.js';
import { isPipelineError } from '../pipeline/errors.js';
import { backportVersionVerdict, highestLtsVersion, type LtsHolding, type LtsVersions } from '../pipeline/stages/backports.js';
import type { StagePlan } from '../pipeline/stages/plan.js';
import { madisonVersions, seriesSuites } from '../pipeline/tools/apt.js';
import { SeriesSchema } from '../pipeline/config/schema.js';
import { scratchDir } from './helpers/scratch.js';

interface Case {
  name: string;
  candidate: string;
  holdings: LtsHolding[];
  unchecked?: string[];
  /** undefined: pass. */
  blocked?: RegExp;
  /** The reason names this (pass or blocked). */
  names: RegExp;
}

const R = (versions: string[]): LtsHolding => ({ where: 'bookworm', versions });
const U = (versions: string[]): LtsHolding => ({ where: 'bookworm-updates', versions });
const S = (versions: string[]): LtsHolding => ({ where: 'bookworm-security', versions });

const CASES: Case[] = [
  {
    name: 'between the release and -security: refused, naming -security',
    candidate: '3.8.0-11+deb12u1~bpo12+1',
    holdings: [R(['3.8.0-11']), U([]), S(['3.8.0-11+deb12u2'])],
    blocked: /above-lts: 3\.8\.0-11\+deb12u1~bpo12\+1 must sort above 3\.8\.0-11\+deb12u2/,
    names: /highest LTS version: bookworm-security has 3\.8\.0-11\+deb12u2/,
  },
  {
    name: 'between the release and -updates: refused, naming -updates',
    candidate: '2.0-1~bpo12+1',
    holdings: [R(['1.9-1']), U(['2.0-1~deb12u1']), S([])],
    blocked: /must sort above 2\.0-1~deb12u1/,
    names: /highest LTS version: bookworm-updates has 2\.0-1~deb12u1/,
  },
  {
    name: 'above every pocket: passes, naming the highest',
    candidate: '3.9.3-2~bpo12+1',
    holdings: [R(['3.8.0-11+deb12u2']), U([]), S(['3.8.0-11+deb12u1'])],
    names: /highest LTS version: bookworm has 3\.8\.0-11\+deb12u2; bookworm-updates has no zookeeper/,
  },
  {
    name: 'the release has the highest (point release folded in)',
    candidate: '3.8.0-11+deb12u2~bpo12+1',
    holdings: [R(['3.8.0-11+deb12u2']), U([]), S(['3.8.0-11+deb12u1'])],
    blocked: /must sort above 3\.8\.0-11\+deb12u2/,
    names: /highest LTS version: bookworm has 3\.8\.0-11\+deb12u2/,
  },
  {
    name: 'equal to the -security version: refused',
    candidate: '3.0.22-1~deb12u2',
    holdings: [R(['3.0.20-1~deb12u2']), U(['3.0.17-1~deb12u2']), S(['3.0.22-1~deb12u2'])],
    blocked: /must sort above 3\.0\.22-1~deb12u2/,
    names: /bookworm-security has 3\.0\.22-1~deb12u2/,
  },
  {
    name: 'an epoch in -security dominates',
    candidate: '2.0-1~bpo12+1',
    holdings: [R(['1.0-1']), U([]), S(['1:1.0-1+deb12u1'])],
    blocked: /must sort above 1:1\.0-1\+deb12u1/,
    names: /bookworm-security has 1:1\.0-1\+deb12u1/,
  },
  {
    name: 'the same highest version in two pockets',
    candidate: '1.0-2~bpo12+1',
    holdings: [R(['1.0-1+deb12u1']), U(['1.0-1+deb12u1']), S([])],
    names: /bookworm and bookworm-updates have 1\.0-1\+deb12u1/,
  },
  {
    name: 'unfetched pockets are named, not silently passed',
    candidate: '3.9.3-2~bpo12+1',
    holdings: [R(['3.8.0-11+deb12u2'])],
    unchecked: ['bookworm-updates', 'bookworm-security'],
    names: /unchecked: bookworm-updates, bookworm-security \(apt lists not fetched: pipeline fetch zookeeper --lists\)/,
  },
  {
    name: 'nothing fetched at all',
    candidate: '3.9.3-2~bpo12+1',
    holdings: [],
    unchecked: ['bookworm', 'bookworm-updates', 'bookworm-security'],
    names: /unchecked: bookworm, bookworm-updates, bookworm-security/,
  },
  {
    name: 'a stage target of the LTS holds a higher version',
    candidate: '3.9.3-2~bpo12+1',
    holdings: [{ where: 'local:bookworm', versions: ['3.9.3-2~bpo12+5'] }, R(['3.8.0-11+deb12u2'])],
    blocked: /must sort above 3\.9\.3-2~bpo12\+5/,
    names: /highest LTS version: local:bookworm has 3\.9\.3-2~bpo12\+5/,
  },
];

function planFor(candidate: string): StagePlan {
  return {
    package: 'zookeeper', source: 'zookeeper', stage: 'backports', kind: 'backports', baseVersion: '9.9-1', baseDistribution: 'trixie',
    version: candidate, distribution: 'bookworm-backports', message: '', newEntry: true, includeOrig: true,
    target: { archive: 'local', archiveKind: 'reprepro', suite: 'bookworm-backports', series: 'bookworm', upload: 'local:bookworm-backports' },
    seriesVersion: '12', targetVersions: { current: [], history: [] },
  };
}

const dpkgGt = async (a: string, b: string) => (await execa('dpkg', ['--compare-versions', a, 'gt', b], { reject: false })).exitCode === 0;

describe('backport version gate over the LTS pockets', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const lts: LtsVersions = { holdings: c.holdings, unchecked: c.unchecked ?? [] };
      const v = backportVersionVerdict(planFor(c.candidate), lts, { vendor: 'debian', seriesVersion: '12', fetchHint: 'pipeline fetch zookeeper --lists' });
      expect(v.verdict, v.reason).toBe(c.blocked ? 'blocked' : 'pass');
      if (c.blocked) expect(v.reason).toMatch(c.blocked);
      expect(v.reason).toMatch(c.names);
      // dpkg is the oracle: the gate passes exactly when the candidate sorts above every LTS version.
      const all = c.holdings.flatMap((h) => h.versions);
      const above = (await Promise.all(all.map((x) => dpkgGt(c.candidate, x)))).every(Boolean);
      expect(above).toBe(!c.blocked);
      // ... and the named highest version is one dpkg puts at or above every other.
      const top = highestLtsVersion(lts);
      if (top) for (const x of all) expect(await dpkgGt(x, top.version)).toBe(false);
    });
  }
});

describe('series pockets in the configuration', () => {
  it('a series without pockets reads only its release suite (old configurations still parse)', () => {
    const conf = SeriesSchema.parse({ mirror: 'http://deb.debian.org/debian', keyring: '/k.gpg' });
    expect(conf.pockets).toEqual([]);
    expect(seriesSuites('bookworm', conf).map((s) => s.suite)).toEqual(['bookworm']);
  });

  it('pockets default to the series mirror, keyring and components; -security may name its own mirror', () => {
    const conf = SeriesSchema.parse({
      mirror: 'http://deb.debian.org/debian', keyring: '/k.gpg', components: ['main', 'contrib'],
      pockets: [{ suite: 'bookworm-updates' }, { suite: 'bookworm-security', mirror: 'http://deb.debian.org/debian-security' }],
    });
    expect(seriesSuites('bookworm', conf)).toEqual([
      { suite: 'bookworm', pocket: 'release', mirror: 'http://deb.debian.org/debian', keyring: '/k.gpg', components: ['main', 'contrib'] },
      { suite: 'bookworm-updates', pocket: 'update', mirror: 'http://deb.debian.org/debian', keyring: '/k.gpg', components: ['main', 'contrib'] },
      { suite: 'bookworm-security', pocket: 'update', mirror: 'http://deb.debian.org/debian-security', keyring: '/k.gpg', components: ['main', 'contrib'] },
    ]);
  });

  it('refuses a pocket without a suite or with an unknown key', () => {
    expect(SeriesSchema.safeParse({ mirror: 'http://deb.debian.org/debian', pockets: [{ mirror: 'http://x/' }] }).success).toBe(false);
    expect(SeriesSchema.safeParse({ mirror: 'http://deb.debian.org/debian', pockets: [{ suite: 'bookworm-updates', pocket: 'x' }] }).success).toBe(false);
  });

  it('the profiles declare -updates and -security for the LTS series (Debian: security on debian-security)', () => {
    const deb = loadWorkspace({ config: join(import.meta.dirname, '..', 'pipeline.yaml') });
    expect(seriesSuites('bookworm', deb.config.series.bookworm!).map((s) => `${s.mirror} ${s.suite}`)).toEqual([
      'http://deb.debian.org/debian bookworm', 'http://deb.debian.org/debian bookworm-updates', 'http://deb.debian.org/debian-security bookworm-security',
    ]);
    const ubu = loadWorkspace({ config: join(import.meta.dirname, '..', 'profiles', 'ubuntu.yaml') });
    const lts = ubu.config.stages.find((s) => s.kind === 'backports')!.target.series;
    expect(seriesSuites(lts, ubu.config.series[lts]!).map((s) => `${s.mirror} ${s.suite}`)).toEqual([
      `http://archive.ubuntu.com/ubuntu ${lts}`, `http://archive.ubuntu.com/ubuntu ${lts}-updates`, `http://archive.ubuntu.com/ubuntu ${lts}-security`,
    ]);
  });

  it('a pocket repeating a suite of its series is one error naming file, line and key', () => {
    const dir = scratchDir('pockets-');
    const file = join(dir, 'pipeline.yaml');
    const text = readFileSync(join(import.meta.dirname, '..', 'pipeline.yaml'), 'utf8');
    writeFileSync(file, text.replace('      - { suite: bookworm-updates }\n', '      - { suite: bookworm-updates }\n      - { suite: bookworm }\n'));
    const err = (() => { try { loadWorkspace({ config: file }); } catch (e) { return e; } return undefined; })();
    expect(isPipelineError(err)).toBe(true);
    const line = text.split('\n').findIndex((l) => l.includes('{ suite: bookworm-updates }')) + 2;
    expect((err as { oneLine(): string }).oneLine()).toMatch(new RegExp(`pipeline\\.yaml:${line}: series\\.bookworm\\.pockets\\.1\\.suite: pocket "bookworm" repeats a suite of series bookworm`));
  });

  it('madison lines are read per suite, only for the source itself', () => {
    const out = [
      '   openssl | 3.0.20-1~deb12u2 | http://deb.debian.org/debian bookworm/main Sources',
      '   openssl | 3.0.22-1~deb12u2 | http://deb.debian.org/debian-security bookworm-security/main Sources',
      ' openssl-x | 1.0-1 | http://deb.debian.org/debian bookworm/main Sources',
    ].join('\n');
    expect(madisonVersions(out, 'openssl')).toEqual([
      { version: '3.0.20-1~deb12u2', site: 'http://deb.debian.org/debian', suite: 'bookworm' },
      { version: '3.0.22-1~deb12u2', site: 'http://deb.debian.org/debian-security', suite: 'bookworm-security' },
    ]);
  });
});
