import { describe, expect, it } from 'vitest';
import { NMU_CASES, nmuCaseFiles } from '../../../test/fixtures/lint/nmu-cases.js';
import { makeTree } from '../../../test/helpers/lint-tree.js';
import { lintTree } from '../run.js';
import { nmuCheck } from './nmu.js';

const NMU_TAGS = new Set(nmuCheck.tags.map((t) => t.name));

describe('nmu: whose upload the top changelog entry is (the table lintian is held to in the slow test)', () => {
  it.each(NMU_CASES)('$name → $expected', async (c) => {
    const r = await lintTree(makeTree(nmuCaseFiles(c)), { detectLicenses: false, vendor: 'debian' });
    const found = r.findings.filter((f) => NMU_TAGS.has(f.tag));
    expect(found.map((f) => f.tag).sort()).toEqual([...c.expected].sort());
    for (const f of found) expect([f.file, f.line]).toEqual(['debian/changelog', 1]);
  });

  it('names who is in Maintainer/Uploaders in the finding', async () => {
    const r = await lintTree(makeTree(nmuCaseFiles(NMU_CASES[0]!)), { detectLicenses: false, vendor: 'debian' });
    expect(r.findings.find((f) => f.tag === 'unnecessary-team-upload')?.detail).toBe('Pipeline Maintainers <pipeline@example.org> is in Uploaders');
  });
});
