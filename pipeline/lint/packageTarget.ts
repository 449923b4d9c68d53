/**
 * `pipeline lint PKG [--stage S]`: the tree a package of the workspace is linted on — its prepared
 * source, the stage's plan to apply, or the stage's own upload when it holds one — and the record
 * kept afterwards. Loaded by lint/index.ts only for a package: linting a .dsc or a tree needs none
 * of the stage machinery (its modules cost a lint of a .dsc a tenth of a second to load).
 */
import type { Workspace } from '../config/workspace.js';
import { loadPackage } from '../config/workspace.js';
import type { StageConfig } from '../config/schema.js';
import { PipelineError } from '../errors.js';
import { prepareSourceTree } from '../source/tree.js';
import type { Progress } from '../source/fetch.js';
import type { LintRecord } from '../state/records.js';
import { StateStore } from '../state/store.js';
import { planStage, type StagePlan } from '../stages/plan.js';
import { findStageArtifact, type StageArtifact } from '../stages/stageArtifact.js';
import { writeUploadEvidence } from '../stages/upload.js';
import { lintAsUploaded } from './asUploaded.js';
import type { LintTreeOptions } from './run.js';
import { unpackDsc } from './unpack.js';

export interface PackageTarget {
  tree: string;
  plan?: StagePlan;
  subject?: StageArtifact;
  lintianInput?: string;
  /** Lints a tree as the stage will upload it (the plan applied), or as it is. */
  lint(tree: string, fn: (dir: string) => Promise<LintRecord>): Promise<LintRecord>;
}

export async function packageTarget(
  ws: Workspace, target: string, stage: StageConfig | undefined, base: LintTreeOptions,
  opts: { progress?: Progress; generated?: boolean; asUploaded?: boolean; lintian?: string | boolean },
): Promise<PackageTarget> {
  const pkg = loadPackage(ws, target);
  base.packageYaml = pkg.file;
  base.waivers = pkg.definition.waivers.filter((w) => w.gate === 'lint' && (!w.stage || w.stage === stage?.name));
  const prepared = await prepareSourceTree(ws, target, { progress: opts.progress, generated: opts.generated });
  let tree = prepared.tree;
  let plan = stage && opts.asUploaded !== false ? await planStage(ws, target, stage.name) : undefined;
  let lintianInput: string | undefined;
  // The stage already holds an upload (or a build) of that version: lint that exact .dsc, so the
  // verdict is bound to the artifact the promote judged and the archive serves.
  const subject = stage && plan ? findStageArtifact(ws, target, stage.name, { landed: plan.landed, planned: plan.version }) : undefined;
  if (subject) {
    opts.progress?.phase(`the ${subject.state} ${subject.dsc.split('/').pop()} of stage ${stage!.name}`).done(`source ${subject.sourceId.slice(0, 12)}`);
    tree = await unpackDsc(ws.cacheDir, subject.dsc, opts.progress);
    plan = undefined;
    if (opts.lintian === true) lintianInput = subject.changes ?? subject.dsc;
  } else if (opts.lintian === true) {
    const build = stage ? new StateStore(ws.stateDir).read(target, stage.name, 'build') : undefined;
    lintianInput = build?.sourceChanges?.path ?? build?.dsc?.path;
    if (!lintianInput)
      throw new PipelineError(`no build of ${target}${stage ? ` for stage ${stage.name}` : ''} to run lintian on`, {
        hint: `run pipeline build ${target}${stage ? ` --stage ${stage.name}` : ' --stage STAGE'} first, or pass --lintian FILE.changes`,
      });
  }
  const staged = plan;
  return {
    tree, plan, subject, lintianInput,
    lint: (dir, fn) => (staged && stage ? lintAsUploaded(ws, target, dir, staged, stage.name, fn) : fn(dir)),
  };
}

/** The record of a package linted for a stage: in the state store, and beside the stage's upload. */
export function keepPackageRecord(ws: Workspace, record: LintRecord, subject: StageArtifact | undefined, gateGiven: boolean): void {
  new StateStore(ws.stateDir).write('lint', record);
  if (subject?.uploadDir && !gateGiven) writeUploadEvidence({ dir: subject.uploadDir }, 'lint', record);
}
