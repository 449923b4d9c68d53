/**
 * Debian package versions (`[epoch:]upstream[-revision]`), parsed, validated and ordered exactly
 * as dpkg 1.21 does (lib/dpkg/parsehelp.c `parseversion`, lib/dpkg/version.c `verrevcmp`).
 *
 * Validation: dpkg splits its complaints into errors (it refuses the version) and warnings (it
 * compares anyway: "does not start with digit", "invalid character"). A pipeline must never upload
 * a version dpkg warns about, so `parseVersion` refuses both; `{ lenient: true }` accepts the
 * warning class, for reading what other archives already hold.
 *
 * Ordering is an allocation-free charCode walk over index ranges: lint, sort and the version
 * policy compare many thousands of versions (see bench/versions.mjs for the figure against dpkg).
 *
 * Deliberate differences from `dpkg --compare-versions`: the empty string (dpkg's "blank" version)
 * is refused, and the obsolete relations `<` and `>` (which dpkg reads as `<=` and `>=`) are refused
 * with a hint, since whoever writes them almost always means `<<` / `>>`.
 */
import { PipelineError } from '../errors.js';

export interface DebianVersion {
  /** 0 when the version has no epoch. */
  epoch: number;
  upstream: string;
  /** '' for a native version (no `-`). */
  revision: string;
}

export interface ParseVersionOptions {
  /** Accept what dpkg only warns about (upstream not starting with a digit, invalid characters). */
  lenient?: boolean;
  /** Where the version came from, for the error line. */
  file?: string;
  line?: number;
  key?: string;
}

export interface VersionProblem {
  /** dpkg's wording, plus the offending character where there is one. */
  reason: string;
  /** 'error': dpkg refuses the version; 'warning': dpkg compares it but complains. */
  level: 'error' | 'warning';
}

/** Index form of a version: no substrings allocated until asked for. */
interface Scan {
  s: string;
  epoch: number;
  /** upstream = s[us, ue), revision = s[rs, re) (rs === re when native). */
  us: number;
  ue: number;
  rs: number;
  re: number;
  problem?: VersionProblem;
}

const C_0 = 48, C_9 = 57, C_A = 65, C_Z = 90, C_a = 97, C_z = 122;
const C_TILDE = 126, C_COLON = 58, C_HYPHEN = 45, C_PLUS = 43, C_DOT = 46, C_SPACE = 32, C_TAB = 9;

const isDigit = (c: number) => c >= C_0 && c <= C_9;
const isAlpha = (c: number) => (c >= C_a && c <= C_z) || (c >= C_A && c <= C_Z);
const isBlank = (c: number) => c === C_SPACE || c === C_TAB;
const INT_MAX = 2147483647;

function problem(reason: string, level: VersionProblem['level'] = 'error'): VersionProblem {
  return { reason, level };
}

function describeChar(c: number): string {
  return c < 32 || c === 127 ? `\\x${c.toString(16).padStart(2, '0')}` : String.fromCharCode(c);
}

/**
 * dpkg's parseversion, over indices, in one forward pass (plus the few epoch digits): it records the
 * first colon, the last hyphen, the first character outside A-Za-z0-9.+~:- and a colon after the
 * last hyphen, then decides in dpkg's order of checks. Never throws; `problem` is set on the first
 * complaint dpkg would make.
 */
