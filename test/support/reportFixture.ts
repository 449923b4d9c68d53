// Test fixture: a small workspace whose records cover each verdict (see bench/report-fixture.mjs).
import { join } from 'node:path';
import { loadWorkspace, type Workspace } from '../../pipeline/config/workspace.js';
// @ts-expect-error plain JS module shared with the bench (no type declarations)
import { writeReportWorkspace } from '../../bench/report-fixture.mjs';
import { scratchDir } from '../helpers/scratch.js';

export const FULL = { build: 'ok', lint: 'clean', lintian: true, publish: true, versionPolicy: 'pass', qa: 'pass' } as const;

/** alpha: ready; beta: FTBFS + dirty copyright; delta: nothing recorded; gamma: new upstream in freeze, stale lint, MIR gaps. */
export const MIXED = [
  { name: 'alpha', version: '2.0-1', mir: { required: true, team: 'alpha-team' }, tests: true, stages: { ppa: FULL, devel: FULL } },
  { name: 'beta', version: '1.1-1', depends: ['alpha'], stages: { ppa: FULL, devel: { build: 'ftbfs', lint: 'dirty', lintian: true } } },
  { name: 'gamma', version: '3.0-1', sourceVersion: '2.9-1', mir: { required: true }, watch: false, stages: { devel: { build: 'ok', lint: 'stale', versionPolicy: 'pass' } } },
  { name: 'delta', version: '0.5-1' },
];

export function fixtureDir(specs: unknown[] = MIXED): string {
  const dir = scratchDir('report-ws-');
  writeReportWorkspace(dir, specs);
  return dir;
}

export function fixtureWorkspace(at: string, specs: unknown[] = MIXED): Workspace {
  const dir = fixtureDir(specs);
  return loadWorkspace({ cwd: dir, config: join(dir, 'pipeline.yaml'), at, env: {} });
}
