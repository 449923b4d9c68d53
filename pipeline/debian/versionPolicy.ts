/**
 * The version policy of the progression PPA → development release → LTS backport, in dpkg
 * ordering, with every refusal explained by the dpkg comparison that fails.
 *
 *   ppaVersion(base, used)                  BASE~ppaN; N = 1 + the highest N ever used for BASE
 *                                           (in `used`: everything the PPA ever had, deleted too)
 *   backportVersion(base, {vendor, seriesVersion, usedVersions})
 *                                           ubuntu: BASE~bpoYY.MM.N (backporters' scheme since 2021)
 *                                           debian: BASE~bpoNN+N   (NN = the release's major)
 *   check(kind, candidate, ctx)             { ok, problems: [{ rule, message }] }, every rule checked
 *   stageSuffix(v)                          { kind, base, n } when v carries ~ppaN / ~bpo…N
 *
 * Rules (ctx fields in brackets; a rule whose context is missing is skipped):
 *   all kinds   valid            a version dpkg accepts without complaint
 *               new-to-target    not equal (dpkg-equal: 1.0-01 = 1.0-1) to anything the target ever
 *                                had [targetVersions]: Launchpad and reprepro never take it twice
 *               above-current    above what the target publishes now [currentVersions] (ppa, backports)
 *   ppa         ppa-suffix       carries ~ppaN; `+ppa` / `ppaN` (no ~) refused: they sort ABOVE the base
 *               ppa-counter      N above every N used for this base [targetVersions]
 *               below-devel      sorts below the version the change has in the devel release [develVersion]
 *               epoch-kept       keeps the devel version's epoch [develVersion]
 *   devel       no-stage-suffix  no ~ppa/~bpo suffix: the devel release gets the archive version
 *               above-target     above every version the target ever had [targetVersions, currentVersions]
 *   backports   backport-suffix  the vendor's scheme [vendor, seriesVersion]; `+bpo` and the old
 *                                Ubuntu `~ubuntuYY.MM.N` scheme refused
 *               backport-counter N above every N used for this base and series [targetVersions]
 *               below-devel, epoch-kept as for ppa
 *               above-lts        above every version the LTS has in release/-updates/-security [ltsVersions]
 */
import { PipelineError } from '../errors.js';
import { compareVersions, parseVersion, versionProblem, type DebianVersion } from './version.js';

export type Vendor = 'debian' | 'ubuntu';
export type PolicyKind = 'ppa' | 'devel' | 'backports';

export interface PolicyContext {
  /** The version the same change has (or will have) in the development release. */
  develVersion?: string;
  /** Every version the target ever had, deleted ones included. */
  targetVersions: readonly string[];
  /** What the target publishes now (a subset of targetVersions): the archive refuses to go below it. */
  currentVersions?: readonly string[];
  /** Backports: every version the LTS has in release, -updates and -security. */
  ltsVersions?: readonly string[];
  /** The version the target had before this upload (the `-v` of the .changes); informational. */
  previousVersion?: string;
  /** Backports: whose scheme (`~bpoYY.MM.N` or `~bpoNN+N`), and the LTS's version ('24.04', '12'). */
  vendor?: Vendor;
  seriesVersion?: string;
}

export interface PolicyProblem {
  rule: string;
  message: string;
}

export interface PolicyResult {
  ok: boolean;
  problems: PolicyProblem[];
}

export interface StageSuffix {
  kind: 'ppa' | 'backports';
  /** The version without the suffix. */
  base: string;
  /** The counter (the N of ~ppaN, ~bpo24.04.N, ~bpo12+N). */
  n: number;
  /** '24.04' / '12' for backports. */
  series?: string;
  scheme?: Vendor;
}

/** `dpkg: A << B is false`-style evidence. */
function dpkgSays(a: string, op: '<<' | '>>', b: string): string {
  const r = compareVersions(a, b);
  const holds = op === '<<' ? r < 0 : r > 0;
  return `dpkg: ${a} ${op} ${b} is ${holds}`;
}

function canonical(v: DebianVersion): string {
  return `${v.epoch}:${v.upstream}${v.revision === '' ? '' : `-${v.revision}`}`;
}