function scan(s: string): Scan {
  const out: Scan = { s, epoch: 0, us: 0, ue: 0, rs: 0, re: 0, problem: undefined };
  const n = s.length;
  let start = 0;
  while (start < n && isBlank(s.charCodeAt(start))) start++;
  if (start === n) return (out.problem = problem('version string is empty')), out;

  let end = n;
  let colon = -1;
  let hyphen = -1;
  let bad = -1; // first character not allowed anywhere in upstream or revision
  let colonAfterHyphen = -1; // first colon after the latest hyphen
  for (let i = start; i < n; i++) {
    const c = s.charCodeAt(i);
    if ((c >= C_0 && c <= C_9) || (c >= C_a && c <= C_z) || (c >= C_A && c <= C_Z) || c === C_DOT || c === C_PLUS || c === C_TILDE) continue;
    if (c === C_HYPHEN) {
      hyphen = i;
      colonAfterHyphen = -1;
    } else if (c === C_COLON) {
      if (colon < 0) colon = i;
      if (hyphen >= 0 && colonAfterHyphen < 0) colonAfterHyphen = i;
    } else if (isBlank(c)) {
      end = i;
      for (let j = i + 1; j < n; j++) {
        if (!isBlank(s.charCodeAt(j))) return (out.problem = problem('version string has embedded spaces')), out;
      }
      break;
    } else if (bad < 0) {
      bad = i;
    }
  }

  // Epoch: the text before the first colon, read the way strtol(…, 10) reads it.
  let vs = start;
  if (colon >= 0) {
    let i = start;
    let negative = false;
    const sign = s.charCodeAt(i);
    if (sign === C_PLUS || sign === C_HYPHEN) { negative = sign === C_HYPHEN; i++; }
    const digitsStart = i;
    let value = 0;
    while (i < colon && isDigit(s.charCodeAt(i))) {
      if (value <= INT_MAX) value = value * 10 + (s.charCodeAt(i) - C_0);
      i++;
    }
    if (i === digitsStart) return (out.problem = problem('epoch in version is empty')), out;
    if (i !== colon) return (out.problem = problem('epoch in version is not number')), out;
    if (negative && value !== 0) return (out.problem = problem('epoch in version is negative')), out;
    if (value > INT_MAX) return (out.problem = problem('epoch in version is too big')), out;
    if (colon + 1 === end) return (out.problem = problem('nothing after colon in version number')), out;
    out.epoch = value;
    vs = colon + 1;
  }

  // Revision: after the last hyphen (of the part after the epoch).
  out.us = vs;
  if (hyphen >= vs) {
    out.ue = hyphen;
    out.rs = hyphen + 1;
    out.re = end;
    if (out.rs === end) return (out.problem = problem('revision number is empty')), out;
  } else {
    hyphen = -1;
    out.ue = end;
    out.rs = out.re = end;
  }
  if (out.us === out.ue) return (out.problem = problem('version number is empty')), out;

  // From here on dpkg only warns: first the upstream part, then the revision, each in order.
  if (!isDigit(s.charCodeAt(out.us))) {
    out.problem = problem(`version number does not start with digit ('${describeChar(s.charCodeAt(out.us))}')`, 'warning');
    return out;
  }
  if (bad >= 0 && bad < vs) bad = firstBadIn(s, vs, end); // a bad character in the (valid) epoch cannot be: recheck
  if (bad >= out.us && bad < out.ue) {
    out.problem = problem(`invalid character '${describeChar(s.charCodeAt(bad))}' in version number`, 'warning');
    return out;
  }
  if (hyphen >= 0) {
    const revBad = bad >= out.rs && (colonAfterHyphen < 0 || bad < colonAfterHyphen) ? bad : colonAfterHyphen;
    if (revBad >= 0) {
      out.problem = problem(`invalid character '${describeChar(s.charCodeAt(revBad))}' in revision number`, 'warning');
      return out;
    }
  }
  return out;
}

/** First character in s[from, to) outside A-Za-z0-9.+~:- (-1 when none). */
function firstBadIn(s: string, from: number, to: number): number {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (!isDigit(c) && !isAlpha(c) && c !== C_DOT && c !== C_HYPHEN && c !== C_PLUS && c !== C_TILDE && c !== C_COLON) return i;
  }
  return -1;
}

/** dpkg's `order()`: digits 0, letters their code, `~` below everything (even the end), others above letters. */
function order(c: number): number {
  if (isDigit(c)) return 0;
  if (isAlpha(c)) return c;
  if (c === C_TILDE) return -1;
  if (c > 0) return c + 256;
  return 0;
}

/**
 * dpkg's verrevcmp over a[ai, ae) and b[bi, be). Past-the-end reads as 0 (C's NUL), exactly like
 * the C code walking NUL-terminated strings. Returns a signed difference (only its sign matters).
 */
