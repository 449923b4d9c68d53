/**
 * BackportStage: the LTS release's backports pocket (bookworm-backports in the Debian profile,
 * <LTS>-backports on Ubuntu). Version `BASE~bpoNN+N` (Debian) or `BASE~bpoYY.MM.N` (Ubuntu's
 * backporters' scheme): below the development release's version, above everything the LTS has —
 * as far as this machine can see it: the other targets of the LTS series, and the series' own
 * source index when its apt lists were fetched (`pipeline fetch`; never fetched for a gate).
 * Changelog: "No-change backport to SERIES.", distribution SERIES-backports, -v the target's version.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import type { Workspace } from '../config/workspace.js';
import type { GateVerdict } from '../state/records.js';
import { privateApt } from '../tools/apt.js';
import type { StagePlan } from './plan.js';
import { BaseStage } from './stage.js';
import { targetVersions } from './target.js';
import { versionVerdict } from './versionGate.js';

/** Versions of a source package in a series' own index (the private apt lists), if they were fetched. */
export async function seriesIndexVersions(ws: Workspace, series: string, source: string): Promise<string[] | undefined> {
  if (!ws.config.series[series]) return undefined;
  const apt = privateApt(ws, series);
  if (!existsSync(join(apt.dir, 'state', 'lists', '.updated'))) return undefined;
  const r = await execa('apt-cache', [...apt.options, 'showsrc', '--only-source', source], { reject: false, env: { LC_ALL: 'C.UTF-8' } });
  if (r.exitCode !== 0) return undefined;
  const versions: string[] = [];
  for (const para of String(r.stdout).split(/\n\s*\n/)) {
    if (new RegExp(`^Package: ${source.replace(/[.+]/g, '\\$&')}$`, 'm').test(para)) {
      const v = /^Version: (.+)$/m.exec(para)?.[1];
      if (v) versions.push(v.trim());
    }
  }
  return versions;
}

export class BackportStage extends BaseStage {
  readonly kind = 'backports' as const;

  async versionGate(ws: Workspace, plan: StagePlan): Promise<GateVerdict> {
    const series = this.config.target.series;
    const lts = ws.config.stages.filter((s) => s.target.series === series && s.name !== this.config.name);
    const fromTargets = lts.flatMap((s) => targetVersions(ws, plan.package, s, plan.source).current);
    const fromIndex = await seriesIndexVersions(ws, series, plan.source);
    const ltsVersions = [...new Set([...fromTargets, ...(fromIndex ?? [])])];
    const v = versionVerdict(plan, { vendor: ws.config.vendor, ...(plan.seriesVersion ? { seriesVersion: plan.seriesVersion } : {}), ltsVersions });
    if (v.verdict !== 'pass') return v;
    const seen = fromIndex ? `${series}'s index has ${fromIndex.join(', ') || 'no ' + plan.source}` : `${series}'s index not fetched: its release pocket is unchecked`;
    return { ...v, reason: `${v.reason} (${seen})` };
  }
}
