/**
 * What dpkg-parsechangelog said about a changelog, remembered by the changelog's bytes. The tool is
 * a Perl program that costs ~0.2 s a call, and a promotion reads the same changelogs again and
 * again (the plan, each stage's prepare, each restart of `pipeline resume`): its answer depends only
 * on the file's content, the arguments and the tool itself (the environment is fixed), so it is
 * kept in this process and in `$PIPELINE_CACHE_DIR/changelog-parse/` (else
 * `$XDG_CACHE_HOME/pipeline/…`) for the next one.
 *
 * The key is sha256 over the arguments, the content and the tool's own identity (its path on PATH,
 * size and mtime: upgrading dpkg-dev changes them), so a changed file, another dpkg or a test's
 * stand-in never get an old answer. Without the tool on PATH nothing is cached (the caller reports
 * it missing). Entries are written whole (temp file + rename); an unreadable entry is a miss.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

export interface ToolAnswer {
  exitCode: number;
  stdout: string;
  stderr: string;
}

const memory = new Map<string, ToolAnswer>();

function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.PIPELINE_CACHE_DIR ?? join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'pipeline'), 'changelog-parse');
}

/** `tool`'s identity on PATH (path, size, mtime), or undefined when it is not there. */
function toolIdentity(tool: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    try {
      const s = statSync(join(dir, tool));
      if (s.isFile()) return `${join(dir, tool)}\0${s.size}\0${s.mtimeMs}`;
    } catch { /* not here */ }
  }
  return undefined;
}

/** The cache key for running `tool args` over a file with `content`; undefined: do not cache. */
export function answerKey(tool: string, args: readonly string[], content: Buffer): string | undefined {
  const id = toolIdentity(tool);
  if (!id) return undefined;
  return createHash('sha256').update(`${id}\0${args.join('\0')}\0`).update(content).digest('hex');
}

export function cachedAnswer(key: string): ToolAnswer | undefined {
  const hit = memory.get(key);
  if (hit) return hit;
  try {
    const a = JSON.parse(readFileSync(join(cacheDir(), `${key}.json`), 'utf8')) as ToolAnswer;
    if (typeof a.exitCode !== 'number' || typeof a.stdout !== 'string' || typeof a.stderr !== 'string') return undefined;
    memory.set(key, a);
    return a;
  } catch {
    return undefined;
  }
}

export function rememberAnswer(key: string, answer: ToolAnswer): void {
  memory.set(key, answer);
  const dir = cacheDir();
  try {
    mkdirSync(dir, { recursive: true });
    const tmp = join(dir, `.${key}.${process.pid}.tmp`);
    writeFileSync(tmp, JSON.stringify(answer));
    renameSync(tmp, join(dir, `${key}.json`));
  } catch { /* a cache that cannot be written only costs time */ }
}
