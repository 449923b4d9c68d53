/**
 * `report(ws, options)`: the whole readiness report as the CLI and the CI scripts produce it —
 * the release resolved from the devel stage, the main index fetched for the MIR dependency check
 * (unless offline), the facts collected once and rendered in the asked format.
 */
import { packagesInOrder } from '../config/packages.js';
import { loadPackage, type Workspace } from '../config/workspace.js';
import { collectReadiness, releaseStage } from './collect.js';
import { renderReport } from './index.js';
import { loadMainIndex, type MainIndex } from './mir.js';
import type { ReadinessReport } from './model.js';
import type { ReportFormat } from './render.js';

export interface ReportOptions {
  /** The release series (default: the devel stage's series). */
  release?: string;
  /** Only these packages. */
  packages?: string[];
  format?: ReportFormat;
  /** Do not fetch the main index (MIR dependency check says "not checked"). */
  offline?: boolean;
  /** Progress for the main index download. */
  progress?: { phase(name: string): { done(detail?: string): void; fail(detail?: string): void } };
}

export interface ReportResult {
  report: ReadinessReport;
  /** The report rendered in `format`. */
  text: string;
  ready: boolean;
}

export async function report(ws: Workspace, options: ReportOptions = {}): Promise<ReportResult> {
  const release = options.release ?? ws.config.stages.find((s) => s.kind === 'devel')?.target.series;
  if (release) releaseStage(ws, release); // a bad --release fails before any work
  for (const n of options.packages ?? []) loadPackage(ws, n); // so does an unknown package
  let mainIndex: MainIndex | string | undefined;
  if (release && packagesInOrder(ws).some((p) => p.definition.mir.required)) {
    if (options.offline) mainIndex = 'not checked (--offline)';
    else {
      const phase = options.progress?.phase(`main index of ${release}`);
      mainIndex = await loadMainIndex(ws, release, 30_000);
      if (typeof mainIndex === 'string') phase?.fail(mainIndex);
      else phase?.done(`${mainIndex.binaries.size} binary packages`);
    }
  }
  const collected = await collectReadiness(ws, { release, mainIndex, ...(options.packages?.length ? { packages: options.packages } : {}) });
  return { report: collected, text: renderReport(collected, options.format ?? 'text'), ready: collected.overall.ready };
}
