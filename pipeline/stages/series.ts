/**
 * A series' release number ('12', '24.04'), used in backport versions: pipeline.yaml's
 * series.<name>.version, else the series table (distro-info's CSVs merged with the profile's).
 */
import type { Workspace } from '../config/workspace.js';
import { PipelineError } from '../errors.js';
import { findSeries } from '../schedule/seriesTable.js';

export function seriesVersion(ws: Workspace, series: string): string {
  const fromConfig = ws.config.series[series]?.version;
  if (fromConfig) return fromConfig;
  const fromData = findSeries(ws.config, series)?.version || undefined;
  if (fromData) return fromData;
  throw new PipelineError(`no release number for series ${JSON.stringify(series)}: not in distro-info's ${ws.config.vendor}.csv nor the profile's series table`, {
    file: ws.configFile, key: `series.${series}.version`, hint: 'add version: "NN" to the series in pipeline.yaml',
  });
}
