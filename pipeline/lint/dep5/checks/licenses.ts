/**
 * License fields of debian/copyright: well-formed expressions, and every short name used without
 * text backed by exactly one stand-alone License paragraph — each of which is used.
 *
 * Names are compared as copyright-format 1.0 says: case-insensitively, `.0` suffixes folded
 * (Apache-2.0 = Apache-2), SPDX spellings mapped (MIT = Expat, GPL-2.0-or-later = GPL-2+).
 * A Files paragraph whose License names several licenses and adds text (an explanation such as
 * "dual-licensed, see below") still uses the stand-alone paragraphs of those names; lintian 2.116
 * counts such text as the licenses' text and calls the stand-alone paragraphs unused.
 */
import { defineCheck } from '../../check.js';
import { formatLicenseExpression, type LicenseName } from '../license-expression.js';
import { COPYRIGHT, loadCopyright } from '../load.js';
import type { Dep5License } from '../parse.js';

const MIN_CC_LINES = 20;

export const dep5LicensesCheck = defineCheck({
  name: 'debian/copyright/dep5/licenses',
  tags: [
    {
      name: 'missing-license-paragraph-in-dep5-copyright',
      severity: 'warning',
      lintian: true,
      explanation:
        'A Files paragraph names a license by its short name only, and no stand-alone License paragraph gives that license\'s text. Add a `License: NAME` paragraph with the text (or, for licenses in /usr/share/common-licenses, a pointer to it).',
    },
    {
      name: 'unused-license-paragraph-in-dep5-copyright',
      severity: 'info',
      lintian: true,
      explanation:
        'A stand-alone License paragraph that no Files paragraph refers to. Remove it, or fix the short name that should refer to it. Names match case-insensitively with `.0` suffixes folded and SPDX spellings mapped, and a name inside a multi-license expression followed by explanatory text counts as a use (lintian 2.116 does not count it).',
    },
    {
      name: 'dep5-copyright-license-name-not-unique',
      severity: 'warning',
      lintian: true,
      explanation: 'Two stand-alone License paragraphs define the same short name; a reader cannot tell which text applies. Keep one, or give the variants distinct names. Names compare as written, case-insensitively (as lintian): `BSD-2-clause` and `BSD-2-clause-NetBSD` are two names even where SPDX calls them aliases.',
    },
    {
      name: 'missing-license-text-in-dep5-copyright',
      severity: 'warning',
      lintian: true,
      explanation: 'A stand-alone License paragraph has a short name but no license text. The text (or a pointer to /usr/share/common-licenses) belongs in the lines after the name.',
    },
    {
      name: 'dep5-file-paragraph-references-header-paragraph',
      severity: 'warning',
      lintian: true,
      explanation: 'A Files paragraph refers to a license whose only text is in the header paragraph\'s License field. The header License describes the whole work; give the text its own stand-alone License paragraph.',
    },
    {
      name: 'empty-short-license-in-dep5-copyright',
      severity: 'error',
      lintian: true,
      explanation: 'A License field has an empty first line: the short name is missing. An error whatever lintian\'s severity: the file does not parse as copyright-format 1.0 intends, and `pipeline show` refuses it too.',
    },
    {
      name: 'pipe-symbol-used-as-license-disjunction',
      severity: 'warning',
      lintian: true,
      explanation: 'The License expression uses `|` between names; copyright-format 1.0 spells the choice `or`. (As `|` is no operator, the words around it are one name with spaces in it: space-in-std-shortname-in-dep5-copyright says so too, as lintian does.)',
    },
    {
      name: 'space-in-std-shortname-in-dep5-copyright',
      severity: 'warning',
      lintian: true,
      explanation: 'A license short name contains a space (e.g. `GPL 2`, `public domain`). Short names have no spaces; use the standard name (`GPL-2`, `public-domain`).',
    },
    {
      name: 'bad-exception-format-in-dep5-copyright',
      severity: 'warning',
      lintian: true,
      explanation: 'An exception is written other than `NAME with EXCEPTION exception` (one exception, ending in the word "exception"), e.g. `GPL-2+ with OpenSSL exception`.',
    },
    {
      name: 'invalid-short-name-in-dep5-copyright',
      severity: 'warning',
      lintian: true,
      explanation: 'A short name that is not the standard spelling: `GPL2`, `gpl-v2`, `BSD`, `BSD3`... Use `GPL-2`, `BSD-3-clause` and the other names copyright-format 1.0 lists.',
    },
    {
      name: 'license-problem-undefined-license',
      severity: 'error',
      lintian: true,
      explanation: 'The license is given as unknown, undefined, unspecified, TODO, FIXME or `-`: the copyright review is unfinished, and the package cannot be distributed until it is.',
    },
    {
      name: 'incomplete-creative-commons-license',
      severity: 'warning',
      lintian: true,
      explanation: 'A Creative Commons license paragraph is much shorter than the license: CC licenses must be quoted in full (they are not in /usr/share/common-licenses).',
    },
    {
      name: 'bad-license-expression-in-dep5-copyright',
      severity: 'error',
      explanation: 'The License expression does not parse (e.g. a bare comma between names, a dangling `or`, unbalanced parentheses); the detail shows the problem. (pipeline tag.) An error whatever lintian\'s severity: the file does not parse as copyright-format 1.0 intends, and `pipeline show` refuses it too.',
    },
  ],
  run(ctx, emit) {
    const c = loadCopyright(ctx);
    if (!c?.doc || !c.structured) return;
    const doc = c.doc;
    const at = (line?: number) => ({ file: COPYRIGHT, line });

    const all: Dep5License[] = [];
    if (doc.header?.license) all.push(doc.header.license);
    for (const p of doc.files) if (p.license) all.push(p.license);
    for (const p of doc.licenses) all.push(p.license);

    for (const l of all) {
      const line = l.field.line;
      for (const pr of l.parsed.problems) {
        if (pr.kind === 'empty') emit('empty-short-license-in-dep5-copyright', undefined, at(line));
        else if (pr.kind === 'pipe') {
          emit('pipe-symbol-used-as-license-disjunction', l.expression, at(line));
          // `|` is no operator: read as copyright-format 1.0 says, the words around it are one name.
          for (const name of lintianNames(l.expression)) if (name.includes('|') && /\s/.test(name)) emit('space-in-std-shortname-in-dep5-copyright', name, at(line));
        }
        else if (pr.kind === 'space-in-name') emit('space-in-std-shortname-in-dep5-copyright', pr.text.toLowerCase(), at(line));
        else if (pr.kind === 'bad-exception') emit('bad-exception-format-in-dep5-copyright', pr.text.toLowerCase(), at(line));
        else emit('bad-license-expression-in-dep5-copyright', `${l.expression}: ${pr.message}`, at(line));
      }
      for (const n of l.parsed.names) {
        const lower = n.name.toLowerCase();
        if (/^(?:agpl|gpl|lgpl)[^-]?\d(?:\.\d)?\+?$/.test(lower) || /^bsd(?:[^-]?[234][^-]?(?:clause|cluase))?$/.test(lower))
          emit('invalid-short-name-in-dep5-copyright', lower, at(line));
        if (lower === '-' || /\b(?:fixmes?|todos?|undefined?|unknown?|unspecified)\b/.test(lower)) emit('license-problem-undefined-license', lower, at(line));
      }
      if (/^cc-/i.test(l.expression) && l.text && l.text.split('\n').length - 1 < MIN_CC_LINES)
        emit('incomplete-creative-commons-license', l.expression.toLowerCase(), at(line));
    }

    // Stand-alone paragraphs (with text), by canonical key of their expression.
    const standalone = new Map<string, { line: number; name: string }[]>();
    const keyOf = (l: Dep5License) => (l.parsed.expression ? formatLicenseExpression(l.parsed.expression) : l.expression.toLowerCase());
    // A name is unique as written (lower case, parentheses and commas as spaces), not by its SPDX meaning.
    const writtenName = (l: Dep5License) => l.expression.toLowerCase().replace(/[(),]/g, ' ').trim();
    const byName = new Map<string, number[]>();
    for (const p of doc.licenses) {
      const l = p.license;
      if (!l.expression) continue;
      if (!l.text) {
        emit('missing-license-text-in-dep5-copyright', l.expression, at(l.field.line));
        continue;
      }
      const key = keyOf(l);
      const list = standalone.get(key) ?? [];
      list.push({ line: l.field.line, name: l.expression });
      standalone.set(key, list);
      const written = byName.get(writtenName(l)) ?? [];
      written.push(l.field.line);
      byName.set(writtenName(l), written);
    }
    for (const [name, lines] of byName) {
      if (lines.length > 1 && name !== 'public-domain') for (const line of lines) emit('dep5-copyright-license-name-not-unique', name, at(line));
    }
    const headerKey = doc.header?.license?.text ? keyOf(doc.header.license) : undefined;

    // References from Files paragraphs: a name used without text must be defined stand-alone.
    const used = new Set<string>();
    const missing = new Set<string>();
    for (const p of doc.files) {
      const l = p.license;
      if (!l?.parsed.expression) continue;
      const whole = keyOf(l);
      if (standalone.has(whole)) {
        used.add(whole);
        continue;
      }
      for (const n of l.parsed.names) {
        const key = [leafKey(n), n.key].find((k) => standalone.has(k));
        if (key) {
          used.add(key);
          continue;
        }
        // With text after the name(s), the paragraph carries the license itself (or explains it).
        if (l.text) continue;
        if (headerKey && (headerKey === leafKey(n) || headerKey === n.key)) {
          emit('dep5-file-paragraph-references-header-paragraph', n.name.toLowerCase(), at(p.files.line));
        } else if (!missing.has(leafKey(n))) {
          missing.add(leafKey(n));
          emit('missing-license-paragraph-in-dep5-copyright', n.name.toLowerCase(), at(l.field.line));
        }
      }
    }
    // A header License without text also refers to stand-alone paragraphs.
    for (const n of doc.header?.license && !doc.header.license.text ? doc.header.license.parsed.names : []) {
      if (standalone.has(leafKey(n))) used.add(leafKey(n));
      if (standalone.has(n.key)) used.add(n.key);
    }
    for (const [key, list] of standalone) {
      if (used.has(key) || key === 'public-domain') continue;
      for (const s of list) emit('unused-license-paragraph-in-dep5-copyright', s.name.toLowerCase(), at(s.line));
    }
  },
});

/** A name with its exception, as a stand-alone paragraph would spell it. */
function leafKey(n: LicenseName): string {
  return n.exception ? `${n.key} with ${n.exception.toLowerCase()} exception` : n.key;
}

/** The expression as lintian reads it: lower case, `(`, `)` and `,` as spaces, split at `and`/`or`. */
function lintianNames(expression: string): string[] {
  const id = expression.toLowerCase().replace(/[(),]/g, ' ').trim();
  return id.split(/\s+(?:and|or)\s+/).filter((n) => n.length > 0);
}
