/**
 * Runs every check on one unpacked source tree, applies debian/source/lintian-overrides, and
 * gives the stage's gate verdict: `lintTree(dir, opts) → LintRecord`.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { PipelineError } from '../errors.js';
import type { Finding, GateVerdict, LintRecord, Severity } from '../state/records.js';
import { atLeast, clipValue, compareFindings, findingKey, runCheck, summariseFindings, type Check } from './check.js';
import { LintContext, type LintOptions } from './context.js';
import { applyOverrides, OVERRIDE_TAGS, parseOverrides } from './overrides.js';
import { allTags, CHECKS } from './registry.js';
import { knownDistributions } from './metadata/changelog.js';

export interface LintTreeOptions extends LintOptions {
  /** Package name for hint lines and overrides (default: debian/control's Source, else the changelog's). */
  packageName?: string;
  /** Blocking severity (default: the stage's gates.lint, else 'error'). */
  gate?: Severity;
  /** Findings from elsewhere (the real lintian) to merge before overrides and the gate. */
  extraFindings?: Finding[];
  /** Waivers from package.yaml that apply to the lint gate of this stage. */
  waivers?: Array<{ by: string; reason: string }>;
  /** Only these checks (tests, bench). */
  checks?: readonly Check[];
}

export const OVERRIDES_FILES = ['debian/source/lintian-overrides', 'debian/source.lintian-overrides'];

export async function lintTree(dir: string, options: LintTreeOptions = {}): Promise<LintRecord> {
  const root = resolve(dir);
  if (!existsSync(resolve(root, 'debian'))) {
    throw new PipelineError('not a source tree: no debian/ directory', { file: dir, hint: 'pass an unpacked source package (dpkg-source -x) or a package name' });
  }
  const ctx = new LintContext(root, options);
  const packageName = options.packageName ?? sourceName(ctx) ?? 'unknown';
  const checks = options.checks ?? CHECKS;
  const results = await Promise.all(checks.map((c) => runCheck(c, ctx)));
  const extra = (options.extraFindings ?? []).filter((f) => !contradictedByProfile(f, options))
    .map((f) => (f.detail ? { ...f, detail: clipValue(f.detail) } : f));
  let findings = mergeFindings(results.flat(), extra);

  // Overrides, as lintian: per tag, a pattern against `DETAIL [FILE:LINE]`.
  const overridesFile = OVERRIDES_FILES.find((f) => ctx.exists(f));
  if (overridesFile) {
    const parsed = parseOverrides(ctx.text(overridesFile) ?? '', packageName, 'source');
    const known = new Set(allTags(checks).map((t) => t.name));
    // With lintian's hints merged in, lintian judges its own overrides: don't call them unused.
    const applied = applyOverrides(findings, parsed.overrides, options.extraFindings?.length ? new Set() : known);
    findings = applied.findings;
    for (const p of parsed.problems) findings.push(runnerFinding('malformed-override', p.message, overridesFile, p.line));
    for (const o of applied.unused) findings.push(runnerFinding('unused-override', `${o.tag}${o.pattern ? ` ${o.pattern}` : ''}`, overridesFile, o.line));
  }
  findings.sort(compareFindings);

  const blocking = options.gate ?? options.stage?.gates.lint ?? 'error';
  const gate = gateVerdict(findings, blocking, options.waivers ?? []);
  const summarised = summariseFindings(findings);
  return {
    package: packageName,
    stage: options.stage?.name,
    findings: summarised.findings,
    ...(summarised.omitted.length ? { omitted: summarised.omitted } : {}),
    filesChecked: ctx.files().length,
    gate,
  };
}

function runnerFinding(tag: string, detail: string, file: string, line: number): Finding {
  const def = OVERRIDE_TAGS.find((t) => t.name === tag)!;
  return { tag, severity: def.severity, detail, file, line, source: 'pipeline' };
}

/**
 * Ours first, then lintian's hints for tags we do not check ourselves. A tag in our registry is
 * the same check run on the same tree, so lintian's hint for it is either a duplicate or one of
 * lintian's known false positives (a shadowed pattern reported as matching nothing, the http
 * Format URI, `newer-standards-version` for a Policy release lintian 2.116 does not know...):
 * each such tag's explanation says where lintian goes wrong. `superseded` lists those tags.
 */
/**
 * Hints of the real lintian that contradict what the profile states, dropped before the merge:
 *   - bad-distribution-in-changes-file goes by lintian's own static list of distributions, which
 *     lags the real world like distro-info-data does; a series the profile declares (with its
 *     pockets) is known, as our bad-distribution-in-changelog check already holds;
 *   - binary-nmu-debian-revision-in-source takes any revision with two dots for a binNMU's
 *     `.0.N`, so Ubuntu's backport scheme `~bpoYY.MM.N` (versionPolicy.ts) trips it; an Ubuntu
 *     upload whose version ends in that scheme (and not in `+bN`) is not a binNMU.
 */
function contradictedByProfile(f: Finding, options: LintTreeOptions): boolean {
  if (!f.detail) return false;
  const detail = f.detail.trim();
  if (f.tag === 'bad-distribution-in-changes-file') return Boolean(options.declaredSeries?.length) && knownDistributions(undefined, options.declaredSeries).has(detail);
  if (f.tag === 'binary-nmu-debian-revision-in-source') return options.vendor === 'ubuntu' && /~bpo\d{2}\.\d{2}\.\d+$/.test(detail);
  return false;
}

export function mergeFindings(ours: Finding[], theirs: Finding[], superseded: ReadonlySet<string> = ourTagNames()): Finding[] {
  // A duplicate: same tag and file, and the same line or the same detail (lintian may point at
  // the Files field where we point at the pattern).
  const detailKey = (f: Finding) => `${f.tag}\u0000${f.file ?? ''}\u0000${f.detail ?? ''}`;
  const keys = new Set(ours.map(findingKey));
  const details = new Set(ours.map(detailKey));
  const out = [...ours];
  for (const f of theirs) {
    if (superseded.has(f.tag) || keys.has(findingKey(f)) || details.has(detailKey(f))) continue;
    keys.add(findingKey(f));
    details.add(detailKey(f));
    out.push(f);
  }
  return out;
}

let tagNames: ReadonlySet<string> | undefined;
function ourTagNames(): ReadonlySet<string> {
  return (tagNames ??= new Set(allTags().map((t) => t.name)));
}

export function gateVerdict(findings: Finding[], blocking: Severity, waivers: Array<{ by: string; reason: string }>): GateVerdict {
  const hits = findings.filter((f) => !f.overridden && atLeast(f.severity, blocking));
  const gate = `lint:${blocking}`;
  if (hits.length === 0) return { gate, verdict: 'pass' };
  const tags = [...new Set(hits.map((f) => f.tag))];
  const reason = `${hits.length} finding${hits.length === 1 ? '' : 's'} at ${blocking} or worse (${tags.slice(0, 5).join(', ')}${tags.length > 5 ? ', ...' : ''})`;
  const waiver = waivers[0];
  if (waiver) return { gate, verdict: 'waived', reason, waiver };
  return { gate, verdict: 'blocked', reason, fix: 'fix the findings, or add a lintian override / package.yaml waiver with a reason' };
}

/** Source package name from debian/control (first paragraph's Source), else the changelog's first line. */
function sourceName(ctx: LintContext): string | undefined {
  const control = ctx.text('debian/control');
  const m = control && /^Source:[ \t]*(\S+)/im.exec(control);
  if (m) return m[1];
  const cl = ctx.text('debian/changelog');
  const c = cl && /^(\S+) \(/.exec(cl);
  return c ? c[1] : undefined;
}
