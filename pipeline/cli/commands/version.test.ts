// `pipeline version` end to end: spawns the built CLI (`npx tsc -p .` first, as `npm test` does)
// and checks its answers against dpkg --compare-versions.
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { dpkgCompareBatch } from '../../tools/dpkgOracle.js';

const ROOT = join(import.meta.dirname, '../../..');
const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PIPELINE_')));
const cli = (args: string[], input?: string) =>
  execa('node', [join(ROOT, 'bin/pipeline.js'), ...args], { cwd: ROOT, reject: false, env: clean, extendEnv: false, ...(input === undefined ? { stdin: 'ignore' as const } : { input }) });

describe('pipeline version compare', () => {
  const triples: [string, string, string][] = [
    ['1.0~rc1', 'lt', '1.0'], ['1.0', 'lt', '1.0~rc1'], ['1.0', 'eq', '1.0-0'], ['1:0.1', 'gt', '9.9'],
    ['1.0a', '<<', '1.0+'], ['2.0', 'le', '2.0'], ['2.0', 'ne', '2.0'], ['1.0-1ubuntu1~ppa1', '>=', '1.0-1ubuntu1'],
    ['3.9.3-2~bpo12+1', '>>', '3.8.0-11+deb12u2'], ['1.01', '=', '1.1'], ['1.0', 'ge', '1.0.0'],
  ];

  it('exits 0 when the relation holds and 1 when not, exactly as dpkg', async () => {
    const ours = await Promise.all(triples.map(([a, op, b]) => cli(['version', 'compare', a, op, b])));
    const dpkg = await dpkgCompareBatch(triples.map(([a, op, b]) => ({ a, op, b })));
    expect(ours.map((r) => `${r.exitCode} ${r.stderr}`)).toEqual(dpkg.map((d) => `${d === true ? 0 : 1} `));
    expect(ours.map((r) => r.exitCode)).toContain(0);
    expect(ours.map((r) => r.exitCode)).toContain(1);
    expect(ours.every((r) => r.stdout === '' && r.stderr === '')).toBe(true);
  });

  it('--json prints the result and keeps the exit code', async () => {
    const r = await cli(['--json', 'version', 'compare', '1.0', 'lt', '1.0~rc1']);
    expect(r.exitCode).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({ a: '1.0', op: 'lt', b: '1.0~rc1', result: false, order: 1 });
  });

  it('an invalid version or relation is one error line and exit 2', async () => {
    const bad = await cli(['version', 'compare', '1.0-', 'lt', '1']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toBe("pipeline: invalid Debian version '1.0-': revision number is empty");
    const obsolete = await cli(['version', 'compare', '1', '<', '2']);
    expect(obsolete.exitCode).toBe(2);
    expect(obsolete.stderr).toBe("pipeline: unknown version relation '<' (dpkg reads the obsolete '<' as '<=', write '<<' or '<=' (or lt/le/gt/ge))");
    const warnOnly = await cli(['version', 'compare', 'a1', 'lt', '1']); // dpkg only warns; we refuse
    expect(warnOnly.exitCode).toBe(2);
    expect(warnOnly.stderr).toMatch(/^pipeline: invalid Debian version 'a1': version number does not start with digit/);
  });
});

describe('pipeline version sort', () => {
  const input = ['3.9.3-2', '1:0.1', '3.9.3-2~ppa1', '3.9.3-1+deb13u1', '3.9.3-2~bpo12+1', '', '3.8.0-11+deb12u2', '3.9.3~rc1-1', '3.9.3-1', '  3.9.3-10  ', '3.9.3-2~ppa1~bpo12+1'];

  it('prints standard input in dpkg order (checked pair by pair with dpkg)', async () => {
    const r = await cli(['version', 'sort'], `${input.join('\n')}\r\n`);
    expect(r.exitCode).toBe(0);
    const out = r.stdout.trimEnd().split('\n');
    expect(out).toEqual(['3.8.0-11+deb12u2', '3.9.3~rc1-1', '3.9.3-1', '3.9.3-1+deb13u1', '3.9.3-2~bpo12+1', '3.9.3-2~ppa1~bpo12+1', '3.9.3-2~ppa1', '3.9.3-2', '3.9.3-10', '1:0.1']);
    const pairs = out.slice(1).map((b, i) => ({ a: out[i]!, op: 'lt', b }));
    expect(await dpkgCompareBatch(pairs)).toEqual(pairs.map(() => true));
  });

  it('--reverse prints highest first; --json gives the list', async () => {
    const r = await cli(['--json', 'version', 'sort', '--reverse'], '1.0\n2.0\n1.0~\n');
    expect(JSON.parse(r.stdout)).toEqual({ versions: ['2.0', '1.0', '1.0~'] });
  });

  it('an invalid line is an error naming its line number, and nothing is printed', async () => {
    const r = await cli(['version', 'sort'], '1.0\n2.0\n\n2.0_beta\n3.0\n');
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe("pipeline: <stdin>:4: invalid Debian version '2.0_beta': invalid character '_' in version number");
  });

  it('empty input prints nothing', async () => {
    const r = await cli(['version', 'sort'], '');
    expect([r.exitCode, r.stdout]).toEqual([0, '']);
  });
});

describe('pipeline version parse', () => {
  it('splits a version, and refuses an invalid one', async () => {
    const r = await cli(['--json', 'version', 'parse', '1:2.0~rc1-3ubuntu1']);
    expect(JSON.parse(r.stdout)).toEqual({ version: '1:2.0~rc1-3ubuntu1', epoch: 1, upstream: '2.0~rc1', revision: '3ubuntu1', native: false });
    const bad = await cli(['version', 'parse', '1:']);
    expect([bad.exitCode, bad.stderr]).toEqual([2, "pipeline: invalid Debian version '1:': nothing after colon in version number"]);
  });
});
