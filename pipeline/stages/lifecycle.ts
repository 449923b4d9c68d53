/**
 * The promote lifecycle, semantic-release style: a table of steps, each saying whether it runs in
 * a dry run and how its output is checked. `promoteSteps` turns the table into the journaled
 * StepDefinitions the runner (pipeline/state/runner.ts) executes, one set per stage of the run,
 * named `STAGE:STEP` — and registers the `promote` run kind so `pipeline resume` can rebuild them.
 */
import type { StageConfig } from '../config/schema.js';
import { stage as stageConfig, type Workspace } from '../config/workspace.js';
import { registerRunKind, type RunProgress } from '../state/runner.js';
import type { StepContext, StepDefinition } from '../state/steps.js';
import { BackportStage } from './backports.js';
import { DevelStage } from './devel.js';
import { PpaStage } from './ppa.js';
import type { PromoteArgs, Stage, StageRun, StepName } from './stage.js';

export interface LifecycleStep {
  step: StepName;
  /** Runs in --dry-run (only steps that write nothing). */
  dryRun: boolean;
  /** Transient failures may be retried (dput connection, apt lock); gates and builds are permanent. */
  retryable: boolean;
  /** What the step does. */
  does: string;
  /** How its output is checked. */
  check: string;
}

export const LIFECYCLE: readonly LifecycleStep[] = [
  { step: 'verify', dryRun: true, retryable: false,
    does: 'plan the version; gates: version policy, progression, dependencies, freeze (devel)',
    check: 'every verdict pass or waived (version policy cannot be waived); blocked names the fixing command' },
  { step: 'prepare', dryRun: true, retryable: false,
    does: 'render the changelog entry with dch on a scratch copy; the exact dput command; lint debian/ as it will be uploaded',
    check: 'dch accepts the version and distribution; debian/ passes the stage\'s lint gate (control, changelog, nmu, source format) before any build' },
  { step: 'build', dryRun: false, retryable: true,
    does: 'source package (+ binary test-build) for the plan, in the stage\'s container',
    check: 'BuildRecord status; a failed source build stops, a failed binary build goes to the binary-build gate' },
  { step: 'sign', dryRun: false, retryable: false,
    does: 'copy the source upload to the upload directory, debsign it',
    check: 'gpg --verify accepts the .changes and the .dsc; sha256 of both recorded' },
  { step: 'lint', dryRun: false, retryable: false,
    does: 'lint the signed .dsc as unpacked by dpkg-source; binary-build verdict; record all verdicts',
    check: 'the stage\'s lint severity gate; every verdict bound to the upload\'s source identity (pipeline/debian/sourceId.ts)' },
  { step: 'qa', dryRun: false, retryable: true,
    does: 'the stage\'s QA checks on the build (pipeline/qa/checks.ts): installability, upgrade path, autopkgtest, reverse dependencies, debdiff, reproducibility; severity per stage in pipeline.yaml',
    check: 'each check pass, not applicable, or waived (severity warn, or a waiver); verdicts bound to the upload\'s source identity and appended to the gate record publish requires' },
  { step: 'publish', dryRun: false, retryable: true,
    does: 'dput to the target (local: reprepro processincoming under the archive lock)',
    check: 'the files hash to the checked sha256; dput\'s .upload record written' },
  { step: 'confirm', dryRun: false, retryable: true,
    does: 'read the target\'s index, record the landed version (PublishRecord, publish history)',
    check: 'the index lists the version with the checked .dsc sha256 (remote: confirmed when visible)' },
  { step: 'tag', dryRun: false, retryable: true,
    does: 'DEP-14 tag (debian/V or ubuntu/V) on the commit the upload was built from, annotated with its changelog entries, signed; pushed with --push REMOTE',
    check: 'created once: an existing tag on the same commit is kept, one on another commit is an error (outside a git repository: no tag)' },
];

export function stageOf(config: StageConfig): Stage {
  switch (config.kind) {
    case 'ppa': return new PpaStage(config);
    case 'devel': return new DevelStage(config);
    case 'backports': return new BackportStage(config);
  }
}

export const stepName = (stage: string, step: StepName) => `${stage}:${step}`;

export interface PromoteSteps {
  steps: StepDefinition[];
  /** The context the runner passed last (its outputs, by step name, survive a failure). */
  lastContext(): StepContext | undefined;
}

export function promoteSteps(ws: Workspace, args: PromoteArgs, progress?: RunProgress): PromoteSteps {
  // The source fetch reads this (source/fetch.ts); journaled in args, so a resumed run sees it too.
  if (args.generated) process.env.PIPELINE_UPSTREAM = 'generated';
  let last: StepContext | undefined;
  const steps: StepDefinition[] = [];
  for (const name of args.stages) {
    const stage = stageOf(stageConfig(ws, name));
    const run = (ctx: StepContext): StageRun => { last = ctx; return { ws, pkg: args.package, args, ctx, progress }; };
    for (const entry of LIFECYCLE) {
      const def: StepDefinition = {
        name: stepName(name, entry.step),
        dryRun: entry.dryRun,
        check: entry.check,
        retryable: entry.retryable,
        inputs: () => ({ args, step: entry.step }),
        run: (ctx) => stage[entry.step](run(ctx)),
      };
      if (entry.step === 'sign') def.reconcile = (ctx) => stage.reconcileSign(run(ctx));
      if (entry.step === 'publish') def.reconcile = (ctx) => stage.reconcilePublish(run(ctx));
      steps.push(def);
    }
  }
  return { steps, lastContext: () => last };
}

registerRunKind('promote', (ws, args: PromoteArgs) => promoteSteps(ws, args).steps);
