import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOutput } from '../cli/output.js';
import { loadWorkspace, type Workspace } from '../config/workspace.js';
import type { BuildRecord } from '../state/records.js';
import { StateStore } from '../state/store.js';
import { formatSeconds, previousPhaseTimes } from './estimate.js';
import type { PhaseOptions } from './progress.js';
import { SbuildPhases } from './sbuildLog.js';

const REPO = join(import.meta.dirname, '..', '..');
let root: string;
let ws: Workspace;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'pipeline-estimate-'));
  cpSync(join(REPO, 'pipeline.yaml'), join(root, 'pipeline.yaml'));
  ws = loadWorkspace({ config: join(root, 'pipeline.yaml'), env: { PIPELINE_STATE_DIR: join(root, 'state') } });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function record(stage: string, key: string, finishedAt: string, binaryBuild: string): void {
  const r = {
    package: 'zookeeper', version: '3.9-1', stage, status: 'successful', outDir: '/x', artifacts: [], inputsHash: 'h', finishedAt,
    chroot: { tarball: '/t', key },
    sourceSummary: { status: 'successful', buildTime: '6', installTime: '74' },
    binarySummary: { status: 'successful', buildTime: binaryBuild, installTime: '89' },
  } as BuildRecord;
  new StateStore(ws.stateDir).write('build', r);
}

describe('estimates from the previous build of the same package and chroot', () => {
  it('the newest record in that chroot (any stage) gives the install and build seconds; another chroot does not', () => {
    record('ppa', 'trixie', '2026-12-07T00:10:00Z', '826');
    record('devel', 'trixie', '2026-12-07T00:30:00Z', '801');
    record('backports', 'bookworm', '2026-12-07T00:50:00Z', '700');
    expect(previousPhaseTimes(ws, 'zookeeper', 'trixie')).toEqual({
      source: { 'install build-deps': 74, build: 6 },
      binary: { 'install build-deps': 89, build: 801 },
    });
    expect(previousPhaseTimes(ws, 'zookeeper', 'sid')).toEqual({ source: {}, binary: {} });
    expect(previousPhaseTimes(ws, 'txaws', 'trixie')).toEqual({ source: {}, binary: {} });
  });

  it('SbuildPhases passes the estimate to the phase it starts', () => {
    const seen: Array<[string, PhaseOptions | undefined]> = [];
    const phases = new SbuildPhases({ phase: (name, o) => { seen.push([name, o]); return { update() {}, done() {}, fail() {} }; } }, 'binary', { build: 826 });
    phases.line('| Install package build dependencies                                           |');
    phases.line('| Build                                                                        |');
    expect(seen).toEqual([['binary: chroot', undefined], ['binary: install build-deps', undefined], ['binary: build', { estimateSeconds: 826 }]]);
  });

  it('the progress line shows elapsed time and the estimate; the finished line the time it took', () => {
    const stderr = new PassThrough();
    const out = createOutput({ stderr, stdout: new PassThrough() });
    const p = out.phase('binary: build', { estimateSeconds: 826 });
    p.done('successful');
    const text = String(stderr.read());
    expect(text).toMatch(/^… binary: build \(last time 13m46s\)\n✓ binary: build — successful \(\d+\.\ds\)\n$/);
    expect(formatSeconds(42)).toBe('42s');
    expect(formatSeconds(60)).toBe('1m00s');
  });
});
