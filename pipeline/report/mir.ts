/**
 * The Main Inclusion (MIR) checklist items the report can check from the package tree and the
 * records: a build-time test suite, a watch file, debian/copyright covering vendored code, lintian
 * clean, an owning team named in package.yaml, and every runtime dependency in the package set or
 * in main (checked against the release series' Sources index in main, as ubuntu-dev-tools'
 * check-mir does against the archive; `unknown` when the index is not reachable). Dependencies
 * come from the built .debs when the stage's build left them, else from debian/control.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import type { Workspace } from '../config/workspace.js';
import type { LoadedPackage } from '../config/workspace.js';
import { privateApt } from '../tools/apt.js';
import type { CheckResult } from './model.js';

const read = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : undefined);

/** The recipe lines of `override_dh_auto_test[-arch|-indep]:` in debian/rules (comments dropped); undefined when absent. */
function testOverride(rules: string, part: '' | '-arch' | '-indep'): string[] | undefined {
  const m = new RegExp(`^override_dh_auto_test${part}\\s*:[^\\n]*\\n((?:\\t[^\\n]*\\n?)*)`, 'm').exec(rules);
  if (!m) return undefined;
  return m[1]!.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
}

const runsNothing = (recipe: string[]) => recipe.every((l) => /^(true|:|@?echo\b.*)$/.test(l));

/**
 * Build-time tests: autopkgtests (debian/tests/control), a dh_auto_test override that runs
 * something (or leaves one part, -arch or -indep, to dh_auto_test), or pybuild's tests. Without
 * any of these only the build log can tell: unknown.
 */
export function testsCheck(debianDir: string, pkg: string): CheckResult {
  const base = { check: 'mir-tests', title: 'MIR: build-time test suite' };
  const fix = `add debian/tests/control (autopkgtest) or run the upstream tests in dh_auto_test (packages/${pkg}/debian/rules)`;
  if (existsSync(join(debianDir, 'tests', 'control'))) return { ...base, verdict: 'pass', reason: 'autopkgtests in debian/tests/control' };
  const rules = read(join(debianDir, 'rules')) ?? '';
  if (/^\s*export\s+DEB_BUILD_OPTIONS\s*[:+]?=.*\bnocheck\b/m.test(rules))
    return { ...base, verdict: 'blocked', reason: 'debian/rules forces DEB_BUILD_OPTIONS=nocheck', todo: fix };
  const all = testOverride(rules, '');
  const arch = testOverride(rules, '-arch');
  const indep = testOverride(rules, '-indep');
  if (all) {
    return runsNothing(all)
      ? { ...base, verdict: 'blocked', reason: 'debian/rules overrides dh_auto_test to run nothing', todo: fix }
      : { ...base, verdict: 'pass', reason: `override_dh_auto_test runs: ${all[0]}` };
  }
  if (arch || indep) {
    const parts = [['-arch', arch], ['-indep', indep]] as const;
    const running = parts.filter(([, r]) => r && !runsNothing(r));
    if (running.length) return { ...base, verdict: 'pass', reason: `override_dh_auto_test${running[0]![0]} runs: ${running[0]![1]![0]}` };
    const untouched = parts.filter(([, r]) => !r).map(([p]) => p);
    if (untouched.length) {
      const empty = parts.filter(([, r]) => r).map(([p]) => p);
      return { ...base, verdict: 'pass', reason: `dh_auto_test runs for the ${untouched.join(' and ')} part (override_dh_auto_test${empty.join(', ')} is empty)` };
    }
    return { ...base, verdict: 'blocked', reason: 'debian/rules overrides dh_auto_test-arch and -indep to run nothing', todo: fix };
  }
  if (/PYBUILD_DISABLE\s*[:+]?=[^\n]*\btest\b/.test(rules)) return { ...base, verdict: 'blocked', reason: 'debian/rules disables pybuild tests (PYBUILD_DISABLE=test)', todo: fix };
  if (/--buildsystem[= ]pybuild|--with[^\n]*python3/.test(rules)) return { ...base, verdict: 'pass', reason: 'pybuild runs the upstream tests at build time' };
  return { ...base, verdict: 'unknown', reason: "no explicit test step: dh_auto_test runs the build system's default test target, if there is one", todo: `check the build log for tests, or ${fix}` };
}

export function watchCheck(debianDir: string, pkg: string): CheckResult {
  const base = { check: 'mir-watch', title: 'MIR: watch file' };
  const text = read(join(debianDir, 'watch'));
  if (text === undefined) return { ...base, verdict: 'blocked', reason: 'no debian/watch', todo: `add packages/${pkg}/debian/watch (uscan) so new upstream versions are noticed` };
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  if (!lines.some((l) => /^version\s*=/.test(l)) || lines.length < 2)
    return { ...base, verdict: 'blocked', reason: 'debian/watch has no version= line and URL line', todo: `fix packages/${pkg}/debian/watch (see uscan(1))` };
  return { ...base, verdict: 'pass', reason: `debian/watch (${lines.find((l) => /^version\s*=/.test(l))})` };
}

