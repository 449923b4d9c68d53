/**
 * The first line of a DEP-5 `License:` field: short names joined by `or` / `and`.
 * - `and` binds tighter than `or`, unless a comma precedes the operator: a `, and` / `, or` binds
 *   loosest of all, so `A or B, and C` is `(A or B) and C`;
 * - `X with Y exception` attaches one exception to a name;
 * - `+` after a name means "or any later version"; `.0` suffixes are equivalent; case never matters;
 * - SPDX spellings (MIT, GPL-2.0-or-later, `WITH Classpath-exception-2.0`, parentheses) are accepted
 *   and mapped, because real files use them.
 * Problems (a space inside a name, `|` as "or", a bare comma, an exception without `exception`) are
 * reported, never thrown.
 */
import { canonicalLicenseName } from './spdx.js';

export interface LicenseName {
  kind: 'license';
  /** As written, e.g. `GPL-2.0+`. */
  name: string;
  /** Canonical comparison key, e.g. `gpl-2+`. */
  key: string;
  /** The exception name, e.g. `OpenSSL` (from `with OpenSSL exception`). */
  exception?: string;
}

export interface LicenseOperation {
  kind: 'and' | 'or';
  operands: LicenseExpression[];
}

export type LicenseExpression = LicenseName | LicenseOperation;

export type LicenseProblemKind = 'empty' | 'space-in-name' | 'pipe' | 'bare-comma' | 'bad-exception' | 'syntax';

export interface LicenseProblem {
  kind: LicenseProblemKind;
  message: string;
  /** The offending name or token. */
  text: string;
}

export interface ParsedLicense {
  expression?: LicenseExpression;
  /** Every name in the expression, in order. */
  names: LicenseName[];
  problems: LicenseProblem[];
}

type Token = { t: 'word'; v: string } | { t: 'comma' } | { t: 'lparen' } | { t: 'rparen' };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  for (const m of text.matchAll(/[,()]|[^\s,()]+/g)) {
    const v = m[0];
    if (v === ',') tokens.push({ t: 'comma' });
    else if (v === '(') tokens.push({ t: 'lparen' });
    else if (v === ')') tokens.push({ t: 'rparen' });
    else tokens.push({ t: 'word', v });
  }
  return tokens;
}

const isOp = (tok: Token | undefined, op: string) => tok?.t === 'word' && tok.v.toLowerCase() === op;
const isAnyOp = (tok: Token | undefined) => isOp(tok, 'and') || isOp(tok, 'or') || isOp(tok, '|') || isOp(tok, '&');

