import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Workspace } from '../config/workspace.js';
import type { BuildRecord } from '../state/records.js';
import { StateStore } from '../state/store.js';
import { debPaths } from './baseline.js';
import { madeBy } from './reproducible.js';

describe('a reused test-build\'s binaries, for debdiff and the rebuild', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qa-lent-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const ws = { stateDir: join(dir, 'state') } as Workspace;
  const deb = join(dir, 'hello_1.0-1~ppa1_all.deb');
  writeFileSync(deb, '');
  const record = (stage: string, version: string, extra: Partial<BuildRecord> = {}): BuildRecord => ({
    package: 'hello', version, stage, status: 'successful', outDir: dir, inputsHash: 'h', finishedAt: '2026-12-07T00:00:00.000Z',
    artifacts: [{ path: join(dir, `hello_${version}.dsc`), sha256: 'd', size: 1 }], ...extra,
  });
  const origin = record('ppa', '1.0-1~ppa1', { artifacts: [{ path: join(dir, 'hello_1.0-1~ppa1.dsc'), sha256: 'd', size: 1 }, { path: deb, sha256: 'a', size: 0 }] });
  new StateStore(ws.stateDir).write('build', origin);
  const reused = record('devel', '1.0-1', { binaryFrom: { stage: 'ppa', version: '1.0-1~ppa1', finishedAt: origin.finishedAt } });

  it('are the lending build\'s .debs, rebuilt from the lending build\'s .dsc', () => {
    expect(debPaths(ws, origin)).toEqual([deb]);
    expect(debPaths(ws, reused)).toEqual([deb]);
    expect(madeBy(ws, reused)?.stage).toBe('ppa');
    expect(madeBy(ws, origin)).toBe(origin);
    // The lending stage built again since: its record is another build, not the one lent.
    expect(madeBy(ws, { ...reused, binaryFrom: { ...reused.binaryFrom!, finishedAt: '2026-12-08T00:00:00.000Z' } })).toBeUndefined();
    expect(debPaths(ws, { ...origin, status: 'failed' })).toEqual([]);
  });
});
