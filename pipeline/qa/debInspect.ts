/**
 * What a maintainer reads in a binary debdiff, per binary package: its files (`dpkg-deb --contents`)
 * and its relation fields (`dpkg-deb --field`), compared between two sets of .debs. debdiff itself
 * lists the files of the whole set at once (a file moved between packages does not show) and gives
 * the control files as wdiff; this keeps the same facts per package, for the summary and the verdict.
 */
import { execa } from 'execa';
import { EXIT, PipelineError } from '../errors.js';

export const RELATION_FIELDS = ['Depends', 'Pre-Depends', 'Breaks', 'Replaces', 'Provides'] as const;
export type RelationField = (typeof RELATION_FIELDS)[number];

export interface DebFacts {
  package: string;
  version: string;
  architecture: string;
  /** Paths of regular files and symlinks (`/usr/bin/x`), directories left out. */
  files: string[];
  relations: Partial<Record<RelationField, string[]>>;
}

async function dpkgDeb(args: string[]): Promise<string> {
  const r = await execa('dpkg-deb', args, { reject: false, env: { LC_ALL: 'C.UTF-8' } });
  if (r.exitCode !== 0) throw new PipelineError(`dpkg-deb ${args[0]} failed: ${String(r.stderr).trim().split('\n')[0]}`, { file: args.at(-1), exitCode: EXIT.environment });
  return String(r.stdout);
}

/** `dpkg-deb --contents` lines → paths ("-rw-r--r-- root/root 10 2026-11-25 12:00 ./usr/bin/x"). */
export function contentsPaths(listing: string): string[] {
  const out: string[] = [];
  for (const line of listing.split('\n')) {
    if (!line || line.startsWith('d')) continue;
    const m = /^\S+\s+\S+\s+\d+\s+\S+\s+\S+\s+\.?(\/.*)$/.exec(line);
    if (m) out.push(m[1]!.replace(/ -> .*$/, '').replace(/ link to .*$/, ''));
  }
  return out.sort();
}

/** A relation field split into its comma-separated items, whitespace normalised. */
export function relationItems(value: string | undefined): string[] {
  return (value ?? '').split(',').map((s) => s.trim().replace(/\s+/g, ' ')).filter(Boolean);
}

export async function inspectDeb(path: string): Promise<DebFacts> {
  const fields = ['Package', 'Version', 'Architecture', ...RELATION_FIELDS];
  const text = await dpkgDeb(['--field', path, ...fields]);
  const values = new Map<string, string>();
  let last = '';
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
    if (m) values.set((last = m[1]!), m[2]!);
    else if (/^\s/.test(line) && last) values.set(last, `${values.get(last)} ${line.trim()}`);
  }
  const relations: DebFacts['relations'] = {};
  for (const f of RELATION_FIELDS) {
    const items = relationItems(values.get(f));
    if (items.length) relations[f] = items;
  }
  return {
    package: values.get('Package') ?? path, version: values.get('Version') ?? '', architecture: values.get('Architecture') ?? '',
    files: contentsPaths(await dpkgDeb(['--contents', path])), relations,
  };
}

export interface BinaryChanges {
  /** Binary packages only in the new set / only in the old one. */
  addedPackages: string[];
  droppedPackages: string[];
  /** Per package in both sets (and per dropped package: its files, removed): files added and removed. */
  files: Record<string, { added: string[]; removed: string[] }>;
  /** Files removed from one package that another package of the new set now ships (moved). */
  moved: Array<{ file: string; from: string; to: string }>;
  /** Per package: relation items added and removed, per field. */
  relations: Record<string, Partial<Record<RelationField, { added: string[]; removed: string[] }>>>;
}

const minus = (a: readonly string[], b: readonly string[]) => { const s = new Set(b); return a.filter((x) => !s.has(x)); };

/** Per architecture-independent package name (the same package built for two arches counts once). */
function byPackage(debs: DebFacts[]): Map<string, DebFacts> {
  const m = new Map<string, DebFacts>();
  for (const d of debs) {
    const known = m.get(d.package);
    if (known) known.files = [...new Set([...known.files, ...d.files])].sort();
    else m.set(d.package, { ...d });
  }
  return m;
}

export function compareDebs(oldDebs: DebFacts[], newDebs: DebFacts[]): BinaryChanges {
  const before = byPackage(oldDebs);
  const after = byPackage(newDebs);
  const out: BinaryChanges = { addedPackages: [], droppedPackages: [], files: {}, moved: [], relations: {} };
  out.addedPackages = [...after.keys()].filter((p) => !before.has(p)).sort();
  out.droppedPackages = [...before.keys()].filter((p) => !after.has(p)).sort();
  const shippedBy = new Map<string, string>();
  for (const [name, d] of after) for (const f of d.files) shippedBy.set(f, name);
  for (const [name, old] of before) {
    const now = after.get(name);
    const added = now ? minus(now.files, old.files) : [];
    const removed = minus(old.files, now?.files ?? []);
    const gone: string[] = [];
    for (const f of removed) {
      const to = shippedBy.get(f);
      if (to && to !== name) out.moved.push({ file: f, from: name, to });
      else gone.push(f);
    }
    if (added.length || gone.length) out.files[name] = { added, removed: gone };
    if (!now) continue;
    const rel: BinaryChanges['relations'][string] = {};
    for (const f of RELATION_FIELDS) {
      const a = minus(now.relations[f] ?? [], old.relations[f] ?? []);
      const r = minus(old.relations[f] ?? [], now.relations[f] ?? []);
      if (a.length || r.length) rel[f] = { added: a, removed: r };
    }
    if (Object.keys(rel).length) out.relations[name] = rel;
  }
  return out;
}
