/**
 * The one error type the CLI knows how to print: a single line naming the file (and line, and
 * key where known) and the problem, plus an optional hint naming the fix. Anything else that
 * escapes is a bug and is printed with its stack.
 */
export interface PipelineErrorOptions {
  file?: string;
  line?: number;
  key?: string;
  hint?: string;
  /** Process exit code: 2 for bad input / environment (the default), 1 for a failed gate or build. */
  exitCode?: number;
  cause?: unknown;
}

export class PipelineError extends Error {
  readonly file?: string;
  readonly line?: number;
  readonly key?: string;
  readonly hint?: string;
  readonly exitCode: number;

  constructor(message: string, options: PipelineErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PipelineError';
    this.file = options.file;
    this.line = options.line;
    this.key = options.key;
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? 2;
  }

  /** `FILE:LINE: key: message (hint)` — the one line a user sees. */
  oneLine(): string {
    const where = this.file ? `${this.file}${this.line ? `:${this.line}` : ''}: ` : '';
    const key = this.key ? `${this.key}: ` : '';
    const hint = this.hint ? ` (${this.hint})` : '';
    return `${where}${key}${this.message}${hint}`.replace(/\s*\n\s*/g, ' ');
  }
}

export function isPipelineError(e: unknown): e is PipelineError {
  return e instanceof PipelineError;
}
