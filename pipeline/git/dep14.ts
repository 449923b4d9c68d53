/**
 * DEP-14 tag names (https://dep-team.pages.debian.net/deps/dep14/): an upload of version V by
 * vendor X is tagged `X/V` with V mangled into a valid git ref name, as git-buildpackage does —
 * `:` (epoch) becomes `%`, `~` becomes `_`, and a dot git would refuse (in `..`, at the end, or
 * before a final `lock`) is followed by `#`: `1:2.0~rc1` → `debian/1%2.0_rc1`, `1.0..1` → `1.0.#.1`.
 */
import { parseVersion } from '../debian/version.js';
import type { Vendor } from '../debian/versionPolicy.js';

/** A Debian version as a DEP-14 ref component. */
export function mangleVersion(version: string): string {
  return version.replace(/:/g, '%').replace(/~/g, '_').replace(/\.(?=\.|$|lock$)/g, '.#');
}

/** The DEP-14 tag of an upload: `debian/1%2.0-1_bpo12+1`. The version must be a valid Debian version. */
export function dep14Tag(vendor: Vendor, version: string): string {
  parseVersion(version, { key: 'version' });
  return `${vendor}/${mangleVersion(version)}`;
}
