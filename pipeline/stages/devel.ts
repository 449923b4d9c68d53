/**
 * DevelStage: the upload to the development release (trixie standing in for it in the Debian
 * profile). The version is the changelog's own, without stage suffixes, above what the release
 * has; the changelog's top entry is released to the series as it stands. The freeze gate of the
 * release schedule applies (pipeline/schedule).
 */
import type { Workspace } from '../config/workspace.js';
import { loadPackage } from '../config/workspace.js';
import { maxVersion } from '../debian/version.js';
import type { GateVerdict } from '../state/records.js';
import { freezeGateForStage } from '../schedule/resolve.js';
import { applyWaiver, findWaiver, GATES } from './gates.js';
import type { StagePlan } from './plan.js';
import { BaseStage, type StageRun } from './stage.js';
import { versionVerdict } from './versionGate.js';

export class DevelStage extends BaseStage {
  readonly kind = 'devel' as const;

  versionGate(_ws: Workspace, plan: StagePlan): GateVerdict {
    return versionVerdict(plan);
  }

  override async extraGates(run: StageRun, plan: StagePlan): Promise<GateVerdict[]> {
    if (!this.config.gates.schedule) return [];
    const def = loadPackage(run.ws, run.pkg).definition;
    const v = freezeGateForStage(run.ws, this.config, {
      candidateVersion: plan.version,
      currentVersion: maxVersion(plan.targetVersions.current),
      pkg: def,
      ...(run.args.ffe ? { ffe: run.args.ffe } : {}),
      ...(run.args.approval ? { approval: run.args.approval } : {}),
    });
    const verdict: GateVerdict = { gate: GATES.freeze, verdict: v.verdict, ...(v.reason ? { reason: v.reason } : {}), ...(v.fix ? { fix: v.fix } : {}), ...(v.waiver ? { waiver: v.waiver } : {}) };
    return [applyWaiver(verdict, findWaiver(run.ws, run.pkg, this.config.name, GATES.freeze, run.args.waivers))];
  }
}
