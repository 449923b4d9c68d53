/**
 * debian/source/lintian-overrides, read as lintian reads it:
 *   [[PKG] [ARCH-LIST] [source]:] TAG [CONTEXT-PATTERN]
 * blank lines reset comments, `#` lines are the justification, and the pattern is a wildcard
 * (`*` and `?`, matching any character including `/`; `\` escapes) matched against the whole hint
 * context `DETAIL [FILE:LINE]`. An override without a pattern silences every hint of its tag.
 */
import type { Finding } from '../state/records.js';
import { hintContext } from './check.js';

export interface Override {
  tag: string;
  /** Empty = every hint of the tag. */
  pattern: string;
  line: number;
  justification: string;
  architectures: string[];
}

export interface OverrideProblem {
  line: number;
  message: string;
}

export interface ParsedOverrides {
  overrides: Override[];
  problems: OverrideProblem[];
}

export function parseOverrides(text: string, packageName: string, type = 'source'): ParsedOverrides {
  const overrides: Override[] = [];
  const problems: OverrideProblem[] = [];
  let justification = '';
  let previous: Override | undefined;
  text.split('\n').forEach((raw, i) => {
    const line = i + 1;
    let rest = raw.trim();
    if (rest === '') {
      justification = '';
      previous = undefined;
      return;
    }
    if (rest.startsWith('#')) {
      const c = rest.replace(/^#\s*/, '');
      if (c) justification = justification ? `${justification} ${c}` : c;
      return;
    }
    rest = rest.replace(/\s+/g, ' ');
    let requireColon = false;
    const architectures: string[] = [];
    const strip = (re: RegExp): RegExpExecArray | null => {
      const m = re.exec(rest);
      if (m) {
        rest = rest.slice(m[0].length).replace(/^\s+/, '');
        requireColon = true;
      }
      return m;
    };
    strip(new RegExp(`^${escapeRegExp(packageName)}(?=\\s|:)`));
    const arch = strip(/^\[([^\]]*)\](?=\s|:)/);
    if (arch) architectures.push(...arch[1].split(' ').filter(Boolean));
    strip(new RegExp(`^${escapeRegExp(type)}(?=\\s|:)`));
    if (requireColon) {
      const m = /^\s*:\s*/.exec(rest);
      if (!m) {
        problems.push({ line, message: 'expected a colon' });
        return;
      }
      rest = rest.slice(m[0].length);
    }
    const space = rest.indexOf(' ');
    const tag = space < 0 ? rest : rest.slice(0, space);
    const pattern = space < 0 ? '' : rest.slice(space + 1);
    if (!tag) {
      problems.push({ line, message: `cannot parse line: ${raw}` });
      return;
    }
    if (!justification && previous && previous.tag === tag) justification = previous.justification;
    const current: Override = { tag, pattern, line, justification: justification.replace(/\s+/g, ' '), architectures };
    overrides.push(current);
    previous = current;
    justification = '';
  });
  return { overrides, problems };
}

/** lintian's "jokers" wildcard: `*` any run, `?` one character, `\x` a literal x; anchored both ends. */
export function wildcardToRegExp(pattern: string): RegExp {
  let src = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && i + 1 < pattern.length) src += escapeRegExp(pattern[++i]);
    else if (c === '*') src += '[^]*';
    else if (c === '?') src += '[^]';
    else src += escapeRegExp(c);
  }
  return new RegExp(`^${src}$`, 'u');
}

export interface AppliedOverrides {
  findings: Finding[];
  /** Overrides that silenced nothing (only for tags in `knownTags`, since we cannot judge the rest). */
  unused: Override[];
}

/**
 * Marks findings silenced by an override (`overridden: true`). As lintian: an override without a
 * pattern wins; otherwise the shortest matching pattern.
 */
export function applyOverrides(findings: Finding[], overrides: Override[], knownTags: ReadonlySet<string>): AppliedOverrides {
  const byTag = new Map<string, Override[]>();
  for (const o of overrides) {
    const list = byTag.get(o.tag) ?? [];
    list.push(o);
    byTag.set(o.tag, list);
  }
  const compiled = new Map<Override, RegExp>();
  const used = new Set<Override>();
  const out = findings.map((f) => {
    const candidates = byTag.get(f.tag);
    if (!candidates) return f;
    const blanket = candidates.find((o) => o.pattern === '');
    let match = blanket;
    if (!match) {
      const context = hintContext(f);
      match = [...candidates]
        .sort((a, b) => a.pattern.length - b.pattern.length)
        .find((o) => {
          let re = compiled.get(o);
          if (!re) compiled.set(o, (re = wildcardToRegExp(o.pattern)));
          return re.test(context);
        });
    }
    if (!match) return f;
    used.add(match);
    return { ...f, overridden: true };
  });
  const unused = overrides.filter((o) => !used.has(o) && knownTags.has(o.tag));
  return { findings: out, unused };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Tags about the overrides file itself (emitted by the runner after every check has run). */
export const OVERRIDE_TAGS = [
  {
    name: 'malformed-override',
    severity: 'error' as const,
    lintian: true,
    explanation: 'A line of debian/source/lintian-overrides cannot be parsed (e.g. `PKG source` without the colon). It silences nothing.',
  },
  {
    name: 'unused-override',
    severity: 'info' as const,
    lintian: true,
    explanation:
      'An override silences none of the hints pipeline emitted. The condition may be fixed: remove the override. Only overrides of tags pipeline implements are judged (with --lintian, lintian judges the rest).',
  },
];
