/**
 * Which Files paragraph covers each file of the source tree — the last matching one, as
 * copyright-format 1.0 says — computed once per tree and shared (the license detector compares
 * each file's header with its winning paragraph).
 */
import type { LintContext } from '../context.js';
import { compileFilesPattern } from './glob.js';
import { loadCopyright } from './load.js';
import type { Dep5FilesParagraph, Dep5Pattern } from './parse.js';

export interface PatternUse {
  paragraph: Dep5FilesParagraph;
  pattern: Dep5Pattern;
  /** The pattern as matched: a trailing comma is dropped when no file name has one. */
  effective: Dep5Pattern;
  /** Files it matches, whether or not a later paragraph takes them. */
  matched: number;
  /** Files it wins. */
  won: number;
}

export interface Coverage {
  /** Files considered (tree minus Files-Excluded). */
  files: string[];
  /** Files present although Files-Excluded removes them from the orig tarball. */
  excludedPresent: string[];
  /** file → winning paragraph. */
  winner: Map<string, Dep5FilesParagraph>;
  uncovered: string[];
  uses: PatternUse[];
  /** Earlier, deeper pattern beaten by a later, shallower one: [loser, winner, example file]. */
  outOfOrder: Array<{ loser: PatternUse; winner: PatternUse; file: string }>;
  /** Several patterns of ONE paragraph matching the same file. */
  redundant: Array<{ paragraph: Dep5FilesParagraph; patterns: string[]; file: string }>;
}

/** License and notice files need no paragraph of their own (lintian's rule). */
export const NOTICE_FILE = /(^|\/)(COPYING[^/]*|LICENSE)$/;

export function excludedMatcher(patterns: Dep5Pattern[]): (file: string) => boolean {
  // uscan removes a matching file, or everything under a matching directory.
  const ok = patterns.filter((p) => p.errors.length === 0);
  if (ok.length === 0) return () => false;
  const index = patternIndex(ok);
  const hit = (path: string) => index.candidates(path).some((k) => ok[k].test(path));
  return (file) => {
    if (hit(file)) return true;
    for (let i = file.indexOf('/'); i > 0; i = file.indexOf('/', i + 1)) {
      const dir = file.slice(0, i);
      if (hit(dir) || hit(`${dir}/`)) return true;
    }
    return false;
  };
}

export function computeCoverage(ctx: LintContext): Coverage | undefined {
  return ctx.shared('dep5:coverage', () => {
    const c = loadCopyright(ctx);
    if (!c?.doc || !c.structured) return undefined;
    const doc = c.doc;
    const all = ctx.files();
    const isExcluded = excludedMatcher(doc.header?.filesExcluded ?? []);
    const files: string[] = [];
    const excludedPresent: string[] = [];
    for (const f of all) {
      if (f.startsWith('debian/')) files.push(f);
      else if (isExcluded(f)) excludedPresent.push(f);
      else files.push(f);
    }
    const commasInNames = files.some((f) => f.includes(','));
    const uses: PatternUse[] = [];
    for (const p of doc.files) {
      for (const pattern of p.patterns) {
        let effective = pattern;
        if (!commasInNames && pattern.pattern.endsWith(',') && pattern.pattern.length > 1)
          effective = { ...compileFilesPattern(pattern.pattern.slice(0, -1)), line: pattern.line };
        uses.push({ paragraph: p, pattern, effective, matched: 0, won: 0 });
      }
    }
    const index = patternIndex(uses.map((u) => u.effective));
    const winner = new Map<string, Dep5FilesParagraph>();
    const uncovered: string[] = [];
    const outOfOrder: Coverage['outOfOrder'] = [];
    const seenPairs = new Set<string>();
    const redundant: Coverage['redundant'] = [];
    const depth = (u: PatternUse) => u.effective.pattern.split('/').length - 1;
    for (const f of files) {
      // The last matching pattern of each paragraph that matches, in paragraph order.
      const steps: PatternUse[] = [];
      let sameParagraph: PatternUse[] = [];
      for (const k of index.candidates(f)) {
        const u = uses[k];
        if (!u.effective.test(f)) continue;
        u.matched++;
        const last = steps[steps.length - 1];
        if (last && last.paragraph === u.paragraph) {
          steps[steps.length - 1] = u;
          sameParagraph.push(u);
        } else {
          if (sameParagraph.length > 1) redundant.push({ paragraph: sameParagraph[0].paragraph, patterns: sameParagraph.map((x) => x.pattern.pattern), file: f });
          steps.push(u);
          sameParagraph = [u];
        }
      }
      if (sameParagraph.length > 1) redundant.push({ paragraph: sameParagraph[0].paragraph, patterns: sameParagraph.map((x) => x.pattern.pattern), file: f });
      const win = steps[steps.length - 1];
      if (!win) {
        if (!NOTICE_FILE.test(f)) uncovered.push(f);
        continue;
      }
      win.won++;
      winner.set(f, win.paragraph);
      // Each take-over of a deeper pattern by a shallower, later one is an ordering mistake.
      for (let k = 1; k < steps.length; k++) {
        const [loser, taker] = [steps[k - 1], steps[k]];
        if (depth(loser) <= depth(taker)) continue;
        const key = `${loser.pattern.pattern}\u0000${taker.pattern.pattern}`;
        if (!seenPairs.has(key)) {
          seenPairs.add(key);
          outOfOrder.push({ loser, winner: taker, file: f });
        }
      }
    }
    return { files, excludedPresent, winner, uncovered, uses, outOfOrder, redundant };
  });
}

/**
 * Which patterns can match a path: by their literal prefix (`src/foo/*.c` only matches paths
 * starting `src/foo/`), else by a trigram of their longest literal run (`*q123*z*` only matches
 * paths containing `q12`), else always. A copyright with 100,000 patterns then costs a few map
 * lookups per file, not 100,000 tests. `candidates(path)` gives indices in ascending (paragraph) order.
 */
export function patternIndex(patterns: Array<{ prefix: string; longestLiteral: string; errors: string[] }>): { candidates(path: string): number[] } {
  const byPrefix = new Map<string, number[]>();
  const byTrigram = new Map<string, number[]>();
  const always: number[] = [];
  const add = (map: Map<string, number[]>, key: string, i: number) => {
    const list = map.get(key);
    if (list) list.push(i);
    else map.set(key, [i]);
  };
  patterns.forEach((p, i) => {
    if (p.errors.length > 0) return;
    if (p.prefix.length > 0) add(byPrefix, p.prefix, i);
    else if (p.longestLiteral.length >= 3) add(byTrigram, p.longestLiteral.slice(0, 3), i);
    else always.push(i);
  });
  const lengths = [...new Set([...byPrefix.keys()].map((k) => k.length))].sort((a, b) => a - b);
  return {
    candidates(path) {
      const lists: number[][] = always.length ? [always] : [];
      for (const len of lengths) {
        if (len > path.length) break;
        const list = byPrefix.get(path.slice(0, len));
        if (list) lists.push(list);
      }
      if (byTrigram.size > 0) {
        const seen = new Set<string>();
        for (let k = 0; k + 3 <= path.length; k++) {
          const t = path.slice(k, k + 3);
          if (seen.has(t)) continue;
          seen.add(t);
          const list = byTrigram.get(t);
          if (list) lists.push(list);
        }
      }
      if (lists.length <= 1) return lists[0] ?? [];
      return lists.flat().sort((a, b) => a - b);
    },
  };
}
