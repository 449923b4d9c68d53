/**
 * debian/changelog entries (Policy 4.4), parsed ourselves because lint must not spend a process
 * start per package (dpkg-parsechangelog is the oracle in the tests):
 *
 *   package (version) distribution(s); urgency=medium[, key=value]
 *     change lines, indented
 *    -- Name <address>  Day, DD Mon YYYY HH:MM:SS +zzzz
 *
 * The state machine and the regular expressions are dpkg's (Dpkg::Changelog::Debian and
 * Dpkg::Changelog::Entry::Debian, dpkg 1.21/1.22): a problem is recorded exactly where
 * dpkg-parsechangelog warns, with its line, so lint's syntax errors and the strict reader
 * (tools/changelog.ts, which `show` and the stages use) refuse the same files. Parsing stops at an
 * "Old Changelog:" / "Local variables:" / ancient-format section as dpkg does.
 */
import { versionProblem } from '../../debian/version.js';

export interface ChangelogEntry {
  source: string;
  version: string;
  distributions: string[];
  /** key=value options after the `;` (keys lower-case). */
  options: Record<string, string>;
  line: number;
  trailer?: {
    line: number;
    name: string;
    email: string;
    date: string;
    /** Two spaces between `>` and the date, as required. */
    spacingOk: boolean;
  };
  changes: string[];
}

export interface ChangelogProblem {
  line: number;
  message: string;
}

export interface ParsedChangelog {
  entries: ChangelogEntry[];
  problems: ChangelogProblem[];
}

const HEADER = /^(\w[-+0-9a-z.]*) \(([^() \t]+)\)((?:\s+[-+0-9a-z.]+)+);(.*?)\s*$/i;
const TRAILER = /^ -- (.*) <(.*)>( {1,2})(((\w+),\s*)?(\d{1,2}\s+(\w+)\s+\d{4}\s+(\d{1,2}):(\d\d):(\d\d)\s+[-+]\d{4}))\s*$/;
/** dpkg's $ancient_delimiter_re: the rest of the file is an old-format changelog, kept verbatim. */
const ANCIENT = new RegExp(
  '^(?:\\w+\\s+\\w+\\s+\\d{1,2} \\d{1,2}:\\d{1,2}:\\d{1,2}\\s+[\\w\\s]*\\d{4}\\s+.*\\s+[<(].*[)>]' +
    '|\\w+\\s+\\w+\\s+\\d{1,2},?\\s*\\d{4}\\s+.*\\s+[<(].*[)>]' +
    '|\\w[-+0-9a-z.]* \\([^() \\t]+\\);?' +
    '|[\\w.+-]+[- ]\\S+ Debian \\S+' +
    '|Changes from version .* to .*:' +
    '|Changes for [\\w.+-]+-[\\w.+-]+:?\\s*$' +
    '|Old Changelog:\\s*$' +
    '|(?:\\d+:)?\\w[\\w.+~-]*:?\\s*$)',
  'i',
);
/**
 * Longer lines are never a header, trailer or ancient delimiter: the `(.*) <(.*)>` and `.*\s+...`
 * patterns backtrack quadratically on a hostile line (real ones are under 200 characters).
 */
const LINE_MAX = 4096;
const MONTH_ABBREV = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTH_NAME = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const WEEK_DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

type Expect = 'first heading' | 'next heading or end of file' | 'start of change data' | 'more change data or trailer';

export function parseChangelog(text: string): ParsedChangelog {
  const entries: ChangelogEntry[] = [];
  const problems: ChangelogProblem[] = [];
  const problem = (line: number, message: string) => problems.push({ line, message });
  let current: ChangelogEntry | undefined;
  let expect: Expect = 'first heading';
  const lines = text.split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  let no = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    no = i + 1;
    const h = line.length <= LINE_MAX ? HEADER.exec(line) : null;
    if (h) {
      if (expect !== 'first heading' && expect !== 'next heading or end of file') problem(no, `found start of entry where expected ${expect}`);
      current = { source: h[1], version: h[2], distributions: h[3].trim().split(/\s+/), options: {}, line: no, changes: [] };
      entries.push(current);
      for (const m of headerProblems(h[2], h[4], current.options)) problem(no, m);
      expect = 'start of change data';
      continue;
    }
    if (/^\$\w+:.*\$/.test(line) || /^# /.test(line) || /^\/\*.*\*\//.test(line)) continue;
    // The rest of the file is kept verbatim: dpkg slurps it as one record, so its line counter
    // (which a later "end of file" warning names) moves on by one when anything follows.
    if (/^(?:;;\s*)?Local variables:/i.test(line) || /^vim:/i.test(line) || (line.length <= LINE_MAX && ANCIENT.test(line))) {
      if (i + 1 < lines.length) no = i + 2;
      break;
    }
    if (/^\S/.test(line)) {
      problem(no, entries.length === 0 ? `badly formatted heading line: "${clip(line)}" (the first line must be an entry header)` : `badly formatted heading line: "${clip(line)}"`);
      continue;
    }
    const t = line.length <= LINE_MAX ? TRAILER.exec(line) : null;
    if (t) {
      if (expect !== 'more change data or trailer') problem(no, `found trailer where expected ${expect}`);
      const spacingOk = t[3] === '  ';
      if (current && !current.trailer) current.trailer = { line: no, name: t[1].trim(), email: t[2], date: t[4], spacingOk };
      for (const m of trailerProblems(t, spacingOk)) problem(no, m);
      expect = 'next heading or end of file';
      continue;
    }
    if (/^ --/.test(line)) {
      problem(no, 'badly formatted trailer line (expected " -- Name <address>  Day, DD Mon YYYY HH:MM:SS +zzzz")');
      continue;
    }
    if (/^\s{2,}\S/.test(line)) {
      if (expect !== 'start of change data' && expect !== 'more change data or trailer') problem(no, `found change data where expected ${expect}`);
      if (current && !current.trailer) current.changes.push(line);
      expect = 'more change data or trailer';
      continue;
    }
    if (!/\S/.test(line)) {
      if (expect === 'first heading') problem(no, 'found blank line where expected first heading');
      continue;
    }
    problem(no, `unrecognized line: "${clip(line)}"`);
    if (expect !== 'start of change data' && expect !== 'more change data or trailer') expect = 'more change data or trailer';
  }
  if (expect !== 'next heading or end of file') problem(Math.max(1, no), `found end of file where expected ${expect}`);
  return { entries, problems };
}

