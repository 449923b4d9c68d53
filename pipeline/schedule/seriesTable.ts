/**
 * The series table of a workspace: distro-info's CSV rows for the vendor merged with the series
 * data the profile declares (`series.<codename>.{version, created, release, eol, lts, name}`),
 * which the installed distro-info-data may not know yet. The profile's fields win field by field.
 *
 * Also where the `devel` alias is resolved: at load, every stage field naming `devel` (target
 * series and suite, builder suite, standsFor) becomes the development codename of that date, so
 * the changelog distribution, dch, lint, schedule and report all see the real name. A series no
 * table knows is one error naming the profile's line.
 */
import type { PipelineConfig, SeriesConfig, StageConfig } from '../config/schema.js';
import { PipelineError } from '../errors.js';
import { develSeries, readDistroInfo, type SeriesInfo, type Vendor } from './distroInfo.js';

export const DEVEL_ALIAS = 'devel';

/** A profile entry as a distro-info row (undefined when it declares no dates: mirror settings only). */
function profileRow(vendor: Vendor, series: string, c: SeriesConfig): Partial<SeriesInfo> | undefined {
  if (!c.created && !c.release && !c.eol && c.lts === undefined && !c.name) return undefined;
  return {
    vendor, series,
    ...(c.version ? { version: c.version } : {}),
    ...(c.name ? { codename: c.name } : {}),
    ...(c.created ? { created: c.created } : {}),
    ...(c.release ? { release: c.release } : {}),
    ...(c.eol ? { eol: c.eol } : {}),
    ...(c.lts !== undefined ? { lts: c.lts } : {}),
  };
}

/** distro-info's rows merged with the profile's declared series, ordered by creation date. */
export function mergeSeriesRows(csv: readonly SeriesInfo[], vendor: Vendor, declared: PipelineConfig['series']): SeriesInfo[] {
  const rows = csv.map((r) => ({ ...r, extraEol: { ...r.extraEol } }));
  for (const [series, c] of Object.entries(declared)) {
    const p = profileRow(vendor, series, c);
    if (!p) continue;
    const i = rows.findIndex((r) => r.series === series);
    if (i >= 0) rows[i] = { ...rows[i]!, ...p, from: 'distro-info and the profile' };
    else if (p.created) rows.push({ codename: series, version: '', lts: false, extraEol: {}, ...p, vendor, series, created: p.created, from: 'the profile' });
  }
  return rows.sort((a, b) => a.created.localeCompare(b.created));
}

const cache = new WeakMap<object, SeriesInfo[]>();

/** The vendor's series table for a configuration (distro-info + the profile's series). */
export function seriesRows(config: Pick<PipelineConfig, 'vendor' | 'series'>): SeriesInfo[] {
  let rows = cache.get(config);
  if (!rows) cache.set(config, (rows = mergeSeriesRows(readDistroInfo(config.vendor), config.vendor, config.series)));
  return rows;
}

/** A series by its short name: the workspace's vendor table first, then the other vendor's distro-info. */
export function findSeries(config: Pick<PipelineConfig, 'vendor' | 'series'>, series: string): SeriesInfo | undefined {
  const other: Vendor = config.vendor === 'ubuntu' ? 'debian' : 'ubuntu';
  return seriesRows(config).find((r) => r.series === series) ?? readDistroInfo(other).find((r) => r.series === series);
}

export interface AliasResolution {
  stage: string;
  alias: string;
  series: string;
  how: string;
}

interface Where {
  file: string;
  lineOf(path: readonly (string | number)[]): number | undefined;
}

/**
 * Replace `devel` in the stages with the development codename on `now` (mutates `config`), and
 * check that every series a stage names is known. Returns what was resolved, for the overview.
 */
export function resolveStageSeries(config: PipelineConfig, now: Date, where: Where): AliasResolution[] {
  const rows = seriesRows(config);
  const out: AliasResolution[] = [];
  const at = (i: number, key: string[]) => ({ file: where.file, line: where.lineOf(['stages', i, ...key]), key: ['stages', i, ...key].join('.') });
  config.stages.forEach((st, i) => {
    const uses = [st.target.series, st.target.suite, st.builder.suite, st.target.standsFor].some((v) => v === DEVEL_ALIAS || v?.startsWith(`${DEVEL_ALIAS}-`));
    if (uses) {
      const d = develSeries(config.vendor, now, rows);
      if (!d.found) {
        throw new PipelineError(`series "devel" of stage ${st.name}: ${d.reason}; declare the development series under series: (its codename with version, created and release)`, at(i, ['target', 'series']));
      }
      const name = d.series.series;
      const swap = (v: string | undefined) => (v === DEVEL_ALIAS ? name : v?.startsWith(`${DEVEL_ALIAS}-`) ? `${name}${v.slice(DEVEL_ALIAS.length)}` : v);
      st.target.series = swap(st.target.series)!;
      st.target.suite = swap(st.target.suite)!;
      if (st.builder.suite) st.builder.suite = swap(st.builder.suite);
      if (st.target.standsFor) st.target.standsFor = swap(st.target.standsFor);
      // A stand-in for the series it is (trixie while trixie was the development series): none.
      if (st.target.standsFor === st.target.series) delete st.target.standsFor;
      out.push({ stage: st.name, alias: DEVEL_ALIAS, series: name, how: d.how });
    }
    // A chroot of another vendor (Debian's trixie for an Ubuntu stage) is an override that must say why.
    const chroot = st.builder.suite ? findSeries(config, st.builder.suite) : undefined;
    if (chroot && chroot.vendor !== config.vendor && !st.builder.standIn) {
      throw new PipelineError(`stage ${st.name} targets ${config.vendor}'s ${st.target.series} but builds in ${chroot.vendor}'s ${chroot.series}: say why with builder.standIn (the build record and the report state it)`, at(i, ['builder', 'suite']));
    }
    for (const key of ['series', 'standsFor'] as const) {
      const v = st.target[key];
      if (v !== undefined && !config.series[v] && !findSeries(config, v)) {
        throw new PipelineError(`unknown series ${JSON.stringify(v)}: not in distro-info's data nor under series: (declare it there with version, created, release)`, at(i, ['target', key]));
      }
    }
  });
  return out;
}

/**
 * The stated override when a stage builds in another vendor's chroot (builder.standIn), e.g.
 * "debian trixie's chroot stands in for ubuntu tbd2704: Ubuntu's archive is out of reach"; else undefined.
 */
export function builderStandIn(config: Pick<PipelineConfig, 'vendor' | 'series'>, st: StageConfig): string | undefined {
  if (!st.builder.standIn) return undefined;
  const suite = st.builder.suite ?? st.target.series;
  const vendor = findSeries(config, suite)?.vendor ?? 'unknown';
  return `${vendor} ${suite}'s chroot stands in for ${config.vendor} ${st.target.series}: ${st.builder.standIn}`;
}
