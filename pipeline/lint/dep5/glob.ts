/**
 * `Files:` patterns as copyright-format 1.0 defines them — not shell globs:
 * - only `*` (any run of characters, possibly empty) and `?` (one character) are wildcards, and
 *   both match `/` and a leading dot, so `*.in` matches `a/b/c.in`;
 * - a pattern is anchored at the root of the source tree (`Makefile.in` is only the top one);
 * - `\*`, `\?` and `\\` are the only escapes; any other backslash sequence is an error;
 * - a directory name matches nothing (`src/` or `src` do not cover `src/x`; `src/*` does).
 */

export interface FilesPattern {
  /** The pattern as written. */
  pattern: string;
  /** Matches a path relative to the source root (no leading `./`). Never matches when `errors` is non-empty. */
  test(path: string): boolean;
  /** Invalid escape sequences found in the pattern (e.g. `\a`, a trailing `\`). */
  errors: string[];
  /** True when the pattern has an unescaped `*` or `?`. */
  wildcard: boolean;
  /** The literal text before the first wildcard (the whole path for a literal pattern): every match starts with it. */
  prefix: string;
  /** The longest run of literal characters: every match contains it (coverage indexes patterns by it). */
  longestLiteral: string;
}

/**
 * One run of the pattern between two `*`s: its characters (code points), `?` as undefined. Matching
 * is leftmost-greedy per segment — exact for `*`/`?` globs and linear in the path per segment, so
 * a pattern of many `*` runs cannot backtrack (a RegExp of `[^]*` runs could, exponentially).
 */
interface Segment {
  chars: Array<string | undefined>;
  /** The segment as a string when it has no `?` (then indexOf finds it). */
  literal?: string;
}

export function compileFilesPattern(pattern: string): FilesPattern {
  const errors: string[] = [];
  let wildcard = false;
  const segments: Segment[] = [{ chars: [] }];
  const cps = Array.from(pattern);
  for (let i = 0; i < cps.length; i++) {
    const c = cps[i];
    const seg = segments[segments.length - 1];
    if (c === '\\') {
      const next = cps[i + 1];
      if (next === '*' || next === '?' || next === '\\') {
        seg.chars.push(next);
        i++;
      } else {
        errors.push(next === undefined ? '\\' : `\\${next}`);
        if (next !== undefined) i++;
      }
    } else if (c === '*') {
      segments.push({ chars: [] });
      wildcard = true;
    } else if (c === '?') {
      seg.chars.push(undefined);
      wildcard = true;
    } else {
      seg.chars.push(c);
    }
  }
  const firstWild = segments[0].chars.indexOf(undefined);
  const prefix = (firstWild < 0 ? segments[0].chars : segments[0].chars.slice(0, firstWild)).join('');
  let longestLiteral = '';
  for (const seg of segments)
    for (const run of seg.chars.map((ch) => ch ?? '\u0000').join('').split('\u0000')) if (run.length > longestLiteral.length) longestLiteral = run;
  if (errors.length > 0) return { pattern, errors, wildcard, prefix, longestLiteral, test: () => false };
  for (const seg of segments) if (seg.chars.every((ch) => ch !== undefined)) seg.literal = seg.chars.join('');
  // A literal pattern is compared as a string: fastest and exact.
  if (!wildcard) {
    const exact = segments[0].literal!;
    return { pattern, errors, wildcard, prefix, longestLiteral, test: (path) => path === exact };
  }
  return { pattern, errors, wildcard, prefix, longestLiteral, test: (path) => globMatch(segments, path) };
}

const SURROGATE = /[\uD800-\uDFFF]/;

let lastPath = '';
let lastChars: string | string[] = '';
/** `?` is one code point: a path with astral characters is matched as an array of them (memoised: coverage tests one path against many patterns in a row). */
function codePoints(path: string): string | string[] {
  if (path !== lastPath) {
    lastPath = path;
    lastChars = SURROGATE.test(path) ? Array.from(path) : path;
  }
  return lastChars;
}

function globMatch(segments: Segment[], path: string): boolean {
  const p = codePoints(path);
  const n = p.length;
  const first = segments[0];
  if (segments.length === 1) return first.chars.length === n && matchAt(p, 0, first);
  const last = segments[segments.length - 1];
  if (first.chars.length + last.chars.length > n) return false;
  if (!matchAt(p, 0, first) || !matchAt(p, n - last.chars.length, last)) return false;
  let pos = first.chars.length;
  const end = n - last.chars.length;
  for (let k = 1; k < segments.length - 1; k++) {
    const seg = segments[k];
    const at = find(p, pos, end, seg);
    if (at < 0) return false;
    pos = at + seg.chars.length;
  }
  return true;
}

function matchAt(p: string | string[], at: number, seg: Segment): boolean {
  const chars = seg.chars;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    if (c !== undefined && p[at + i] !== c) return false;
  }
  return true;
}

/** Leftmost start of `seg` in p[from, to), or -1. */
function find(p: string | string[], from: number, to: number, seg: Segment): number {
  const len = seg.chars.length;
  if (seg.literal !== undefined && typeof p === 'string') {
    const at = p.indexOf(seg.literal, from);
    return at >= 0 && at + len <= to ? at : -1;
  }
  for (let at = from; at + len <= to; at++) if (matchAt(p, at, seg)) return at;
  return -1;
}

/** Splits a `Files:` value into patterns (whitespace-separated; continuation lines included). */
export function splitFilesField(value: string): string[] {
  return value.split(/\s+/).filter((p) => p.length > 0);
}
