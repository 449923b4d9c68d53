/**
 * Series data from Debian's distro-info-data CSV files (/usr/share/distro-info/{ubuntu,debian}.csv),
 * read directly: version, codename, series, created, release, eol and the vendor's extra eol
 * columns. From them `develSeries` and `latestLts` resolve to real series on any date.
 *
 * The installed data is a snapshot: when it is older than the date asked about (no development
 * series is known), the answer says so explicitly (`found: false, staleData: true`) instead of
 * guessing; callers then fall back to the series pipeline.yaml names.
 *
 * Definitions (distro-info's own, plus one for Debian's "LTS"):
 * - development series: created <= date, and not yet released (release missing or after date).
 *   For Debian that is testing (e.g. forky after trixie's release); sid/experimental have no
 *   version and are never the answer.
 * - Ubuntu latest LTS: the newest series whose version says "LTS" and that is released by date.
 * - Debian "LTS": Debian's LTS is a support period, not a kind of release. The Debian analogue of
 *   "latest LTS" (the backports target of the progression) is the newest release that is in its
 *   LTS period on that date: eol <= date < eol-lts (bookworm from 2026-07-11 to 2028-06-30).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PipelineError } from '../errors.js';

export type Vendor = 'debian' | 'ubuntu';

export interface SeriesInfo {
  vendor: Vendor;
  /** '24.04' (the ' LTS' suffix removed), '13'; empty for sid/experimental. */
  version: string;
  /** The CSV's `codename` column: the full name, e.g. 'Noble Numbat'. */
  codename: string;
  /** The CSV's `series` column: the short name used everywhere else, e.g. 'noble'. */
  series: string;
  /** Ubuntu: the version says LTS. Debian: the release has an eol-lts date. */
  lts: boolean;
  created: string;
  release?: string;
  eol?: string;
  /** Vendor-specific end-of-life columns (ubuntu: eol-server, eol-esm, eol-legacy; debian: eol-lts, eol-elts). */
  extraEol: Record<string, string>;
  /** Where the row comes from when not distro-info's CSV (a profile's series table). */
  from?: string;
}

export type SeriesResolution =
  | { found: true; series: SeriesInfo; how: string }
  | {
      found: false;
      /** True when the installed data simply ends before the date (a newer distro-info-data would know). */
      staleData: boolean;
      reason: string;
      /** The newest series the data knows, for the message. */
      newestKnown?: SeriesInfo;
    };

export const DISTRO_INFO_DIR = '/usr/share/distro-info';

const cache = new Map<string, SeriesInfo[]>();

/** All series of a vendor, oldest first, as the CSV lists them. */
export function readDistroInfo(vendor: Vendor, dir = process.env.PIPELINE_DISTRO_INFO_DIR ?? DISTRO_INFO_DIR): SeriesInfo[] {
  const file = join(dir, `${vendor}.csv`);
  const hit = cache.get(file);
  if (hit) return hit;
  if (!existsSync(file))
    throw new PipelineError('distro-info data not found', { file, hint: 'apt-get install distro-info-data (scripts/setup.sh installs it)' });
  const rows = parseDistroInfoCsv(readFileSync(file, 'utf8'), vendor, file);
  cache.set(file, rows);
  return rows;
}

export function parseDistroInfoCsv(text: string, vendor: Vendor, file = `${vendor}.csv`): SeriesInfo[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '' && !l.startsWith('#'));
  const header = lines.shift()?.split(',').map((h) => h.trim());
  if (!header || !header.includes('series') || !header.includes('created'))
    throw new PipelineError('not a distro-info CSV (no header with series,created)', { file, line: 1 });
  return lines.map((line, i) => {
    // distro-info's CSVs never quote fields, so a plain split is exact.
    const cells = line.split(',');
    const get = (k: string) => {
      const v = cells[header.indexOf(k)]?.trim();
      return v ? v : undefined;
    };
    const series = get('series');
    const created = get('created');
    if (!series || !created) throw new PipelineError('row without series or created date', { file, line: i + 2 });
    const rawVersion = get('version') ?? '';
    const extraEol: Record<string, string> = {};
    for (const k of header) if (k.startsWith('eol-') && get(k)) extraEol[k] = get(k)!;
    return {
      vendor,
      version: rawVersion.replace(/\s*LTS$/, ''),
      codename: get('codename') ?? series,
      series,
      lts: vendor === 'ubuntu' ? /LTS/.test(rawVersion) : Boolean(extraEol['eol-lts']),
      created,
      release: get('release'),
      eol: get('eol'),
      extraEol,
    };
  });
}

