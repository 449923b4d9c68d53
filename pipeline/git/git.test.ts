/**
 * The git record on real temporary repositories (no mocked git): the clean-tree gate, the commit
 * and tree of packages/PKG, DEP-14 tags created once (signed with the pipeline's key, tagged by
 * pipeline.yaml's maintainer on a machine without user.name/email), pushed to a bare repository,
 * and the commits a package has not released yet.
 */
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { loadWorkspace, type Workspace } from '../config/workspace.js';
import { ensureSigningKey } from '../archive/signing.js';
import { commitAll, git, initRepo, isolatedGitEnv } from '../../test/helpers/gitRepo.js';
import { tempWorkspace, type TempWorkspace } from '../../test/helpers/workspace.js';
import { cleanTreeGate } from './cleanTree.js';
import { packageRef } from './repo.js';
import { createTag, pushTags } from './tags.js';
import { openRepo } from './repo.js';
import { unreleasedCommits } from './unreleased.js';
import { packageHeads, provenance } from './provenance.js';

let t: TempWorkspace;
let ws: Workspace;
let env: Record<string, string>;
const saved: Record<string, string | undefined> = {};

beforeAll(async () => {
  env = isolatedGitEnv();
  for (const k of Object.keys(env)) { saved[k] = process.env[k]; process.env[k] = env[k]; }
  t = tempWorkspace(['txaws']);
  writeFileSync(join(t.root, '.gitignore'), '.pipeline/\n.cache/\n');
  await initRepo(t.root, env);
  ws = loadWorkspace({ cwd: t.root, config: t.config, env: { ...process.env, ...t.env } });
});
afterAll(async () => {
  for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
  await execa('gpgconf', ['--homedir', t.env.PIPELINE_GNUPGHOME, '--kill', 'all'], { reject: false });
  rmSync(t.root, { recursive: true, force: true });
  rmSync(env.HOME!, { recursive: true, force: true });
});

describe('clean-tree gate', () => {
  it('passes on a committed tree and blocks uncommitted and untracked files, naming them', async () => {
    expect(await cleanTreeGate(ws, 'txaws')).toMatchObject({ gate: 'clean-tree', verdict: 'pass', reason: expect.stringMatching(/^packages\/txaws\/ is clean at [0-9a-f]{12}$/) });
    appendFileSync(join(t.root, 'packages', 'txaws', 'debian', 'control'), '\n');
    writeFileSync(join(t.root, 'packages', 'txaws', 'debian', 'NEWFILE'), 'x\n');
    writeFileSync(join(t.root, 'elsewhere.txt'), 'not under packages/txaws\n');
    const v = await cleanTreeGate(ws, 'txaws');
    expect(v.verdict).toBe('blocked');
    expect(v.reason).toBe('uncommitted changes under packages/txaws/: packages/txaws/debian/NEWFILE, packages/txaws/debian/control');
    expect(v.fix).toContain('--allow-dirty --reason');
    expect(await packageRef(ws, 'txaws')).toMatchObject({ dirty: true });
    await git(t.root, ['checkout', '--', 'packages/txaws/debian/control'], env);
    rmSync(join(t.root, 'packages', 'txaws', 'debian', 'NEWFILE'));
    expect((await cleanTreeGate(ws, 'txaws')).verdict).toBe('pass');
  });

  it('outside a git repository: not applicable, passes', async () => {
    const other = tempWorkspace(['txaws']);
    try {
      const ows = loadWorkspace({ cwd: other.root, config: other.config, env: { ...process.env, ...other.env } });
      expect(await cleanTreeGate(ows, 'txaws')).toEqual({ gate: 'clean-tree', verdict: 'pass', reason: 'not applicable: not in a git repository' });
      expect(await packageRef(ows, 'txaws')).toBeUndefined();
    } finally {
      rmSync(other.root, { recursive: true, force: true });
    }
  });
});

describe('the commit and tree of packages/PKG', () => {
  it("records HEAD's commit and the package's tree hash; a commit elsewhere leaves it current, one under packages/PKG makes it stale", async () => {
    const ref = (await packageRef(ws, 'txaws'))!;
    expect(ref.commit).toBe(await git(t.root, ['rev-parse', 'HEAD'], env));
    expect(ref.tree).toBe(await git(t.root, ['rev-parse', 'HEAD:packages/txaws'], env));
    expect(ref.dirty).toBeUndefined();
    writeFileSync(join(t.root, 'NOTES'), 'unrelated\n');
    await commitAll(t.root, 'notes', env);
    expect(provenance(ref, (await packageHeads(ws))('txaws'))).toEqual(ref);
    appendFileSync(join(t.root, 'packages', 'txaws', 'debian', 'README.source'), 'more\n');
    const head = await commitAll(t.root, 'touch txaws', env);
    expect(provenance(ref, (await packageHeads(ws))('txaws'))).toEqual({ ...ref, stale: true, head });
  });
});

