/**
 * BackportStage: the LTS release's backports pocket (bookworm-backports in the Debian profile,
 * <LTS>-backports on Ubuntu). Version `BASE~bpoNN+N` (Debian) or `BASE~bpoYY.MM.N` (Ubuntu's
 * backporters' scheme): below the development release's version, above everything the LTS has
 * (as far as this workspace sees it: the other targets of the LTS series).
 * Changelog: "No-change backport to SERIES.", distribution SERIES-backports, -v the target's version.
 */
import type { Workspace } from '../config/workspace.js';
import type { GateVerdict } from '../state/records.js';
import type { StagePlan } from './plan.js';
import { BaseStage } from './stage.js';
import { targetVersions } from './target.js';
import { versionVerdict } from './versionGate.js';

export class BackportStage extends BaseStage {
  readonly kind = 'backports' as const;

  versionGate(ws: Workspace, plan: StagePlan): GateVerdict {
    const lts = ws.config.stages.filter((s) => s.target.series === this.config.target.series && s.name !== this.config.name);
    const ltsVersions = lts.flatMap((s) => targetVersions(ws, plan.package, s, plan.source).current);
    return versionVerdict(plan, { vendor: ws.config.vendor, ...(plan.seriesVersion ? { seriesVersion: plan.seriesVersion } : {}), ltsVersions });
  }
}
