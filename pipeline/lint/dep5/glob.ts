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
}

const REGEXP_SPECIAL = /[.*+?^${}()|[\]\\]/g;

export function compileFilesPattern(pattern: string): FilesPattern {
  const errors: string[] = [];
  let source = '';
  let wildcard = false;
  let literal = '';
  const flush = () => {
    source += literal.replace(REGEXP_SPECIAL, '\\$&');
    literal = '';
  };
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      const next = pattern[i + 1];
      if (next === '*' || next === '?' || next === '\\') {
        literal += next;
        i++;
      } else {
        errors.push(next === undefined ? '\\' : `\\${next}`);
        if (next !== undefined) i++;
      }
    } else if (c === '*') {
      flush();
      source += '[^]*';
      wildcard = true;
    } else if (c === '?') {
      flush();
      source += '[^]';
      wildcard = true;
    } else {
      literal += c;
    }
  }
  flush();
  // A literal pattern is compared as a string: faster than a RegExp and exact.
  if (errors.length > 0) return { pattern, errors, wildcard, test: () => false };
  if (!wildcard) {
    const exact = unescapeLiteral(pattern);
    return { pattern, errors, wildcard, test: (path) => path === exact };
  }
  // Compiled on first use: a big copyright (boost's has 36,000 patterns) is parsed far more often
  // than each of its patterns is matched.
  let re: RegExp | undefined;
  return { pattern, errors, wildcard, test: (path) => (re ??= new RegExp(`^${source}$`, 'u')).test(path) };
}

function unescapeLiteral(pattern: string): string {
  return pattern.replace(/\\([*?\\])/g, '$1');
}

/** Splits a `Files:` value into patterns (whitespace-separated; continuation lines included). */
export function splitFilesField(value: string): string[] {
  return value.split(/\s+/).filter((p) => p.length > 0);
}
