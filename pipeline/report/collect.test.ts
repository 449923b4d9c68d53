import { describe, expect, it } from 'vitest';
import { collectReadiness } from './collect.js';
import { fixtureWorkspace, FULL } from '../../test/support/reportFixture.js';
import type { PackageReadiness } from './model.js';

const check = (p: PackageReadiness, id: string) => [...p.checks, ...(p.mir?.items ?? [])].find((c) => c.check === id)!;

describe('collectReadiness (generated workspace, trixie soft freeze in effect: --at 2025-04-20)', async () => {
  const ws = fixtureWorkspace('2025-04-20');
  const report = await collectReadiness(ws, { release: 'trixie', generatedAt: new Date('2025-04-20T12:00:00Z') });
  const pkg = (n: string) => report.packages.find((p) => p.package === n)!;

  it('lists every package in dependency order, with the stage reached and the versions per stage', () => {
    expect(report.packages.map((p) => p.package)).toEqual(['alpha', 'beta', 'delta', 'gamma']);
    expect(report).toMatchObject({ release: 'trixie', releaseVersion: '13', stage: 'devel', vendor: 'debian' });
    expect(pkg('alpha')).toMatchObject({ version: '2.0-1', reachedStage: 'devel' });
    expect(pkg('alpha').stages.map((s) => [s.stage, s.published ?? null])).toEqual([['ppa', '2.0-1~ppa1'], ['devel', '2.0-1'], ['backports', null]]);
    expect(pkg('beta')).toMatchObject({ reachedStage: 'ppa' });
    expect(pkg('beta').stages[1]).toMatchObject({ built: '1.1-1', buildStatus: 'failed' });
    expect(pkg('delta').reachedStage).toBeUndefined();
  });

  it('a package with every record in order is ready; each verdict tied to the upload\'s source identity', () => {
    const a = pkg('alpha');
    expect(a.verdict).toBe('pass');
    expect(a.checks.map((c) => [c.check, c.verdict])).toEqual([
      ['reached', 'pass'], ['dependencies', 'pass'], ['source-build', 'pass'], ['binary-build', 'pass'],
      ['copyright-lint', 'pass'], ['metadata-lint', 'pass'], ['lintian', 'pass'], ['version-policy', 'pass'],
      ['installability', 'pass'], ['upgrade-path', 'pass'], ['autopkgtest', 'pass'], ['reverse-dependencies', 'pass'], ['debdiff', 'pass'], ['freeze', 'pass'],
    ]);
    const sha = a.stages[1]!.subject!.sourceId;
    expect(a.stages[1]).toMatchObject({ verdict: 'pass', ready: true, subject: { state: 'published', version: '2.0-1' } });
    expect(sha).toMatch(/^[0-9a-f]{64}$/);
    for (const id of ['reached', 'source-build', 'binary-build', 'copyright-lint', 'lintian', 'version-policy', 'installability', 'upgrade-path', 'freeze']) expect(check(a, id).artifactSha256).toBe(sha);
    expect(check(a, 'freeze').reason).toContain('2.0-1 already in trixie');
    expect(a.mir?.items.map((c) => [c.check, c.verdict])).toEqual([
      ['mir-tests', 'pass'], ['mir-watch', 'pass'], ['mir-copyright', 'pass'], ['mir-lintian', 'pass'], ['mir-team', 'pass'], ['mir-dependencies', 'pass'],
    ]);
    expect(a.blockers).toEqual([]);
  });

  it('an FTBFS and a dirty copyright block, with the command that fixes each', () => {
    const b = pkg('beta');
    expect(b.verdict).toBe('blocked');
    expect(check(b, 'binary-build')).toMatchObject({ verdict: 'blocked', todo: 'fix the build failure, then pipeline build beta --stage devel --force' });
    expect(check(b, 'binary-build').fix).toBeUndefined(); // an edit, not a command
    expect(check(b, 'binary-build').reason).toContain('FTBFS at build');
    expect(check(b, 'copyright-lint')).toMatchObject({ verdict: 'blocked' });
    expect(check(b, 'copyright-lint').reason).toContain('missing-license-paragraph-in-dep5-copyright');
    expect(check(b, 'metadata-lint').verdict).toBe('pass'); // only an info finding
    expect(check(b, 'lintian').verdict).toBe('pass');
    expect(check(b, 'dependencies')).toMatchObject({ verdict: 'pass', reason: 'alpha 2.0-1 in devel' });
    expect(check(b, 'reached')).toMatchObject({ verdict: 'blocked', fix: 'pipeline promote beta --to devel' });
    expect(check(b, 'version-policy').verdict).toBe('unknown');
    expect(check(b, 'freeze').verdict).toBe('pass'); // bug-fix only: upstream 1.1 unchanged
    expect(b.blockers.map((c) => c.check)).toEqual(['reached', 'binary-build', 'copyright-lint']);
    expect(b.unknowns.map((c) => c.check)).toEqual(['version-policy', 'installability', 'upgrade-path', 'autopkgtest', 'reverse-dependencies', 'debdiff']);
    // No binaries to judge after an FTBFS: the QA checks wait for the build, not for `pipeline qa`.
    expect(check(b, 'upgrade-path')).toMatchObject({ verdict: 'unknown', todo: 'fix the binary build first' });
    expect(check(b, 'upgrade-path').fix).toBeUndefined();
  });

  it('stale lint is unknown, a new upstream version in the Soft Freeze is blocked, MIR gaps are named', () => {
    const g = pkg('gamma');
    for (const id of ['copyright-lint', 'metadata-lint', 'lintian']) {
      expect(check(g, id).verdict).toBe('unknown');
      expect(check(g, id).reason).toMatch(/^the lint on record is of source [0-9a-f]{12}, not of the signed 3\.0-1 \(source [0-9a-f]{12}\)$/);
      expect(check(g, id).fix).toBe('pipeline lint gamma --stage devel');
    }
    const f = check(g, 'freeze');
    expect(f.verdict).toBe('blocked');
    expect(f.reason).toContain('new upstream version 3.0 (was 2.9) needs a Feature Freeze exception');
    expect(f.todo).toContain('pipeline promote gamma --ffe N');
    expect(g.freeze).toMatchObject({ verdict: 'blocked', phase: 'FeatureFreeze', next: { milestone: 'BetaFreeze (Hard Freeze)', date: '2025-05-15', daysLeft: 25 } });
    expect(check(g, 'mir-team')).toMatchObject({ verdict: 'blocked' });
    expect(check(g, 'mir-team').fix ?? check(g, 'mir-team').todo).toContain('add mir.team');
    expect(check(g, 'mir-watch')).toMatchObject({ verdict: 'blocked', reason: 'no debian/watch' });
    expect(check(g, 'mir-tests').verdict).toBe('unknown'); // plain dh: only the build log can tell
    expect(check(g, 'version-policy').verdict).toBe('pass');
  });

  it('nothing recorded: unknown with the commands to run', () => {
    const d = pkg('delta');
    expect(check(d, 'source-build')).toMatchObject({ verdict: 'unknown', fix: 'pipeline promote delta --to devel' });
    expect(check(d, 'copyright-lint')).toMatchObject({ verdict: 'unknown', fix: 'pipeline promote delta --to devel' });
    expect(check(d, 'version-policy')).toMatchObject({ verdict: 'unknown', fix: 'pipeline promote delta --to devel' });
    expect(check(d, 'reached')).toMatchObject({ verdict: 'blocked', fix: 'pipeline promote delta --to devel' });
  });

  it('overall: not ready, with counts', () => {
    expect(report.overall).toMatchObject({ ready: false, verdict: 'not ready', counts: { pass: 1, waived: 0, blocked: 3, unknown: 0 } });
    expect(report.overall.summary).toBe('1 of 4 packages ready for trixie (3 blocked, 0 not known yet)');
    expect(report.schedule).toMatchObject({ series: 'trixie', phase: 'FeatureFreeze' });
  });
});

