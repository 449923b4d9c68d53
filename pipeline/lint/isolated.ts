/**
 * lintTree where SIGTERM/SIGINT still end the process at once. JavaScript signal handlers (the
 * ones signal-exit installs for write-file-atomic and execa's clean-up) never run while their
 * thread computes, so a check that computes for seconds would hold a signal back that long.
 * An ordinary tree is linted here: every check on it takes well under a second (linear globs,
 * indexed patterns) and the runner and the license detector yield to the event loop between
 * steps. A big debian/copyright (over 64 KiB: the only input whose checks can run long) is
 * linted in a worker thread, leaving this thread free to die on the signal; the worker's own
 * module loading (~0.3 s of CPU) is why not every lint goes there. The worker loads the compiled
 * dist/ module; from sources (tests) the checks run here.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { PipelineError } from '../errors.js';
import type { LintRecord } from '../state/records.js';
import { lintTree, type LintTreeOptions } from './run.js';

export async function lintTreeIsolated(dir: string, options: LintTreeOptions = {}): Promise<LintRecord> {
  const url = new URL('./treeWorker.js', import.meta.url);
  if (options.checks || !existsSync(fileURLToPath(url)) || !bigInput(dir)) return lintTree(dir, options);
  const worker = new Worker(url, { workerData: { dir, options } });
  try {
    const reply = await new Promise<{ record?: LintRecord; error?: { message: string; file?: string; line?: number; hint?: string; name: string } }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`lint worker exited with code ${code}`)));
    });
    if (reply.error) {
      if (reply.error.name === 'PipelineError') throw new PipelineError(reply.error.message, { file: reply.error.file, line: reply.error.line, hint: reply.error.hint });
      throw new Error(reply.error.message);
    }
    return reply.record!;
  } finally {
    void worker.terminate();
  }
}

/** Past this size a debian/copyright goes to the worker (Debian's largest real ones, boost's, are ~2 MB). */
export const IN_THREAD_COPYRIGHT_MAX = 64 * 1024;

function bigInput(dir: string): boolean {
  try {
    return statSync(join(dir, 'debian', 'copyright')).size > IN_THREAD_COPYRIGHT_MAX;
  } catch {
    return false;
  }
}
