/**
 * Temporary copies of the repository layout (pipeline.yaml, packages/, debian-templates/) for
 * tests that break things on purpose, and a runner for the real CLI (`node bin/pipeline.js`,
 * built by `npm test`'s tsc) pointed at them with --config and private state/cache dirs.
 */
import { cpSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { scratchDir } from './scratch.js';

export const REPO = join(import.meta.dirname, '..', '..');

export interface TempWorkspace {
  root: string;
  config: string;
  env: Record<string, string>;
}

/** A copy of the repo layout with only `packages` (default: all three). */
export function tempWorkspace(packages: string[] = ['zookeeper', 'txzookeeper', 'txaws']): TempWorkspace {
  const root = scratchDir('pipeline-ws-');
  cpSync(join(REPO, 'pipeline.yaml'), join(root, 'pipeline.yaml'));
  cpSync(join(REPO, 'debian-templates'), join(root, 'debian-templates'), { recursive: true });
  mkdirSync(join(root, 'packages'));
  for (const p of packages) cpSync(join(REPO, 'packages', p), join(root, 'packages', p), { recursive: true });
  return {
    root,
    config: join(root, 'pipeline.yaml'),
    env: {
      PIPELINE_STATE_DIR: join(root, '.pipeline', 'state'),
      PIPELINE_CACHE_DIR: join(root, '.cache'),
      PIPELINE_GNUPGHOME: join(root, '.pipeline', 'gnupg'),
    },
  };
}

/** Every path under `dir` with its size and mtime: compare before/after to prove nothing was written. */
export function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const st = statSync(join(dir, r));
      if (st.isDirectory()) { out.push(`${r}/`); walk(r); } else out.push(`${r} ${st.size} ${st.mtimeMs}`);
    }
  };
  walk('');
  return out;
}

export interface CliResult { exitCode: number; stdout: string; stderr: string }

/** Runs `pipeline --config <ws> ...args` in the workspace. */
export async function cli(ws: TempWorkspace | undefined, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const r = await execa('node', [join(REPO, 'bin', 'pipeline.js'), ...(ws ? ['--config', ws.config] : []), ...args], {
    cwd: ws?.root ?? REPO, reject: false, env: { ...(ws?.env ?? {}), ...env }, stdin: 'ignore',
  });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** stderr's lines, without progress lines. */
export function errorLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.trim() && !/^[…✓✗!] /.test(l));
}
