import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadWorkspace } from '../config/workspace.js';
import { readChangelogTop } from '../stages/changelog.js';
import { resolveInput } from './input.js';
import { applyPlanToTree } from '../stages/changelog.js';
import { needsNoRoot, resultFiles } from './source.js';

const REPO = join(import.meta.dirname, '..', '..');
const HELLO = join(REPO, 'test', 'fixtures', 'packages', 'hello-native');
let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'pipeline-source-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const maintainer = { name: 'Pipeline Maintainers', email: 'pipeline@example.org' };

describe('applyPlanToTree on a build input (the stage changelog entry, checked with dpkg-parsechangelog)', () => {
  it('adds a new entry with the stage version, distribution and message', async () => {
    const tree = join(root, 't');
    cpSync(HELLO, tree, { recursive: true });
    await applyPlanToTree(tree, { version: '1.0~bpo12+1', distribution: 'bookworm-backports', message: 'No-change backport to bookworm.', newEntry: true, includeOrig: true }, maintainer);
    const top = await readChangelogTop(join(tree, 'debian'));
    expect(top).toMatchObject({ version: '1.0~bpo12+1', distribution: 'bookworm-backports' });
    expect(top.changes).toContain('No-change backport to bookworm.');
    expect(readFileSync(join(tree, 'debian', 'changelog'), 'utf8')).toMatch(/-- Pipeline Maintainers <pipeline@example\.org>/);
  });

  it('re-targets an already released top entry without adding one (dch --release would ignore it)', async () => {
    const tree = join(root, 't');
    cpSync(HELLO, tree, { recursive: true });
    const before = readFileSync(join(tree, 'debian', 'changelog'), 'utf8');
    await applyPlanToTree(tree, { version: '1.0', distribution: 'trixie', message: '', newEntry: false, includeOrig: true }, maintainer);
    const after = readFileSync(join(tree, 'debian', 'changelog'), 'utf8');
    expect(after).toBe(before.replace('hello-native (1.0) unstable;', 'hello-native (1.0) trixie;'));
    expect((await readChangelogTop(join(tree, 'debian'))).distribution).toBe('trixie');
  });
});

describe('resolveInput for a directory', () => {
  it('hashes the content (a changed file changes it) and materializes a private copy', async () => {
    const ws = loadWorkspace({ config: join(REPO, 'pipeline.yaml'), env: { PIPELINE_CACHE_DIR: join(root, 'c'), PIPELINE_STATE_DIR: join(root, 's') } });
    const src = join(root, 'src');
    cpSync(HELLO, src, { recursive: true });
    const input = await resolveInput(ws, { dir: src });
    expect(input).toMatchObject({ name: 'hello-native', source: 'hello-native', version: '1.0', build: { binary: true, archAll: true } });
    const h1 = await input.contentHash();
    expect(await input.contentHash()).toBe(h1);
    const copy = await input.materialize(join(root, 'work'));
    expect(copy.tree).toBe(join(root, 'work', 'hello-native-1.0'));
    writeFileSync(join(copy.tree, 'hello-native'), 'changed in the copy');
    expect(await input.contentHash()).toBe(h1); // the source directory was not touched
    writeFileSync(join(src, 'hello-native'), 'changed');
    expect(await input.contentHash()).not.toBe(h1);
  });

  it('result files: build outputs only (no .build logs, no dot files)', () => {
    for (const f of ['a.dsc', 'a.tar.xz', 'a_amd64.build', '.sbuild.conf']) writeFileSync(join(root, f), '');
    expect(resultFiles(root).map((p) => p.slice(root.length + 1))).toEqual(['a.dsc', 'a.tar.xz']);
  });
});

describe('needsNoRoot (the source package is built without build dependencies)', () => {
  it('only when debian/control says Rules-Requires-Root: no', () => {
    const tree = join(root, 't');
    cpSync(HELLO, tree, { recursive: true });
    expect(needsNoRoot(tree)).toBe(true);
    const control = join(tree, 'debian', 'control');
    writeFileSync(control, readFileSync(control, 'utf8').replace(/^Rules-Requires-Root: no\n/m, ''));
    expect(needsNoRoot(tree)).toBe(false);
    writeFileSync(control, readFileSync(control, 'utf8').replace(/^(Source: .*)$/m, '$1\nRules-Requires-Root: binary-targets'));
    expect(needsNoRoot(tree)).toBe(false);
    expect(needsNoRoot(join(root, 'missing'))).toBe(false);
  });
});
