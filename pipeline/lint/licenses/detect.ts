/**
 * A fast license detector for file HEADERS: the first few KB of a source file, comment markers
 * stripped, matched against the phrases that the common licenses' notices always contain. It
 * answers with DEP-5 short names (canonical keys, see dep5/spdx.ts), or nothing when the header
 * names no license. An `SPDX-License-Identifier:` line wins over phrases.
 *
 * It is deliberately conservative: a phrase must be specific to one license family (the ASF
 * header, "GNU Lesser General Public License ... version 2.1", BSD's "Neither the name..."), so a
 * mismatch it reports is worth a maintainer's look. licensecheck is the slower second opinion.
 */
import { parseLicenseExpression } from '../dep5/license-expression.js';

/** Bump when the rules change: cached results of older versions are ignored. */
export const DETECTOR_VERSION = 6;

/** How much of a file is read. Notices sit at the top; 8 KB also covers long preambles. */
export const HEADER_BYTES = 8 * 1024;

export interface Detection {
  /** Canonical keys (e.g. ['apache-2'], or two for "MIT OR Apache-2.0"). */
  keys: string[];
  /** What matched: 'spdx' or the rule's name. */
  via: string;
}

/**
 * Comment markers and decoration removed, whitespace collapsed, lower case. Lower-cased first (the
 * markers are ASCII), and only whitespace that changes is replaced: this runs on every header of a
 * tree, and each pass over 8 KB counts.
 */
