/**
 * `dep5.parse`: debian/copyright in copyright-format 1.0, with line numbers everywhere.
 * The header paragraph comes first; then Files paragraphs; then stand-alone License paragraphs
 * (order of the last two is not enforced by the specification, so not by us). Parsing is tolerant:
 * syntax problems become `problems` (each with a line), never exceptions.
 */
import { parseDeb822, type Deb822Document, type Deb822Field, type Deb822Paragraph, type Deb822Problem } from '../../debian/deb822.js';
import { compileFilesPattern, type FilesPattern } from './glob.js';
import { parseLicenseExpression, type ParsedLicense } from './license-expression.js';

export interface Dep5License {
  field: Deb822Field;
  /** The first line: the license expression as written. */
  expression: string;
  /** The rest: license text or explanation ('' when none). */
  text: string;
  parsed: ParsedLicense;
}

export interface Dep5Pattern extends FilesPattern {
  /** Line of the pattern itself (continuation lines of `Files:` have their own). */
  line: number;
}

export interface Dep5Header {
  paragraph: Deb822Paragraph;
  format?: Deb822Field;
  license?: Dep5License;
  filesExcluded: Dep5Pattern[];
  filesIncluded: Dep5Pattern[];
}

export interface Dep5FilesParagraph {
  paragraph: Deb822Paragraph;
  /** Index among the paragraphs after the header (0 = first). */
  index: number;
  files: Deb822Field;
  patterns: Dep5Pattern[];
  copyright?: Deb822Field;
  license?: Dep5License;
}

export interface Dep5LicenseParagraph {
  paragraph: Deb822Paragraph;
  index: number;
  license: Dep5License;
  /** lintian's "ambiguous" paragraph: License and Copyright but no Files. */
  hasCopyright: boolean;
}

export interface Dep5Document {
  file: string;
  deb822: Deb822Document;
  header?: Dep5Header;
  files: Dep5FilesParagraph[];
  licenses: Dep5LicenseParagraph[];
  /** Paragraphs after the header with neither Files nor License. */
  unknown: Deb822Paragraph[];
  problems: Deb822Problem[];
}

/** Patterns of a whitespace-separated field, each with its own line number. */
export function fieldPatterns(field: Deb822Field): Dep5Pattern[] {
  const out: Dep5Pattern[] = [];
  field.lines.forEach((text, k) => {
    const line = field.lineNumbers?.[k] ?? field.line + k;
    for (const p of text.split(/\s+/)) {
      if (p) out.push({ ...compileFilesPattern(p), line });
    }
  });
  return out;
}

/** Splits a License field into its expression (first line) and text (the rest). */
export function licenseOf(field: Deb822Field): Dep5License {
  const nl = field.value.indexOf('\n');
  const expression = (nl < 0 ? field.value : field.value.slice(0, nl)).trim();
  const text = nl < 0 ? '' : field.value.slice(nl + 1).trim();
  return { field, expression, text, parsed: parseLicenseExpression(expression) };
}

export function parse(text: string, file = 'debian/copyright'): Dep5Document {
  const deb822 = parseDeb822(text, { file });
  const doc: Dep5Document = { file, deb822, files: [], licenses: [], unknown: [], problems: [...deb822.problems] };
  const [first, ...rest] = deb822.paragraphs;
  if (!first) return doc;
  const format = first.get('Format') ?? first.get('Format-Specification');
  const lic = first.get('License');
  const excluded = first.get('Files-Excluded');
  const included = first.get('Files-Included');
  doc.header = {
    paragraph: first,
    format,
    license: lic ? licenseOf(lic) : undefined,
    filesExcluded: excluded ? fieldPatterns(excluded) : [],
    filesIncluded: included ? fieldPatterns(included) : [],
  };
  rest.forEach((p, index) => {
    const files = p.get('Files');
    const license = p.get('License');
    if (files) {
      const copyright = p.get('Copyright');
      doc.files.push({
        paragraph: p,
        index,
        files,
        patterns: fieldPatterns(files),
        copyright,
        license: license ? licenseOf(license) : undefined,
      });
    } else if (license) {
      doc.licenses.push({ paragraph: p, index, license: licenseOf(license), hasCopyright: Boolean(p.get('Copyright')) });
    } else {
      doc.unknown.push(p);
    }
  });
  return doc;
}

/** Cheap test lintian also makes: does the text claim to be machine-readable at all? */
export function declaresDep5(text: string): boolean {
  return /(?:^|\n)(?:format(?::|[-\s]spec))(?:.|\n\s+)*(?:\/dep[5s]?\b|\bDEP ?5\b|[Mm]achine-readable\s(?:license|copyright)|\/copyright-format\/|CopyrightFormat|VERSIONED_FORMAT_URL)/i.test(text);
}
