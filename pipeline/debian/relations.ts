/**
 * Relationship fields (Depends, Build-Depends, Build-Conflicts, ...): `a (>= 1) | b:any [amd64]
 * <!nocheck>, ${misc:Depends}`, parsed into groups of alternatives with every problem located.
 *
 * Grammar and tolerance follow dpkg-dev's Dpkg::Deps (deps_parse / Dpkg::Deps::Simple): entries
 * are split on `,` then `|`; empty `,` entries are skipped (reported here as warnings, dpkg says
 * nothing); the obsolete relations `<`/`>` mean `<=`/`>=` (warning). Everything dpkg refuses is an
 * error here. A hand-written scanner (no backtracking regex) keeps lint fast on big control files.
 */
import { versionProblem } from './version.js';
import type { Deb822Field } from './deb822.js';

export type RelationOperator = '<<' | '<=' | '=' | '>=' | '>>';

export interface VersionConstraint {
  op: RelationOperator;
  version: string;
  /** The operator as written when it was the obsolete `<` or `>`. */
  obsoleteOp?: '<' | '>';
}

export interface Restriction {
  name: string;
  negated: boolean;
}

export interface Relation {
  /** Package name, or the whole `${...}` text for a substitution variable. */
  name: string;
  substvar?: true;
  /** `:any`, `:native`, `:amd64`. */
  archQualifier?: string;
  version?: VersionConstraint;
  /** `[amd64 !i386]`. */
  architectures?: Restriction[];
  /** `<!nocheck> <stage1 cross>` → [[!nocheck], [stage1, cross]] (any list true; all terms of a list true). */
  profiles?: Restriction[][];
  /** The alternative as written (trimmed). */
  text: string;
  /** Offset of `text` in the parsed value. */
  offset: number;
  /** 1-based file line, when parsed from a Deb822Field. */
  line?: number;
}

/** One comma-separated entry: its alternatives (`a | b`). */
export type RelationGroup = Relation[];

export interface RelationProblem {
  message: string;
  /** The alternative or entry concerned, as written. */
  text: string;
  offset: number;
  line?: number;
  severity: 'error' | 'warning';
}

export interface ParsedRelations {
  groups: RelationGroup[];
  problems: RelationProblem[];
}

const isAlnum = (c: number) => (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;
const isNameChar = (c: number) => isAlnum(c) || c === 43 || c === 46 || c === 45; // + . -
const isArchChar = (c: number) => isAlnum(c) || c === 45;

class Scanner {
  i = 0;
  constructor(readonly s: string) {}
  get done() { return this.i >= this.s.length; }
  peek() { return this.i < this.s.length ? this.s.charCodeAt(this.i) : -1; }
  skipSpace() { while (this.i < this.s.length && isSpace(this.s.charCodeAt(this.i))) this.i++; }
  take(pred: (c: number) => boolean): string {
    const start = this.i;
    while (this.i < this.s.length && pred(this.s.charCodeAt(this.i))) this.i++;
    return this.s.slice(start, this.i);
  }
  /** Text up to (not including) the char `end`; undefined when `end` never comes. */
  until(end: number): string | undefined {
    const j = this.s.indexOf(String.fromCharCode(end), this.i);
    if (j < 0) return undefined;
    const out = this.s.slice(this.i, j);
    this.i = j + 1;
    return out;
  }
}

function parseRestrictionList(body: string, what: 'architecture' | 'build profile', valid: (c: number) => boolean, problems: string[], warnings: string[]): Restriction[] {
  const terms = body.split(/[ \t\r\n]+/).filter((t) => t !== '');
  if (terms.length === 0) problems.push(`empty ${what} list`);
  const out: Restriction[] = [];
  for (const t of terms) {
    const negated = t.charCodeAt(0) === 33; // !
    const name = negated ? t.slice(1) : t;
    let ok = name.length > 0 && isAlnum(name.charCodeAt(0));
    for (let k = 1; ok && k < name.length; k++) ok = valid(name.charCodeAt(k));
    if (!ok) problems.push(`'${t}' is not a valid ${what}`);
    out.push({ name, negated });
  }
  if (what === 'architecture' && out.some((r) => r.negated) && out.some((r) => !r.negated)) {
    warnings.push(`architecture list mixes negated and plain entries ('${body.trim()}')`);
  }
  return out;
}

/** Parses one alternative; returns the relation or the reasons it cannot be parsed. */
function parseAlternative(text: string, offset: number): { relation?: Relation; errors: string[]; warnings: string[] } {
  const errors: string[] = [];
  const warnings: string[] = [];
  const sc = new Scanner(text);
  const rel: Relation = { name: '', text, offset };

  if (text.startsWith('${')) {
    const body = sc.until(125); // }
    if (body === undefined) return { errors: [`unterminated substitution variable '${text}'`], warnings };
    rel.name = `${body}}`;
    rel.substvar = true;
  } else {
    if (!isAlnum(sc.peek())) {
      return { errors: [text === '' ? 'empty alternative' : `package name expected at '${text}'`], warnings };
    }
    rel.name = sc.take(isNameChar);
    if (/[A-Z]/.test(rel.name)) warnings.push(`package name '${rel.name}' has upper-case letters (package names are lower case)`);
    if (sc.peek() === 58) { // :
      sc.i++;
      const q = sc.take(isArchChar);
      if (q === '' || !isAlnum(q.charCodeAt(0))) errors.push(`architecture qualifier expected after '${rel.name}:'`);
      rel.archQualifier = q;
    }
  }

  sc.skipSpace();
  if (sc.peek() === 40) { // (
    sc.i++;
    const body = sc.until(41); // )
    if (body === undefined) {
      errors.push(`missing ')' in '${text}'`);
    } else {
      const m = /^[ \t\r\n]*(<<|<=|>=|>>|=|<|>)[ \t\r\n]*([^\s)]+)[ \t\r\n]*$/.exec(body);
      if (!m) {
        errors.push(`bad version constraint '(${body})' (expected e.g. '(>= 1.0)')`);
      } else {
        const [, op, version] = m as unknown as [string, string, string];
        if (op === '<' || op === '>') {
          rel.version = { op: op === '<' ? '<=' : '>=', version, obsoleteOp: op };
          warnings.push(`obsolete relation '${op}' in '(${body.trim()})' means '${op}=' (write '${op}${op}' or '${op}=')`);
        } else {
          rel.version = { op: op as RelationOperator, version };
        }
        if (!version.includes('${')) {
          const vp = versionProblem(version);
          if (vp) errors.push(`invalid version '${version}' in '${text}': ${vp.reason}`);
        }
      }
    }
    sc.skipSpace();
  }
  if (sc.peek() === 91) { // [
    sc.i++;
    const body = sc.until(93); // ]
    if (body === undefined) errors.push(`missing ']' in '${text}'`);
    else rel.architectures = parseRestrictionList(body, 'architecture', isArchChar, errors, warnings);
    sc.skipSpace();
  }
  while (sc.peek() === 60) { // <
    sc.i++;
    const body = sc.until(62); // >
    if (body === undefined) {
      errors.push(`missing '>' in '${text}'`);
      break;
    }
    (rel.profiles ??= []).push(parseRestrictionList(body, 'build profile', (c) => isAlnum(c) || c === 45 || c === 46 || c === 43, errors, warnings));
    sc.skipSpace();
  }
  if (!sc.done && errors.length === 0) {
    const rest = text.slice(sc.i);
    errors.push(rest.startsWith('(') || rest.startsWith('[')
      ? `'${rest}' is out of order in '${text}' (the order is: name, (version), [architectures], <profiles>)`
      : `unexpected '${rest}' in '${text}'`);
  }
  return { relation: errors.length === 0 ? rel : undefined, errors, warnings };
}

