// `pipeline report` end to end (spawns the built CLI: `npx tsc -p .` first, as `npm test` does).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { fixtureDir, FULL } from '../../test/support/reportFixture.js';

const BIN = join(import.meta.dirname, '../../bin/pipeline.js');
// The fixture's own state and date only: no inherited PIPELINE_* settings.
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PIPELINE_')));
const run = (cwd: string, args: string[]) => execa('node', [BIN, ...args], { cwd, reject: false, env, extendEnv: false });

describe('pipeline report', () => {
  it('exit 1 when not ready; --out writes the file atomically (JSON here), nothing else left behind', async () => {
    const dir = fixtureDir();
    writeFileSync(join(dir, 'old-report.json'), 'previous');
    const r = await run(dir, ['--at', '2025-04-20', 'report', '--release', 'trixie', '--format', 'json', '--out', 'old-report.json', '--offline']);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(''); // --format json is --json: quiet
    const doc = JSON.parse(readFileSync(join(dir, 'old-report.json'), 'utf8'));
    expect(doc.overall.summary).toBe('1 of 4 packages ready for trixie (3 blocked, 0 not known yet)');
    const md = await run(dir, ['--at', '2025-04-20', 'report', '--release', 'trixie', '--format', 'md', '--out', 'report.md', '--offline']);
    expect(md.exitCode).toBe(1);
    expect(md.stderr).toContain('not ready: 1 of 4 packages ready for trixie (3 blocked, 0 not known yet) — wrote report.md');
    expect(doc.packages.map((p: { package: string; verdict: string }) => [p.package, p.verdict])).toEqual([['alpha', 'pass'], ['beta', 'blocked'], ['delta', 'blocked'], ['gamma', 'blocked']]);
    expect(readdirSync(dir).filter((f) => f.includes('report'))).toEqual(['old-report.json', 'report.md']);
  });

  it('exit 0 when ready (text to stdout); Markdown and HTML formats', async () => {
    const dir = fixtureDir([{ name: 'alpha', version: '2.0-1', stages: { ppa: FULL, devel: FULL } }]);
    const r = await run(dir, ['--at', '2025-04-20', 'report']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('Readiness for trixie (13) — stage devel — evaluated at 2025-04-20 12:00 UTC: READY');
    const md = await run(dir, ['--at', '2025-04-20', 'report', '--format', 'md']);
    expect(md.stdout).toMatch(/^\| alpha \| 2\.0-1 \| ✓ ready — 2\.0-1~ppa1 \(\d+ d\) \| ✓ ready — 2\.0-1 \(\d+ d\) \| ✗ not started \|/m);
    const html = await run(dir, ['--at', '2025-04-20', 'report', '--format', 'html']);
    expect(html.stdout).toContain('<section class="pkg" id="pkg-alpha" data-package="alpha" data-verdict="pass">');
  });

  it('--at pins the freeze gates: trixie before/after the Soft Freeze and the Full Freeze, new upstream vs bug-fix', async () => {
    const dir = fixtureDir([
      { name: 'fix', version: '1.0-2', sourceVersion: '1.0-1', stages: { devel: { build: 'ok' } } },
      { name: 'up', version: '3.0-1', sourceVersion: '2.9-1', stages: { devel: { build: 'ok' } } },
    ]);
    const freeze = async (at: string) => {
      const r = await run(dir, ['--at', at, 'report', '--format', 'json']);
      return JSON.parse(r.stdout).packages.map((p: { package: string; freeze: { verdict: string } }) => `${p.package}:${p.freeze.verdict}`);
    };
    expect(await freeze('2025-04-15T20:59:00Z')).toEqual(['fix:pass', 'up:pass']);
    expect(await freeze('2025-04-15T21:00:00Z')).toEqual(['fix:pass', 'up:blocked']);
    expect(await freeze('2025-07-27T20:00:00Z')).toEqual(['fix:pass', 'up:blocked']);
    expect(await freeze('2025-07-27T21:00:00Z')).toEqual(['fix:blocked', 'up:blocked']);
  });

  it('bad input is one line, exit 2: unknown release, unknown format, unwritable --out', async () => {
    const dir = fixtureDir([]);
    const a = await run(dir, ['report', '--release', 'sid']);
    expect(a.exitCode).toBe(2);
    expect(a.stderr.trim().split('\n')).toHaveLength(1);
    expect(a.stderr).toContain('--release: no stage targets series "sid"');
    const b = await run(dir, ['report', '--format', 'pdf']);
    expect([b.exitCode, b.stderr.trim()]).toEqual([2, 'pipeline: --format: unknown format "pdf" (text, md, json, html)']);
    const c = await run(dir, ['report', '--out', '/nonexistent-dir/x.html']);
    expect([c.exitCode, c.stderr.trim()]).toEqual([2, 'pipeline: /nonexistent-dir/x.html: cannot write the report: ENOENT']);
  });
});
