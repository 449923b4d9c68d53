import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Workspace } from '../config/workspace.js';
import type { BuildRecord } from '../state/records.js';
import { StateStore } from '../state/store.js';
import { binaryBuild, buildDebs } from './binaries.js';

describe('a build\'s .debs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qa-binaries-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const ws = { stateDir: join(dir, 'state') } as Workspace;
  const deb = join(dir, 'hello_1.0-1~ppa1_all.deb');
  writeFileSync(deb, '');
  const record = (stage: string, version: string, extra: Partial<BuildRecord> = {}): BuildRecord => ({
    package: 'hello', version, stage, status: 'successful', outDir: dir, inputsHash: 'h', finishedAt: '2026-12-07T00:00:00.000Z',
    artifacts: [{ path: join(dir, `hello_${version}.dsc`), sha256: 'd', size: 1 }], ...extra,
  });
  const origin = record('ppa', '1.0-1~ppa1', { artifacts: [{ path: deb, sha256: 'a', size: 0 }] });
  new StateStore(ws.stateDir).write('build', origin);

  it('are its own, or those of the build whose verdict it reused (while that record is still the same build)', () => {
    expect(buildDebs(ws, origin)).toEqual([deb]);
    const reused = record('devel', '1.0-1', { binaryFrom: { stage: 'ppa', version: '1.0-1~ppa1', finishedAt: origin.finishedAt } });
    expect(buildDebs(ws, reused)).toEqual([deb]);
    expect(binaryBuild(ws, reused)?.stage).toBe('ppa');
    expect(buildDebs(ws, { ...reused, binaryFrom: { ...reused.binaryFrom!, finishedAt: '2026-12-08T00:00:00.000Z' } })).toEqual([]);
    expect(buildDebs(ws, { ...origin, status: 'failed' })).toEqual([]);
  });
});