export function normalizeHeader(text: string): string {
  let t = text.toLowerCase();
  if (t.includes('\r')) t = t.replace(/\r/g, '');
  return t
    .replace(/^[ \t]*(?:\/\*+|\*+\/|\*+|\/\/+|#+|;+|--+|<!--|-->|%+|dnl\b|rem\b|'+|"{3})/gm, ' ')
    .replace(/\*\/|<!--|-->/g, ' ')
    .replace(/[ \t\n]{2,}|[\t\n]/g, ' ');
}

interface Rule {
  name: string;
  /** A literal (one of several) the text must contain before the regexp is tried (indexOf is far cheaper). */
  anchor: string | string[];
  test: RegExp;
  /** The key, or a function of the match for versioned families. */
  key: string | ((m: RegExpExecArray, text: string) => string | undefined);
  /**
   * A mention of a license by name, with none of its text ("released under the MIT license",
   * "LGPLv2", "placed in the public domain"): prose says that too — a HISTORY.md, a download page,
   * a package description, a list of licence names. Such a rule is tried only on the comment lines
   * among the file's first MENTION_LINES lines, where a file speaks about itself.
   */
  mention?: boolean;
}

/** How far down a file a mention-only notice is looked for (a header sits at the top). */
const MENTION_LINES = 50;

/** A line that is a comment in some language: `//`, `/*`, ` *`, `#`, `;`, `--`, `%`, `dnl`, `rem`, `'`, `"""`, `<!--`, `(*`. */
const COMMENT_LINE = /^[ \t]*(?:\/\*|\*|\/\/|#|;|--|%|dnl\b|rem\b|'|"{3}|<!--|\(\*)/i;

/** The comment lines among the first MENTION_LINES lines, normalised like the header. */
function commentText(header: string): string {
  const lines = header.split('\n', MENTION_LINES).filter((l) => COMMENT_LINE.test(l));
  return normalizeHeader(lines.join('\n'));
}

const LATER = /or \(?at your option\)? any later version|or any later version|or later version|version \d(?:\.\d)? or later/;

function gnu(family: 'gpl' | 'lgpl' | 'agpl', version: string | undefined, text: string): string | undefined {
  if (!version) return undefined;
  const v = version.replace(/\.0$/, '');
  return `${family}-${v}${LATER.test(text) ? '+' : ''}`;
}

const RULES: Rule[] = [
  {
    name: 'asf-header',
    anchor: 'apache software foundation',
    test: /licensed to the apache software foundation \(asf\) under one or more contributor license agreements/,
    key: 'apache-2',
  },
  { name: 'apache-2', anchor: 'apache', test: /apache license,? version 2\.0|apache\.org\/licenses\/license-2\.0|apache license 2\.0/, key: 'apache-2' },
  { name: 'apache-1.1', anchor: 'apache software license', test: /apache software license,? version 1\.1/, key: 'apache-1.1' },
  {
    name: 'agpl',
    anchor: 'affero',
    test: /gnu affero general public license(?:[^.]{0,80}?version (\d(?:\.\d)?))?/,
    key: (m, t) => gnu('agpl', m[1] ?? '3', t),
  },
  {
    name: 'lgpl',
    anchor: 'general public license',
    test: /gnu (?:lesser|library) general public license(?:[^.]{0,120}?version (\d(?:\.\d)?))?/,
    key: (m, t) => gnu('lgpl', m[1], t),
  },
  { name: 'lgpl-mention', anchor: 'lgpl', mention: true, test: /\blgpl(?:v|-)?(\d(?:\.\d)?)/, key: (m, t) => gnu('lgpl', m[1], t) },
  {
    name: 'gpl',
    anchor: 'gnu general public license',
    test: /gnu general public license(?:[^.]{0,120}?version (\d(?:\.\d)?))?/,
    key: (m, t) => (/special exception|linking exception|classpath exception|autoconf exception|as a special exception/.test(t) ? undefined : gnu('gpl', m[1], t)),
  },
  { name: 'mpl-2', anchor: 'mozilla', test: /mozilla public license,? v(?:ersion|\.)? ?2\.0|mozilla\.org\/mpl\/2\.0/, key: 'mpl-2' },
  { name: 'mpl-1.1', anchor: 'mozilla', test: /mozilla public license,? v(?:ersion|\.)? ?1\.1/, key: 'mpl-1.1' },
  { name: 'epl-2', anchor: 'eclipse', test: /eclipse public license,? ?-? v(?:ersion|\.)? ?2\.0|eclipse\.org\/legal\/epl-2\.0/, key: 'epl-2' },
  { name: 'epl-1', anchor: 'eclipse', test: /eclipse public license,? ?-? v(?:ersion|\.)? ?1\.0|eclipse\.org\/legal\/epl-v10/, key: 'epl-1' },
  { name: 'cddl', anchor: 'common development and distribution', test: /common development and distribution license(?: \(cddl\))?,? (?:version )?1\.(\d)/, key: (m) => (m[1] === '0' ? 'cddl-1' : `cddl-1.${m[1]}`) },
  { name: 'cc0', anchor: 'cc0', test: /creativecommons\.org\/publicdomain\/zero\/1\.0|\bcc0 1\.0 universal/, key: 'cc0-1' },
  { name: 'boost', anchor: 'boost software license', test: /boost software license,? (?:- )?version 1\.0/, key: 'bsl-1' },
  {
    name: 'bsd',
    anchor: 'redistribution and use',
    test: /redistribution and use in source and binary forms, with or without modification, are permitted provided that/,
    key: (_m, t) =>
      /all advertising materials mentioning features or use of this software/.test(t)
        ? 'bsd-4-clause'
        : /neither the name|names of (?:its|the) contributors may (?:not )?be used|may not be used to endorse or promote/.test(t)
          ? 'bsd-3-clause'
          : 'bsd-2-clause',
  },
  {
    name: 'isc',
    anchor: 'permission to use, copy, modify',
    test: /permission to use, copy, modify, and(?:\/or)? distribute this software for any purpose with or without fee is hereby granted/,
    // curl's licence is ISC's grant with X11's advertising clause, which ISC's text never has.
    key: (_m, t) => (/except as contained in this notice, the name of a copyright holder shall not be used in advertising/.test(t) ? 'curl' : 'isc'),
  },
  { name: 'expat', anchor: 'permission is hereby granted', test: /permission is hereby granted, free of charge, to any person obtaining a copy/, key: 'expat' },
  { name: 'mit-mention', anchor: ['mit licen', 'mit-licen'], mention: true, test: /\bmit(?: licen[cs]e\b|-licen[cs]ed\b)/, key: 'expat' },
  { name: 'zlib', anchor: 'altered source versions', test: /altered source versions must be plainly marked as such, and must not be misrepresented/, key: 'zlib' },
  { name: 'fsful', anchor: 'unlimited permission', test: /free software foundation gives unlimited permission to copy(?:,| and\/or) distribute(?: and modify)? it/, key: 'fsful' },
  { name: 'public-domain', anchor: 'public domain', mention: true, test: /(?:placed|released|dedicated|put) (?:in|into|to) the public domain|\bis in the public domain\b/, key: 'public-domain' },
];

/** Detects the license a header states; undefined when it states none we know. */
export function detectLicense(header: string): Detection | undefined {
  const spdx = header.includes('SPDX-License-Identifier') && /SPDX-License-Identifier:\s*([^\n*]+?)\s*(?:\*\/|-->)?\s*$/m.exec(header);
  if (spdx) {
    const parsed = parseLicenseExpression(spdx[1].replace(/\bOR\b/g, 'or').replace(/\bAND\b/g, 'and'));
    if (parsed.names.length > 0 && parsed.problems.length === 0) return { keys: [...new Set(parsed.names.map((n) => n.key))], via: 'spdx' };
  }
  // Every license the header states (win_getopt.h-style files carry three notices).
  const whole = normalizeHeader(header);
  let comments: string | undefined;
  const keys: string[] = [];
  const via: string[] = [];
  for (const rule of RULES) {
    // The GNU phrase found, a bare "LGPLv2" is no second opinion.
    if (rule.name === 'lgpl-mention' && keys.some((k) => k.startsWith('lgpl-'))) continue;
    const has = (t: string) => (typeof rule.anchor === 'string' ? t.includes(rule.anchor) : rule.anchor.some((a) => t.includes(a)));
    // The comment lines are a part of the header: looked at only when the whole header has the anchor.
    if (!has(whole)) continue;
    const text = rule.mention ? (comments ??= commentText(header)) : whole;
    if (text !== whole && !has(text)) continue;
    const m = rule.test.exec(text);
    if (!m) continue;
    // A family named without a version (or with an exception) is not specific enough: no key.
    const key = typeof rule.key === 'string' ? rule.key : rule.key(m, text);
    if (key && !keys.includes(key)) {
      keys.push(key);
      via.push(rule.name);
    }
  }
  return keys.length ? { keys, via: via.join('+') } : undefined;
}
