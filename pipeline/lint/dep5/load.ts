/**
 * debian/copyright, read once per tree and shared by the DEP-5 checks: raw bytes → text (with
 * encoding and binary-junk problems noted), the Format URI classified, and the parsed document.
 */
import type { LintContext } from '../context.js';
import { declaresDep5, parse, type Dep5Document } from './parse.js';

export const COPYRIGHT = 'debian/copyright';

export type FormatUriKind =
  | 'current' // copyright-format 1.0 on www.debian.org (http or https: the specification allows both)
  | 'unversioned' // dep.debian.net/deps/dep5 — no version
  | 'outdated' // an svn revision before the last significant change
  | 'ancient' // too old for the structural checks (wiki, svn before the overhaul)
  | 'wiki'
  | 'boilerplate' // dh-make template text never filled in
  | 'unknown';

export interface FormatUri {
  uri: string;
  kind: FormatUriKind;
  /** Version as lintian numbers it (e.g. '1.0', '0+svn~166'); undefined for unknown/boilerplate. */
  version?: string;
}

export interface LoadedCopyright {
  text: string;
  /** Lines with a NUL or other binary control bytes (1-based). */
  binaryLines: number[];
  /** True when the bytes are not valid UTF-8. */
  invalidUtf8: boolean;
  /** Does it declare the machine-readable format at all? */
  dep5: boolean;
  doc?: Dep5Document;
  format?: FormatUri;
  /** Structural checks apply (the format is DEP-5 as of the 2010 overhaul or later). */
  structured: boolean;
}

const LAST_SIGNIFICANT_CHANGE = 166;
const LAST_OVERHAUL = 148;

/** Classifies a Format URI the way lintian does (minus its "http is insecure" opinion). */
export function classifyFormatUri(raw: string): FormatUri {
  const uri = raw.replace(/#.*$/, '');
  if (/\b(?:rev=REVISION|VERSIONED_FORMAT_URL)\b/.test(uri)) return { uri: raw, kind: 'boilerplate' };
  if (/^https?:\/\/wiki\.debian\.org\/Proposals\/CopyrightFormat\b/.test(uri)) return { uri: raw, kind: 'wiki', version: '0~wiki' };
  if (/^https?:\/\/dep(?:-team\.pages)?\.debian\.net\/deps\/dep5\/?$/.test(uri)) return { uri: raw, kind: 'unversioned', version: '0+svn' };
  const svn = /^https?:\/\/(?:svn\.debian\.org\/wsvn|(?:svn|anonscm)\.debian\.org\/viewvc)\/dep\/web\/deps\/dep5\.mdwn\b(.*)$/.exec(uri);
  if (svn) {
    const rev = /[?&;](?:pathrev|revision|rev)=(\d+)/.exec(svn[1]);
    if (!rev) return { uri: raw, kind: 'unversioned', version: '0+svn' };
    const n = Number(rev[1]);
    return { uri: raw, kind: n < LAST_OVERHAUL ? 'ancient' : n < LAST_SIGNIFICANT_CHANGE ? 'outdated' : 'current', version: `0+svn~${n}` };
  }
  const current = /^https?:\/\/www\.debian\.org\/doc\/(?:packaging-manuals\/)?copyright-format\/(\d+\.\d+)\/?$/.exec(uri);
  if (current) return { uri: raw, kind: 'current', version: current[1] };
  return { uri: raw, kind: 'unknown' };
}

export function loadCopyright(ctx: LintContext): LoadedCopyright | undefined {
  return ctx.shared('dep5:copyright', () => {
    const bytes = ctx.bytes(COPYRIGHT);
    if (!bytes) return undefined;
    return readCopyright(bytes);
  });
}

export function readCopyright(bytes: Buffer, file = COPYRIGHT): LoadedCopyright {
  let invalidUtf8 = false;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    invalidUtf8 = true;
    text = new TextDecoder('utf-8').decode(bytes);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const binaryLines: number[] = [];
  // eslint-disable-next-line no-control-regex
  const junk = /[\x00-\x08\x0b\x0e-\x1f\x7f]/;
  if (junk.test(text)) text.split('\n').forEach((l, i) => junk.test(l) && binaryLines.push(i + 1));
  const dep5 = declaresDep5(text);
  const result: LoadedCopyright = { text, binaryLines, invalidUtf8, dep5, structured: false };
  if (!dep5) return result;
  // The Format field of the first paragraph (comments and folded lines allowed).
  result.doc = parse(text, file);
  const header = result.doc.header;
  const uri = header?.format?.value.trim().split(/\s+/)[0];
  if (uri) {
    result.format = classifyFormatUri(uri);
    // Old drafts (wiki, svn before the 2010 overhaul) had another syntax: skip the structure checks,
    // as lintian does. An unknown or template URI on a file that has Files paragraphs is still
    // checked (lintian stops there, hiding every other problem until the URI is fixed).
    const old = result.format.kind === 'ancient' || result.format.kind === 'wiki';
    const unclear = result.format.kind === 'unknown' || result.format.kind === 'boilerplate';
    result.structured = !old && (!unclear || result.doc.files.length > 0);
  } else {
    // No Format field in the first paragraph: still structured (that is itself the finding).
    result.structured = true;
  }
  // A file that does not parse gets its syntax errors only (as lintian stops there): what a broken
  // paragraph seems to lack or cover would be guesses that vanish with the fix.
  if (result.doc.problems.some((p) => p.severity !== 'warning' && p.kind !== 'tab-continuation' && p.kind !== 'encoding' && p.kind !== 'binary'))
    result.structured = false;
  return result;
}
