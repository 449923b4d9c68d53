import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stage as stageConfig, loadWorkspace, type Workspace } from '../config/workspace.js';
import { binaryBuildVerdict } from '../stages/stage.js';
import type { BuildRecord } from '../state/records.js';
import { StateStore } from '../state/store.js';
import { resolveInput } from './input.js';
import { binaryInputsHash, findBinaryOrigin, lendBinaryVerdict, reuseAllowed, type BinaryInputs } from './reuse.js';

const REPO = join(import.meta.dirname, '..', '..');
let root: string;
let ws: Workspace;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'pipeline-reuse-'));
  cpSync(join(REPO, 'pipeline.yaml'), join(root, 'pipeline.yaml'));
  cpSync(join(REPO, 'packages', 'zookeeper'), join(root, 'packages', 'zookeeper'), { recursive: true });
  ws = loadWorkspace({ config: join(root, 'pipeline.yaml'), env: { PIPELINE_CACHE_DIR: join(root, 'cache'), PIPELINE_STATE_DIR: join(root, 'state') } });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const inputs: BinaryInputs = { content: 'tree-sha', chroot: { key: 'trixie-key', mtimeMs: 1000 }, archAll: true, extraRepositories: [] };
const HASH = binaryInputsHash(inputs);

/** A recorded build of zookeeper for a stage, with its binary log on disk. */
function recorded(stage: string, over: Partial<BuildRecord> = {}): BuildRecord {
  const outDir = join(ws.stateDir, 'builds', `zookeeper_${stage}`);
  mkdirSync(join(outDir, 'binary'), { recursive: true });
  const binaryLog = join(outDir, 'binary', `zookeeper_${stage}_amd64-2026-12-07T00:00:00Z.build`);
  writeFileSync(binaryLog, `the ${stage} test-build log\n`);
  const r: BuildRecord = {
    package: 'zookeeper', version: `3.9-1~${stage}1`, stage, status: 'successful', outDir, artifacts: [], inputsHash: `full-${stage}`,
    finishedAt: '2026-12-07T00:10:00.000Z', binarySummary: { status: 'successful', buildTime: '826' } as BuildRecord['binarySummary'],
    binaryLog, binaryInputsHash: HASH, ...over,
  };
  new StateStore(ws.stateDir).write('build', r);
  return r;
}

