/**
 * Stage versions: the policy (pipeline/debian/versionPolicy.ts) forms them; this adds what a
 * stage needs around it — a derivation that never throws (a base the policy refuses becomes a
 * blocked verdict naming why, not a crash), and `derivedFrom`: is V this stage kind's version of
 * BASE, i.e. has the stage been reached by the current changelog version?
 */
import { PipelineError } from '../errors.js';
import { compareVersions } from '../debian/version.js';
import { backportSuffixPrefix, backportVersion, ppaVersion, stageSuffix, type Vendor } from '../debian/versionPolicy.js';
import type { StageKind } from '../state/records.js';

export { backportSuffixPrefix, backportVersion, ppaVersion };

export interface DerivedVersion {
  version: string;
  /** Why the policy refused to derive one (then `version` is the naive form, for display). */
  problem?: string;
}

export function stageVersion(kind: StageKind, base: string, used: readonly string[], opts: { vendor: Vendor; seriesVersion?: string }): DerivedVersion {
  try {
    if (kind === 'devel') return { version: base };
    if (kind === 'ppa') return { version: ppaVersion(base, used) };
    return { version: backportVersion(base, { vendor: opts.vendor, seriesVersion: opts.seriesVersion ?? '', usedVersions: used }) };
  } catch (e) {
    if (!(e instanceof PipelineError)) throw e;
    const naive = kind === 'ppa' ? `${base}~ppa1` : `${base}~bpo1`;
    return { version: naive, problem: e.message };
  }
}

/** True when `v` is the stage kind's version of `base` (e.g. `1.0-1~ppa3` for ppa and base `1.0-1`). */
export function derivedFrom(kind: StageKind, base: string, v: string): boolean {
  if (kind === 'devel') return compareVersions(v, base, { lenient: true }) === 0;
  const s = stageSuffix(v);
  return Boolean(s && s.kind === kind && compareVersions(s.base, base, { lenient: true }) === 0);
}
