import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { binariesOfSources, builtDependencies, dependenciesInMainCheck, mirFromQa, runtimeDependencies, testsCheck, watchCheck } from './mir.js';
import { scratchDir } from '../../test/helpers/scratch.js';

const ROOT = join(import.meta.dirname, '../..');

function debianDir(files: Record<string, string>): string {
  const dir = join(scratchDir('mir-'), 'debian');
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

describe('MIR checklist items', () => {
  it('build-time tests: autopkgtest, dh_auto_test overrides (whole, -arch, -indep), pybuild', () => {
    expect(testsCheck(debianDir({ 'tests/control': 'Tests: smoke\n' }), 'x').verdict).toBe('pass');
    expect(testsCheck(debianDir({ rules: '%:\n\tdh $@\noverride_dh_auto_test:\n\n' }), 'x')).toMatchObject({ verdict: 'blocked', reason: 'debian/rules overrides dh_auto_test to run nothing' });
    expect(testsCheck(debianDir({ rules: '%:\n\tdh $@\noverride_dh_auto_test:\n\t$(MAKE) check\n' }), 'x')).toMatchObject({ verdict: 'pass', reason: 'override_dh_auto_test runs: $(MAKE) check' });
    expect(testsCheck(debianDir({ rules: '%:\n\tdh $@ --buildsystem=pybuild\n' }), 'x').verdict).toBe('pass');
    expect(testsCheck(debianDir({ rules: 'export PYBUILD_DISABLE=test\n%:\n\tdh $@ --buildsystem=pybuild\n' }), 'x').verdict).toBe('blocked');
    expect(testsCheck(debianDir({ rules: 'export DEB_BUILD_OPTIONS += nocheck\n%:\n\tdh $@\n' }), 'x').verdict).toBe('blocked');
    expect(testsCheck(debianDir({ rules: '%:\n\tdh $@\n' }), 'x').verdict).toBe('unknown');
    // ZooKeeper's real rules: the -arch part is emptied, the Java (-indep) tests still run.
    expect(testsCheck(join(ROOT, 'packages/zookeeper/debian'), 'zookeeper')).toMatchObject({
      verdict: 'pass', reason: 'dh_auto_test runs for the -indep part (override_dh_auto_test-arch is empty)',
    });
  });

  it('watch file', () => {
    expect(watchCheck(debianDir({ watch: 'version=4\nhttps://example.org/ .*/v(\\d\\S*)\\.tar\\.gz\n' }), 'x').verdict).toBe('pass');
    expect(watchCheck(debianDir({ watch: '# nothing\n' }), 'x').verdict).toBe('blocked');
    expect(watchCheck(debianDir({}), 'x')).toMatchObject({ verdict: 'blocked', reason: 'no debian/watch' });
  });

  it('runtime dependencies from debian/control (alternatives, versions, substvars, folded lines)', () => {
    const deps = runtimeDependencies('Source: s\n\nPackage: a\nDepends: ${misc:Depends}, libfoo1 (>= 1.2) | libfoo-compat,\n python3-twisted [amd64],\n b\nPre-Depends: dpkg (>= 1.17)\n\nPackage: b\nDepends: ${shlibs:Depends}\n');
    expect(deps.binaries).toEqual(['a', 'b']);
    expect(deps.alternatives).toEqual([['libfoo1', 'libfoo-compat'], ['python3-twisted'], ['b'], ['dpkg']]);
    expect(deps.substvars).toEqual(['misc:Depends', 'shlibs:Depends']);
  });

  it('dependencies in the set or in main; unknown without an index', () => {
    const dir = debianDir({ control: 'Source: s\n\nPackage: s\nDepends: python3-zookeeper, python3-twisted, left-out | also-out\n' });
    const set = new Map([['python3-zookeeper', 'zookeeper']]);
    expect(dependenciesInMainCheck(dir, 's', set, 'mirror not reachable').verdict).toBe('unknown');
    const main = { series: 'trixie', binaries: new Set(['python3-twisted']), from: 'test' };
    const blocked = dependenciesInMainCheck(dir, 's', set, main);
    expect(blocked).toMatchObject({ verdict: 'blocked', reason: 'not in trixie main nor in the set: left-out | also-out' });
    main.binaries.add('also-out');
    const ok = dependenciesInMainCheck(dir, 's', set, main);
    expect(ok.verdict).toBe('pass');
    expect(ok.reason).toContain('in the set: python3-zookeeper (zookeeper)');
  });

  it('with built .debs: their resolved Depends (dpkg-deb), not debian/control\'s substvars', () => {
    // A real .deb built with dpkg-deb, its Depends as a build would have resolved ${shlibs:Depends}.
    const root = scratchDir('mir-deb-');
    mkdirSync(join(root, 'pkg', 'DEBIAN'), { recursive: true });
    writeFileSync(join(root, 'pkg', 'DEBIAN', 'control'), 'Package: s\nVersion: 1.0-1\nArchitecture: all\nMaintainer: M <m@example.org>\n'
      + 'Pre-Depends: dpkg (>= 1.17)\nDepends: libc6 (>= 2.34), libout1 | libalso-out1, python3-zookeeper\nDescription: s\n s.\n');
    const deb = join(root, 's_1.0-1_all.deb');
    execFileSync('dpkg-deb', ['--root-owner-group', '--build', join(root, 'pkg'), deb], { stdio: 'ignore' });
    expect(builtDependencies([deb])).toEqual({ binaries: ['s'], alternatives: [['libc6'], ['libout1', 'libalso-out1'], ['python3-zookeeper'], ['dpkg']], substvars: [] });
    expect(builtDependencies([join(root, 'nope.deb')])).toBeUndefined();

    const dir = debianDir({ control: 'Source: s\n\nPackage: s\nDepends: ${shlibs:Depends}, python3-zookeeper\n' });
    const set = new Map([['python3-zookeeper', 'zookeeper']]);
    const main = { series: 'trixie', binaries: new Set(['dpkg', 'libc6']), from: 'test' };
    expect(dependenciesInMainCheck(dir, 's', set, main).reason).toContain('substvars (${shlibs:Depends}) are only known after the build');
    expect(dependenciesInMainCheck(dir, 's', set, main, [deb])).toMatchObject({
      verdict: 'blocked', reason: 'not in trixie main nor in the set (from the 1 built .deb): libout1 | libalso-out1',
    });
  });

  it('binary names from a Sources index, folded Binary fields included', () => {
    const text = 'Package: zookeeper\nBinary: libzookeeper-java, zookeeper,\n zookeeperd\nVersion: 3.9.3-1\n\nPackage: twisted\nBinary: python3-twisted\n';
    expect([...binariesOfSources(text)]).toEqual(['libzookeeper-java', 'zookeeper', 'zookeeperd', 'python3-twisted']);
  });
});

describe('mirFromQa: QA verdicts answer what the tree cannot', () => {
  const deps = { check: 'mir-dependencies', title: 'MIR: deps', verdict: 'unknown' as const, reason: '3 dependencies outside the set; main index: not checked', todo: 'run the report where the mirror is reachable' };
  const tests = { check: 'mir-tests', title: 'MIR: tests', verdict: 'unknown' as const, reason: 'no explicit test step' };
  const inst = { check: 'installability', title: 'QA: installability', verdict: 'pass' as const, reason: '1 binary package installable against trixie', artifactSha256: 'a'.repeat(64) };

  it('installability against main-only repositories answers mir-dependencies', () => {
    const r = mirFromQa(deps, [inst], true);
    expect(r).toMatchObject({ verdict: 'pass', artifactSha256: 'a'.repeat(64) });
    expect(r.reason).toContain('installable from main alone');
    expect(r.todo).toBeUndefined();
  });

  it('not with a repository outside main, nor with a QA verdict that is no pass', () => {
    expect(mirFromQa(deps, [inst], false)).toEqual(deps);
    expect(mirFromQa(deps, [{ ...inst, verdict: 'blocked' }], true)).toEqual(deps);
    expect(mirFromQa(deps, [{ ...inst, verdict: 'unknown' }], true)).toEqual(deps);
  });

  it('a passing autopkgtest answers mir-tests; a known verdict is never replaced', () => {
    expect(mirFromQa(tests, [{ check: 'autopkgtest', title: 'QA: autopkgtest', verdict: 'pass', reason: '2 tests passed' }], true)).toMatchObject({ verdict: 'pass', reason: 'autopkgtest passed (QA: 2 tests passed)' });
    expect(mirFromQa(tests, [inst], true)).toEqual(tests);
    const blocked = { ...deps, verdict: 'blocked' as const };
    expect(mirFromQa(blocked, [inst], true)).toEqual(blocked);
  });
});
