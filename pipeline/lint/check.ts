/**
 * The lint model, lintian-like: a check is one module that declares every tag it can emit
 * (name, severity, explanation) and a `run` that emits findings only for those tags. Where a check
 * is the same as a lintian check, the tag carries lintian's name and meaning (`lintian: true`), so
 * overrides and maintainers' habits carry over.
 */
import type { Finding, LintRecord, Severity } from '../state/records.js';
import { SEVERITY_ORDER } from '../state/records.js';
import type { LintContext } from './context.js';

export interface TagDefinition {
  name: string;
  severity: Severity;
  /** One paragraph: what is wrong and how to fix it (and where we differ from lintian, why). */
  explanation: string;
  /** True when lintian has a tag of this name with this meaning. */
  lintian?: boolean;
}

export interface Where {
  file?: string;
  line?: number;
}

/** Emits a finding for one of the check's own tags: `emit(tag, detail, where)`. */
export type Emit = (tag: string, detail?: string, where?: Where) => void;

export interface Check {
  /** Check name, lintian-style path: `debian/copyright/dep5`, `fields/standards-version`. */
  name: string;
  tags: readonly TagDefinition[];
  run(ctx: LintContext, emit: Emit): void | Promise<void>;
}

export function defineCheck(check: Check): Check {
  return check;
}

/** Runs one check, collecting its findings; an emit of an undeclared tag is a programming error. */
export async function runCheck(check: Check, ctx: LintContext): Promise<Finding[]> {
  const byName = new Map(check.tags.map((t) => [t.name, t]));
  const findings: Finding[] = [];
  const emit: Emit = (tag, detail, where) => {
    const def = byName.get(tag);
    if (!def) throw new Error(`check ${check.name} emitted undeclared tag ${tag}`);
    const f: Finding = { tag, severity: def.severity, source: 'pipeline' };
    if (detail !== undefined && detail !== '') f.detail = clipValue(detail);
    if (where?.file !== undefined) f.file = where.file;
    if (where?.line !== undefined && where.line > 0) f.line = where.line;
    findings.push(f);
  };
  // Let the event loop turn before each check: a pending SIGTERM/SIGINT is handled between checks.
  await new Promise((resolve) => setImmediate(resolve));
  await check.run(ctx, emit);
  return findings;
}

/** `a` is at least as severe as `b` (error > warning > info > pedantic). */
export function atLeast(a: Severity, b: Severity): boolean {
  return SEVERITY_ORDER.indexOf(a) <= SEVERITY_ORDER.indexOf(b);
}

/** lintian's one-letter codes. */
export const SEVERITY_CODE: Record<Severity, string> = { error: 'E', warning: 'W', info: 'I', pedantic: 'P' };

/** Stable order: file, line, severity, tag, detail. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    (a.file ?? '').localeCompare(b.file ?? '') ||
    (a.line ?? 0) - (b.line ?? 0) ||
    SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) ||
    a.tag.localeCompare(b.tag) ||
    (a.detail ?? '').localeCompare(b.detail ?? '')
  );
}

/** lintian's hint context: `DETAIL [FILE:LINE]` — what overrides are matched against. */
export function hintContext(f: Pick<Finding, 'detail' | 'file' | 'line'>): string {
  const pointer = f.file ? `[${f.file}${f.line ? `:${f.line}` : ''}]` : '';
  return [f.detail ?? '', pointer].filter((s) => s.length > 0).join(' ');
}

/** Identity used to merge our findings with lintian's: same tag, file and line (and detail when no line). */
export function findingKey(f: Finding): string {
  return `${f.tag}\u0000${f.file ?? ''}\u0000${f.line ?? ''}\u0000${f.line ? '' : (f.detail ?? '')}`;
}

/** Longest detail a finding carries: a hostile value (a 100 KB pattern) is cut, and says so. */
export const DETAIL_MAX = 400;

export function clipValue(text: string, max = DETAIL_MAX): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters cut)`;
}

/** Past this many findings of one tag, the rest are counted, not listed (LintRecord.omitted). */
export const PER_TAG_LIMIT = 50;

/**
 * Keeps the first `limit` findings of each tag (overridden ones counted apart) and counts the rest:
 * a copyright with 100,000 superfluous patterns prints 50 of them and "99,950 more".
 */
export function summariseFindings(findings: Finding[], limit = PER_TAG_LIMIT): { findings: Finding[]; omitted: NonNullable<LintRecord['omitted']> } {
  const seen = new Map<string, number>();
  const omitted = new Map<string, { tag: string; severity: Severity; overridden: boolean; count: number }>();
  const kept: Finding[] = [];
  for (const f of findings) {
    const key = `${f.tag}\u0000${f.overridden ? 1 : 0}`;
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    if (n <= limit) kept.push(f);
    else {
      const o = omitted.get(key) ?? { tag: f.tag, severity: f.severity, overridden: Boolean(f.overridden), count: 0 };
      o.count++;
      omitted.set(key, o);
    }
  }
  return { findings: kept, omitted: [...omitted.values()] };
}
