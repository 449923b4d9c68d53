import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixtureWorkspace } from '../../test/support/reportFixture.js';
import { loadWorkspace } from '../config/workspace.js';
import type { QaRecord } from '../qa/run.js';
import { renderStatus, status } from '../stages/status.js';
import { uploadDir } from '../stages/upload.js';
import { collectReadiness } from './collect.js';
import { renderHtml } from './html.js';
import { renderMarkdown, renderText } from './render.js';

/** alpha published at devel, its gates recorded without QA verdicts (an upload from before the qa step, or QA not run). */
const SPECS = [{ name: 'alpha', version: '2.0-1', stages: { devel: { build: 'ok', lint: 'clean', lintian: true, publish: true, versionPolicy: 'pass' } } }];

describe('QA checks in the report and status', () => {
  it('no verdict for the subject: unknown, with pipeline qa as the fix; a kept qa.json result gives the verdict under today\'s severity', async () => {
    const ws = fixtureWorkspace('2025-04-20', SPECS);
    const r1 = await collectReadiness(ws, {});
    const qa1 = r1.packages[0]!.checks.filter((c) => ['installability', 'upgrade-path'].includes(c.check));
    expect(qa1.map((c) => [c.check, c.verdict, c.fix])).toEqual([
      ['installability', 'unknown', 'pipeline qa alpha --stage devel'],
      ['upgrade-path', 'unknown', 'pipeline qa alpha --stage devel'],
    ]);
    const sourceId = r1.packages[0]!.stages.find((s) => s.stage === 'devel')!.subject!.sourceId!;
    expect(qa1[0]!.artifactSha256).toBe(sourceId);
    expect(renderText(r1)).toContain('QA: upgrade path');

    // What `pipeline qa alpha --stage devel` leaves beside the upload: one pass, one failure.
    const dir = uploadDir(ws, 'alpha', 'devel', '2.0-1');
    mkdirSync(dir, { recursive: true });
    const judged = { sourceId, binaries: 'b'.repeat(64) };
    const record: QaRecord = { package: 'alpha', stage: 'devel', version: '2.0-1', sourceId, results: [
      { check: 'installability', severity: 'block', judged, at: '2025-04-20T10:00:00Z', outcome: { verdict: 'pass', reason: '1 binary package installable against trixie' } },
      { check: 'upgrade-path', severity: 'block', judged, at: '2025-04-20T10:00:00Z', outcome: { verdict: 'blocked', reason: "piuparts: alpha's postinst failed — exit 3", todo: 'fix debian/alpha.postinst' } },
      { check: 'autopkgtest', severity: 'block', judged, at: '2025-04-20T10:00:00Z', outcome: { verdict: 'not-applicable', reason: 'alpha has no autopkgtest' } },
    ] };
    writeFileSync(join(dir, 'qa.json'), JSON.stringify(record));
    const r2 = await collectReadiness(ws, {});
    const check = (id: string) => r2.packages[0]!.checks.find((c) => c.check === id)!;
    expect(check('installability')).toMatchObject({ verdict: 'pass', reason: '2.0-1: 1 binary package installable against trixie', artifactSha256: sourceId });
    expect(check('upgrade-path')).toMatchObject({ verdict: 'blocked', todo: 'fix debian/alpha.postinst' });
    expect(renderMarkdown(r2)).toContain("alpha's postinst failed");
    expect(renderHtml(r2)).toContain('QA: upgrade path');
    expect(JSON.parse(JSON.stringify(r2)).packages[0].checks.map((c: { check: string }) => c.check)).toContain('upgrade-path');

    const st = await status(ws);
    expect(st.rows[0]!.cells.find((c) => c.stage === 'devel')!.qa!.filter((q) => ['installability', 'upgrade-path'].includes(q.check))).toEqual([
      { check: 'installability', verdict: 'pass', reason: '2.0-1: 1 binary package installable against trixie' },
      { check: 'upgrade-path', verdict: 'blocked', reason: "2.0-1: piuparts: alpha's postinst failed — exit 3", fix: 'fix debian/alpha.postinst' },
    ]);
    expect(renderStatus(st)).toContain('alpha @ devel: installability ✓ pass, upgrade-path ✗ blocked, autopkgtest – n/a,');

    // The stage turns upgrade-path to warn in pipeline.yaml: the same result is waived by the config.
    writeFileSync(ws.configFile, readFileSync(ws.configFile, 'utf8').replace('gates: { lint: warning, schedule: true }', 'gates: { lint: warning, schedule: true }\n    qa: { upgrade-path: warn }'));
    const warned = loadWorkspace({ cwd: ws.root, config: ws.configFile, at: '2025-04-20', env: {} });
    const r3 = await collectReadiness(warned, {});
    expect(r3.packages[0]!.checks.find((c) => c.check === 'upgrade-path')).toMatchObject({ verdict: 'waived', waiver: { by: 'pipeline.yaml stage devel qa.upgrade-path: warn' } });
  });
});