describe('binary inputs', () => {
  it('hash: the same for the same tree and chroot; anything the test-build sees changes it', () => {
    expect(binaryInputsHash({ ...inputs })).toBe(HASH);
    for (const change of [{ content: 'other' }, { chroot: { key: 'bookworm-key', mtimeMs: 1000 } }, { chroot: { key: 'trixie-key', mtimeMs: 2000 } }, { archAll: false }, { extraRepositories: ['deb http://x y main'] }]) {
      expect(binaryInputsHash({ ...inputs, ...change })).not.toBe(HASH);
    }
    // The stage's archive (build/stageArchive.ts): offering nothing the package build-depends on
    // keeps the hash (ppa and devel still share a test-build); the in-set versions offered count.
    expect(binaryInputsHash({ ...inputs, stageArchive: undefined })).toBe(HASH);
    const a = binaryInputsHash({ ...inputs, stageArchive: { offered: ['liba-dev=2.0-1~ppa1'] } });
    expect(a).not.toBe(HASH);
    expect(binaryInputsHash({ ...inputs, stageArchive: { offered: ['liba-dev=2.0-1'] } })).not.toBe(a);
  });

  it('reuse is on by default; --rebuild (force) or builder.reuse: false turns it off', () => {
    const devel = stageConfig(ws, 'devel');
    expect(devel.builder.reuse).toBe(true);
    expect(reuseAllowed(devel, {})).toBe(true);
    expect(reuseAllowed(devel, { force: true })).toBe(false);
    writeFileSync(join(root, 'pipeline.yaml'), readFileSync(join(root, 'pipeline.yaml'), 'utf8').replace(/(- name: devel[\s\S]*?builder: \{ )/, '$1reuse: false, '));
    const off = loadWorkspace({ config: join(root, 'pipeline.yaml'), env: { PIPELINE_STATE_DIR: join(root, 'state') } });
    expect(stageConfig(off, 'devel').builder.reuse).toBe(false);
    expect(stageConfig(off, 'ppa').builder.reuse).toBe(true);
    expect(reuseAllowed(stageConfig(off, 'devel'), {})).toBe(false);
  });
});

describe('the tree a test-build sees: everything but debian/changelog', () => {
  it('a changelog-only change (a new top entry) keeps it; an edit elsewhere or a new upstream version does not', async () => {
    const tree = join(root, 'hello-quilt');
    cpSync(join(REPO, 'test', 'fixtures', 'packages', 'hello-quilt'), tree, { recursive: true });
    const hashes = async () => {
      const r = await resolveInput(ws, { dir: tree });
      return { content: await r.contentHash(), tree: await r.treeHashButChangelog() };
    };
    const before = await hashes();
    const changelog = join(tree, 'debian', 'changelog');
    const entry = (v: string) => `hello-quilt (${v}) unstable; urgency=medium\n\n  * Rebuild.\n\n -- Pipeline Maintainers <pipeline@example.org>  Mon, 07 Dec 2026 00:00:00 +0000\n\n`;
    writeFileSync(changelog, entry('1.0-2') + readFileSync(changelog, 'utf8'));
    const changelogOnly = await hashes();
    expect(changelogOnly.content).not.toBe(before.content);
    expect(changelogOnly.tree).toBe(before.tree);
    writeFileSync(changelog, entry('2.0-1') + readFileSync(changelog, 'utf8'));
    expect((await hashes()).tree).not.toBe(before.tree); // another upstream version
    writeFileSync(changelog, readFileSync(changelog, 'utf8').split('\n').slice(6).join('\n'));
    expect((await hashes()).tree).toBe(before.tree);
    writeFileSync(join(tree, 'debian', 'rules'), `${readFileSync(join(tree, 'debian', 'rules'), 'utf8')}\n# edited\n`);
    expect((await hashes()).tree).not.toBe(before.tree);
  });
});

describe('finding the build a verdict comes from', () => {
  it('the ppa build of the same inputs lends its verdict to devel; another hash does not', () => {
    const ppa = recorded('ppa');
    expect(findBinaryOrigin(ws, 'zookeeper', HASH)).toEqual(ppa);
    expect(findBinaryOrigin(ws, 'zookeeper', binaryInputsHash({ ...inputs, content: 'edited debian/rules' }))).toBeUndefined();
    expect(findBinaryOrigin(ws, 'txaws', HASH)).toBeUndefined();
  });

  it('not lent: a build without a binary part, an infrastructure failure, a log that is gone', () => {
    recorded('ppa', { binarySummary: undefined, binaryLog: undefined });
    expect(findBinaryOrigin(ws, 'zookeeper', HASH)).toBeUndefined();
    recorded('ppa', { status: 'failed', failedPart: 'binary', failStage: 'apt-get-update' });
    expect(findBinaryOrigin(ws, 'zookeeper', HASH)).toBeUndefined();
    const gone = recorded('ppa');
    rmSync(gone.binaryLog!);
    expect(findBinaryOrigin(ws, 'zookeeper', HASH)).toBeUndefined();
  });

  it('a real failure is lent too (the same tree fails the same way), and the newest build wins', () => {
    recorded('ppa', { finishedAt: '2026-12-07T00:10:00.000Z' });
    const newer = recorded('backports', { status: 'failed', failedPart: 'binary', failStage: 'build', message: 'javac: error', finishedAt: '2026-12-07T00:20:00.000Z' });
    expect(findBinaryOrigin(ws, 'zookeeper', HASH)?.stage).toBe(newer.stage);
  });
});

describe('a lent verdict', () => {
  it('carries the origin, links its log into the borrower\'s binary/, and the gate reason names it', () => {
    const ppa = recorded('ppa');
    const binDir = join(root, 'devel-build', 'binary');
    const lent = lendBinaryVerdict(ppa, binDir);
    expect(lent.binaryFrom).toEqual({ stage: 'ppa', version: ppa.version, finishedAt: ppa.finishedAt, log: ppa.binaryLog });
    expect(lent.binaryLog!.startsWith(binDir)).toBe(true);
    expect(statSync(lent.binaryLog!).ino).toBe(statSync(ppa.binaryLog!).ino);
    expect(lent.status).toBeUndefined(); // successful: the borrower's own status stands

    const devel: BuildRecord = { ...ppa, stage: 'devel', version: '3.9-1', ...lent };
    const v = binaryBuildVerdict(ws, 'zookeeper', stageConfig(ws, 'devel'), devel);
    expect(v).toMatchObject({ verdict: 'pass' });
    expect(v.reason).toContain('the verdict of the ppa build of 3.9-1~ppa1 (2026-12-07 00:10)');

    // Borrowed again (backports of the same chroot, say): the origin is still the build that ran sbuild.
    const again = lendBinaryVerdict(devel, join(root, 'third', 'binary'));
    expect(again.binaryFrom).toEqual(lent.binaryFrom);
    rmSync(ppa.outDir, { recursive: true });
    expect(existsSync(lent.binaryLog!)).toBe(true); // the evidence outlives the origin's directory
  });

  it('a lent failure fails the borrower at the same stage with the same message', () => {
    const ppa = recorded('ppa', { status: 'failed', failedPart: 'binary', failStage: 'build', message: 'javac: error' });
    expect(lendBinaryVerdict(ppa, join(root, 'b'))).toMatchObject({ status: 'failed', failedPart: 'binary', failStage: 'build', message: 'javac: error', binaryFrom: { stage: 'ppa' } });
  });
});
