/**
 * BackportStage: the LTS release's backports pocket (bookworm-backports in the Debian profile,
 * <LTS>-backports on Ubuntu). Version `BASE~bpoNN+N` (Debian) or `BASE~bpoYY.MM.N` (Ubuntu's
 * backporters' scheme): below the development release's version, above everything the LTS has.
 * Changelog: "No-change backport to SERIES.", distribution SERIES-backports, -v the target's version.
 */
import type { Workspace } from '../config/workspace.js';
import { compareVersions, maxVersion } from '../debian/version.js';
import type { GateVerdict } from '../state/records.js';
import type { StagePlan } from './plan.js';
import { BaseStage } from './stage.js';
import { targetVersions } from './target.js';
import { backportSuffixPrefix } from './versions.js';
import { aboveTarget, mustSortBelow, newToTarget, versionVerdict, type VersionRule } from './versionGate.js';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export class BackportStage extends BaseStage {
  readonly kind = 'backports' as const;

  versionGate(ws: Workspace, plan: StagePlan): GateVerdict {
    const scheme: VersionRule = (p) => {
      if (/[~+](ppa|bpo)\d/.test(p.baseVersion)) return `the changelog version ${p.baseVersion} already carries a stage suffix; packages/ holds the archive version`;
      const prefix = backportSuffixPrefix(ws.config.vendor, p.seriesVersion ?? '');
      if (!new RegExp(`^${escape(p.baseVersion)}${escape(prefix)}[1-9]\\d*$`).test(p.version)) return `${p.version} is not ${p.baseVersion}${prefix}N (the ${ws.config.vendor} backports scheme)`;
      return mustSortBelow(p.version, p.baseVersion, "the development release's version");
    };
    // Below what the development release actually holds, and above what the LTS series has in any of our targets.
    const belowDevel: VersionRule = (p) => {
      const devel = ws.config.stages.find((s) => s.kind === 'devel');
      const top = devel ? maxVersion(targetVersions(ws, p.package, devel, p.source).current) : undefined;
      return top && compareVersions(p.version, top) >= 0 ? mustSortBelow(p.version, top, `what ${devel!.target.suite} has,`) : undefined;
    };
    const aboveLts: VersionRule = (p) => {
      const lts = ws.config.stages.filter((s) => s.target.series === this.config.target.series && s.name !== this.config.name);
      const versions = lts.flatMap((s) => targetVersions(ws, p.package, s, p.source).current);
      const top = maxVersion(versions);
      return top && compareVersions(p.version, top) <= 0 ? `${p.version} must sort above ${top}, which ${this.config.target.series} already has` : undefined;
    };
    return versionVerdict(plan, [scheme, newToTarget, aboveTarget, belowDevel, aboveLts],
      `add a changelog entry for a new version in packages/${plan.package}/debian/changelog (dch -i)`);
  }
}
