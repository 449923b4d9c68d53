/**
 * Real temporary git repositories for the git tests: `initRepo(dir)` makes `dir` a repository with
 * everything in it committed, with git's global and system configuration shut out (HOME points at
 * an empty directory), as on a fresh CI machine without user.name/user.email. Set-up commits give
 * their identity on the command line; pipeline itself must get by without one.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

/** The environment git and pipeline run with in these tests: no user or system git config. */
export function isolatedGitEnv(): Record<string, string> {
  const home = mkdtempSync(join(tmpdir(), 'pipeline-githome-'));
  mkdirSync(join(home, '.config'), { recursive: true });
  return { HOME: home, XDG_CONFIG_HOME: join(home, '.config'), GIT_CONFIG_NOSYSTEM: '1' };
}

/** `git ...` in `dir` (set-up and inspection only: the code under test uses simple-git). */
export async function git(dir: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  const r = await execa('git', ['-c', 'user.name=Test Committer', '-c', 'user.email=test@example.org', '-c', 'init.defaultBranch=main', ...args], {
    cwd: dir, env: { ...process.env, ...env }, extendEnv: false,
  });
  return String(r.stdout).trim();
}

/** Make `dir` a repository with its current content committed; returns the commit. */
export async function initRepo(dir: string, env: Record<string, string> = {}): Promise<string> {
  await git(dir, ['init', '-q'], env);
  await git(dir, ['add', '-A'], env);
  await git(dir, ['commit', '-q', '-m', 'initial import'], env);
  return git(dir, ['rev-parse', 'HEAD'], env);
}

/** Commit everything under `dir` with `message`; returns the commit. */
export async function commitAll(dir: string, message: string, env: Record<string, string> = {}): Promise<string> {
  await git(dir, ['add', '-A'], env);
  await git(dir, ['commit', '-q', '-m', message], env);
  return git(dir, ['rev-parse', 'HEAD'], env);
}