export function teamCheck(def: LoadedPackage['definition']): CheckResult {
  const base = { check: 'mir-team', title: 'MIR: owning team' };
  return def.mir.team
    ? { ...base, verdict: 'pass', reason: `owned by ${def.mir.team}` }
    : { ...base, verdict: 'blocked', reason: 'no owning team named', todo: `add mir.team: TEAM to packages/${def.name}/package.yaml (the team that commits to look after it in main)` };
}

/** Runtime dependency names per binary package of debian/control (substvars dropped, alternatives kept). */
export function runtimeDependencies(controlText: string): { binaries: string[]; alternatives: string[][]; substvars: string[] } {
  const paragraphs = controlText.split(/\n\s*\n/);
  const binaries: string[] = [];
  const alternatives: string[][] = [];
  const substvars = new Set<string>();
  for (const p of paragraphs.slice(1)) {
    const name = /^Package:\s*(\S+)/im.exec(p)?.[1];
    if (!name) continue;
    binaries.push(name);
    for (const field of ['Depends', 'Pre-Depends']) {
      const m = new RegExp(`^${field}:([^\\n]*(?:\\n[ \\t][^\\n]*)*)`, 'im').exec(p);
      if (!m) continue;
      for (const rel of m[1]!.replace(/\n/g, ' ').split(',')) {
        const alts = rel.split('|').map((a) => a.trim()).filter(Boolean);
        const names: string[] = [];
        for (const a of alts) {
          const sv = /^\$\{([^}]+)\}/.exec(a);
          if (sv) { substvars.add(sv[1]!); continue; }
          const n = /^([a-z0-9][a-z0-9.+-]*)/.exec(a)?.[1];
          if (n) names.push(n);
        }
        if (names.length) alternatives.push(names);
      }
    }
  }
  return { binaries, alternatives, substvars: [...substvars] };
}

/** Binary package names of a series' main component, from its Sources index; undefined when unreachable. */
export interface MainIndex {
  series: string;
  binaries: Set<string>;
  /** Where it came from, for the report's notes. */
  from: string;
}

/** Binary names listed by a Sources index (the `Binary:` fields, folded lines included). */
export function binariesOfSources(text: string): Set<string> {
  const out = new Set<string>();
  const re = /^Binary:([^\n]*(?:\n[ \t][^\n]*)*)/gm;
  for (let m = re.exec(text); m; m = re.exec(text))
    for (const b of m[1]!.split(',')) { const n = b.trim(); if (n) out.add(n); }
  return out;
}

/**
 * Load the main Sources index of `series` through the private apt configuration (the same
 * lists `pipeline fetch` uses), running `apt-get update` when they are missing or stale; apt's
 * compressed list is read with apt's own `apt-helper cat-file`. Resolves to an explanation
 * (string) when the mirror cannot be reached within `timeoutMs`.
 */
