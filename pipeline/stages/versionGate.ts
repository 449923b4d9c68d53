/**
 * The version-policy verdict of a stage: pipeline/debian/versionPolicy.ts `check` with what the
 * target holds now and ever held (publish history), the development release's version, and for
 * backports the vendor's scheme and what the LTS already has. Every broken rule is listed, each
 * explained by the dpkg comparison that fails. This gate cannot be waived.
 */
import { check, type PolicyContext } from '../debian/versionPolicy.js';
import type { GateVerdict } from '../state/records.js';
import { GATES } from './gates.js';
import type { StagePlan } from './plan.js';

export function versionVerdict(plan: StagePlan, extra: Pick<PolicyContext, 'ltsVersions' | 'vendor' | 'seriesVersion'> = {}): GateVerdict {
  const fix = `add a changelog entry for a new version in packages/${plan.package}/debian/changelog (dch -i), then pipeline promote ${plan.package}`;
  if (plan.versionProblem) return { gate: GATES.versionPolicy, verdict: 'blocked', reason: plan.versionProblem, fix };
  const { current, history } = plan.targetVersions;
  const r = check(plan.kind, plan.version, {
    targetVersions: [...new Set([...current, ...history])],
    currentVersions: current,
    ...(plan.kind !== 'devel' ? { develVersion: plan.baseVersion } : {}),
    ...(plan.changesSince ? { previousVersion: plan.changesSince } : {}),
    ...extra,
  });
  if (r.ok) return { gate: GATES.versionPolicy, verdict: 'pass', reason: `${plan.version} (${plan.kind}) fits the policy` };
  return { gate: GATES.versionPolicy, verdict: 'blocked', reason: r.problems.map((p) => `${p.rule}: ${p.message}`).join('; '), fix };
}
