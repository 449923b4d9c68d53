/**
 * Debian Policy releases whose last component is 0 (the normative ones), with their dates: what
 * Standards-Version is compared against. 3.9.0–4.6.2 from the debian-policy changelog (as lintian
 * ships it); 4.7.0 announced 2024-04-07; 4.7.2.0 (trixie's) dated 2025-02-27, and 4.7.1.0 is given
 * the same date as an upper bound. Update this table with each normative Policy release.
 */
export const POLICY_RELEASES: ReadonlyArray<readonly [version: string, date: string]> = [
  ['3.9.0', '2010-06-28'], ['3.9.1', '2010-07-26'], ['3.9.2', '2011-04-07'], ['3.9.3', '2012-02-23'],
  ['3.9.4', '2012-09-19'], ['3.9.5', '2013-10-28'], ['3.9.6', '2014-09-17'], ['3.9.7', '2016-02-01'],
  ['3.9.8', '2016-04-06'], ['4.0.0', '2017-05-28'], ['4.0.1', '2017-08-06'], ['4.1.0', '2017-08-21'],
  ['4.1.1', '2017-09-28'], ['4.1.2', '2017-11-30'], ['4.1.3', '2017-12-27'], ['4.1.4', '2018-04-05'],
  ['4.1.5', '2018-07-04'], ['4.2.0', '2018-08-02'], ['4.2.1', '2018-08-25'], ['4.3.0', '2018-12-23'],
  ['4.4.0', '2019-07-07'], ['4.4.1', '2019-09-29'], ['4.5.0', '2020-01-20'], ['4.5.1', '2020-11-17'],
  ['4.6.0', '2021-08-18'], ['4.6.1', '2022-05-11'], ['4.6.2', '2022-12-17'], ['4.7.0', '2024-04-07'],
  ['4.7.1', '2025-02-27'], ['4.7.2', '2025-02-27'],
];

export const CURRENT_POLICY = POLICY_RELEASES[POLICY_RELEASES.length - 1][0];

/** Compares dotted numeric versions (`4.6.2` vs `4.7.0.1`), missing parts = 0. */
export function compareDotted(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

/** Normative releases newer than `version` that were out by `when` (the changelog date). */
export function newerReleases(version: string, when: Date, current = CURRENT_POLICY): string[] {
  const three = version.split('.').slice(0, 3).join('.');
  return POLICY_RELEASES.filter(([v, d]) => compareDotted(v, three) > 0 && compareDotted(v, current) <= 0 && new Date(`${d}T00:00:00Z`) <= when).map(([v]) => v);
}

export function releaseDate(version: string): string | undefined {
  const three = version.split('.').slice(0, 3).join('.');
  return POLICY_RELEASES.find(([v]) => v === three)?.[1];
}