// A trailing stage suffix (what ppaVersion/backportVersion append). Anchored, no nested quantifiers.
const PPA_TAIL = /~ppa(\d+)$/;
const BPO_UBUNTU_TAIL = /~bpo(\d{2}\.\d{2})\.(\d+)$/;
const BPO_DEBIAN_TAIL = /~bpo(\d+)\+(\d+)$/;

/** The ~ppaN / ~bpo…N suffix of `v`, if it ends with one (`1.2-3~bpo24.04.1~ppa2` → ppa of the backport). */
export function stageSuffix(v: string): StageSuffix | undefined {
  let m = PPA_TAIL.exec(v);
  if (m) return { kind: 'ppa', base: v.slice(0, m.index), n: Number(m[1]) };
  m = BPO_UBUNTU_TAIL.exec(v);
  if (m) return { kind: 'backports', base: v.slice(0, m.index), n: Number(m[2]), series: m[1], scheme: 'ubuntu' };
  m = BPO_DEBIAN_TAIL.exec(v);
  if (m) return { kind: 'backports', base: v.slice(0, m.index), n: Number(m[2]), series: m[1], scheme: 'debian' };
  return undefined;
}

/** The highest N among `used` that are `base` + suffix(N) (compared on canonical forms, so 0:1.0 = 1.0). */
function highestCounter(base: string, used: readonly string[], kind: 'ppa' | 'backports', series?: string, scheme?: Vendor): number {
  const want = canonical(parseVersion(base, { lenient: true }));
  let max = 0;
  for (const u of used) {
    if (versionProblem(u)?.level === 'error') continue;
    const s = stageSuffix(u);
    if (!s || s.kind !== kind) continue;
    if (kind === 'backports' && (s.series !== series || s.scheme !== scheme)) continue;
    if (canonical(parseVersion(s.base, { lenient: true })) !== want) continue;
    if (s.n > max) max = s.n;
  }
  return max;
}

function refuseBase(base: string, forWhat: string): void {
  parseVersion(base, { key: forWhat });
  if (/[+~]?ppa\d/i.test(base)) {
    throw new PipelineError(`cannot derive a ${forWhat} version from ${base}: it already carries a PPA suffix (use the archive version as base)`);
  }
}

/** `BASE~ppaN`, N one above the highest ever used for BASE (deleted uploads count: never reused). */
export function ppaVersion(base: string, usedVersions: readonly string[]): string {
  refuseBase(base, 'ppa');
  return `${base}~ppa${highestCounter(base, usedVersions, 'ppa') + 1}`;
}

function checkSeriesVersion(vendor: Vendor, seriesVersion: string): string {
  if (vendor === 'ubuntu') {
    if (!/^\d{2}\.\d{2}$/.test(seriesVersion)) throw new PipelineError(`Ubuntu series version '${seriesVersion}' is not YY.MM (e.g. 24.04)`, { key: 'seriesVersion' });
    return seriesVersion;
  }
  const m = /^(\d+)(\.\d+)*$/.exec(seriesVersion);
  if (!m) throw new PipelineError(`Debian release version '${seriesVersion}' is not a number (e.g. 12)`, { key: 'seriesVersion' });
  return m[1]!;
}

/** The suffix a backport of any base gets: `~bpo24.04.` (ubuntu) or `~bpo12+` (debian), without N. */
export function backportSuffixPrefix(vendor: Vendor, seriesVersion: string): string {
  const sv = checkSeriesVersion(vendor, seriesVersion);
  return vendor === 'ubuntu' ? `~bpo${sv}.` : `~bpo${sv}+`;
}

/** `BASE~bpoYY.MM.N` (ubuntu) / `BASE~bpoNN+N` (debian), N one above the highest used for BASE there. */
export function backportVersion(base: string, opts: { vendor: Vendor; seriesVersion: string; usedVersions: readonly string[] }): string {
  refuseBase(base, 'backport');
  if (/~bpo\d/.test(base)) throw new PipelineError(`cannot backport ${base}: it already carries a backport suffix`);
  const sv = checkSeriesVersion(opts.vendor, opts.seriesVersion);
  const n = highestCounter(base, opts.usedVersions, 'backports', sv, opts.vendor) + 1;
  return `${base}${backportSuffixPrefix(opts.vendor, opts.seriesVersion)}${n}`;
}

