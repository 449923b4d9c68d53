/**
 * Two builds' .debs compared, for the reproducibility check: by sha256 (a reproducible build makes
 * the same bytes), and for a .deb that differs, which of its files differ (the md5sums control
 * member of each build: dpkg-deb --info DEB md5sums) and, when diffoscope is installed, its report
 * (kept as a file; the members it names are listed too, for what md5sums cannot show: control
 * data, permissions, timestamps).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { execa } from 'execa';
import { execaSupervised, findExecutable } from '../tools/supervised.js';

export interface DifferingDeb {
  deb: string;
  /** Files whose content differs (or that only one build ships), from the md5sums members. */
  files: string[];
  /** Members diffoscope names as differing (tar members, control files), when it ran. */
  diffoscopeMembers?: string[];
  /** The diffoscope text report. */
  diffoscope?: string;
}

export interface RebuildComparison {
  identical: string[];
  differing: DifferingDeb[];
  /** .debs only the first build made, and only the second. */
  missing: string[];
  extra: string[];
  /** Why diffoscope did not run (not installed). */
  diffoscopeNote?: string;
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** path → md5 of a .deb's md5sums member ({} when it has none). */
export async function debMd5sums(deb: string): Promise<Map<string, string>> {
  const r = await execa('dpkg-deb', ['--info', deb, 'md5sums'], { reject: false, env: { LC_ALL: 'C.UTF-8' } });
  const out = new Map<string, string>();
  if (r.exitCode !== 0) return out;
  for (const line of String(r.stdout).split('\n')) {
    const m = /^([0-9a-f]{32})\s+(.+)$/.exec(line.trim());
    if (m) out.set(`/${m[2]!.replace(/^\.?\//, '')}`, m[1]!);
  }
  return out;
}

export function differingFiles(a: Map<string, string>, b: Map<string, string>): string[] {
  const names = new Set([...a.keys(), ...b.keys()]);
  return [...names].filter((n) => a.get(n) !== b.get(n)).sort();
}

/** The member names a diffoscope text report shows as differing (`│ ├── ./usr/share/x`). */
export function diffoscopeMembers(report: string): string[] {
  const out = new Set<string>();
  for (const line of report.split('\n')) {
    const m = /^[│\s]*[├└]── (\S.*)$/.exec(line);
    if (m && !/^(file list|md5sums)$/.test(m[1]!)) out.add(m[1]!.trim());
  }
  return [...out];
}

async function runDiffoscope(a: string, b: string, report: string): Promise<string | undefined> {
  // exit 0: identical, 1: differences found; anything else is diffoscope's own failure.
  const r = await execaSupervised('diffoscope', ['--text', report, '--text-color', 'never', '--timeout', '300', '--max-report-size', '20000000', a, b], { reject: false, env: { LC_ALL: 'C.UTF-8' } });
  return (r.exitCode === 0 || r.exitCode === 1) && existsSync(report) ? report : undefined;
}

export async function compareRebuild(firstDebs: string[], secondDir: string, workDir: string): Promise<RebuildComparison> {
  const second = new Map(readdirSync(secondDir).filter((n) => /\.u?deb$/.test(n)).map((n) => [n, join(secondDir, n)]));
  const first = new Map(firstDebs.map((p) => [basename(p), p]));
  const out: RebuildComparison = {
    identical: [], differing: [],
    missing: [...first.keys()].filter((n) => !second.has(n)).sort(),
    extra: [...second.keys()].filter((n) => !first.has(n)).sort(),
  };
  const diffoscope = findExecutable('diffoscope');
  if (!diffoscope) out.diffoscopeNote = 'diffoscope is not installed (apt-get install diffoscope-minimal): differing files from md5sums only';
  for (const [name, a] of [...first].sort()) {
    const b = second.get(name);
    if (!b) continue;
    if (sha256(a) === sha256(b)) { out.identical.push(name); continue; }
    const d: DifferingDeb = { deb: name, files: differingFiles(await debMd5sums(a), await debMd5sums(b)) };
    if (diffoscope) {
      mkdirSync(join(workDir, 'diffoscope'), { recursive: true });
      const report = await runDiffoscope(a, b, join(workDir, 'diffoscope', `${name}.txt`));
      if (report) { d.diffoscope = report; d.diffoscopeMembers = diffoscopeMembers(readFileSync(report, 'utf8')).slice(0, 50); }
    }
    out.differing.push(d);
  }
  return out;
}
