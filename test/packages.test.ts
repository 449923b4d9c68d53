/**
 * The package set and `pipeline packages` / `pipeline show` on the real definitions.
 */
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { dependencyOrder, DependencyCycleError } from '../pipeline/config/packages.js';
import { compareVersions } from '../pipeline/debian/version.js';
import { cli, tempWorkspace } from './helpers/workspace.js';

describe('dependencyOrder', () => {
  const order = (g: Record<string, string[]>) => dependencyOrder(new Map(Object.entries(g)));

  it('puts a package after what it depends on, ties by name', () => {
    expect(order({ txzookeeper: ['zookeeper'], zookeeper: [], txaws: [] })).toEqual(['txaws', 'zookeeper', 'txzookeeper']);
    expect(order({ c: [], b: [], a: [] })).toEqual(['a', 'b', 'c']);
    expect(order({ a: ['b'], b: ['c'], c: [] })).toEqual(['c', 'b', 'a']);
  });

  it('is stable: the same set in any insertion order gives the same order', () => {
    const g = { d: ['a'], a: [], c: ['a', 'b'], b: [] };
    const reversed = Object.fromEntries(Object.entries(g).reverse());
    expect(order(g)).toEqual(['a', 'b', 'c', 'd']);
    expect(order(reversed)).toEqual(order(g));
  });

  it('names the cycle, closing it, and leaves out packages outside it', () => {
    let err: unknown;
    try { order({ a: ['b'], b: ['c'], c: ['a'], z: [] }); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(DependencyCycleError);
    expect((err as DependencyCycleError).cycle).toEqual(['a', 'b', 'c', 'a']);
    expect(() => order({ x: ['x'] })).toThrow(/dependency cycle: x → x/);
  });
});

describe('pipeline packages / show on the real package set', () => {
  it('lists the three packages in dependency order (--json)', async () => {
    const r = await cli(tempWorkspace(), ['packages', '--json']);
    expect(r.exitCode).toBe(0);
    const names = (JSON.parse(r.stdout) as { packages: { name: string }[] }).packages.map((p) => p.name);
    expect(names).toEqual(['txaws', 'zookeeper', 'txzookeeper']);
    expect(names.indexOf('zookeeper')).toBeLessThan(names.indexOf('txzookeeper'));
  });

  it('show zookeeper --json gives the changelog version and each stage\'s version', async () => {
    const r = await cli(tempWorkspace(), ['show', 'zookeeper', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const d = JSON.parse(r.stdout) as { version: string; source: string; binaries: string[]; stages: { stage: string; version: string }[] };
    expect(d.source).toBe('zookeeper');
    expect(d.version).toBe('3.9.3-2');
    expect(d.binaries).toContain('zookeeperd');
    const v = Object.fromEntries(d.stages.map((s) => [s.stage, s.version]));
    expect(v).toEqual({ ppa: '3.9.3-2~ppa1', devel: '3.9.3-2', backports: '3.9.3-2~bpo12+1' });
    // bookworm's < trixie's < backport < ppa < devel, by our comparator and by dpkg itself.
    const chain = ['3.8.0-11+deb12u2', '3.9.3-1+deb13u1', v.backports!, v.ppa!, v.devel!];
    const dpkgOrder = (await Promise.all(chain.slice(1).map((b, i) =>
      execa('dpkg', ['--compare-versions', chain[i]!, 'lt', b], { reject: false })))).map((x) => x.exitCode);
    expect(dpkgOrder).toEqual([0, 0, 0, 0]);
    for (let i = 1; i < chain.length; i++) expect(compareVersions(chain[i - 1]!, chain[i]!)).toBe(-1);
  });

  it('show names what a package needs first', async () => {
    const r = await cli(tempWorkspace(), ['show', 'txzookeeper']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/needs\s+zookeeper/);
    expect(r.stdout).toMatch(/debian\s+txzookeeper 0\.9\.8-1 \(trixie\)/);
  });
});