export async function loadMainIndex(ws: Workspace, series: string, timeoutMs = 60_000): Promise<MainIndex | string> {
  const conf = ws.config.series[series];
  if (!conf) return `series ${series} is not in pipeline.yaml`;
  if (!conf.components.includes('main')) return `series ${series} has no main component in pipeline.yaml`;
  try {
    const apt = privateApt(ws, series);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      apt.update(),
      new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer from ${conf.mirror} in ${timeoutMs / 1000}s`)), timeoutMs); }),
    ]).finally(() => clearTimeout(timer));
    const { readdirSync } = await import('node:fs');
    const listsDir = join(apt.dir, 'state', 'lists');
    const list = readdirSync(listsDir).find((f) => new RegExp(`_dists_${series}_main_source_Sources(\\.\\w+)?$`).test(f));
    if (!list) return `no main Sources index for ${series} from ${conf.mirror}`;
    const { stdout } = await execa('/usr/lib/apt/apt-helper', ['cat-file', join(listsDir, list)], { maxBuffer: 1 << 30 });
    return { series, binaries: binariesOfSources(stdout), from: `${conf.mirror} ${series}/main Sources` };
  } catch (e) {
    const msg = (e as { shortMessage?: string; message?: string }).shortMessage ?? (e as Error).message;
    return `${conf.mirror} not reachable (${msg.split('\n')[0]})`;
  }
}

/**
 * Runtime dependencies of built .debs, as dpkg-deb reads their control fields: what the build's
 * substvars (${shlibs:Depends}, ${java:Depends}, ...) resolved to, which debian/control cannot
 * say. Same shape as runtimeDependencies; undefined when a .deb cannot be read.
 */
export function builtDependencies(debs: readonly string[]): ReturnType<typeof runtimeDependencies> | undefined {
  const paragraphs: string[] = [];
  for (const deb of debs) {
    const r = spawnSync('dpkg-deb', ['--field', deb, 'Package', 'Pre-Depends', 'Depends'], { encoding: 'utf8' });
    if (r.status !== 0 || !/^Package:/m.test(r.stdout)) return undefined;
    paragraphs.push(r.stdout.trim());
  }
  return runtimeDependencies(['Source: built', ...paragraphs].join('\n\n'));
}

/**
 * Every runtime dependency in the package set or in main: those of the built .debs when a
 * successful build left them (`builtDebs`), else debian/control's (substvars unknown).
 */
export function dependenciesInMainCheck(
  debianDir: string,
  pkg: string,
  setBinaries: ReadonlyMap<string, string>,
  main: MainIndex | string | undefined,
  builtDebs?: readonly string[],
): CheckResult {
  const base = { check: 'mir-dependencies', title: 'MIR: runtime dependencies in main or in the set' };
  const built = builtDebs?.length ? builtDependencies(builtDebs) : undefined;
  const control = read(join(debianDir, 'control'));
  if (!built && control === undefined) return { ...base, verdict: 'blocked', reason: 'no debian/control', todo: `add packages/${pkg}/debian/control` };
  const deps = built ?? runtimeDependencies(control!);
  const source = built ? ` (from the ${builtDebs!.length} built .deb${builtDebs!.length > 1 ? 's' : ''})` : '';
  const own = new Set(deps.binaries);
  const outside: string[][] = [];
  const inSet = new Set<string>();
  for (const alts of deps.alternatives) {
    if (alts.some((a) => own.has(a))) continue;
    const fromSet = alts.find((a) => setBinaries.has(a));
    if (fromSet) { inSet.add(`${fromSet} (${setBinaries.get(fromSet)})`); continue; }
    outside.push(alts);
  }
  const sv = deps.substvars.length ? `; substvars (${deps.substvars.map((s) => `\${${s}}`).join(', ')}) are only known after the build` : '';
  const setText = inSet.size ? `; in the set: ${[...inSet].join(', ')}` : '';
  if (outside.length === 0) return { ...base, verdict: 'pass', reason: `no dependencies outside the set${source}${setText}${sv}` };
  if (typeof main !== 'object') {
    return {
      ...base, verdict: 'unknown',
      reason: `${outside.length} dependencies outside the set${source} (${outside.slice(0, 4).map((a) => a.join(' | ')).join(', ')}${outside.length > 4 ? ', ...' : ''}); main index: ${main ?? 'not checked'}${sv}`,
      todo: 'run the report where the mirror of the release series is reachable (or check with check-mir)',
    };
  }
  const missing = outside.filter((alts) => !alts.some((a) => main.binaries.has(a)));
  if (missing.length === 0)
    return { ...base, verdict: 'pass', reason: `${outside.length} dependencies${source}, all in ${main.series} main${setText}${sv}` };
  return {
    ...base, verdict: 'blocked',
    reason: `not in ${main.series} main nor in the set${source}: ${missing.map((a) => a.join(' | ')).join(', ')}${sv}`,
    todo: `file MIRs for ${missing.map((a) => a[0]).join(', ')}, or add them to the package set (packages/<name>/package.yaml)`,
  };
}

/**
 * A MIR item the tree alone left `unknown`, answered by the stage's QA verdicts where they apply:
 *   mir-dependencies: installability passed against repositories that are all `main` (no extra
 *     repository) — every runtime dependency resolved inside main, as check-mir asks;
 *   mir-tests: the package's autopkgtest passed (pipeline/qa autopkgtest).
 * Anything else, or a QA verdict that is not a pass, leaves the item as it was.
 */
export function mirFromQa(item: CheckResult, qa: readonly CheckResult[], mainOnly: boolean): CheckResult {
  if (item.verdict !== 'unknown') return item;
  const passed = (name: string) => qa.find((c) => c.check === name && c.verdict === 'pass');
  const inst = passed('installability');
  if (item.check === 'mir-dependencies' && inst && mainOnly) {
    const { todo: _todo, ...rest } = item;
    return { ...rest, verdict: 'pass', reason: `installable from main alone (QA installability: ${inst.reason ?? 'pass'})`, ...(inst.artifactSha256 ? { artifactSha256: inst.artifactSha256 } : {}) };
  }
  const tests = passed('autopkgtest');
  if (item.check === 'mir-tests' && tests) {
    const { todo: _todo, ...rest } = item;
    return { ...rest, verdict: 'pass', reason: `autopkgtest passed (QA: ${tests.reason ?? 'pass'})`, ...(tests.artifactSha256 ? { artifactSha256: tests.artifactSha256 } : {}) };
  }
  return item;
}
