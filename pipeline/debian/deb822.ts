/**
 * deb822: the paragraph format of debian/control, debian/copyright (DEP-5), .dsc, .changes and the
 * apt indices — parsed ourselves for speed (lint runs it over whole archives' worth of text), with
 * the original line number of every field and continuation line, so errors name FILE:LINE.
 *
 * Format (deb822(5), Policy 5.1, what Dpkg::Control::HashCore accepts):
 * - `Name: value`; the name is everything before the first colon (no spaces inside; not starting
 *   with `#` or `-`); spaces between the name and the colon are tolerated, as dpkg does.
 * - continuation lines start with a space or tab; in multiline fields a lone ` .` is an empty line.
 * - `#` in column 0 is a comment anywhere, including between a field's continuation lines.
 * - paragraphs are separated by one or more empty (or whitespace-only) lines.
 * - an OpenPGP clearsigned wrapper (`-----BEGIN PGP SIGNED MESSAGE-----`, armor headers such as
 *   `Hash:`, a blank line, the dash-escaped body, the signature block) is unwrapped; line numbers
 *   stay those of the original file. The signature is NOT verified here (that is gpg's job).
 * - CRLF line ends and a leading byte-order mark are accepted.
 *
 * Tolerant mode (the default) collects problems and never throws, so lint can report everything on
 * junk input; `strict: true` throws a PipelineError at the first error-level problem.
 */
import { readFileSync } from 'node:fs';
import { PipelineError } from '../errors.js';

export interface Deb822Field {
  /** As written in the file (case kept); look fields up case-insensitively with paragraph.get(). */
  name: string;
  /**
   * The value exactly as dpkg's own parser (Dpkg::Control::HashCore) gives it: the first line's
   * text (trimmed), then `\n` + each continuation line without its one leading space/tab and
   * without trailing whitespace, a line of dots losing one dot (` .` → ''). So a field whose
   * first line is empty (`Files:`) starts with `\n`. Use foldedValue()/multilineValue() for the
   * two field kinds.
   */
  value: string;
  /** 1-based line of `Name:` in the original file. */
  line: number;
  /** The value's lines: first line's text after the colon (trimmed), then each continuation line as in the file (leading space kept, CR removed). */
  lines: string[];
  /**
   * Original line number of each entry of `lines`, present only when comment lines interrupt the
   * field (otherwise entry i is on line `line + i`). fieldLineNumbers(field) always gives the list.
   */
  lineNumbers?: number[];
  /** Last line of the field (its last continuation line, or `line`). */
  endLine: number;
}

export interface Deb822Problem {
  line: number;
  message: string;
  kind: 'continuation-without-field' | 'duplicate-field' | 'bad-field-line' | 'tab-continuation' | 'pgp' | 'empty' | 'binary' | 'encoding' | string;
  /**
   * 'error' problems make strict mode throw; 'warning' ones (tab continuation, non-UTF-8) do not.
   * Always set by parseDeb822; absent means 'error'.
   */
  severity?: 'error' | 'warning';
}

export interface Deb822Document {
  file: string;
  paragraphs: Deb822Paragraph[];
  /** True when the text was wrapped in an OpenPGP clearsigned message. */
  signed: boolean;
  problems: Deb822Problem[];
}

export interface ParseDeb822Options {
  /** Named in problems and errors. */
  file: string;
  /** Throw a PipelineError(message, {file, line}) at the first error-level problem. */
  strict?: boolean;
  /** A text with no paragraph at all is not a problem (e.g. the Sources index of an empty suite). */
  allowEmpty?: boolean;
}

/** One paragraph: its fields in file order, and case-insensitive lookup. */
export class Deb822Paragraph {
  readonly fields: Deb822Field[] = [];
  /** Line of the paragraph's first field, and of its last field's last line. */
  line: number;
  endLine: number;
  /**
   * Lookup by lowercased name, built only for unusually long paragraphs: for the usual 5–40
   * fields a length-first case-insensitive scan is as fast and allocates nothing (which matters
   * on 60,000-paragraph apt indices, where GC dominates otherwise).
   */
  #index: Map<string, Deb822Field> | undefined;

