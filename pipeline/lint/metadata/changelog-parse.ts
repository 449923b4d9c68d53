/**
 * debian/changelog entries (Policy 4.4), parsed ourselves because lint must not spend a process
 * start per package (dpkg-parsechangelog is the oracle in the tests):
 *
 *   package (version) distribution(s); urgency=medium[, key=value]
 *     change lines, indented
 *    -- Name <address>  Day, DD Mon YYYY HH:MM:SS +zzzz
 *
 * Tolerant: problems carry a line number; parsing stops at an "Old Changelog:" / "Local variables:"
 * section as dpkg does.
 */

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

const HEADER = /^(\w[-+0-9a-z.]*) \(([^()\s]+)\)((?:\s+[-+0-9a-zA-Z.]+)+);(.*)$/i;
const TRAILER = /^ -- (.*?) ?<([^<>]*)>( {1,3})(\S.*?)\s*$/;
const END = /^(?:old changelog:|local variables:|# ?vim:|\/\* ?local variables)/i;

export function parseChangelog(text: string): ParsedChangelog {
  const entries: ChangelogEntry[] = [];
  const problems: ChangelogProblem[] = [];
  let current: ChangelogEntry | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, '');
    const no = i + 1;
    if (END.test(line)) break;
    if (line.trim() === '') continue;
    const h = HEADER.exec(line);
    if (h) {
      if (current && !current.trailer) problems.push({ line: no, message: `entry for ${current.version} (line ${current.line}) has no trailer line` });
      const options: Record<string, string> = {};
      for (const kv of h[4].split(',')) {
        const m = /^\s*([-0-9a-z]+)=(\S*)\s*$/i.exec(kv);
        if (m) options[m[1].toLowerCase()] = m[2];
        else if (kv.trim()) problems.push({ line: no, message: `badly formatted option "${kv.trim()}" after ";"` });
      }
      if (!('urgency' in options)) problems.push({ line: no, message: 'header has no urgency=' });
      current = { source: h[1], version: h[2], distributions: h[3].trim().split(/\s+/), options, line: no, changes: [] };
      entries.push(current);
      continue;
    }
    if (line.startsWith(' -- ') || line.startsWith(' --')) {
      const t = TRAILER.exec(line);
      if (!current) problems.push({ line: no, message: 'trailer line before any entry header' });
      else if (!t) problems.push({ line: no, message: 'badly formatted trailer line (expected " -- Name <address>  Day, DD Mon YYYY HH:MM:SS +zzzz")' });
      else if (current.trailer) problems.push({ line: no, message: `second trailer line for ${current.version}` });
      else current.trailer = { line: no, name: t[1].trim(), email: t[2], date: t[4], spacingOk: t[3] === '  ' };
      continue;
    }
    if (/^[ \t]/.test(line)) {
      if (!current) problems.push({ line: no, message: 'change line before any entry header' });
      else if (current.trailer) problems.push({ line: no, message: 'change line after the trailer (missing entry header?)' });
      else current.changes.push(line);
      continue;
    }
    problems.push({ line: no, message: entries.length === 0 ? `first line is not an entry header: "${clip(line)}"` : `unrecognised line: "${clip(line)}"` });
  }
  if (current && !current.trailer) problems.push({ line: lines.length, message: `entry for ${current.version} (line ${current.line}) has no trailer line` });
  if (entries.length === 0 && problems.length === 0) problems.push({ line: 1, message: 'no entries' });
  return { entries, problems };
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
