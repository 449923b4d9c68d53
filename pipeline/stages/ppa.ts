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
import { aboveTarget, mustSortBelow, newToTarget, versionVerdict, type VersionRule } from './versionGate.js';

const ppaSuffix: VersionRule = (plan) => {
  if (/\+ppa\d*/.test(plan.baseVersion)) return `the changelog version ${plan.baseVersion} carries +ppa: a PPA suffix belongs after ~ (+ sorts above the archive's version)`;
  if (/[~+](ppa|bpo)\d/.test(plan.baseVersion)) return `the changelog version ${plan.baseVersion} already carries a stage suffix; packages/ holds the archive version`;
  if (!new RegExp(`^${plan.baseVersion.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}~ppa[1-9]\\d*$`).test(plan.version)) return `${plan.version} is not ${plan.baseVersion}~ppaN`;
  return mustSortBelow(plan.version, plan.baseVersion, 'the archive version');
};

export class PpaStage extends BaseStage {
  readonly kind = 'ppa' as const;

  versionGate(_ws: Workspace, plan: StagePlan): GateVerdict {
    return versionVerdict(plan, [ppaSuffix, newToTarget, aboveTarget],
      `add a changelog entry for a new version in packages/${plan.package}/debian/changelog (dch -i)`);
  }
}