/** Checks `candidate` for a `kind` upload; collects every broken rule. */
export function check(kind: PolicyKind, candidate: string, ctx: PolicyContext): PolicyResult {
  const problems: PolicyProblem[] = [];
  const add = (rule: string, message: string) => problems.push({ rule, message });

  const vp = versionProblem(candidate);
  if (vp) {
    add('valid', `${candidate} is not a valid Debian version: ${vp.reason}`);
    return { ok: false, problems };
  }
  for (const [name, list] of [['targetVersions', ctx.targetVersions], ['currentVersions', ctx.currentVersions ?? []], ['ltsVersions', ctx.ltsVersions ?? []]] as const) {
    for (const v of list) {
      if (versionProblem(v)?.level === 'error') throw new PipelineError(`version policy: ${name} holds an invalid version '${v}': ${versionProblem(v)!.reason}`);
    }
  }
  for (const [name, v] of [['develVersion', ctx.develVersion], ['previousVersion', ctx.previousVersion]] as const) {
    if (v !== undefined && versionProblem(v)?.level === 'error') throw new PipelineError(`version policy: ${name} '${v}' is invalid: ${versionProblem(v)!.reason}`);
  }
  const cmp = (a: string, b: string) => compareVersions(a, b, { lenient: true });

  // new-to-target
  const same = ctx.targetVersions.find((v) => cmp(v, candidate) === 0);
  if (same !== undefined) {
    const spelled = same === candidate ? '' : ` (dpkg: ${candidate} = ${same})`;
    add('new-to-target', `${candidate} was already uploaded to the target${spelled}: Launchpad never accepts the same version twice even after deletion, nor does the archive`);
  }
  // above-current (for devel, above-target covers it: everything ever had includes what is there now)
  for (const v of kind === 'devel' ? [] : ctx.currentVersions ?? []) {
    if (cmp(candidate, v) <= 0 && v !== same) {
      add('above-current', `${candidate} must sort above ${v}, which the target publishes now (${dpkgSays(candidate, '>>', v)}): the archive refuses to go backwards`);
      break;
    }
  }

  const suffix = stageSuffix(candidate);
  const develChecks = () => {
    if (ctx.develVersion === undefined) return;
    if (cmp(candidate, ctx.develVersion) >= 0) {
      add('below-devel', `${candidate} must sort below ${ctx.develVersion}, the version in the development release, so that it replaces this upload (${dpkgSays(candidate, '<<', ctx.develVersion)})`);
    }
    const ce = parseVersion(candidate, { lenient: true }).epoch;
    const de = parseVersion(ctx.develVersion, { lenient: true }).epoch;
    if (ce !== de) {
      add('epoch-kept', `${candidate} has epoch ${ce} but ${ctx.develVersion} has epoch ${de}: keep the epoch (${de === 0 ? 'drop' : `write ${de}:`}), epochs dominate dpkg's ordering`);
    }
  };

  if (kind === 'ppa') {
    if (/\+ppa\d*/i.test(candidate)) {
      const base = candidate.replace(/\+ppa.*$/i, '');
      add('ppa-suffix', `'+ppa' where '~ppa' belongs: ${candidate} sorts above ${base} (${dpkgSays(candidate, '>>', base)}), so the archive's upload of ${base} would never replace it; use ${base}~ppaN`);
    } else if ((!suffix || suffix.kind !== 'ppa') && /~ppa\d+/.test(candidate)) {
      // ~ppaN followed by a series marker (BASE~ppa1~ubuntu24.04.1, one PPA serving several series): fine.
    } else if (!suffix || suffix.kind !== 'ppa') {
      const m = /(?<![~+])ppa\d+/i.exec(candidate);
      if (m) {
        const base = candidate.slice(0, m.index);
        add('ppa-suffix', `'${m[0]}' without '~': ${candidate} sorts above ${base} (${dpkgSays(candidate, '>>', base)}), so the archive's upload would never replace it; use ${base}~${m[0]}`);
      } else {
        add('ppa-suffix', `${candidate} has no ~ppaN suffix (a PPA upload is BASE~ppaN, e.g. ${candidate}~ppa1)`);
      }
    } else {
      const used = highestCounter(suffix.base, ctx.targetVersions, 'ppa');
      if (suffix.n <= used && same === undefined) {
        add('ppa-counter', `~ppa${suffix.n} is not above ~ppa${used}, already used for ${suffix.base} (a number is never reused, even after deletion): use ${suffix.base}~ppa${used + 1}`);
      }
      if (suffix.n === 0) add('ppa-counter', `~ppa0: counters start at 1 (${suffix.base}~ppa1)`);
    }
    develChecks();
  } else if (kind === 'devel') {
    if (suffix || /[~+](ppa|bpo)\d/i.test(candidate)) {
      add('no-stage-suffix', `${candidate} carries a ${suffix?.kind === 'backports' || /bpo/i.test(candidate) ? 'backport' : 'PPA'} suffix: the development release gets the archive version itself`);
    }
    let top: string | undefined;
    for (const v of [...ctx.targetVersions, ...(ctx.currentVersions ?? [])]) if (top === undefined || cmp(v, top) > 0) top = v;
    if (top !== undefined && cmp(candidate, top) <= 0 && same === undefined) {
      add('above-target', `${candidate} must sort above ${top}, which the development release already had (${dpkgSays(candidate, '>>', top)})`);
    }
  } else {
    const sv = ctx.vendor && ctx.seriesVersion ? checkSeriesVersion(ctx.vendor, ctx.seriesVersion) : undefined;
    if (/\+bpo\d/i.test(candidate)) {
      const base = candidate.replace(/\+bpo.*$/i, '');
      add('backport-suffix', `'+bpo' where '~bpo' belongs: ${candidate} sorts above ${base} (${dpkgSays(candidate, '>>', base)}), so the development release's ${base} would never replace it`);
    } else if (/~ubuntu\d{2}\.\d{2}\.\d+$/.test(candidate)) {
      add('backport-suffix', `${candidate} uses the old Ubuntu backport scheme ~ubuntuYY.MM.N; backports use ~bpoYY.MM.N since December 2021${sv && ctx.vendor === 'ubuntu' ? ` (${candidate.replace(/~ubuntu\d{2}\.\d{2}\.\d+$/, `~bpo${sv}.1`)})` : ''}`);
    } else if (!suffix || suffix.kind !== 'backports') {
      const example = ctx.vendor === 'debian' ? `~bpo${sv ?? 'NN'}+1` : `~bpo${sv ?? 'YY.MM'}.1`;
      add('backport-suffix', `${candidate} has no backport suffix (${example}, as the backporters' scheme has it)`);
    } else {
      if (ctx.vendor && suffix.scheme !== ctx.vendor) {
        add('backport-suffix', `${candidate} follows the ${suffix.scheme} scheme; ${ctx.vendor} backports are ${ctx.vendor === 'debian' ? '~bpoNN+N' : '~bpoYY.MM.N'}`);
      } else if (sv && suffix.series !== sv) {
        add('backport-suffix', `${candidate} names release ${suffix.series}, but the backport is for ${sv}`);
      } else {
        const used = highestCounter(suffix.base, ctx.targetVersions, 'backports', suffix.series, suffix.scheme);
        if (suffix.n <= used && same === undefined) {
          add('backport-counter', `backport number ${suffix.n} is not above ${used}, already used for ${suffix.base}: use ${suffix.base}${suffix.scheme === 'debian' ? `~bpo${suffix.series}+` : `~bpo${suffix.series}.`}${used + 1}`);
        }
        if (suffix.n === 0) add('backport-counter', 'backport counters start at 1');
      }
    }
    develChecks();
    for (const v of ctx.ltsVersions ?? []) {
      if (cmp(candidate, v) <= 0) {
        add('above-lts', `${candidate} must sort above ${v}, which the LTS already has, or users would never get the backport (${dpkgSays(candidate, '>>', v)})`);
      }
    }
  }
  return { ok: problems.length === 0, problems };
}

/** Same functions under one name: `versionPolicy.check('ppa', v, ctx)`. */
export const versionPolicy = {
  ppaVersion,
  backportVersion,
  backportSuffixPrefix,
  check,
  stageSuffix,
} as const;
