/**
 * A suite's binary Packages index (what apt sees), parsed as deb822: which binaries the suite
 * serves, at which version, built from which source version, and where in the pool. The stage's
 * own archive is read through it to decide what a build may install from it (build/stageArchive.ts)
 * and whether a stage's binaries landed (archive/stageBinaries.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface PackagesEntry {
  package: string;
  version: string;
  architecture: string;
  /** The source package (the Source field's name, else the package's own name). */
  source: string;
  /** The source version it was built from (`Source: name (version)`, else its own Version). */
  sourceVersion: string;
  /** Pool path relative to the archive root. */
  filename: string;
  sha256: string;
  size: number;
}

/** Each paragraph of an apt index as lower-case field name → value (continuation lines joined by \n). */
export function indexParagraphs(text: string): Map<string, string>[] {
  const out: Map<string, string>[] = [];
  for (const para of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    let last: string | undefined;
    for (const line of para.split('\n')) {
      if (/^\s/.test(line) && last) fields.set(last, `${fields.get(last)}\n${line.trim()}`);
      else {
        const m = /^([^:\s]+):\s*(.*)$/.exec(line);
        if (m) { last = m[1]!.toLowerCase(); fields.set(last, m[2]!); }
      }
    }
    if (fields.size) out.push(fields);
  }
  return out;
}

export function parsePackages(text: string): PackagesEntry[] {
  const entries: PackagesEntry[] = [];
  for (const f of indexParagraphs(text)) {
    const pkg = f.get('package');
    const version = f.get('version');
    if (!pkg || !version) continue;
    const m = /^(\S+)(?:\s+\(([^)]+)\))?/.exec(f.get('source') ?? '');
    entries.push({
      package: pkg, version, architecture: f.get('architecture') ?? '',
      source: m?.[1] ?? pkg, sourceVersion: m?.[2] ?? version,
      filename: f.get('filename') ?? '', sha256: f.get('sha256') ?? '', size: Number(f.get('size') ?? 0),
    });
  }
  return entries;
}

/** The Packages file of one suite, component and architecture under an archive root. */
export function packagesFile(archiveDir: string, suite: string, architecture: string, component = 'main'): string {
  return join(archiveDir, 'dists', suite, component, `binary-${architecture}`, 'Packages');
}

/** The binaries a suite lists for the architectures (arch:all ones appear in each: listed once). */
export function readPackagesIndex(archiveDir: string, suite: string, architectures: readonly string[], component = 'main'): PackagesEntry[] {
  const seen = new Set<string>();
  const out: PackagesEntry[] = [];
  for (const arch of architectures) {
    const file = packagesFile(archiveDir, suite, arch, component);
    if (!existsSync(file)) continue;
    for (const e of parsePackages(readFileSync(file, 'utf8'))) {
      const id = `${e.package} ${e.version} ${e.architecture}`;
      if (!seen.has(id)) { seen.add(id); out.push(e); }
    }
  }
  return out;
}