function verrevcmp(a: string, ai: number, ae: number, b: string, bi: number, be: number): number {
  while (ai < ae || bi < be) {
    let firstDiff = 0;
    for (;;) {
      const ac = ai < ae ? a.charCodeAt(ai) : 0;
      const bc = bi < be ? b.charCodeAt(bi) : 0;
      if (!((ac !== 0 && !isDigit(ac)) || (bc !== 0 && !isDigit(bc)))) break;
      const ao = order(ac);
      const bo = order(bc);
      if (ao !== bo) return ao - bo;
      ai++;
      bi++;
    }
    while (ai < ae && a.charCodeAt(ai) === C_0) ai++;
    while (bi < be && b.charCodeAt(bi) === C_0) bi++;
    for (;;) {
      const ac = ai < ae ? a.charCodeAt(ai) : 0;
      const bc = bi < be ? b.charCodeAt(bi) : 0;
      if (!(isDigit(ac) && isDigit(bc))) break;
      if (firstDiff === 0) firstDiff = ac - bc;
      ai++;
      bi++;
    }
    if (ai < ae && isDigit(a.charCodeAt(ai))) return 1;
    if (bi < be && isDigit(b.charCodeAt(bi))) return -1;
    if (firstDiff !== 0) return firstDiff;
  }
  return 0;
}

const sign = (n: number): -1 | 0 | 1 => (n < 0 ? -1 : n > 0 ? 1 : 0);

function compareScans(a: Scan, b: Scan): -1 | 0 | 1 {
  if (a.epoch !== b.epoch) return a.epoch > b.epoch ? 1 : -1;
  const u = verrevcmp(a.s, a.us, a.ue, b.s, b.us, b.ue);
  if (u !== 0) return sign(u);
  return sign(verrevcmp(a.s, a.rs, a.re, b.s, b.rs, b.re));
}

function fail(input: string, p: VersionProblem, options: ParseVersionOptions = {}): never {
  throw new PipelineError(`invalid Debian version '${input}': ${p.reason}`, {
    file: options.file,
    line: options.line,
    key: options.key,
    hint: p.level === 'warning' ? 'versions are [epoch:]upstream[-revision], upstream starting with a digit, using only A-Za-z0-9.+~ (and - : where allowed)' : undefined,
  });
}

function checkedScan(s: string, options?: ParseVersionOptions): Scan {
  if (typeof s !== 'string') throw new PipelineError(`invalid Debian version: expected a string, got ${typeof s}`);
  const sc = scan(s);
  if (sc.problem && (sc.problem.level === 'error' || !options?.lenient)) fail(s, sc.problem, options);
  return sc;
}

/** The first thing dpkg would complain about in `s`, or undefined when it is a clean version. */
export function versionProblem(s: string): VersionProblem | undefined {
  return scan(s).problem;
}

/** True when dpkg accepts `s` without error or warning (the only versions the pipeline uploads). */
export function isValidVersion(s: string): boolean {
  return typeof s === 'string' && scan(s).problem === undefined;
}

/** Splits a version; throws a PipelineError with dpkg's reason when it is invalid. */
export function parseVersion(s: string, options?: ParseVersionOptions): DebianVersion {
  const sc = checkedScan(s, options);
  return {
    epoch: sc.epoch,
    upstream: sc.s.slice(sc.us, sc.ue),
    revision: sc.s.slice(sc.rs, sc.re),
  };
}

/**
 * The canonical string for a parsed version. `0:` is written only when the upstream part contains
 * a colon (then it is required); an upstream part with a hyphen needs a revision.
 */
export function formatVersion(v: DebianVersion): string {
  const hasColon = v.upstream.includes(':');
  if (v.revision === '' && v.upstream.includes('-')) {
    throw new PipelineError(`cannot write Debian version: upstream '${v.upstream}' contains '-' but there is no revision`);
  }
  const epoch = v.epoch !== 0 || hasColon ? `${v.epoch}:` : '';
  const text = `${epoch}${v.upstream}${v.revision === '' ? '' : `-${v.revision}`}`;
  const sc = scan(text);
  if (sc.problem) fail(text, sc.problem);
  return text;
}