  constructor(line: number) {
    this.line = line;
    this.endLine = line;
  }

  /** The field named `name` (any case); with duplicates, the first one (dpkg refuses duplicates). */
  get(name: string): Deb822Field | undefined {
    if (this.#index) return this.#index.get(name.toLowerCase());
    const fields = this.fields;
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i]!;
      if (f.name.length === name.length && sameNameIgnoringCase(f.name, name)) return f;
    }
    return undefined;
  }

  /** The field's value (see Deb822Field.value), or undefined when absent. */
  value(name: string): string | undefined {
    return this.get(name)?.value;
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  /** Field names in file order, as written. */
  names(): string[] {
    return this.fields.map((f) => f.name);
  }

  /** `{Name: value}` of every field (first of duplicates), names as written. */
  toRecord(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const f of this.fields) if (!Object.hasOwn(out, f.name)) out[f.name] = f.value;
    return out;
  }

  /** Adds a field; returns the earlier field of the same name if there is one. */
  add(field: Deb822Field): Deb822Field | undefined {
    const earlier = this.get(field.name);
    this.fields.push(field);
    if (this.#index) {
      if (!earlier) this.#index.set(field.name.toLowerCase(), field);
    } else if (this.fields.length > 64) {
      this.#index = new Map();
      for (const f of this.fields) {
        const key = f.name.toLowerCase();
        if (!this.#index.has(key)) this.#index.set(key, f);
      }
    }
    return earlier;
  }

  toJSON() {
    return { line: this.line, endLine: this.endLine, fields: this.fields };
  }
}

/** ASCII case-insensitive equality of two names of the same length (field names are ASCII). */
function sameNameIgnoringCase(a: string, b: string): boolean {
  for (let i = 0; i < a.length; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 65 && x <= 90) x += 32;
    if (y >= 65 && y <= 90) y += 32;
    if (x !== y) return false;
  }
  return true;
}

const SPACE = 32, TAB = 9, HASH = 35, COLON = 58, DASH = 45, CR = 13;
const BEGIN_SIGNED = '-----BEGIN PGP SIGNED MESSAGE-----';
const BEGIN_SIGNATURE = '-----BEGIN PGP SIGNATURE-----';
const END_SIGNATURE = '-----END PGP SIGNATURE-----';

/** Only whitespace (Perl's \s, as dpkg's parser: space, tab, CR, form feed, vertical tab). */
function isBlankLine(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== SPACE && c !== TAB && c !== CR && c !== 12 && c !== 11) return false;
  }
  return true;
}

function trimEndCR(s: string): string {
  return s.length > 0 && s.charCodeAt(s.length - 1) === CR ? s.slice(0, -1) : s;
}

/**
 * NUL bytes, or (in the first 8 KiB) over 10% control characters or over 30% undecodable bytes:
 * not a text file. A few stray non-UTF-8 bytes in real text are only an 'encoding' warning.
 */
function looksBinary(text: string): boolean {
  if (text.includes('\u0000')) return true;
  const n = Math.min(text.length, 8192);
  let control = 0;
  let undecodable = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 32 && c !== TAB && c !== 10 && c !== CR && c !== 12 && c !== 11) control++;
    else if (c === 0xfffd) undecodable++;
  }
  return n > 0 && (control / n > 0.1 || (n >= 16 && undecodable / n > 0.3));
}

/** Line indices (0-based) of the body, plus the problems of the wrapper. */
interface Body {
  start: number;
  end: number; // exclusive
  signed: boolean;
  /** Dash-escaped: strip a leading "- " from body lines. */
  dashEscaped: boolean;
  problems: Deb822Problem[];
}

