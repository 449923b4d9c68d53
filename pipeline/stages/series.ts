/**
 * A series' release number ('12', '24.04'), used in backport versions: pipeline.yaml's
 * series.<name>.version, else the series table (distro-info's CSVs merged with the profile's).
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Workspace } from '../config/workspace.js';
import { PipelineError } from '../errors.js';
import { findSeries } from '../schedule/seriesTable.js';

const DISTRO_INFO = '/usr/share/distro-info';

/** version column for `series` in distro-info's CSV for the vendor ('26.04 LTS' → '26.04'). */
export function distroInfoVersion(vendor: 'debian' | 'ubuntu', series: string, dir = DISTRO_INFO): string | undefined {
  const file = `${dir}/${vendor}.csv`;
  if (!existsSync(file)) return undefined;
  const [header, ...rows] = readFileSync(file, 'utf8').trim().split('\n');
  const cols = (header ?? '').split(',');
  const iv = cols.indexOf('version');
  const is = cols.indexOf('series');
  for (const row of rows) {
    const f = row.split(',');
    if (f[is] === series) return f[iv]?.replace(/\s*LTS$/, '').trim() || undefined;
  }
  return undefined;
}

export function seriesVersion(ws: Workspace, series: string): string {
  const fromConfig = ws.config.series[series]?.version;
  if (fromConfig) return fromConfig;
  const fromData = findSeries(ws.config, series)?.version || undefined;
  if (fromData) return fromData;
  throw new PipelineError(`no release number for series ${JSON.stringify(series)}: not in ${DISTRO_INFO}/${ws.config.vendor}.csv`, {
    file: ws.configFile, key: `series.${series}.version`, hint: 'add version: "NN" to the series in pipeline.yaml',
  });
}
