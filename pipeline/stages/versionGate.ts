/**
 * The version-policy verdict shared by the three stage kinds: the planned version must be a
 * valid Debian version, new to the target (never uploaded there, not even deleted since), and
 * above everything the target holds now (archives refuse going backwards). Each stage kind adds
 * its own rules; the first broken rule is the reason, with dpkg's ordering spelled out.
 */
import { compareVersions, maxVersion, versionProblem } from '../debian/version.js';
import type { GateVerdict } from '../state/records.js';
import { GATES } from './gates.js';
import type { StagePlan } from './plan.js';

export interface VersionRule {
  /** undefined when the rule holds, else why not. */
  (plan: StagePlan): string | undefined;
}

export const validVersion: VersionRule = (plan) => {
  const p = versionProblem(plan.version);
  return p ? `${plan.version} is not a valid Debian version: ${p.reason}` : undefined;
};

export const newToTarget: VersionRule = (plan) => {
  const { current, history } = plan.targetVersions;
  const same = [...current, ...history].find((v) => compareVersions(v, plan.version, { lenient: true }) === 0);
  if (!same) return undefined;
  return current.includes(same)
    ? `${plan.target.upload} already has ${plan.source} ${same}`
    : `${plan.source} ${same} was uploaded to ${plan.target.upload} before (deleted since): a version is never reused`;
};

export const aboveTarget: VersionRule = (plan) => {
  const top = maxVersion(plan.targetVersions.current);
  if (!top || compareVersions(plan.version, top) > 0) return undefined;
  return `${plan.version} << ${top}, which ${plan.target.upload} already has (dpkg order): the archive refuses to go backwards`;
};

export function versionVerdict(plan: StagePlan, rules: readonly VersionRule[], fix?: string): GateVerdict {
  for (const rule of [validVersion, ...rules]) {
    const why = rule(plan);
    if (why) return { gate: GATES.versionPolicy, verdict: 'blocked', reason: why, ...(fix ? { fix } : {}) };
  }
  return { gate: GATES.versionPolicy, verdict: 'pass', reason: `${plan.version} (${plan.kind}) fits the policy` };
}

/** `a << b` in dpkg order, as a rule message when it does not hold. */
export function mustSortBelow(a: string, b: string, what: string): string | undefined {
  return compareVersions(a, b) < 0 ? undefined : `${a} must sort below ${what} ${b} (dpkg order), so that ${b} replaces it`;
}