function toScan(v: string | DebianVersion, options?: ParseVersionOptions): Scan {
  if (typeof v === 'string') return checkedScan(v, options);
  // A parsed object: compare its parts directly (upstream and revision as ranges of their own strings).
  const joined = `${v.upstream}\u0000${v.revision}`;
  return { s: joined, epoch: v.epoch, us: 0, ue: v.upstream.length, rs: v.upstream.length + 1, re: joined.length };
}

/**
 * dpkg's three-way comparison: -1 when a sorts before b, 0 when equal (e.g. `1.0` and `1.0-0`,
 * `1.0` and `0:1.0`, `1.01` and `1.1`), 1 when after. Throws for an invalid version.
 */
export function compareVersions(a: string | DebianVersion, b: string | DebianVersion, options?: { lenient?: boolean }): -1 | 0 | 1 {
  return compareScans(toScan(a, options), toScan(b, options));
}

export type VersionOperator = 'lt' | 'le' | 'eq' | 'ne' | 'ge' | 'gt' | '<<' | '<=' | '=' | '>=' | '>>';

export const VERSION_OPERATORS: readonly VersionOperator[] = ['lt', 'le', 'eq', 'ne', 'ge', 'gt', '<<', '<=', '=', '>=', '>>'];

/** The dpkg symbol for an operator (`lt` → `<<`), as used in explanations and relations. */
export function operatorSymbol(op: VersionOperator): '<<' | '<=' | '=' | '!=' | '>=' | '>>' {
  switch (op) {
    case 'lt': case '<<': return '<<';
    case 'le': case '<=': return '<=';
    case 'eq': case '=': return '=';
    case 'ne': return '!=';
    case 'ge': case '>=': return '>=';
    case 'gt': case '>>': return '>>';
  }
}

export function isVersionOperator(op: string): op is VersionOperator {
  return (VERSION_OPERATORS as readonly string[]).includes(op);
}

/** `dpkg --compare-versions a op b` as a boolean. */
export function versionCompare(a: string | DebianVersion, op: VersionOperator | string, b: string | DebianVersion): boolean {
  if (!isVersionOperator(op)) {
    const hint = op === '<' || op === '>'
      ? `dpkg reads the obsolete '${op}' as '${op}=', write '${op}${op}' or '${op}=' (or lt/le/gt/ge)`
      : 'use one of lt le eq ne ge gt (or << <= = >= >>)';
    throw new PipelineError(`unknown version relation '${op}'`, { hint });
  }
  const r = compareVersions(a, b);
  switch (op) {
    case 'lt': case '<<': return r < 0;
    case 'le': case '<=': return r <= 0;
    case 'eq': case '=': return r === 0;
    case 'ne': return r !== 0;
    case 'ge': case '>=': return r >= 0;
    case 'gt': case '>>': return r > 0;
  }
}

/** A copy of `versions` in dpkg order (stable for equal versions). Throws on the first invalid one. */
export function sortVersions(versions: readonly string[], options: { reverse?: boolean } = {}): string[] {
  const scans = versions.map((v) => checkedScan(v));
  const idx = scans.map((_, i) => i);
  const dir = options.reverse ? -1 : 1;
  idx.sort((i, j) => dir * compareScans(scans[i]!, scans[j]!) || i - j);
  return idx.map((i) => versions[i]!);
}

/** The highest of `versions` in dpkg order, or undefined for an empty list. */
export function maxVersion(versions: Iterable<string>): string | undefined {
  let best: Scan | undefined;
  for (const v of versions) {
    const sc = checkedScan(v);
    if (!best || compareScans(sc, best) > 0) best = sc;
  }
  return best?.s;
}

/** True for a native version (no Debian revision). */
export function isNativeVersion(s: string): boolean {
  const sc = checkedScan(s, { lenient: true });
  return sc.rs === sc.re;
}

/** The same functions under one name, for `debianVersion.compare(a, b)` style call sites. */
export const debianVersion = {
  parse: parseVersion,
  format: formatVersion,
  isValid: isValidVersion,
  problem: versionProblem,
  compare: compareVersions,
  satisfies: versionCompare,
  sort: sortVersions,
  max: maxVersion,
  isNative: isNativeVersion,
  operatorSymbol,
} as const;