/** YYYY-MM-DD of a Date in UTC (distro-info dates are UTC calendar dates). */
export function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

function newestKnown(rows: SeriesInfo[]): SeriesInfo | undefined {
  return [...rows].filter((r) => r.version).sort((a, b) => a.created.localeCompare(b.created)).at(-1);
}

function describe(s: SeriesInfo): string {
  return `${s.version} "${s.series}"${s.release ? ` (released ${s.release})` : ''}`;
}

const VENDOR_NAME: Record<Vendor, string> = { debian: 'Debian', ubuntu: 'Ubuntu' };

/** The vendor's development series on `date` (Ubuntu: the open series; Debian: testing). */
export function develSeries(vendor: Vendor, date: Date, rows = readDistroInfo(vendor)): SeriesResolution {
  const day = isoDay(date);
  const candidates = rows
    .filter((r) => r.version && r.created <= day && (!r.release || r.release > day))
    .sort((a, b) => a.created.localeCompare(b.created));
  const hit = candidates.at(-1);
  if (hit) return { found: true, series: hit, how: `${hit.from ?? 'distro-info'}: created ${hit.created}, ${hit.release ? `release planned ${hit.release}` : 'no release date yet'}` };
  const newest = newestKnown(rows);
  const stale = Boolean(newest && newest.created <= day);
  return {
    found: false,
    staleData: stale,
    newestKnown: newest,
    reason: stale
      ? `no ${VENDOR_NAME[vendor]} development series known on ${day}: the installed distro-info data ends at ${describe(newest!)}`
      : `no ${VENDOR_NAME[vendor]} series had been created by ${day}`,
  };
}

/** Ubuntu: the newest released LTS. Debian: the newest release in its LTS period (see the file comment). */
export function latestLts(vendor: Vendor, date: Date, rows = readDistroInfo(vendor)): SeriesResolution {
  const day = isoDay(date);
  const released = rows.filter((r) => r.version && r.release && r.release <= day);
  let hit: SeriesInfo | undefined;
  let how: string;
  if (vendor === 'ubuntu') {
    hit = released.filter((r) => r.lts).sort((a, b) => a.release!.localeCompare(b.release!)).at(-1);
    how = hit ? `distro-info: newest LTS released by ${day} (${hit.release})` : '';
  } else {
    hit = released
      .filter((r) => r.eol && r.extraEol['eol-lts'] && r.eol <= day && day < r.extraEol['eol-lts']!)
      .sort((a, b) => a.release!.localeCompare(b.release!))
      .at(-1);
    how = hit ? `distro-info: in its LTS period on ${day} (eol ${hit.eol}, eol-lts ${hit.extraEol['eol-lts']})` : '';
  }
  if (hit) return { found: true, series: hit, how };
  const newest = newestKnown(rows);
  const lastDate = newest ? [newest.release, newest.eol, ...Object.values(newest.extraEol)].filter(Boolean).sort().at(-1) : undefined;
  const stale = Boolean(lastDate && lastDate < day);
  return {
    found: false,
    staleData: stale,
    newestKnown: newest,
    reason: vendor === 'ubuntu'
      ? `no Ubuntu LTS released by ${day}`
      : `no Debian release is in its LTS period on ${day}${stale ? ' (the installed distro-info data may be too old)' : ''}`,
  };
}

/** A series by its short name (`noble`, `trixie`), from either vendor; undefined when unknown. */
export function seriesInfo(series: string, vendor?: Vendor): SeriesInfo | undefined {
  const name = series.toLowerCase();
  for (const v of vendor ? [vendor] : (['ubuntu', 'debian'] as const)) {
    const hit = readDistroInfo(v).find((r) => r.series === name);
    if (hit) return hit;
  }
  return undefined;
}

/** The series distro-info lists right after this one (its successor), if the data knows it. */
export function nextSeries(series: string, vendor: Vendor): SeriesInfo | undefined {
  const rows = readDistroInfo(vendor).filter((r) => r.version);
  const i = rows.findIndex((r) => r.series === series);
  return i >= 0 ? rows[i + 1] : undefined;
}
