/**
 * License short names: DEP-5's own names are case-insensitive and `Apache-2.0` = `Apache-2`; SPDX
 * identifiers are common in debian/copyright (and in file headers), so they are mapped onto the
 * DEP-5 spelling before comparing. The canonical key is lower case, `.0` suffixes folded, `+` kept.
 */

/** SPDX identifiers (lower case) whose DEP-5 short name is spelt differently. */
const SPDX_TO_DEP5: Record<string, string> = {
  mit: 'expat',
  'x11': 'x11',
  'zpl-2.1': 'zpl-2.1',
  'bsd-2-clause-freebsd': 'bsd-2-clause',
  'bsd-2-clause-netbsd': 'bsd-2-clause',
  'bsd-3-clause-clear': 'bsd-3-clause',
  'zlib': 'zlib',
  'python-2.0': 'python',
  'psf-2.0': 'python',
  'cc0-1.0': 'cc0-1',
  'artistic-1.0-perl': 'artistic',
  'artistic-1.0': 'artistic',
  'wtfpl': 'wtfpl-2',
  'unlicense': 'unlicense',
  'sleepycat': 'sleepycat',
  'gfdl-1.3-no-invariants-or-later': 'gfdl-niv-1.3+',
  'gfdl-1.3-no-invariants-only': 'gfdl-niv-1.3',
  'lppl-1.3c': 'lppl-1.3c',
};

/** License families whose SPDX ids carry `-only` / `-or-later` (and the deprecated bare/`+` forms). */
const SUFFIXED = /^(a?gpl|lgpl|gfdl)-(\d+(?:\.\d+)*)(-only|-or-later|\+)?$/;

/**
 * The canonical comparison key of ONE short name (no `or`/`and`): lower case, SPDX mapped,
 * trailing `.0` components folded (`apache-2.0` → `apache-2`, `mpl-2.0` → `mpl-2`, `lgpl-2.1` kept),
 * `-or-later` → `+`, `-only` dropped.
 */
export function canonicalLicenseName(name: string): string {
  let n = name.trim().toLowerCase();
  if (SPDX_TO_DEP5[n] !== undefined) n = SPDX_TO_DEP5[n];
  const m = SUFFIXED.exec(n);
  if (m) n = `${m[1]}-${m[2]}${m[3] === '-or-later' || m[3] === '+' ? '+' : ''}`;
  // `public domain` spellings
  if (n === 'public domain' || n === 'publicdomain') n = 'public-domain';
  const plus = n.endsWith('+');
  if (plus) n = n.slice(0, -1);
  n = foldZeros(n);
  return plus ? `${n}+` : n;
}

/** Removes trailing `.0` groups from the version part: `apache-2.0` → `apache-2`, `cc-by-sa-4.0` → `cc-by-sa-4`. */
function foldZeros(name: string): string {
  return name.replace(/(\d)(?:\.0)+$/, '$1');
}

/** True when the name looks like an SPDX identifier we mapped (useful for hints, not errors). */
export function isSpdxSpelling(name: string): boolean {
  const n = name.toLowerCase();
  return n in SPDX_TO_DEP5 || /-(only|or-later)$/.test(n);
}
