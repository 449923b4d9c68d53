// Shared by the soak tests: a soak workspace with built fixtures, and the spawn helpers.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error plain ESM module without types
import { createSoakWorkspace, REPO } from './fixture.mjs';

export const START = join(REPO, 'test', 'soak', 'start.mjs');
export const CLI = join(REPO, 'bin', 'pipeline.js');
export const KIND_MODULE = join(REPO, 'test', 'soak', 'kind.mjs');

/** A soak workspace inside `cacheDir` (so removing that directory removes everything). */
export function soakWorkspace(cacheDir = mkdtempSync(join(tmpdir(), 'soak-cache-'))): { dir: string; env: NodeJS.ProcessEnv } {
  mkdirSync(cacheDir, { recursive: true });
  const dir = createSoakWorkspace(mkdtempSync(join(cacheDir, 'ws-')), join(cacheDir, 'soak-fixtures')) as string;
  const env: NodeJS.ProcessEnv = { ...process.env, PIPELINE_CACHE_DIR: cacheDir, SOAK_FIXTURES: join(cacheDir, 'soak-fixtures'), PIPELINE_RUN_KINDS: KIND_MODULE };
  for (const k of ['PIPELINE_STATE_DIR', 'PIPELINE_CONFIG', 'PIPELINE_FAULTS', 'PIPELINE_FAULT_POINTS', 'PIPELINE_FAULTS_LOG']) delete env[k];
  return { dir, env };
}

export interface Exit { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

export function node(script: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Exit> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
