/**
 * The shape of a journaled run: a table of steps, declared like semantic-release's lifecycle
 * (pipeline/stages/lifecycle.ts declares the promote steps with this shape). The runner
 * (pipeline/state/runner.ts) executes them in order, journaling each start and end, and on resume
 * skips finished steps and asks an interrupted step's `reconcile` what the world already holds.
 */
export interface StepContext {
  runId: string;
  /** Outputs of the steps already finished in this run, by step name. */
  outputs: Record<string, unknown>;
  dryRun: boolean;
  /** Note shown to the user (progress line detail). */
  note(message: string): void;
}

export interface StepDefinition<Out = unknown> {
  name: string;
  /** Runs in --dry-run (true only for steps that write nothing: verify, plan). */
  dryRun: boolean;
  /** How the output is checked after it runs (for the plan printout and reports). */
  check?: string;
  /** Transient failures of this step may be retried (mirror timeout, apt lock, dput connection). */
  retryable?: boolean;
  /** Hash of the step's inputs, journaled with its start. */
  inputs?(ctx: StepContext): unknown;
  run(ctx: StepContext): Promise<Out>;
  /**
   * For a step interrupted mid-way: look at the world (archive index, dput .upload record, files)
   * and return its output if the effect already happened, or undefined to run it again.
   */
  reconcile?(ctx: StepContext): Promise<Out | undefined>;
}
