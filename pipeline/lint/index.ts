/**
 * Lint, the library entry points:
 *   lintPackage(ws, 'zookeeper' | 'path/to/tree' | 'x.dsc', { stage, lintian }) → LintRecord
 *     (a package with a stage is linted as that stage will upload it: lint/asUploaded.ts)
 *   lintTree(dir, opts) → LintRecord  (a bare unpacked source tree, no workspace needed)
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Workspace } from '../config/workspace.js';
import { loadPackage, stage as stageOf } from '../config/workspace.js';
import { verifySourceControlFile } from '../debian/verifyDsc.js';
import { PipelineError } from '../errors.js';
import { prepareSourceTree } from '../source/tree.js';
import type { Progress } from '../source/fetch.js';
import type { LintRecord, Severity } from '../state/records.js';
import { StateStore } from '../state/store.js';
import { planStage, type StagePlan } from '../stages/plan.js';
import { lintAsUploaded } from './asUploaded.js';
import { sourceIdOfFile } from '../debian/sourceId.js';
import { findStageArtifact, type StageArtifact } from '../stages/stageArtifact.js';
import { writeUploadEvidence } from '../stages/upload.js';
import { runLintian } from './lintian.js';
import { lintTreeIsolated } from './isolated.js';
import { displayPath, unpackDsc } from './unpack.js';
import { type LintTreeOptions } from './run.js';

export { unpackDsc } from './unpack.js';
export { lintTree, mergeFindings, gateVerdict, type LintTreeOptions } from './run.js';
export { runLintian, parseLintianOutput } from './lintian.js';
export { formatHuman, formatLintian, lintianLine } from './format.js';
export { parseOverrides, applyOverrides } from './overrides.js';
export { CHECKS, allTags, tagInfo } from './registry.js';
export type { Check, TagDefinition } from './check.js';
export * as dep5 from './dep5/api.js';

export interface LintPackageOptions {
  /** Stage name from pipeline.yaml: its gate (gates.lint) and target series apply. */
  stage?: string;
  /** A .changes/.dsc to run the real lintian on and merge (true: the stage's last build, or the .dsc given). */
  lintian?: string | boolean;
  /** Second opinion from licensecheck on license mismatches. */
  licensecheck?: boolean;
  /** Skip per-file license detection (structure and coverage only). */
  detectLicenses?: boolean;
  /** Blocking severity instead of the stage's. */
  gate?: Severity;
  progress?: Progress;
  /** Use the generated upstream tree when the package allows it (offline, tests). */
  generated?: boolean;
  /** Store the record in the state store (default: when linting a package for a stage). */
  record?: boolean;
  /**
   * A package linted for a stage: apply the stage's plan to debian/ first (version, distribution,
   * changelog entry), linting it as the stage will upload it (default true; false: as it is).
   */
  asUploaded?: boolean;
}

export async function lintPackage(ws: Workspace, target: string, opts: LintPackageOptions = {}): Promise<LintRecord> {
  const stage = opts.stage ? stageOf(ws, opts.stage) : undefined;
  const base: LintTreeOptions = {
    stage,
    gate: opts.gate,
    cacheDir: ws.cacheDir,
    licensecheck: opts.licensecheck,
    detectLicenses: opts.detectLicenses,
    vendor: ws.config.vendor,
    declaredSeries: Object.keys(ws.config.series),
  };
  const path = resolve(target);
  let tree: string;
  let lintianInput: string | undefined = typeof opts.lintian === 'string' ? resolve(opts.lintian) : undefined;
  let isPackage = false;
  let plan: StagePlan | undefined;
  let subject: StageArtifact | undefined;

  if (target.endsWith('.dsc') && existsSync(path)) {
    tree = await unpackDsc(ws.cacheDir, path, opts.progress);
    if (opts.lintian === true) lintianInput = path;
  } else if ((target.includes('/') || target === '.' || !/^[a-z0-9][a-z0-9.+-]*$/.test(target)) && existsSync(path)) {
    if (!statSync(path).isDirectory()) throw new PipelineError('not a directory, .dsc or package name', { file: target });
    tree = path;
  } else {
    const pkg = loadPackage(ws, target);
    isPackage = true;
    base.packageYaml = pkg.file;
    base.waivers = pkg.definition.waivers.filter((w) => w.gate === 'lint' && (!w.stage || w.stage === stage?.name));
    const prepared = await prepareSourceTree(ws, target, { progress: opts.progress, generated: opts.generated });
    tree = prepared.tree;
    if (stage && opts.asUploaded !== false) plan = await planStage(ws, target, stage.name);
    // The stage already holds an upload (or a build) of that version: lint that exact .dsc, so the
    // verdict is bound to the artifact the promote judged and the archive serves.
    subject = stage && plan ? findStageArtifact(ws, target, stage.name, { landed: plan.landed, planned: plan.version }) : undefined;
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
  }
  if (opts.lintian === true && !lintianInput) throw new PipelineError('--lintian needs a .changes or .dsc here', { hint: 'pass --lintian FILE.changes' });

  if (lintianInput) await verifySourceControlFile(lintianInput, displayPath(lintianInput));
  // lintian (seconds) and our checks (milliseconds) run side by side.
  const theirs = lintianInput ? runLintianPhase(lintianInput, opts.progress, ws.config.vendor) : Promise.resolve([]);
  const phase = opts.progress?.phase('lint');
  const [extraFindings] = await Promise.all([theirs]);
  const lint = (dir: string) => lintTreeIsolated(dir, { ...base, extraFindings });
  const record = plan && stage ? await lintAsUploaded(ws, target, tree, plan, stage.name, lint) : await lint(tree);
  if (plan) record.version = plan.version;
  phase?.done(`${record.filesChecked} files, ${record.findings.filter((f) => !f.overridden).length} findings`);
  if (lintianInput) record.lintian = { ran: true };
  // Bound to the source identity of the .dsc linted; a tree that is no upload yet is bound to nothing.
  if (subject) {
    record.version = subject.version;
    record.artifactSha256 = subject.sourceId;
  } else if (target.endsWith('.dsc') && existsSync(path)) record.artifactSha256 = sourceIdOfFile(path);
  if (isPackage && stage && opts.record !== false) {
    new StateStore(ws.stateDir).write('lint', record);
    if (subject?.uploadDir && !opts.gate) writeUploadEvidence({ dir: subject.uploadDir }, 'lint', record);
  }
  return record;
}

async function runLintianPhase(input: string, progress: Progress | undefined, profile: 'debian' | 'ubuntu') {
  const phase = progress?.phase(`lintian ${input.split('/').pop()}`);
  try {
    const found = await runLintian(input, { profile });
    phase?.done(`${found.length} hints`);
    return found;
  } catch (e) {
    phase?.fail();
    throw e;
  }
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}
