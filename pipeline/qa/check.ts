/**
 * What a QA check implementation receives and returns. A check judges the stage's build (the
 * binaries of the test-build, the signed source upload) and says pass, blocked (with why, the
 * failing output and, when there is one, the command that fixes it) or not applicable (nothing to
 * judge: no debian/tests, no reverse dependency in the set). pipeline/qa/run.ts turns the outcome
 * into a GateVerdict bound to the upload's source identity, under the stage's severity.
 */
import type { StageConfig } from '../config/schema.js';
import type { Workspace } from '../config/workspace.js';
import type { BuildRecord } from '../state/records.js';
import type { RunProgress } from '../state/runner.js';
import type { StagePlan } from '../stages/plan.js';
import type { UploadSet } from '../stages/upload.js';
import type { QaCheckDeclaration } from './checks.js';

export interface QaContext {
  ws: Workspace;
  pkg: string;
  stage: StageConfig;
  plan: StagePlan;
  /** The stage's build record: outDir, the binary artifacts (.deb), the chroot it ran in. */
  build: BuildRecord;
  /** The signed source upload every verdict is bound to. */
  upload: UploadSet;
  /** The upload's source identity (pipeline/debian/sourceId.ts). */
  sourceId: string;
  /** Where the check keeps its logs and full output (beside the upload's evidence). */
  workDir: string;
  progress?: RunProgress;
  signal?: AbortSignal;
}

export interface QaOutcome {
  verdict: 'pass' | 'blocked' | 'not-applicable';
  /** One line: what was judged and what was found (names the unmet dependency, the failing script...). */
  reason: string;
  /** A command that, run as printed, changes the verdict (never a dry run). */
  fix?: string;
  /** An edit a human must make, when no command can fix it. */
  todo?: string;
  /** The full log or diff kept for the user. */
  log?: string;
  /** Check-specific facts for the JSON report (the debdiff summary, the tests run...). */
  details?: Record<string, unknown>;
}

export interface QaCheck extends QaCheckDeclaration {
  run(ctx: QaContext): Promise<QaOutcome>;
}