function findBody(lines: string[]): Body {
  const problems: Deb822Problem[] = [];
  let first = 0;
  while (first < lines.length && isBlankLine(lines[first]!)) first++;
  if (first === lines.length || trimEndCR(lines[first]!).trimEnd() !== BEGIN_SIGNED) {
    return { start: 0, end: lines.length, signed: false, dashEscaped: false, problems };
  }
  // Armor headers (Hash: SHA256 ...) up to the first blank line.
  let i = first + 1;
  while (i < lines.length && !isBlankLine(lines[i]!)) {
    if (!/^[A-Za-z][A-Za-z0-9-]*: /.test(trimEndCR(lines[i]!))) {
      problems.push({ line: i + 1, kind: 'pgp', severity: 'error', message: 'OpenPGP armor header expected (e.g. "Hash: SHA256") before the blank line that starts the signed text' });
      break;
    }
    i++;
  }
  const start = i + 1;
  let sig = -1;
  for (let j = start; j < lines.length; j++) {
    if (lines[j]!.startsWith(BEGIN_SIGNATURE) && trimEndCR(lines[j]!).trimEnd() === BEGIN_SIGNATURE) { sig = j; break; }
  }
  if (sig < 0) {
    problems.push({ line: first + 1, kind: 'pgp', severity: 'error', message: 'signed message has no "-----BEGIN PGP SIGNATURE-----" block' });
    return { start, end: lines.length, signed: true, dashEscaped: true, problems };
  }
  let endSig = -1;
  for (let j = sig + 1; j < lines.length; j++) {
    if (trimEndCR(lines[j]!).trimEnd() === END_SIGNATURE) { endSig = j; break; }
  }
  if (endSig < 0) {
    problems.push({ line: sig + 1, kind: 'pgp', severity: 'error', message: 'signature block has no "-----END PGP SIGNATURE-----" line' });
  } else {
    for (let j = endSig + 1; j < lines.length; j++) {
      if (!isBlankLine(lines[j]!)) {
        problems.push({ line: j + 1, kind: 'pgp', severity: 'error', message: 'text after the end of the OpenPGP signature' });
        break;
      }
    }
  }
  return { start, end: sig, signed: true, dashEscaped: true, problems };
}

/** Parses deb822 text into paragraphs. See the file header for the accepted format. */
export function parseDeb822(text: string, options: ParseDeb822Options): Deb822Document {
  const file = options.file;
  const doc: Deb822Document = { file, paragraphs: [], signed: false, problems: [] };
  const report = (line: number, kind: Deb822Problem['kind'], message: string, severity: Deb822Problem['severity'] = 'error') => {
    const p: Deb822Problem = { line, kind, message, severity };
    if (options.strict && severity === 'error') throw new PipelineError(message, { file, line });
    doc.problems.push(p);
  };

  if (text.length > 0 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (looksBinary(text)) {
    report(1, 'binary', 'not a text file (binary content)');
    return doc;
  }
  if (text.includes('\ufffd')) {
    const at = text.slice(0, text.indexOf('\ufffd')).split('\n').length;
    report(at, 'encoding', 'not valid UTF-8', 'warning');
  }

  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const body = findBody(lines);
  doc.signed = body.signed;
  for (const p of body.problems) report(p.line, p.kind, p.message, p.severity);

  let para: Deb822Paragraph | undefined;
  let field: Deb822Field | undefined;
  /** After a bad line, its would-be continuation lines are dropped instead of reported again. */
  let skipping = false;

  for (let i = body.start; i < body.end; i++) {
    let raw = lines[i]!;
    const lineNo = i + 1;
    if (body.dashEscaped && raw.charCodeAt(0) === DASH) {
      if (raw.charCodeAt(1) === SPACE) raw = raw.slice(2);
      else report(lineNo, 'pgp', `line starts with '-' but is not dash-escaped ('- ') inside a signed message`);
    }
    const line = trimEndCR(raw);
    const c0 = line.charCodeAt(0);

    if (line.length === 0 || isBlankLine(line)) {
      para = undefined;
      field = undefined;
      skipping = false;
      continue;
    }
    if (c0 === HASH) continue;
    if (c0 === SPACE || c0 === TAB) {
      if (field) {
        if (c0 === TAB) report(lineNo, 'tab-continuation', `continuation line of '${field.name}' starts with a tab (a space is conventional)`, 'warning');
        if (!field.lineNumbers && lineNo !== field.endLine + 1) {
          field.lineNumbers = field.lines.map((_, k) => field!.line + k);
        }
        field.lines.push(line);
        field.lineNumbers?.push(lineNo);
        field.value += `\n${continuationText(line)}`;
        field.endLine = lineNo;
        para!.endLine = lineNo;
      } else if (!skipping) {
        report(lineNo, 'continuation-without-field', para
          ? 'continuation line does not follow a field'
          : 'continuation line (starting with a space or tab) before any field of the paragraph');
        skipping = true;
      }
      continue;
    }
    if (!body.signed && (line.startsWith('-----BEGIN PGP') || line.startsWith('-----END PGP'))) {
      report(lineNo, 'pgp', `OpenPGP armor line '${line.trimEnd()}' outside a signed message`);
      field = undefined;
      skipping = true;
      continue;
    }

    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).trimEnd() : '';
    if (colon <= 0 || name.length === 0 || !isFieldName(name)) {
      report(lineNo, 'bad-field-line', colon < 0
        ? `not a field: '${clip(line)}' (expected 'Name: value', or a continuation line starting with a space)`
        : `bad field name '${clip(name || line.slice(0, colon))}'`);
      field = undefined;
      skipping = true;
      continue;
    }
    skipping = false;
    if (!para) {
      para = new Deb822Paragraph(lineNo);
      doc.paragraphs.push(para);
    }
    const first = line.slice(colon + 1).trim();
    field = { name, value: first, line: lineNo, lines: [first], endLine: lineNo };
    const earlier = para.add(field);
    if (earlier) report(lineNo, 'duplicate-field', `duplicate field '${name}' (first at line ${earlier.line})`);
    para.endLine = lineNo;
  }

  if (doc.paragraphs.length === 0 && !options.allowEmpty) {
    report(1, 'empty', 'no paragraphs (the file is empty or only comments)');
  }
  return doc;
}

