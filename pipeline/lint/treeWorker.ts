/** Worker thread for lint/isolated.ts: runs lintTree on the tree it is given and posts the LintRecord back. */
import { parentPort, workerData } from 'node:worker_threads';
import { lintTree, type LintTreeOptions } from './run.js';

const { dir, options } = workerData as { dir: string; options: LintTreeOptions };
lintTree(dir, options).then(
  (record) => parentPort!.postMessage({ record }),
  (e: unknown) => parentPort!.postMessage({ error: { message: (e as Error).message, name: (e as Error).name, file: (e as { file?: string }).file, line: (e as { line?: number }).line, hint: (e as { hint?: string }).hint } }),
);
