import { PipelineError } from '../../pipeline/errors.js';

/** The one line a user would see for the PipelineError `fn` throws (fails if it throws none). */
export function oneLineOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof PipelineError) return e.oneLine();
    throw e;
  }
  throw new Error('expected a PipelineError');
}