/**
 * Parses a relationship field value. Entries that cannot be parsed are left out of `groups` and
 * reported in `problems` (with the offset into `value`); parsing goes on with the next entry.
 */
export function parseRelations(value: string): ParsedRelations {
  const groups: RelationGroup[] = [];
  const problems: RelationProblem[] = [];
  let entryStart = 0;
  const n = value.length;
  while (entryStart <= n) {
    let entryEnd = value.indexOf(',', entryStart);
    if (entryEnd < 0) entryEnd = n;
    const entry = value.slice(entryStart, entryEnd);
    const isLast = entryEnd === n;
    if (entry.trim() === '') {
      // dpkg skips empty entries; a trailing comma is common and harmless, others are typos.
      if (!isLast) {
        problems.push({ message: 'empty entry between commas', text: entry, offset: entryStart, severity: 'warning' });
      }
    } else {
      const group: RelationGroup = [];
      let altStart = entryStart;
      let broken = false;
      while (altStart <= entryEnd) {
        let altEnd = value.indexOf('|', altStart);
        if (altEnd < 0 || altEnd > entryEnd) altEnd = entryEnd;
        const raw = value.slice(altStart, altEnd);
        const lead = raw.length - raw.trimStart().length;
        const text = raw.trim();
        const { relation, errors, warnings } = parseAlternative(text, altStart + lead);
        for (const w of warnings) problems.push({ message: w, text, offset: altStart + lead, severity: 'warning' });
        for (const e of errors) problems.push({ message: `cannot parse relation: ${e}`, text: text || entry.trim(), offset: altStart + lead, severity: 'error' });
        if (relation) group.push(relation);
        else broken = true;
        altStart = altEnd + 1;
      }
      if (!broken && group.length) groups.push(group);
    }
    entryStart = entryEnd + 1;
  }
  return { groups, problems };
}

/**
 * parseRelations on a deb822 field, with the file line of every relation and problem (the field's
 * value has one line per field line, so an offset maps to a line by counting newlines).
 */
export function parseFieldRelations(field: Deb822Field): ParsedRelations {
  const parsed = parseRelations(field.value);
  const lineStarts: number[] = [0];
  for (let i = 0; i < field.value.length; i++) if (field.value.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const numbers = field.lineNumbers ?? field.lines.map((_, k) => field.line + k);
  const lineAt = (offset: number) => {
    let k = 0;
    while (k + 1 < lineStarts.length && lineStarts[k + 1]! <= offset) k++;
    return numbers[k] ?? field.line;
  };
  for (const g of parsed.groups) for (const r of g) r.line = lineAt(r.offset);
  for (const p of parsed.problems) p.line = lineAt(p.offset);
  return parsed;
}

/** A relation written back in canonical form (`name:qual (op version) [archs] <profiles>`). */
export function formatRelation(r: Relation): string {
  let out = r.name + (r.archQualifier ? `:${r.archQualifier}` : '');
  if (r.version) out += ` (${r.version.op} ${r.version.version})`;
  if (r.architectures) out += ` [${r.architectures.map((a) => (a.negated ? '!' : '') + a.name).join(' ')}]`;
  for (const p of r.profiles ?? []) out += ` <${p.map((t) => (t.negated ? '!' : '') + t.name).join(' ')}>`;
  return out;
}

export function formatRelations(groups: readonly RelationGroup[]): string {
  return groups.map((g) => g.map(formatRelation).join(' | ')).join(', ');
}
