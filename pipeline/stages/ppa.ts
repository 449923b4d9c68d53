/**
 * PpaStage: test uploads to a PPA (Launchpad `ppa:OWNER/NAME`, or the local archive's `ppa`
 * suite). Version `BASE~ppaN`: sorts below BASE, the version the same change gets in the
 * archive, so the archive's upload replaces it; N rises on every re-upload and is never reused.
 * The changelog names the bare series (PPAs have no pockets).
 */
import type { Workspace } from '../config/workspace.js';
import type { GateVerdict } from '../state/records.js';
import type { StagePlan } from './plan.js';
import { BaseStage } from './stage.js';
import { versionVerdict } from './versionGate.js';

export class PpaStage extends BaseStage {
  readonly kind = 'ppa' as const;

  versionGate(_ws: Workspace, plan: StagePlan): GateVerdict {
    return versionVerdict(plan);
  }
}
