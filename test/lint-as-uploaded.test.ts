/**
 * `pipeline lint PKG --stage S` lints the source as stage S will upload it (the stage's changelog
 * entry applied by dch on a scratch copy), not packages/PKG/debian as it sits: a backport is not
 * "distribution trixie does not fit bookworm-backports". Findings in debian/changelog name lines
 * of the maintainer's file, or say they are in the entry the stage adds.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lintPackage } from '../pipeline/lint/index.js';
import { mapChangelogLine } from '../pipeline/stages/prelint.js';
import { stagesWorkspace, treeHashes, type StagesWorkspace } from './helpers/stagesWorkspace.js';
import { cli, REPO } from './helpers/workspace.js';

describe('pipeline lint PKG --stage', () => {
  let t: StagesWorkspace;
  let restore: () => void;
  beforeAll(() => {
    // A maintainer address lintian calls bogus: it only appears in the entries pipeline writes.
    const yaml = readFileSync(join(REPO, 'pipeline.yaml'), 'utf8').replace('email: pipeline@example.org', 'email: pipeline@localhost');
    t = stagesWorkspace({ packages: ['zookeeper'], config: yaml });
    restore = t.use();
  });
  afterAll(async () => { restore(); await t.cleanup(); });

  it('lints the backport as uploaded: its version and distribution, packages/ untouched, no scratch left', async () => {
    const before = treeHashes(join(t.root, 'packages'));
    const r = await cli({ root: t.root, config: t.config, env: t.env }, ['--json', 'lint', 'zookeeper', '--stage', 'backports']);
    const record = JSON.parse(r.stdout);
    expect(record).toMatchObject({ package: 'zookeeper', stage: 'backports', version: '3.9.3-2~bpo12+1' });
    const tags = record.findings.map((f: { tag: string }) => f.tag);
    expect(tags).not.toContain('distribution-does-not-fit-stage');
    expect(tags).not.toContain('backports-upload-has-incorrect-version-number');
    expect(treeHashes(join(t.root, 'packages'))).toEqual(before);
    const staged = join(t.env.PIPELINE_CACHE_DIR, 'trees', '.staged');
    expect(existsSync(staged) ? readdirSync(staged) : []).toEqual([]);
  });

  it('a finding in the entry the stage adds says so instead of naming a line the maintainer cannot find', async () => {
    const record = await lintPackage(t.ws(), 'zookeeper', { stage: 'backports' });
    const bogus = record.findings.find((f) => f.tag === 'bogus-mail-host-in-debian-changelog');
    expect(bogus).toMatchObject({ file: 'debian/changelog', detail: 'pipeline@localhost (in the 3.9.3-2~bpo12+1 entry the backports stage adds)' });
    expect(bogus!.line).toBeUndefined();
  });

  it('asUploaded: false lints the tree as it sits (the stage\'s distribution then does not fit)', async () => {
    const record = await lintPackage(t.ws(), 'zookeeper', { stage: 'backports', asUploaded: false, record: false });
    expect(record.version).toBeUndefined();
    expect(record.findings.find((f) => f.tag === 'distribution-does-not-fit-stage')).toMatchObject({ file: 'debian/changelog', line: 1 });
    expect(record.gate.verdict).toBe('blocked');
  });
});

describe('mapChangelogLine', () => {
  const f = { tag: 'x', severity: 'warning' as const, source: 'pipeline' as const, file: 'debian/changelog', line: 9, detail: 'd' };
  it('moves lines below the added entry up by its length, and leaves other files and unstaged trees alone', () => {
    expect(mapChangelogLine(f, 6, 'ppa', '1-1~ppa1').line).toBe(3);
    expect(mapChangelogLine({ ...f, file: 'debian/control' }, 6, 'ppa', '1-1~ppa1').line).toBe(9);
    expect(mapChangelogLine(f, 0, 'devel', '1-1')).toEqual(f);
  });
  it('a line inside the added entry becomes a note', () => {
    const m = mapChangelogLine({ ...f, line: 6 }, 6, 'ppa', '1-1~ppa1');
    expect(m.line).toBeUndefined();
    expect(m.detail).toBe('d (in the 1-1~ppa1 entry the ppa stage adds)');
  });
});
