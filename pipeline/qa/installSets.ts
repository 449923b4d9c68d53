/**
 * Which of a build's binary packages piuparts can install together. piuparts installs every .deb
 * it is given in one apt transaction, but a source may build packages that exclude each other —
 * ZooKeeper's libzookeeper-mt-dev and libzookeeper-st-dev both Provide and Conflict with
 * libzookeeper-dev — and apt then refuses the whole set, which says nothing about either package.
 * So the packages are split into sets with no Conflicts/Breaks between members (greedy, in build
 * order), and each set gets its own piuparts run, as piuparts.debian.org tests packages one by one.
 * Debug-symbol packages (-dbgsym) are left out: they live in a separate archive and no user
 * upgrades through them.
 */
import { basename } from 'node:path';
import { execa } from 'execa';
import { parseRelations } from '../debian/relations.js';

export interface DebFields {
  path: string;
  name: string;
  provides: string[];
  excludes: string[];
}

export async function debFields(path: string): Promise<DebFields> {
  const r = await execa('dpkg-deb', ['--field', path, 'Package', 'Provides', 'Conflicts', 'Breaks'], { env: { LC_ALL: 'C.UTF-8' } });
  const f: Record<string, string> = {};
  for (const line of String(r.stdout).split('\n')) {
    const m = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
    if (m) f[m[1]!.toLowerCase()] = m[2]!;
  }
  const names = (v?: string) => (v ? parseRelations(v).groups.flatMap((alts) => alts.map((a) => a.name)) : []);
  return { path, name: f.package ?? basename(path).replace(/_.*$/, ''), provides: names(f.provides), excludes: [...names(f.conflicts), ...names(f.breaks)] };
}

const clash = (a: DebFields, b: DebFields) =>
  a.excludes.some((n) => n !== a.name && (n === b.name || b.provides.includes(n))) ||
  b.excludes.some((n) => n !== b.name && (n === a.name || a.provides.includes(n)));

/**
 * Sets of packages with no Conflicts/Breaks between members, covering every package: the first
 * takes each package in order that fits; a package left out starts the next set, which then takes
 * every other package that fits beside it — its own dependencies among them (libzookeeper-st-dev
 * needs libzookeeper-st2 of the same build, which the first set also holds).
 */
export function installSets(debs: readonly DebFields[]): DebFields[][] {
  const fill = (seed: DebFields[]) => {
    const set = [...seed];
    for (const d of debs) if (!set.includes(d) && set.every((o) => !clash(d, o))) set.push(d);
    return set;
  };
  const sets: DebFields[][] = [];
  for (const d of debs) if (!sets.some((s) => s.includes(d))) sets.push(fill([d]));
  return sets;
}

export const isDebugSymbols = (path: string) => /-dbgsym_[^/]*\.d?deb$/.test(path) || path.endsWith('.ddeb');
