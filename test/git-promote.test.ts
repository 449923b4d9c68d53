/**
 * Git is the record, end to end on real temporary repositories (the stage fixture set committed,
 * the real CLI, host source builds into a real reprepro archive): the clean-tree gate blocks a
 * dirty packages/PKG/ naming the files and `--allow-dirty --reason` lets it through on the record;
 * every record and the report name the commit; each confirmed upload gets its DEP-14 tag, signed,
 * once — also when the run is killed between tagging and journaling — and a tag on another commit
 * is an error; `--push` sends the tags to a bare repository; status lists the unreleased commits
 * and `pipeline changelog` drafts the next entry from them through dch. Git runs without any
 * user.name/user.email, as on a fresh CI machine.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { StateStore } from '../pipeline/state/store.js';
import { readGateRecord } from '../pipeline/stages/gates.js';
import { commitAll, git, initRepo, isolatedGitEnv } from './helpers/gitRepo.js';
import { stagesWorkspace, treeHashes, type StagesWorkspace } from './helpers/stagesWorkspace.js';
import { cli } from './helpers/workspace.js';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 120_000 });

interface GitWorkspace { t: StagesWorkspace; env: Record<string, string>; bare: string }

async function gitWorkspace(): Promise<GitWorkspace> {
  const t = stagesWorkspace({ packages: ['zookeeper'] });
  const env = { ...t.env, ...isolatedGitEnv() };
  writeFileSync(join(t.root, '.gitignore'), '.pipeline/\n.cache/\napt-out/\n');
  await initRepo(t.root, env);
  const bare = mkdtempSync(join(tmpdir(), 'pipeline-remote-'));
  await git(bare, ['init', '-q', '--bare'], env);
  await git(t.root, ['remote', 'add', 'origin', bare], env);
  return { t, env, bare };
}

async function cleanup(g: GitWorkspace): Promise<void> {
  await g.t.cleanup();
  rmSync(g.bare, { recursive: true, force: true });
  rmSync(g.env.HOME!, { recursive: true, force: true });
}

const run = (g: GitWorkspace, args: string[], extra: Record<string, string> = {}) =>
  cli({ root: g.t.root, config: g.t.config, env: g.env }, args, extra);
const tags = async (g: GitWorkspace, dir = g.t.root) => (await git(dir, ['tag', '--list'], g.env)).split('\n').filter(Boolean);

describe('tags, records and resume in a clean repository', () => {
  let g: GitWorkspace;
  beforeAll(async () => { g = await gitWorkspace(); });
  afterAll(async () => { await cleanup(g); });

  it('promote tags the confirmed upload debian/<v>, signed, on the commit every record names', async () => {
    const head = await git(g.t.root, ['rev-parse', 'HEAD'], g.env);
    const r = await run(g, ['promote', 'zookeeper', '--to', 'ppa']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`built from commit ${head.slice(0, 12)}`);
    expect(r.stdout).toMatch(/tag: debian\/3\.9\.3-2_ppa1, signed by [0-9A-F]{16}/);
    expect(await tags(g)).toEqual(['debian/3.9.3-2_ppa1']);
    expect(await git(g.t.root, ['rev-parse', 'debian/3.9.3-2_ppa1^{commit}'], g.env)).toBe(head);
    const body = await git(g.t.root, ['cat-file', '-p', 'debian/3.9.3-2_ppa1'], g.env);
    expect(body).toContain('tagger Pipeline Maintainers <pipeline@example.org>');
    expect(body).toContain('zookeeper Debian release 3.9.3-2~ppa1');
    expect(body).toContain('zookeeper (3.9.3-2~ppa1) trixie; urgency=medium\n\n  * Rebuild for ppa.');
    await git(g.t.root, ['verify-tag', 'debian/3.9.3-2_ppa1'], { ...g.env, GNUPGHOME: g.t.env.PIPELINE_GNUPGHOME });

    const ws = g.t.ws();
    const store = new StateStore(ws.stateDir);
    const tree = await git(g.t.root, ['rev-parse', 'HEAD:packages/zookeeper'], g.env);
    expect(store.read('zookeeper', 'ppa', 'publish')?.git).toEqual({ commit: head, tree });
    expect(store.read('zookeeper', 'ppa', 'lint')?.git).toEqual({ commit: head, tree });
    expect(readGateRecord(ws, 'zookeeper', 'ppa')?.git).toEqual({ commit: head, tree });
    expect(readGateRecord(ws, 'zookeeper', 'ppa')?.verdicts.find((v) => v.gate === 'clean-tree')).toMatchObject({ verdict: 'pass' });
    const runs = JSON.parse((await run(g, ['--json', 'runs'])).stdout) as { runId: string }[];
    const journal = readFileSync(join(ws.stateDir, 'runs', runs[0]!.runId, 'journal.jsonl'), 'utf8');
    for (const step of ['build', 'sign', 'publish', 'confirm']) {
      const end = journal.split('\n').map((l) => l.slice(l.indexOf('{'))).filter(Boolean).map((l) => JSON.parse(l)).find((e) => e.type === 'step-end' && e.step === `ppa:${step}`);
      expect(end.output.git, step).toEqual({ commit: head, tree });
    }
  });

  it('killed between creating the tag and journaling it: the resumed run keeps the one tag', async () => {
    const killed = await run(g, ['promote', 'zookeeper'], { PIPELINE_FAULTS: '1:1:kill', PIPELINE_FAULT_POINTS: 'git.after-tag' });
    expect(killed.stderr).toContain('fault injected at git.after-tag');
    expect(await tags(g)).toEqual(['debian/3.9.3-2', 'debian/3.9.3-2_ppa1']);
    const resumed = await run(g, ['--json', 'resume']);
    expect(resumed.exitCode, resumed.stdout + resumed.stderr).toBe(0);
    expect(await tags(g)).toEqual(['debian/3.9.3-2', 'debian/3.9.3-2_ppa1']);
    expect(await git(g.t.root, ['rev-parse', 'debian/3.9.3-2^{commit}'], g.env)).toBe(await git(g.t.root, ['rev-parse', 'HEAD'], g.env));
    const history = new StateStore(g.t.ws().stateDir).publishHistory('zookeeper');
    expect(history.map((h) => h.version)).toEqual(['3.9.3-2~ppa1', '3.9.3-2']);
  });

  it('a tag of that version on another commit is an error; the run finishes once it is gone', async () => {
    writeFileSync(join(g.t.root, 'NOTES'), 'not the package\n');
    const head = await commitAll(g.t.root, 'notes', g.env);
    await git(g.t.root, ['tag', '-a', '-m', 'wrong', 'debian/3.9.3-2_bpo12+1', 'HEAD~1'], g.env);
    const r = await run(g, ['promote', 'zookeeper']);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/tag debian\/3\.9\.3-2_bpo12\+1 already exists on [0-9a-f]{12}, not on [0-9a-f]{12}/);
    await git(g.t.root, ['tag', '-d', 'debian/3.9.3-2_bpo12+1'], g.env);
    const resumed = await run(g, ['resume', '--force', JSON.parse((await run(g, ['--json', 'runs'])).stdout).at(-1).runId]);
    expect(resumed.exitCode, resumed.stdout + resumed.stderr).toBe(0);
    expect(await git(g.t.root, ['rev-parse', 'debian/3.9.3-2_bpo12+1^{commit}'], g.env)).toBe(head);
  });

  it('promote --push sends the tags of the uploads to a bare remote; report --json names the commit of each', async () => {
    const r = await run(g, ['promote', 'zookeeper', '--push', g.bare]);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`pushed debian/3.9.3-2_ppa1, debian/3.9.3-2, debian/3.9.3-2_bpo12+1 to ${g.bare}`);
    expect(await tags(g, g.bare)).toEqual(['debian/3.9.3-2', 'debian/3.9.3-2_bpo12+1', 'debian/3.9.3-2_ppa1']);
    const bad = await run(g, ['promote', 'zookeeper', '--push', 'nosuchremote']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('--push nosuchremote: no such remote (remotes: origin)');

    const rep = await run(g, ['report', '--json']);
    const pkg = JSON.parse(rep.stdout).packages[0];
    const commits = pkg.stages.map((s: { git?: { commit: string } }) => s.git?.commit);
    expect(commits.every((c: string | undefined) => /^[0-9a-f]{40}$/.test(c ?? ''))).toBe(true);
    expect(pkg.stages.some((s: { git?: { stale?: boolean } }) => s.git?.stale)).toBe(false);
  });
});

describe('a dirty tree, --allow-dirty, unreleased commits and pipeline changelog', () => {
  let g: GitWorkspace;
  beforeAll(async () => { g = await gitWorkspace(); });
  afterAll(async () => { await cleanup(g); });

  it('uncommitted changes under packages/zookeeper block a real promote, naming the files; --dry-run only reports them', async () => {
    appendFileSync(join(g.t.root, 'packages', 'zookeeper', 'debian', 'rules'), '# local edit\n');
    writeFileSync(join(g.t.root, 'packages', 'zookeeper', 'debian', 'notes.txt'), 'untracked\n');
    const r = await run(g, ['promote', 'zookeeper']);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain('clean-tree: blocked — uncommitted changes under packages/zookeeper/: packages/zookeeper/debian/notes.txt, packages/zookeeper/debian/rules');
    expect(r.stdout).toContain('--allow-dirty --reason');
    const before = treeHashes(join(g.t.root, '.git'));
    const dry = await run(g, ['promote', 'zookeeper', '--dry-run']);
    expect(dry.exitCode, dry.stdout + dry.stderr).toBe(0);
    expect(treeHashes(join(g.t.root, '.git'))).toEqual(before); // not even git's index refreshed
    expect(dry.stdout).toContain('a real promote would be blocked: clean-tree: uncommitted changes under packages/zookeeper/');
    expect(dry.stdout).toContain('tag after confirm: debian/3.9.3-2_ppa1');
    const noReason = await run(g, ['promote', 'zookeeper', '--allow-dirty']);
    expect(noReason.exitCode).toBe(2);
    expect(noReason.stderr).toContain('--allow-dirty needs --reason');
    expect(await tags(g)).toEqual([]);
  });

  it('--allow-dirty --reason lets it through on the record: the report names who and why, no tag claims a commit', async () => {
    const r = await run(g, ['promote', 'zookeeper', '--allow-dirty', '--reason', 'trying a rules tweak']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('~ clean-tree: waived');
    expect(r.stdout).toContain('(waived by tester: trying a rules tweak)');
    expect(r.stdout).toContain('no tag: 3.9.3-2~ppa1 was built from uncommitted changes (--allow-dirty): not tagged');
    expect(await tags(g)).toEqual([]);
    const rep = JSON.parse((await run(g, ['report', '--json'])).stdout);
    expect(rep.packages[0].stages[0]).toMatchObject({ stage: 'ppa', git: { commit: await git(g.t.root, ['rev-parse', 'HEAD'], g.env), dirty: true } });
    expect(rep.packages[0].stages[0].checks.find((c: { check: string }) => c.check === 'clean-tree')).toMatchObject({
      stage: 'ppa', verdict: 'waived', waiver: { by: 'tester', reason: 'trying a rules tweak' },
    });
    const text = await run(g, ['report']);
    expect(text.stdout).toMatch(/ppa 3\.9\.3-2~ppa1 @ [0-9a-f]{7}\+dirty \(allowed by tester: trying a rules tweak\)/);
    const gates = readGateRecord(g.t.ws(), 'zookeeper', 'ppa')!;
    expect(gates.verdicts.find((v) => v.gate === 'clean-tree')).toMatchObject({ verdict: 'waived', waiver: { by: 'tester', reason: 'trying a rules tweak' } });
  });

  it('status shows the commits since the tag of the current stage; changelog drafts the entry through dch; a clean promote --push tags and pushes', async () => {
    await git(g.t.root, ['checkout', '--', 'packages/zookeeper/debian/rules'], g.env);
    rmSync(join(g.t.root, 'packages', 'zookeeper', 'debian', 'notes.txt'));
    appendFileSync(join(g.t.root, 'packages', 'zookeeper', 'debian', 'rules'), '# a real fix\n');
    const fix = await commitAll(g.t.root, 'Fix the rules file', g.env);
    const st = await run(g, ['status']);
    expect(st.exitCode, st.stderr).toBe(0);
    expect(st.stdout).toContain('zookeeper: 2 commits under packages/zookeeper/ never released (no tag debian/3.9.3-2_ppa1 for the version in its current stage: every commit counts)');
    expect(st.stdout).toContain(`${fix.slice(0, 7)} Fix the rules file`);
    expect(st.stdout).toMatch(/3\.9\.3-2~ppa1 ✓ [0-9a-f]{7}\+dirty \(stale: HEAD [0-9a-f]{7} changed packages\/zookeeper\)/);

    const changelog = join(g.t.root, 'packages', 'zookeeper', 'debian', 'changelog');
    const before = readFileSync(changelog, 'utf8');
    const dry = await run(g, ['changelog', 'zookeeper', '--dry-run']);
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('| zookeeper (3.9.3-3) UNRELEASED; urgency=medium');
    expect(dry.stdout).toMatch(/\|\s+\* initial import\n\s+\|\s+\* Fix the rules file/);
    expect(readFileSync(changelog, 'utf8')).toBe(before);
    const real = await run(g, ['--json', 'changelog', 'zookeeper']);
    expect(real.exitCode, real.stderr).toBe(0);
    expect(JSON.parse(real.stdout)).toMatchObject({ version: '3.9.3-3', distribution: 'UNRELEASED', added: ['initial import', 'Fix the rules file'], wrote: true });
    expect(readFileSync(changelog, 'utf8')).toMatch(/^zookeeper \(3\.9\.3-3\) UNRELEASED; urgency=medium\n\n {2}\* initial import\n {2}\* Fix the rules file\n\n -- Pipeline Maintainers <pipeline@example.org> {2}/);
    const again = JSON.parse((await run(g, ['--json', 'changelog', 'zookeeper'])).stdout);
    expect(again).toMatchObject({ added: [], wrote: false });
    await git(g.t.root, ['checkout', '--', 'packages/zookeeper/debian/changelog'], g.env);

    const pushed = await run(g, ['promote', 'zookeeper', '--push', 'origin']);
    expect(pushed.exitCode, pushed.stdout + pushed.stderr).toBe(0);
    expect(pushed.stdout).toContain('tag: debian/3.9.3-2');
    expect(pushed.stdout).toContain('pushed to origin');
    expect(await tags(g, g.bare)).toEqual(['debian/3.9.3-2']);
    const after = await run(g, ['status']);
    expect(after.stdout).not.toContain('unreleased');
  });
});
