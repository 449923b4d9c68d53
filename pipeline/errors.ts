/**
 * The one error type the CLI knows how to print: a single line naming the file (and line, and
 * key where known) and the problem, plus an optional hint naming the fix. Anything else that
 * escapes is a bug and is printed with its stack.
 */
/**
 * Exit codes, one meaning each, in every command (README "Exit codes"):
 *   0 ok / ready; 1 a verdict said no (a gate blocked, a build failed, not ready);
 *   2 usage or bad input (arguments, pipeline.yaml, package files, an unknown package);
 *   3 the environment failed (a missing or failing tool, an unreachable network or mirror);
 *   70 an internal error (a bug: the stack trace only with --verbose); 75 a lock is held (try later).
 */
export const EXIT = { ok: 0, blocked: 1, usage: 2, environment: 3, internal: 70, locked: 75 } as const;

export interface PipelineErrorOptions {
  file?: string;
  line?: number;
  key?: string;
  hint?: string;
  /** Process exit code (EXIT): 2 bad input (the default), 1 a failed gate or build, 3 environment, 75 locked. */
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

  /** The error as one JSON object (`--json`). */
  toJSON(): Record<string, unknown> {
    return {
      error: this.message, exitCode: this.exitCode,
      ...(this.file ? { file: this.file } : {}), ...(this.line ? { line: this.line } : {}),
      ...(this.key ? { key: this.key } : {}), ...(this.hint ? { hint: this.hint } : {}),
    };
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
