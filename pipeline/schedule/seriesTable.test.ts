import { describe, expect, it } from 'vitest';
import { ConfigSchema, type PipelineConfig } from '../config/schema.js';
import { PipelineError } from '../errors.js';
import { parseDistroInfoCsv } from './distroInfo.js';
import { mergeSeriesRows, resolveStageSeries } from './seriesTable.js';

const CSV = 'version,codename,series,created,release,eol\n26.04 LTS,Resolute Raccoon,resolute,2025-10-09,2026-04-23,2031-05-29\n26.10,Stonking Stingray,stonking,2026-04-24,2026-10-15,2027-07-15\n';
const at = (d: string) => new Date(`${d}T12:00:00Z`);

function config(vendor: 'debian' | 'ubuntu', series: Record<string, unknown>, stageSeries: string): PipelineConfig {
  return ConfigSchema.parse({
    profile: 't', vendor, series,
    archives: { local: { kind: 'reprepro' } },
    stages: [{ name: 'devel', kind: 'devel', target: { archive: 'local', suite: stageSeries, series: stageSeries } }],
  });
}
const where = { file: 'p.yaml', lineOf: () => 7 };

describe('series table: distro-info merged with the profile', () => {
  it('adds a series distro-info does not know, and profile fields win over distro-info\'s', () => {
    const rows = mergeSeriesRows(parseDistroInfoCsv(CSV, 'ubuntu'), 'ubuntu', {
      next: { mirror: 'http://x/', components: ['main'], aptOptions: [], pockets: [], version: '27.04', created: '2026-10-15', release: '2027-04-22' },
      stonking: { mirror: 'http://x/', components: ['main'], aptOptions: [], pockets: [], eol: '2027-08-01' },
    });
    expect(rows.map((r) => r.series)).toEqual(['resolute', 'stonking', 'next']);
    expect(rows[2]).toMatchObject({ version: '27.04', release: '2027-04-22', lts: false, from: 'the profile' });
    expect(rows[1]).toMatchObject({ eol: '2027-08-01', release: '2026-10-15' });
  });

  it('devel resolves from distro-info when it knows the development series (Debian: forky on 2026-12-06)', () => {
    const c = config('debian', { forky: { mirror: 'http://deb.debian.org/debian' } }, 'devel');
    const r = resolveStageSeries(c, at('2026-12-06'), where);
    expect(r).toEqual([expect.objectContaining({ stage: 'devel', series: 'forky' })]);
    expect(c.stages[0]!.target).toMatchObject({ series: 'forky', suite: 'forky' });
  });

  it('devel resolves from the profile when distro-info ends before the date (Ubuntu 27.04)', () => {
    const c = config('ubuntu', { tbd2704: { mirror: 'http://archive.ubuntu.com/ubuntu', version: '27.04', created: '2026-10-15', release: '2027-04-22' } }, 'devel');
    resolveStageSeries(c, at('2026-12-06'), where);
    expect(c.stages[0]!.target.series).toBe('tbd2704');
  });

  it('an unknown series is one error naming the file and line', () => {
    const c = config('debian', {}, 'trixy');
    expect(() => resolveStageSeries(c, at('2026-12-06'), where)).toThrow(PipelineError);
    try { resolveStageSeries(c, at('2026-12-06'), where); } catch (e) {
      expect((e as PipelineError).message).toContain('unknown series "trixy"');
      expect(e).toMatchObject({ file: 'p.yaml', line: 7 });
    }
  });
});
