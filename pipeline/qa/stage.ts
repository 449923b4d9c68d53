/**
 * `pipeline qa PKG --stage S`: the stage's QA checks on the artifact the stage holds
 * (stages/stageArtifact.ts: the published upload, else the signed one, else the stage's build of
 * the version it would upload), outside a promote. The verdicts land where the promote's qa step
 * puts them: qa.json beside the upload (beside the build for a subject not signed yet), and the
 * upload's gate record when it is for the same source identity — so the report's `unknown` QA
 * verdict has this command as its fix.
 */
import { sha256File } from '../source/fetch.js';
import { existsSync } from 'node:fs';
import { stage as stageConfig, type Workspace } from '../config/workspace.js';
import { PipelineError } from '../errors.js';
import type { QaCheckName } from './checks.js';
import { readGateRecord, withVerdicts, writeGateRecord, type GateRecord } from '../stages/gates.js';
import { planStage } from '../stages/plan.js';
import { findStageArtifact, type StageArtifact } from '../stages/stageArtifact.js';
import { readUploadEvidence, writeUploadEvidence, type UploadSet } from '../stages/upload.js';
import { sourceIdOfArtifact } from '../state/artifact.js';
import { packageLockName, withLock } from '../state/lock.js';
import type { BuildRecord, GateVerdict } from '../state/records.js';
import type { RunProgress } from '../state/runner.js';
import { StateStore } from '../state/store.js';
import { qaWorkDir, runQa, type QaRecord } from './run.js';

export interface StageQaResult {
  package: string;
  stage: string;
  subject: Pick<StageArtifact, 'state' | 'version' | 'sourceId'>;
  verdicts: GateVerdict[];
  record: QaRecord;
  /** Where qa.json was written. */
  evidenceDir: string;
  /** Whether the gate record (the stage's, and the upload's gates.json) took the verdicts. */
  gatesUpdated: boolean;
}

export async function qaStage(ws: Workspace, pkg: string, stageName: string, opts: { force?: boolean | readonly QaCheckName[]; progress?: RunProgress } = {}): Promise<StageQaResult> {
  const st = stageConfig(ws, stageName);
  return withLock(ws.stateDir, packageLockName(pkg), { wait: true, command: `pipeline qa ${pkg} --stage ${st.name}` }, async () => {
    const plan = await planStage(ws, pkg, st.name);
    const subject = findStageArtifact(ws, pkg, st.name, { landed: plan.landed, planned: plan.version });
    if (!subject) throw new PipelineError(`nothing built for ${pkg} at stage ${st.name} (version ${plan.version}) to run QA on`, { exitCode: 1, hint: `pipeline promote ${pkg} --to ${st.name}` });
    // The build record of this exact source package: kept beside the upload, else the stage's.
    const bound = (b?: BuildRecord) => (b && sourceIdOfArtifact(b.dsc) === subject.sourceId ? b : undefined);
    const build = bound(subject.uploadDir ? readUploadEvidence<BuildRecord>(subject.uploadDir, 'build') : undefined)
      ?? bound(new StateStore(ws.stateDir).read(pkg, st.name, 'build'));
    if (!build) throw new PipelineError(`no build record of the ${subject.state} ${pkg} ${subject.version} (source ${subject.sourceId.slice(0, 12)}) for stage ${st.name}: its binaries are unknown`, { exitCode: 1, hint: `pipeline promote ${pkg} --to ${st.name}` });
    const evidenceDir = subject.uploadDir ?? build.outDir;
    if (!existsSync(evidenceDir)) throw new PipelineError(`the build directory of ${pkg} ${subject.version} is gone`, { file: evidenceDir, exitCode: 1, hint: `pipeline build ${pkg} --stage ${st.name}` });
    const { verdicts, record } = await runQa({
      ws, pkg, stage: st, plan: { ...plan, version: subject.version }, build,
      // The checks read the upload's directory (their evidence) and its .dsc (autopkgtest, debdiff).
      upload: { dir: evidenceDir, dsc: { path: subject.dsc, sha256: await sha256File(subject.dsc) } } as UploadSet, sourceId: subject.sourceId, workDir: qaWorkDir(ws, pkg, st.name, subject.version),
      ...(opts.progress ? { progress: opts.progress } : {}),
    }, [], { force: opts.force });
    // The gate record of this upload takes the verdicts (replacing earlier ones of the same checks).
    const merge = (rec: GateRecord): GateRecord => withVerdicts(rec, verdicts);
    let gatesUpdated = false;
    const stageRec = readGateRecord(ws, pkg, st.name);
    if (stageRec?.sourceId === subject.sourceId) { writeGateRecord(ws, merge(stageRec)); gatesUpdated = true; }
    const kept = subject.uploadDir ? readUploadEvidence<GateRecord>(subject.uploadDir, 'gates') : undefined;
    if (kept?.sourceId === subject.sourceId) { writeUploadEvidence({ dir: subject.uploadDir! }, 'gates', merge(kept)); gatesUpdated = true; }
    return { package: pkg, stage: st.name, subject: { state: subject.state, version: subject.version, sourceId: subject.sourceId }, verdicts, record, evidenceDir, gatesUpdated };
  });
}