describe('collectReadiness: dates and waivers', () => {
  it('the same new upstream passes before the freeze takes effect (2025-04-15, noon) and is waived with an FFe', async () => {
    const gamma = [{ name: 'gamma', version: '3.0-1', sourceVersion: '2.9-1', stages: { devel: { build: 'ok' } } }];
    const before = await collectReadiness(fixtureWorkspace('2025-04-15', gamma), { release: 'trixie' });
    expect(before.packages[0]!.freeze?.verdict).toBe('pass');
    const waived = await collectReadiness(fixtureWorkspace('2025-04-20', [{ ...gamma[0], ffe: '#1099999' }]), { release: 'trixie' });
    expect(waived.packages[0]!.freeze).toMatchObject({ verdict: 'waived' });
    expect(waived.packages[0]!.checks.find((c) => c.check === 'freeze')!.waiver).toEqual({ by: 'release team', reason: 'Feature Freeze exception #1099999' });
  });

  it('lint of the _source.changes is the same artifact; a clean lintian run (no hints) passes; no lintian run is unknown', async () => {
    const specs = [
      { name: 'alpha', version: '2.0-1', stages: { devel: { build: 'ok', lint: 'clean', lintOn: 'changes', lintianClean: true } } },
      { name: 'beta', version: '2.0-1', stages: { devel: { build: 'ok', lint: 'clean' } } },
    ];
    const r = await collectReadiness(fixtureWorkspace('2025-04-20', specs), {});
    const [a, b] = r.packages;
    expect(a!.checks.filter((c) => ['copyright-lint', 'metadata-lint', 'lintian'].includes(c.check)).map((c) => c.verdict)).toEqual(['pass', 'pass', 'pass']);
    expect(b!.checks.find((c) => c.check === 'lintian')).toMatchObject({ verdict: 'unknown', fix: 'pipeline lint beta --stage devel --lintian' });
  });

  it('a set where everything is in order is ready', async () => {
    const r = await collectReadiness(fixtureWorkspace('2025-04-20', [{ name: 'alpha', version: '2.0-1', stages: { ppa: FULL, devel: FULL } }]), {});
    expect(r.overall).toMatchObject({ ready: true, verdict: 'ready', summary: '1 of 1 package ready for trixie' });
  });

  it('after trixie\'s release the timeline is the schedule the freeze gates follow (forky), naming trixie as where the stage uploads', async () => {
    const r = await collectReadiness(fixtureWorkspace('2026-11-25', [{ name: 'alpha', version: '2.0-1', stages: { devel: FULL } }]), {});
    expect(r.release).toBe('trixie');
    expect(r.scheduleSeries).toBe('forky');
    expect(r.schedule?.series).toBe('forky');
    expect(r.packages[0]!.freeze?.series).toBe('forky');
    // pipeline.yaml declares trixie the stand-in for the development release (standsFor: devel).
    expect(r.notes.join('\n')).toContain('the devel stage uploads to trixie (13), standing in for forky (14)');
    expect(r.notes.join('\n')).toContain('freeze gates and the report follow forky');
  });

  it('--release names a series no stage targets: one clear error', async () => {
    const ws = fixtureWorkspace('2025-04-20', []);
    await expect(collectReadiness(ws, { release: 'sid' })).rejects.toThrow('--release: no stage targets series "sid" (stages: ppa → trixie, devel → trixie, backports → bookworm)');
  });

  it('the backports release: never frozen', async () => {
    const r = await collectReadiness(fixtureWorkspace('2025-04-20', [{ name: 'alpha', version: '2.0-1', stages: { backports: FULL } }]), { release: 'bookworm' });
    expect(r.stage).toBe('backports');
    expect(r.packages[0]!.freeze).toBeUndefined();
    expect(r.packages[0]!.checks.find((c) => c.check === 'reached')).toMatchObject({ verdict: 'pass', reason: expect.stringContaining('2.0-1~bpo12+1 in bookworm-backports') });
  });
});
