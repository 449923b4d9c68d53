/**
 * lintTree in a worker thread, so the main thread's event loop stays free while the checks run:
 * SIGTERM/SIGINT are handled (and the process ends) at once, even in the middle of a check that
 * computes for seconds — JavaScript signal handlers never run while the thread that owns them is
 * busy. The worker loads the compiled dist/ module; from sources (tests) the checks run here.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { PipelineError } from '../errors.js';
import type { LintRecord } from '../state/records.js';
import { lintTree, type LintTreeOptions } from './run.js';

export async function lintTreeIsolated(dir: string, options: LintTreeOptions = {}): Promise<LintRecord> {
  const url = new URL('./treeWorker.js', import.meta.url);
  if (options.checks || !existsSync(fileURLToPath(url))) return lintTree(dir, options);
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
