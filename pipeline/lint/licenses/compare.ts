/**
 * Does a license detected in a file header agree with what debian/copyright declares for it?
 * Lenient where header/declaration comparisons are known to be noisy:
 * - spelling: keys are canonical (case, `.0`, SPDX names already folded); MIT, Expat and X11 agree;
 * - "or later": a header granting `GPL-2+` agrees with a declared `GPL-2` or `GPL-3+` (the file may be
 *   used under those); a header granting only `GPL-2` does NOT agree with a declared `GPL-2+`;
 * - BSD: a declared variant with MORE clauses than the header's is fine, fewer is not;
 * - any license of a declared `and`/`or` expression may be the file's.
 */

const SAME: Record<string, string> = { mit: 'expat', x11: 'expat', 'bsd-2-clause-freebsd': 'bsd-2-clause' };

/**
 * License families a declared name can be compared with: DEP-5's standard short names (copyright-
 * format 1.0, "License specification") and the SPDX names the detector answers with. Any other
 * name is the package's own (`PD`, `BSD-3-clause-Cambridge`, `Expat_or_PublicDomain`), defined
 * only by the text of its License paragraph: nothing to compare a header with.
 */
const KNOWN_FAMILIES = new Set([
  'apache', 'artistic', 'bsd-2-clause', 'bsd-3-clause', 'bsd-4-clause', 'isc', 'cc-by', 'cc-by-sa', 'cc-by-nd', 'cc-by-nc',
  'cc-by-nc-sa', 'cc-by-nc-nd', 'cc0', 'cddl', 'cpl', 'efl', 'expat', 'mit', 'x11', 'gpl', 'lgpl', 'agpl', 'gfdl', 'gfdl-niv',
  'lppl', 'mpl', 'epl', 'perl', 'python', 'qpl', 'w3c', 'zlib', 'zope', 'zpl', 'public-domain', 'bsl', 'curl', 'fsful',
  'fsfap', 'unlicense', 'wtfpl', 'sleepycat', 'ofl',
]);

/** Whether a declared key names a license we know by its name (see KNOWN_FAMILIES). */
export function isKnownLicenseKey(key: string): boolean {
  return KNOWN_FAMILIES.has(parts(key).family);
}

interface Parts {
  family: string;
  version: number[];
  later: boolean;
}

function parts(key: string): Parts {
  const k = SAME[key] ?? key;
  const later = k.endsWith('+');
  const base = later ? k.slice(0, -1) : k;
  const m = /^(.*?)-(\d+(?:\.\d+)*)$/.exec(base);
  if (!m) return { family: base, version: [], later };
  return { family: m[1], version: m[2].split('.').map(Number), later };
}

function cmp(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d) return Math.sign(d);
  }
  return 0;
}

const BSD_CLAUSES: Record<string, number> = { 'bsd-2-clause': 2, 'bsd-3-clause': 3, 'bsd-4-clause': 4 };

export function keyAgrees(declared: string, detected: string): boolean {
  const d = parts(declared);
  const h = parts(detected);
  const dc = BSD_CLAUSES[SAME[declared] ?? declared];
  const hc = BSD_CLAUSES[SAME[detected] ?? detected];
  if (dc !== undefined && hc !== undefined) return dc >= hc;
  if (d.family !== h.family) return false;
  if (d.version.length === 0 || h.version.length === 0) return true;
  const c = cmp(d.version, h.version);
  if (c === 0) return h.later || !d.later;
  // The header allows later versions: declaring a later one (or later+) is a valid choice.
  return h.later && c > 0;
}

/** True when some detected key agrees with some declared key. */
export function licensesAgree(declared: Iterable<string>, detected: readonly string[]): boolean {
  const decl = [...declared];
  return detected.some((h) => decl.some((d) => keyAgrees(d, h)));
}
