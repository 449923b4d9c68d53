/**
 * The package set: every packages/<name>/package.yaml, in dependency order (a package after the
 * packages it `depends` on; ties broken by name, so the order is stable). An unknown dependency
 * names the file and line that asks for it; a cycle names its members and their package.yaml.
 *
 *   packagesInOrder(ws) → LoadedPackage[]     // zookeeper, txaws, txzookeeper
 *   dependencyOrder(graph) → string[]          // the pure algorithm, for any name → deps map
 */
import { relative } from 'node:path';
import { PipelineError } from '../errors.js';
import { PackageSchema } from './schema.js';
import { loadPackage, packageNames, type LoadedPackage, type Workspace } from './workspace.js';
import { parseYamlFile } from './yaml.js';

export class DependencyCycleError extends PipelineError {
  constructor(readonly cycle: string[], files: string[]) {
    super(`dependency cycle: ${cycle.join(' → ')} (${files.join(', ')})`, {
      file: files[0],
      hint: 'remove one of these depends entries',
    });
  }
}

/**
 * Kahn's algorithm, always taking the alphabetically first ready package. Throws
 * DependencyCycleError (with the packages' names as files unless `fileOf` maps them).
 */
export function dependencyOrder(graph: ReadonlyMap<string, readonly string[]>, fileOf: (name: string) => string = (n) => n): string[] {
  const remaining = new Map([...graph].map(([name, deps]) => [name, new Set(deps.filter((d) => graph.has(d)))]));
  const order: string[] = [];
  while (remaining.size > 0) {
    const ready = [...remaining].filter(([, deps]) => deps.size === 0).map(([n]) => n).sort();
    if (ready.length === 0) {
      const cycle = findCycle(remaining);
      throw new DependencyCycleError(cycle, cycle.slice(0, -1).map(fileOf));
    }
    const next = ready[0]!;
    order.push(next);
    remaining.delete(next);
    for (const deps of remaining.values()) deps.delete(next);
  }
  return order;
}

/** One cycle among packages that all still wait: walk first dependencies until a name repeats. */
function findCycle(remaining: Map<string, Set<string>>): string[] {
  const start = [...remaining.keys()].sort()[0]!;
  const path: string[] = [];
  let at = start;
  while (!path.includes(at)) {
    path.push(at);
    at = [...remaining.get(at)!].sort()[0]!;
  }
  const cycle = path.slice(path.indexOf(at));
  return [...cycle, at];
}

/** Every package of the set, validated, in dependency order. */
export function packagesInOrder(ws: Workspace): LoadedPackage[] {
  const loaded = new Map(packageNames(ws).map((n) => [n, loadPackage(ws, n)]));
  const display = (p: LoadedPackage) => relative(process.cwd(), p.file) || p.file;
  for (const pkg of loaded.values()) {
    pkg.definition.depends.forEach((dep, i) => {
      if (loaded.has(dep)) return;
      const { lineOf } = parseYamlFile(pkg.file, PackageSchema, display(pkg));
      throw new PipelineError(`unknown package ${JSON.stringify(dep)} in depends (known: ${[...loaded.keys()].join(', ')})`, {
        file: display(pkg),
        line: lineOf(['depends', i]),
        key: `depends.${i}`,
      });
    });
  }
  const graph = new Map([...loaded].map(([n, p]) => [n, p.definition.depends]));
  return dependencyOrder(graph, (n) => display(loaded.get(n)!)).map((n) => loaded.get(n)!);
}

/** The packages `name` needs first, transitively, in dependency order. */
export function dependenciesOf(ws: Workspace, name: string): string[] {
  const all = packagesInOrder(ws);
  const byName = new Map(all.map((p) => [p.definition.name, p]));
  if (!byName.has(name)) loadPackage(ws, name); // throws the standard unknown-package error
  const needed = new Set<string>();
  const visit = (n: string) => {
    for (const d of byName.get(n)!.definition.depends) if (!needed.has(d)) { needed.add(d); visit(d); }
  };
  visit(name);
  return all.map((p) => p.definition.name).filter((n) => needed.has(n));
}