/** dpkg's parse_header checks: the version, and each `key=value` option after the `;`. */
function headerProblems(version: string, rawOptions: string, options: Record<string, string>): string[] {
  const out: string[] = [];
  const vp = versionProblem(version);
  if (vp) out.push(`version '${version}' is invalid: ${vp.reason}`);
  const opts = rawOptions.replace(/^\s+/, '').split(/\s*,\s*/);
  while (opts.length && opts[opts.length - 1] === '') opts.pop(); // Perl's split drops trailing empty fields
  for (const opt of opts) {
    const m = /^([-0-9a-z]+)=\s*(.*\S)$/i.exec(opt);
    if (!m) {
      out.push(`bad key-value after ';': '${clip(opt)}'`);
      continue;
    }
    const key = m[1].toLowerCase();
    if (key in options) out.push(`repeated key-value ${m[1]}`);
    else options[key] = m[2];
    if (key === 'urgency') {
      if (!/^[-0-9a-z]+(?:\s+.*)?$/i.test(m[2])) out.push(`badly formatted urgency value: ${clip(m[2])}`);
    } else if (key === 'binary-only') {
      if (m[2] !== 'yes') out.push(`bad binary-only value: ${clip(m[2])}`);
    } else if (!/^x[bcs]+-/i.test(key)) out.push(`unknown key-value ${m[1]}`);
  }
  return out;
}

/** dpkg's parse_trailer checks: two spaces before the date, a real week day, a date strptime reads. */
function trailerProblems(t: RegExpExecArray, spacingOk: boolean): string[] {
  const out: string[] = [];
  if (!spacingOk) out.push('badly formatted trailer line (two spaces needed between the address and the date)');
  if (t[5] !== undefined && !WEEK_DAYS.includes(t[6])) out.push(`ignoring invalid week day '${t[6]}'`);
  const month = t[8];
  const [hh, mm, ss] = [Number(t[9]), Number(t[10]), Number(t[11])];
  if (!MONTH_ABBREV.includes(month) || hh > 23 || mm > 59 || ss > 61) {
    const full = MONTH_NAME.indexOf(month);
    if (!MONTH_ABBREV.includes(month)) out.push(full >= 0 ? `uses full '${month}' instead of abbreviated month name '${MONTH_ABBREV[full]}'` : `invalid abbreviated month name '${clip(month)}'`);
    out.push(`cannot parse non-conformant date '${clip(t[7])}'`);
  }
  return out;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export interface ParsedDate {
  date?: Date;
  /** Why it is not a valid RFC 5322 date as Policy wants it. */
  error?: string;
  /** The day name written, when it disagrees with the date. */
  wrongDay?: { written: string; actual: string };
}

/** `Wed, 25 Nov 2026 20:00:37 +0000` → Date, checking every part (dpkg accepts less). */
export function parseChangelogDate(text: string): ParsedDate {
  const m = /^(?:([A-Z][a-z]{2}), )?(\d{1,2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) ([-+])(\d{2})(\d{2})(?: \(.*\))?$/.exec(text);
  if (!m) return { error: `not an RFC 5322 date: "${text}"` };
  const [, dayName, dd, mon, yyyy, hh, mi, ss, sign, zh, zm] = m;
  const month = MONTHS.indexOf(mon);
  if (month < 0) return { error: `unknown month "${mon}"` };
  if (dayName && !DAYS.includes(dayName)) return { error: `unknown day name "${dayName}"` };
  const day = Number(dd);
  const local = Date.UTC(Number(yyyy), month, day, Number(hh), Number(mi), Number(ss));
  const check = new Date(Date.UTC(Number(yyyy), month, day));
  if (check.getUTCDate() !== day || Number(hh) > 23 || Number(mi) > 59 || Number(ss) > 60 || Number(zm) > 59)
    return { error: `no such date or time: "${text}"` };
  const offset = (sign === '-' ? -1 : 1) * (Number(zh) * 60 + Number(zm));
  const date = new Date(local - offset * 60_000);
  const actual = DAYS[check.getUTCDay()];
  if (dayName && dayName !== actual) return { date, wrongDay: { written: dayName, actual } };
  return { date };
}

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
