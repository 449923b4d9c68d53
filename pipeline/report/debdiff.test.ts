import { mkdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixtureWorkspace } from '../../test/support/reportFixture.js';
import type { QaRecord } from '../qa/run.js';
import { uploadDir, writeUploadEvidence } from '../stages/upload.js';
import { collectReadiness } from './collect.js';
import { stageDebdiff } from './debdiff.js';
import { renderHtml } from './html.js';
import { renderJson, renderMarkdown, renderText } from './render.js';

const SUMMARY = 'against 1.0 (local:ppa): source +1 -0 ~3 files; alpha +1 -0 files, Depends +bash (>= 5)';

describe('the debdiff summary in the readiness report', async () => {
  const ws = fixtureWorkspace('2025-04-20');
  const qa = (sourceId: string): QaRecord => ({
    package: 'alpha', stage: 'ppa', version: '2.0-1~ppa1', sourceId,
    results: [{ check: 'debdiff', severity: 'warn', judged: { sourceId, binaries: 'b' }, at: '2025-04-20T00:00:00Z',
      outcome: { verdict: 'pass', reason: SUMMARY, details: { source: { counts: { added: 1, removed: 0, changed: 3 } } } } }],
  });

  it('is read from the QA evidence beside the upload, only for the artifact the stage holds', () => {
    const dir = uploadDir(ws, 'alpha', 'ppa', '2.0-1~ppa1');
    mkdirSync(dir, { recursive: true });
    writeUploadEvidence({ dir }, 'qa', qa('src-1'));
    const subject = { state: 'published' as const, version: '2.0-1~ppa1', sourceId: 'src-1' };
    expect(stageDebdiff(ws, 'alpha', 'ppa', subject).debdiff).toEqual({ verdict: 'pass', summary: SUMMARY, details: { source: { counts: { added: 1, removed: 0, changed: 3 } } } });
    expect(stageDebdiff(ws, 'alpha', 'ppa', { ...subject, sourceId: 'another-upload' })).toEqual({});
    expect(stageDebdiff(ws, 'alpha', 'ppa', { ...subject, state: 'built' })).toEqual({});
  });

  it('is one line under the package in text, Markdown and HTML, and the whole summary in JSON', async () => {
    const report = await collectReadiness(ws, { release: 'trixie', generatedAt: new Date('2025-04-20T12:00:00Z') });
    const alpha = report.packages.find((p) => p.package === 'alpha')!;
    const ppa = alpha.stages.find((s) => s.stage === 'ppa')!;
    // The fixture's ppa upload has its own source identity: bind the kept QA record to it.
    writeUploadEvidence({ dir: uploadDir(ws, 'alpha', 'ppa', ppa.subject!.version) }, 'qa', { ...qa(ppa.subject!.sourceId!), version: ppa.subject!.version });
    const again = await collectReadiness(ws, { release: 'trixie', generatedAt: new Date('2025-04-20T12:00:00Z') });
    const stage = again.packages.find((p) => p.package === 'alpha')!.stages.find((s) => s.stage === 'ppa')!;
    expect(stage.debdiff?.summary).toBe(SUMMARY);
    expect(renderText(again)).toContain(`    debdiff ppa: ${SUMMARY}\n`);
    expect(renderMarkdown(again)).toContain(`- debdiff ppa: ${SUMMARY}\n`);
    expect(renderHtml(again)).toContain(`<ul class="debdiff"><li>debdiff ppa: against 1.0 (local:ppa): source +1 -0 ~3 files; alpha +1 -0 files, Depends +bash (&gt;= 5)</li></ul>`);
    expect(JSON.parse(renderJson(again)).packages[0].stages[0].debdiff).toMatchObject({ verdict: 'pass', details: { source: { counts: { added: 1 } } } });
    // Beta has no QA record: no debdiff summary line (the QA verdict rows name the check too).
    expect(renderText(again).split('\n').filter((l) => l.startsWith('    debdiff '))).toHaveLength(1);
  });
});
