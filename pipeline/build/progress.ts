/**
 * How the build library reports progress without knowing about the CLI: a sink with phases
 * (chroot, source, install build-deps, build, summary) and raw log lines. The CLI's Output
 * (pipeline/cli/output.ts) satisfies this interface as it is; library callers may pass their own
 * or nothing.
 */
export interface ProgressPhase {
  update(detail: string): void;
  done(detail?: string): void;
  fail(detail?: string): void;
}

export interface PhaseOptions {
  /** How long the phase took last time (seconds): shown beside the elapsed time. */
  estimateSeconds?: number;
}

export interface ProgressSink {
  phase(name: string, options?: PhaseOptions): ProgressPhase;
  /** A raw tool log line (sbuild, mmdebstrap); shown with --verbose only. */
  log?(line: string): void;
}

const nothing: ProgressPhase = { update() {}, done() {}, fail() {} };
export const silentProgress: ProgressSink = { phase: () => nothing };

/** Runs `fn` inside a phase: done on success, fail (and rethrow) on error. */
export async function inPhase<T>(progress: ProgressSink, name: string, fn: (phase: ProgressPhase) => Promise<T>): Promise<T> {
  const phase = progress.phase(name);
  try {
    const result = await fn(phase);
    phase.done();
    return result;
  } catch (e) {
    phase.fail(e instanceof Error ? e.message.split('\n')[0] : undefined);
    throw e;
  }
}
