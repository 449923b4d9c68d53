import { describe, expect, it } from 'vitest';
import type { PipelineError } from '../errors.js';
import { develSeries, latestLts, nextSeries, parseDistroInfoCsv, readDistroInfo, seriesInfo } from './distroInfo.js';

const at = (d: string) => new Date(`${d}T12:00:00Z`);

describe('distro-info series data (the installed CSVs)', () => {
  it('reads every Ubuntu and Debian row with its dates', () => {
    const ubuntu = readDistroInfo('ubuntu');
    expect(ubuntu[0]).toMatchObject({ series: 'warty', version: '4.10', created: '2004-03-05', release: '2004-10-20' });
    expect(seriesInfo('noble')).toMatchObject({ vendor: 'ubuntu', version: '24.04', lts: true, codename: 'Noble Numbat', release: '2024-04-25' });
    expect(seriesInfo('noble')!.extraEol['eol-esm']).toBe('2034-04-25');
    expect(seriesInfo('bookworm')).toMatchObject({ vendor: 'debian', version: '12', lts: true, eol: '2026-07-11' });
    expect(seriesInfo('bookworm')!.extraEol['eol-lts']).toBe('2028-06-30');
    expect(seriesInfo('no-such-series')).toBeUndefined();
  });

  it('resolves the Ubuntu development series on past dates', () => {
    expect(develSeries('ubuntu', at('2011-05-05'))).toMatchObject({ found: true, series: { series: 'oneiric' } });
    expect(develSeries('ubuntu', at('2024-02-01'))).toMatchObject({ found: true, series: { series: 'noble' } });
    // On release day the series is released; the next one was created that day.
    expect(develSeries('ubuntu', at('2024-04-25'))).toMatchObject({ found: true, series: { series: 'oracular' } });
  });

  it('says explicitly when the installed data is older than the date (today: after 26.10)', () => {
    const r = develSeries('ubuntu', at('2026-11-25'));
    expect(r.found).toBe(false);
    if (r.found) return;
    expect(r.staleData).toBe(true);
    expect(r.newestKnown?.series).toBe('stonking');
    expect(r.reason).toContain('no Ubuntu development series known on 2026-11-25');
    expect(r.reason).toContain('26.10 "stonking"');
  });

  it('resolves Debian testing as the development series (forky now, never sid)', () => {
    expect(develSeries('debian', at('2026-11-25'))).toMatchObject({ found: true, series: { series: 'forky', version: '14' } });
    expect(develSeries('debian', at('2025-06-01'))).toMatchObject({ found: true, series: { series: 'trixie' } });
  });

  it('resolves the latest LTS: resolute for Ubuntu, bookworm (in its LTS period) for Debian', () => {
    expect(latestLts('ubuntu', at('2026-11-25'))).toMatchObject({ found: true, series: { series: 'resolute', version: '26.04' } });
    expect(latestLts('ubuntu', at('2026-04-22'))).toMatchObject({ found: true, series: { series: 'noble' } });
    expect(latestLts('ubuntu', at('2011-05-05'))).toMatchObject({ found: true, series: { series: 'lucid' } });
    expect(latestLts('debian', at('2026-11-25'))).toMatchObject({ found: true, series: { series: 'bookworm' } });
    // Before bookworm's regular support ended, bullseye was the release in its LTS period.
    expect(latestLts('debian', at('2025-09-01'))).toMatchObject({ found: true, series: { series: 'bullseye' } });
  });

  it('knows the successor of a series', () => {
    expect(nextSeries('oneiric', 'ubuntu')?.series).toBe('precise');
    expect(nextSeries('trixie', 'debian')?.series).toBe('forky');
    expect(nextSeries('stonking', 'ubuntu')).toBeUndefined();
  });

  it('parses a CSV with a newer row than the installed data', () => {
    const rows = parseDistroInfoCsv(
      'version,codename,series,created,release,eol\n26.10,Stonking Stingray,stonking,2026-04-24,2026-10-15,2027-07-15\n27.04,Test Turtle,tturtle,2026-10-15,2027-04-22,2028-01-20\n',
      'ubuntu',
    );
    expect(develSeries('ubuntu', at('2026-11-25'), rows)).toMatchObject({ found: true, series: { series: 'tturtle', version: '27.04' } });
    try {
      parseDistroInfoCsv('nonsense\n', 'ubuntu', 'x.csv');
      expect.unreachable();
    } catch (e) {
      expect((e as PipelineError).oneLine()).toMatch(/^x\.csv:1: not a distro-info CSV/);
    }
  });
});