describe('DEP-14 tags', () => {
  it('tags once, signed by the pipeline key with the maintainer as tagger; refuses a tag on another commit; pushes to a bare remote', async () => {
    const repo = (await openRepo(ws.packagesDir))!;
    const head = await git(t.root, ['rev-parse', 'HEAD'], env);
    const key = await ensureSigningKey(ws, { create: true, env: { ...process.env, ...t.env } });
    const made = await createTag(ws, repo, 'debian/0.5.0-1_ppa1', head, 'txaws Debian release 0.5.0-1~ppa1\n\n  * Closes: #1\n# not a comment\n', key);
    expect(made).toEqual({ tag: 'debian/0.5.0-1_ppa1', commit: head, created: true, signedBy: key.fingerprint });
    const body = await git(t.root, ['cat-file', '-p', 'debian/0.5.0-1_ppa1'], env);
    expect(body).toContain('tagger Pipeline Maintainers <pipeline@example.org>');
    expect(body).toContain('# not a comment');
    expect(body).toContain('-----BEGIN PGP SIGNATURE-----');
    await git(t.root, ['verify-tag', 'debian/0.5.0-1_ppa1'], { ...env, GNUPGHOME: key.gnupgHome });
    // Again (a resumed run): the same tag on the same commit is kept, not duplicated.
    expect(await createTag(ws, repo, 'debian/0.5.0-1_ppa1', head, 'other text', key)).toMatchObject({ created: false });
    expect(await git(t.root, ['tag', '--list'], env)).toBe('debian/0.5.0-1_ppa1');
    const before = await git(t.root, ['rev-parse', 'HEAD~1'], env);
    await expect(createTag(ws, repo, 'debian/0.5.0-1_ppa1', before, 'x', key)).rejects.toThrow(/already exists on [0-9a-f]{12}, not on/);
    // Unsigned when there is no key.
    expect(await createTag(ws, repo, 'debian/0.5.0-1', head, 'plain\n')).toMatchObject({ created: true });
    expect(await git(t.root, ['cat-file', '-t', 'debian/0.5.0-1'], env)).toBe('tag');

    const bare = mkdtempSync(join(tmpdir(), 'pipeline-bare-'));
    try {
      await git(bare, ['init', '-q', '--bare'], env);
      await pushTags(repo, bare, ['debian/0.5.0-1_ppa1', 'debian/0.5.0-1']);
      await pushTags(repo, bare, ['debian/0.5.0-1_ppa1']); // already there: fine
      expect(await git(bare, ['tag', '--list'], env)).toBe('debian/0.5.0-1\ndebian/0.5.0-1_ppa1');
      expect(await git(bare, ['rev-parse', 'debian/0.5.0-1_ppa1^{commit}'], env)).toBe(head);
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });

  it('unreleased: the commits under packages/PKG since the tag, without changelog-only commits', async () => {
    appendFileSync(join(t.root, 'packages', 'txaws', 'debian', 'README.source'), 'fix\n');
    const fix = await commitAll(t.root, 'Fix the README', env);
    writeFileSync(join(t.root, 'OTHER'), 'x\n');
    await commitAll(t.root, 'Not the package', env);
    appendFileSync(join(t.root, 'packages', 'txaws', 'debian', 'changelog'), '\n');
    await commitAll(t.root, 'Update changelog', env);
    const u = (await unreleasedCommits(ws, 'txaws', '0.5.0-1~ppa1'))!;
    expect(u).toEqual({ path: 'packages/txaws', since: 'debian/0.5.0-1_ppa1', commits: [{ commit: fix, subject: 'Fix the README' }] });
    const none = (await unreleasedCommits(ws, 'txaws', '9.9-1'))!;
    expect(none.note).toMatch(/no tag debian\/9\.9-1/);
    expect(none.commits.map((c) => c.subject)).toEqual(['Fix the README', 'touch txaws', 'initial import']);
  });
});