export function parseLicenseExpression(text: string): ParsedLicense {
  const problems: LicenseProblem[] = [];
  const names: LicenseName[] = [];
  const tokens = tokenize(text.trim());
  if (tokens.length === 0) {
    return { names, problems: [{ kind: 'empty', message: 'empty license short name', text: '' }] };
  }
  let pos = 0;
  const peek = () => tokens[pos];

  const opKind = (tok: Token): 'and' | 'or' => {
    const v = (tok as { v: string }).v.toLowerCase();
    if (v === '|') problems.push({ kind: 'pipe', message: 'use "or", not "|", between license names', text: '|' });
    return v === 'or' || v === '|' ? 'or' : 'and';
  };

  const combine = (kind: 'and' | 'or', left: LicenseExpression, right: LicenseExpression): LicenseExpression => {
    const parts = (e: LicenseExpression) => (e.kind === kind ? (e as LicenseOperation).operands : [e]);
    return { kind, operands: [...parts(left), ...parts(right)] };
  };

  // term := '(' commaExpr ')' | name-words ['with' words ['exception']]
  const term = (): LicenseExpression | undefined => {
    const tok = peek();
    if (tok?.t === 'lparen') {
      pos++;
      const inner = commaExpr();
      if (peek()?.t === 'rparen') pos++;
      else problems.push({ kind: 'syntax', message: 'unbalanced parenthesis', text: '(' });
      return inner;
    }
    const words: string[] = [];
    while (peek()?.t === 'word' && !isAnyOp(peek()) && !isOp(peek(), 'with')) {
      words.push((peek() as { v: string }).v);
      pos++;
    }
    if (words.length === 0) {
      const bad = peek();
      problems.push({ kind: 'syntax', message: `expected a license name${bad ? ` before ${describe(bad)}` : ' at the end'}`, text: bad ? describe(bad) : '' });
      if (bad) pos++;
      return undefined;
    }
    const name = words.join(' ');
    if (words.length > 1) problems.push({ kind: 'space-in-name', message: `license short name contains a space: "${name}"`, text: name });
    const leaf: LicenseName = { kind: 'license', name, key: canonicalLicenseName(words.join('-')) };
    if (isOp(peek(), 'with')) {
      pos++;
      const exc: string[] = [];
      while (peek()?.t === 'word' && !isAnyOp(peek())) {
        exc.push((peek() as { v: string }).v);
        pos++;
        if (exc[exc.length - 1].toLowerCase() === 'exception') break;
      }
      const last = exc[exc.length - 1]?.toLowerCase();
      if (exc.length >= 2 && last === 'exception') {
        leaf.exception = exc.slice(0, -1).join(' ');
      } else if (exc.length === 1 && /exception/i.test(exc[0])) {
        leaf.exception = exc[0]; // SPDX style: `WITH Classpath-exception-2.0`
      } else {
        leaf.exception = exc.join(' ');
        problems.push({
          kind: 'bad-exception',
          message: `exception should read "${name} with NAME exception"`,
          text: `${name} with ${exc.join(' ')}`.trim(),
        });
      }
    }
    names.push(leaf);
    return leaf;
  };

  // andExpr := term ('and' term)*      (no comma before the operator)
  const andExpr = (): LicenseExpression | undefined => {
    let left = term();
    while (isOp(peek(), 'and') || isOp(peek(), '&')) {
      pos++;
      const right = term();
      if (left && right) left = combine('and', left, right);
      else left = left ?? right;
    }
    return left;
  };

  // orExpr := andExpr ('or' andExpr)*
  const orExpr = (): LicenseExpression | undefined => {
    let left = andExpr();
    while (isOp(peek(), 'or') || isOp(peek(), '|')) {
      const kind = opKind(peek()!);
      pos++;
      const right = andExpr();
      if (left && right) left = combine(kind, left, right);
      else left = left ?? right;
    }
    return left;
  };

  // commaExpr := orExpr (',' ('and'|'or') orExpr)*   — a comma makes the operator bind loosest
  const commaExpr = (): LicenseExpression | undefined => {
    let left = orExpr();
    while (peek()?.t === 'comma') {
      pos++;
      let kind: 'and' | 'or' = 'and';
      if (isAnyOp(peek())) {
        kind = opKind(peek()!);
        pos++;
      } else {
        problems.push({ kind: 'bare-comma', message: 'a comma between license names needs "and" or "or" after it', text: ',' });
      }
      const right = orExpr();
      if (left && right) left = { kind, operands: [left, right] };
      else left = left ?? right;
    }
    return left;
  };

  let expression = commaExpr();
  while (pos < tokens.length) {
    const tok = tokens[pos++];
    problems.push({ kind: 'syntax', message: `unexpected ${describe(tok)}`, text: describe(tok) });
    // keep parsing what follows so every name is seen
    const more = commaExpr();
    if (expression && more) expression = { kind: 'and', operands: [expression, more] };
  }
  return { expression, names, problems };
}

function describe(tok: Token): string {
  return tok.t === 'word' ? `"${tok.v}"` : tok.t === 'comma' ? '","' : tok.t === 'lparen' ? '"("' : '")"';
}

/** Renders an expression canonically (for messages and comparisons): `(a or b) and c`. */
export function formatLicenseExpression(e: LicenseExpression, nested = false): string {
  if (e.kind === 'license') return e.exception ? `${e.key} with ${e.exception.toLowerCase()} exception` : e.key;
  const s = e.operands.map((o) => formatLicenseExpression(o, true)).join(` ${e.kind} `);
  return nested ? `(${s})` : s;
}

/** The set of canonical keys that satisfy the expression in some choice (for header comparison). */
export function licenseKeys(e: LicenseExpression | undefined): Set<string> {
  const keys = new Set<string>();
  const walk = (x: LicenseExpression) => {
    if (x.kind === 'license') keys.add(x.key);
    else x.operands.forEach(walk);
  };
  if (e) walk(e);
  return keys;
}
