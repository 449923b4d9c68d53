/**
 * The paragraphs and fields of debian/copyright: required fields present and non-empty, field
 * names known, paragraphs of a known kind, the `Files: *` paragraph first.
 */
import { defineCheck } from '../../check.js';
import { COPYRIGHT, loadCopyright } from '../load.js';

const HEADER_FIELDS = ['format', 'upstream-name', 'upstream-contact', 'source', 'disclaimer', 'comment', 'license', 'copyright', 'files-excluded', 'files-included'];
const FILES_FIELDS = ['files', 'copyright', 'license', 'comment'];
const LICENSE_FIELDS = ['license', 'comment'];
/** Renamed in the 2010 overhaul: old name → new name. */
const OBSOLETE: Record<string, string> = {
  'format-specification': 'Format',
  maintainer: 'Upstream-Contact',
  'upstream-maintainer': 'Upstream-Contact',
  contact: 'Upstream-Contact',
  name: 'Upstream-Name',
};

export const dep5StructureCheck = defineCheck({
  name: 'debian/copyright/dep5/structure',
  tags: [
    {
      name: 'missing-field-in-dep5-copyright',
      severity: 'error',
      lintian: true,
      explanation:
        'A required field is missing or empty: Format in the header paragraph; Files, Copyright and License in every Files paragraph. The detail names the field (with "(empty field)" when it is present but blank). An error whatever lintian\'s severity: the file does not parse as copyright-format 1.0 intends, and `pipeline show` refuses it too.',
    },
    {
      name: 'obsolete-field-in-dep5-copyright',
      severity: 'warning',
      lintian: true,
      explanation: 'The header uses a field name from a DEP-5 draft that copyright-format 1.0 renamed (e.g. Name → Upstream-Name, Maintainer → Upstream-Contact, Format-Specification → Format).',
    },
    {
      name: 'unknown-field-in-dep5-copyright',
      severity: 'info',
      explanation:
        'A field that copyright-format 1.0 does not define for this kind of paragraph. The specification allows extra fields, so this is only information, but a near miss of a standard name (Licence, Copyrights, File) is usually a typo that hides the real field — the detail suggests the standard name then. (pipeline tag; lintian has none.)',
    },
    {
      name: 'ambiguous-paragraph-in-dep5-copyright',
      severity: 'error',
      lintian: true,
      explanation: 'A paragraph after the header has Copyright and License but no Files field: it is neither a Files paragraph nor a stand-alone License paragraph. Add the Files field it was meant to have. An error whatever lintian\'s severity: the file does not parse as copyright-format 1.0 intends, and `pipeline show` refuses it too.',
    },
    {
      name: 'unknown-paragraph-in-dep5-copyright',
      severity: 'error',
      lintian: true,
      explanation: 'A paragraph after the header has neither a Files nor a License field, so it means nothing in copyright-format 1.0. An error whatever lintian\'s severity: the file does not parse as copyright-format 1.0 intends, and `pipeline show` refuses it too.',
    },
    {
      name: 'global-files-wildcard-not-first-paragraph-in-dep5-copyright',
      severity: 'warning',
      lintian: true,
      explanation:
        'The `Files: *` paragraph is not the first Files paragraph. Since the last matching paragraph wins, every Files paragraph before it is overridden for all files. Stand-alone License paragraphs before it do not count: they hold no patterns (lintian 2.116 counts them and flags a correct file).',
    },
    {
      name: 'comma-separated-files-in-dep5-copyright',
      severity: 'warning',
      lintian: true,
      explanation:
        'The Files field separates patterns with commas; copyright-format 1.0 separates them with white space only, so `a.c, b.c` is the pattern `a.c,`. We still check coverage, reading the commas as separators (lintian silently switches every coverage check off instead).',
    },
    {
      name: 'invalid-escape-sequence-in-dep5-copyright',
      severity: 'error',
      lintian: true,
      explanation:
        'A Files pattern uses a backslash escape other than `\\*`, `\\?` and `\\\\`, the only ones copyright-format 1.0 defines. (lintian 2.116 also rejects `\\\\`, which the specification allows; we do not.) An error whatever lintian\'s severity: the file does not parse as copyright-format 1.0 intends, and `pipeline show` refuses it too.',
    },
    {
      name: 'duplicate-globbing-patterns',
      severity: 'error',
      lintian: true,
      explanation: 'The same pattern appears in more than one Files paragraph. The last one wins, so the earlier paragraph never applies to those files; merge or remove one.',
    },
    {
      name: 'tab-in-license-text',
      severity: 'warning',
      lintian: true,
      explanation: 'A License field contains a tab character. Tabs render differently everywhere; indent continuation lines with a space and use spaces inside the text.',
    },
  ],
  run(ctx, emit) {
    const c = loadCopyright(ctx);
    if (!c?.doc || !c.structured) return;
    const doc = c.doc;
    const at = (line?: number) => ({ file: COPYRIGHT, line });
    const header = doc.header;
    if (!header) return;

    if (!header.format) emit('missing-field-in-dep5-copyright', 'Format', at(header.paragraph.line));
    else if (header.format.value.trim() === '') emit('missing-field-in-dep5-copyright', '(empty field) Format', at(header.format.line));
    for (const f of header.paragraph.fields) {
      const n = f.name.toLowerCase();
      if (OBSOLETE[n]) emit('obsolete-field-in-dep5-copyright', `${f.name} ${OBSOLETE[n]}`, at(f.line));
      else if (!HEADER_FIELDS.includes(n) && !/^files-(excluded|included)-/.test(n)) unknownField(f.name, f.line, HEADER_FIELDS);
    }

    function unknownField(name: string, line: number, known: string[]) {
      const n = name.toLowerCase();
      if (n.startsWith('x-')) return;
      const near = [...new Set([...known, ...HEADER_FIELDS, ...FILES_FIELDS])].find((k) => editDistance(k, n) <= 2 && k !== n);
      const label = near ? `${name} (did you mean ${near.replace(/(^|-)(\w)/g, (_m, a: string, b: string) => a + b.toUpperCase())}?)` : name;
      emit('unknown-field-in-dep5-copyright', label, at(line));
    }

    let firstFiles = true;
    for (const p of doc.files) {
      const files = p.files;
      if (files.value.trim() === '') emit('missing-field-in-dep5-copyright', '(empty field) Files', at(files.line));
      if (!p.copyright) emit('missing-field-in-dep5-copyright', 'Copyright', at(p.paragraph.line));
      else if (p.copyright.value.trim() === '') emit('missing-field-in-dep5-copyright', '(empty field) Copyright', at(p.copyright.line));
      if (!p.license) emit('missing-field-in-dep5-copyright', 'License', at(p.paragraph.line));
      for (const f of p.paragraph.fields) if (!FILES_FIELDS.includes(f.name.toLowerCase())) unknownField(f.name, f.line, FILES_FIELDS);
      if (!firstFiles && p.patterns.some((x) => x.pattern === '*')) emit('global-files-wildcard-not-first-paragraph-in-dep5-copyright', undefined, at(files.line));
      firstFiles = false;
      if (/,/.test(files.value)) emit('comma-separated-files-in-dep5-copyright', undefined, at(files.line));
      for (const x of p.patterns) for (const e of x.errors) emit('invalid-escape-sequence-in-dep5-copyright', e, at(x.line));
    }
    for (const x of [...header.filesExcluded, ...header.filesIncluded])
      for (const e of x.errors) emit('invalid-escape-sequence-in-dep5-copyright', `(Files-Excluded) ${e}`, at(x.line));

    for (const p of doc.licenses) {
      if (p.hasCopyright) emit('ambiguous-paragraph-in-dep5-copyright', undefined, at(p.paragraph.line));
      for (const f of p.paragraph.fields) {
        const n = f.name.toLowerCase();
        if (!LICENSE_FIELDS.includes(n) && !(p.hasCopyright && n === 'copyright')) unknownField(f.name, f.line, LICENSE_FIELDS);
      }
    }
    for (const p of doc.unknown) {
      emit('unknown-paragraph-in-dep5-copyright', undefined, at(p.line));
      for (const f of p.fields) if (!FILES_FIELDS.includes(f.name.toLowerCase())) unknownField(f.name, f.line, FILES_FIELDS);
    }

    // The same pattern in several Files paragraphs.
    const byPattern = new Map<string, number[]>();
    for (const p of doc.files) {
      for (const x of new Set(p.patterns.map((q) => q.pattern.replace(/,$/, '')))) {
        const lines = byPattern.get(x) ?? [];
        lines.push(p.files.line);
        byPattern.set(x, lines);
      }
    }
    for (const [pattern, lines] of byPattern) {
      if (lines.length > 1) emit('duplicate-globbing-patterns', `${pattern} (lines ${lines.join(' ')})`, at(lines[lines.length - 1]));
    }

    const licenseFields = [header.license, ...doc.files.map((p) => p.license), ...doc.licenses.map((p) => p.license)];
    for (const l of licenseFields) {
      if (!l) continue;
      // On the License field's line, as lintian points it (the tab's own line would be as good).
      if (l.field.lines.some((s) => s.includes('\t'))) emit('tab-in-license-text', undefined, at(l.field.line));
    }
  },
});

function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) dp[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      dp[i][j] = Math.min(dp[i - 1][j] + 1, dp[i][j - 1] + 1, dp[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  return dp[a.length][b.length];
}
