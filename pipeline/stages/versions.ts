/**
 * Stage versions. The policy (how PPA and backport versions are formed and checked) belongs to
 * pipeline/debian/versionPolicy.ts; until that lands this holds the same rules in small form:
 *   ppa:       BASE~ppaN            N above every N this base ever used in the target
 *   backports: BASE~bpoNN+N (Debian) / BASE~bpoYY.MM.N (Ubuntu), N likewise
 * `derivedFrom` answers "is V this stage's version of BASE?" (has the stage been reached?).
 */
import type { StageKind } from '../state/records.js';
import { compareVersions } from '../debian/version.js';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function nextCounter(prefix: string, used: readonly string[], tail = ''): number {
  const re = new RegExp(`^${escape(prefix)}(\\d+)${escape(tail)}$`);
  let max = 0;
  for (const v of used) {
    const m = re.exec(v);
    if (m) max = Math.max(max, Number(m[1]));
  }
  return max + 1;
}

export function ppaVersion(base: string, used: readonly string[]): string {
  return `${base}~ppa${nextCounter(`${base}~ppa`, used)}`;
}

export function backportSuffixPrefix(vendor: 'debian' | 'ubuntu', seriesVersion: string): string {
  return vendor === 'debian' ? `~bpo${seriesVersion.split('.')[0]}+` : `~bpo${seriesVersion}.`;
}

export function backportVersion(base: string, ctx: { vendor: 'debian' | 'ubuntu'; seriesVersion: string; usedVersions: readonly string[] }): string {
  const prefix = `${base}${backportSuffixPrefix(ctx.vendor, ctx.seriesVersion)}`;
  return `${prefix}${nextCounter(prefix, ctx.usedVersions)}`;
}

/** True when `v` is the stage kind's version of `base` (e.g. `1.0-1~ppa3` for ppa and base `1.0-1`). */
export function derivedFrom(kind: StageKind, base: string, v: string, _vendor: 'debian' | 'ubuntu'): boolean {
  if (kind === 'devel') return compareVersions(v, base, { lenient: true }) === 0;
  const marker = kind === 'ppa' ? '~ppa' : '~bpo';
  return v.startsWith(`${base}${marker}`) && /^\d/.test(v.slice(base.length + marker.length));
}