/** Printable US-ASCII without space or colon, not starting with '#' or '-' (Policy 5.1). */
function isFieldName(name: string): boolean {
  const c0 = name.charCodeAt(0);
  if (c0 === HASH || c0 === DASH) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c <= SPACE || c > 126 || c === COLON) return false;
  }
  return true;
}

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** Reads and parses a file; an unreadable file is a PipelineError naming it. */
export function parseDeb822File(path: string, options: Omit<ParseDeb822Options, 'file'> & { file?: string } = {}): Deb822Document {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new PipelineError(`cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file: options.file ?? path, cause: e });
  }
  return parseDeb822(text, { ...options, file: options.file ?? path });
}

/** The original line number of each entry of field.lines. */
export function fieldLineNumbers(field: Deb822Field): number[] {
  return field.lineNumbers ?? field.lines.map((_, k) => field.line + k);
}

/**
 * A folded field's value on one line (Build-Depends, Uploaders, DEP-5 Files): every line trimmed
 * and joined with single spaces; empty lines (and ` .`) vanish.
 */
export function foldedValue(field: Deb822Field): string {
  let out = '';
  for (const l of field.lines) {
    const t = l.trim();
    if (t === '' || t === '.') continue;
    out = out === '' ? t : `${out} ${t}`;
  }
  return out;
}

/** A continuation line as dpkg reads it: one leading space/tab off, trailing blanks off, `.`+ loses a dot. */
function continuationText(line: string): string {
  const t = line.slice(1).trimEnd();
  if (t.length > 0 && t.charCodeAt(0) === 46 /* . */) {
    for (let i = 1; i < t.length; i++) if (t.charCodeAt(i) !== 46) return t;
    return t.slice(1);
  }
  return t;
}

/**
 * A multiline field's lines (Description, DEP-5 License/Copyright, Changes): the first line's
 * text, then each continuation line without its one leading space/tab and trailing whitespace;
 * a line that is just `.` becomes '' (dpkg's rule: a line of dots loses one dot). Equals
 * `field.value.split('\n')`.
 */
export function multilineValue(field: Deb822Field): string[] {
  const out: string[] = [field.lines[0] ?? ''];
  for (let i = 1; i < field.lines.length; i++) out.push(continuationText(field.lines[i]!));
  return out;
}

/** Same functions under one name: `deb822.parse(text, {file})`. */
export const deb822 = {
  parse: parseDeb822,
  parseFile: parseDeb822File,
  folded: foldedValue,
  multiline: multilineValue,
} as const;
