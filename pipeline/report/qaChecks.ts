/**
 * The stage's QA checks (pipeline/qa) in the readiness report, `status` and the MIR checklist: one
 * CheckResult per check the stage runs (severity not `off`, implemented), from evidence bound to
 * the stage's subject — the promote's gate record (the qa step appends its verdicts there), else
 * the qa.json kept beside the upload (or beside the build, for a subject not signed yet: what
 * `pipeline qa` writes). No verdict for the subject is `unknown`, fixed by `pipeline qa PKG --stage S`.
 */
import { existsSync } from 'node:fs';
import type { StageConfig } from '../config/schema.js';
import type { Workspace } from '../config/workspace.js';
import { qaDeclaration, type QaCheckName } from '../qa/checks.js';
import { plannedChecks, toVerdict, type QaRecord, type QaResult } from '../qa/run.js';
import { applyWaiver, findWaiver } from '../stages/gates.js';
import { readUploadEvidence, uploadDir } from '../stages/upload.js';
import type { CheckResult } from './model.js';
import type { StageEvidence } from './stageChecks.js';

const short = (sha?: string) => (sha ? sha.slice(0, 12) : '?');

/** Where a subject's qa.json lives: beside the upload, or beside the build for a subject not signed yet. */
export function qaEvidenceDir(ws: Workspace, pkg: string, st: StageConfig, ev: StageEvidence): string | undefined {
  const s = ev.subject;
  if (!s || s.state === 'failed') return undefined;
  if (s.state === 'built') return ev.build?.outDir;
  return uploadDir(ws, pkg, st.name, s.version);
}

/** The qa.json results bound to the subject, by check. */
export function qaResultsOf(ws: Workspace, pkg: string, st: StageConfig, ev: StageEvidence): Map<QaCheckName, QaResult> {
  const dir = qaEvidenceDir(ws, pkg, st, ev);
  const rec = dir && existsSync(dir) ? readUploadEvidence<QaRecord>(dir, 'qa') : undefined;
  const id = ev.subject?.sourceId;
  return new Map((rec?.results ?? []).filter((r) => id && r.judged.sourceId === id).map((r) => [r.check, r]));
}

export function qaChecks(ws: Workspace, pkg: string, st: StageConfig, ev: StageEvidence): CheckResult[] {
  const s = ev.subject;
  const results = qaResultsOf(ws, pkg, st, ev);
  const cmd = `pipeline qa ${pkg} --stage ${st.name}`;
  return plannedChecks({ stage: st }).filter((p) => p.severity !== 'off' && p.implemented).map((p): CheckResult => {
    const base = { check: p.check, title: `QA: ${qaDeclaration(p.check)?.title ?? p.check}` };
    if (!s || s.state === 'failed') return { ...base, verdict: 'unknown', reason: `nothing built for ${st.name} yet`, fix: `pipeline promote ${pkg} --to ${st.name}` };
    if (s.state === 'built' && ev.build?.status === 'failed') return { ...base, verdict: 'unknown', reason: `no binaries to judge: the test-build of ${s.version} failed`, todo: 'fix the binary build first', artifactSha256: s.sourceId };
    const kept = results.get(p.check);
    const recorded = ev.gates?.verdicts.find((v) => v.gate === p.check);
    if (recorded) {
      const todo = kept?.outcome.todo;
      return { ...base, verdict: recorded.verdict, reason: `${ev.gates!.version}: ${recorded.reason ?? recorded.verdict}`, waiver: recorded.waiver,
        ...(recorded.verdict === 'blocked' ? (recorded.fix ? { fix: recorded.fix } : { todo: todo ?? `fix it, then ${cmd}` }) : {}), artifactSha256: s.sourceId };
    }
    if (kept) {
      // The verdict under today's severity and waivers: a check turned to warn since is waived.
      const v = applyWaiver(toVerdict(p.check, p.severity, kept.outcome, st.name), findWaiver(ws, pkg, st.name, p.check));
      return { ...base, verdict: v.verdict, reason: `${s.version}: ${v.reason ?? v.verdict}`, waiver: v.waiver,
        ...(v.verdict === 'blocked' ? (kept.outcome.fix ? { fix: kept.outcome.fix } : { todo: kept.outcome.todo ?? `fix it, then ${cmd}` }) : {}), artifactSha256: s.sourceId };
    }
    // The host builder makes the source package only: no binaries to judge (as the qa step says).
    if (ev.build?.sourceSummary?.builder === 'host') return { ...base, verdict: 'waived', reason: `${s.version}: no binaries: source-only host build`, waiver: { by: 'PIPELINE_BUILDER=host', reason: 'fast source-only build (tests)' }, artifactSha256: s.sourceId };
    return { ...base, verdict: 'unknown', reason: `no ${p.check} verdict for the ${s.state} ${s.version} (source ${short(s.sourceId)})`, fix: cmd, artifactSha256: s.sourceId };
  });
}
