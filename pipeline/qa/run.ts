/**
 * The `qa` step of a stage: run every check the stage's severities turn on, in registry order, on
 * the stage's build, and turn each outcome into a GateVerdict bound to the upload's source identity.
 *   pass / not applicable  → pass (the reason says which)
 *   blocked, severity warn → waived by the stage's config (recorded, never blocks)
 *   blocked, severity block → blocked, unless a package.yaml or --waive waiver lifts it
 * Outcomes are kept beside the upload (qa.json) with the identity of what they judged (source
 * identity + the binaries' sha256), so a resumed run does not run a finished check again.
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Workspace } from '../config/workspace.js';
import type { GateVerdict } from '../state/records.js';
import { applyWaiver, findWaiver, type Waiver } from '../stages/gates.js';
import { readUploadEvidence, writeUploadEvidence } from '../stages/upload.js';
import type { QaContext, QaOutcome } from './check.js';
import { QA_CHECKS, qaSeverities, type QaCheckName, type QaSeverity } from './checks.js';
import { qaBinaries } from './binaries.js';
import { qaImplementation } from './registry.js';

export interface QaResult {
  check: QaCheckName;
  severity: QaSeverity;
  /** What it judged: the source identity and the binaries. */
  judged: { sourceId: string; binaries: string };
  outcome: QaOutcome;
  at: string;
}

export interface QaRecord {
  package: string;
  stage: string;
  version: string;
  sourceId: string;
  results: QaResult[];
}

/**
 * Where a stage's checks keep their logs and full diffs: beside the build records, not in the
 * upload directory (that holds exactly the upload and its evidence, and CI copies it whole).
 */
export function qaWorkDir(ws: Workspace, pkg: string, stage: string, version: string): string {
  return join(ws.stateDir, 'qa', pkg, stage, version);
}

/** The checks a stage runs, with their severity (`promote --dry-run` lists them). */
export function plannedChecks(ctx: Pick<QaContext, 'stage'>): Array<{ check: QaCheckName; severity: QaSeverity; tool: string; implemented: boolean }> {
  const sev = qaSeverities(ctx.stage.kind, ctx.stage.qa);
  return QA_CHECKS.map((c) => ({ check: c.name, severity: sev[c.name], tool: c.tool, implemented: Boolean(qaImplementation(c.name)) }));
}

/** sha256 over the binary artifacts' sha256s: a rebuilt binary is a new subject for every check. */
export function binariesKey(ctx: Pick<QaContext, 'build' | 'ws'>): string {
  // A build that reused another stage's test-build judges that build's .debs (qa/binaries.ts).
  const debs = qaBinaries(ctx.ws, ctx.build).debs.map((a) => a.sha256).sort();
  return createHash('sha256').update(debs.join('\n')).digest('hex');
}

export function toVerdict(check: QaCheckName, severity: QaSeverity, o: QaOutcome, stage: string): GateVerdict {
  if (o.verdict === 'pass') return { gate: check, verdict: 'pass', reason: o.reason };
  if (o.verdict === 'not-applicable') return { gate: check, verdict: 'pass', reason: `not applicable: ${o.reason}` };
  if (severity === 'warn') return { gate: check, verdict: 'waived', reason: o.reason, waiver: { by: `pipeline.yaml stage ${stage} qa.${check}: warn`, reason: 'reported, does not block this stage' } };
  return { gate: check, verdict: 'blocked', reason: o.reason, ...(o.fix ? { fix: o.fix } : {}) };
}

/**
 * `force`: run every check again, ignoring the results kept in qa.json (`pipeline qa --force`), or
 * only the named ones (`pipeline qa --check NAME`), keeping the others' results.
 */
export async function runQa(ctx: QaContext, waivers: readonly Waiver[] = [], opts: { force?: boolean | readonly QaCheckName[] } = {}): Promise<{ verdicts: GateVerdict[]; record: QaRecord }> {
  mkdirSync(ctx.workDir, { recursive: true });
  const judged = { sourceId: ctx.sourceId, binaries: binariesKey(ctx) };
  const previous = opts.force === true ? undefined : readUploadEvidence<QaRecord>(ctx.upload.dir, 'qa');
  const forced = (check: QaCheckName) => Array.isArray(opts.force) && opts.force.includes(check);
  const record: QaRecord = { package: ctx.pkg, stage: ctx.stage.name, version: ctx.plan.version, sourceId: ctx.sourceId, results: [] };
  const verdicts: GateVerdict[] = [];
  for (const planned of plannedChecks(ctx)) {
    if (planned.severity === 'off') continue;
    const impl = qaImplementation(planned.check);
    if (!impl) continue; // declared, not built yet: listed by --dry-run as such, never a silent pass
    if (ctx.build.sourceSummary?.builder === 'host') {
      // The host builder makes the source package only: there are no binaries to judge.
      verdicts.push({ gate: planned.check, verdict: 'waived', reason: 'no binaries: source-only host build', waiver: { by: 'PIPELINE_BUILDER=host', reason: 'fast source-only build (tests)' }, artifactSha256: ctx.sourceId });
      continue;
    }
    // A finished check is not run again for the same source and binaries (a resumed run); a blocked
    // one is — the tool or the check may have been fixed since, and a stale block is never kept.
    const kept = forced(planned.check) ? undefined : previous?.results.find((r) => r.check === planned.check && r.judged.sourceId === judged.sourceId && r.judged.binaries === judged.binaries && r.outcome.verdict !== 'blocked');
    const outcome = kept?.outcome ?? await impl.run({ ...ctx, workDir: join(ctx.workDir, planned.check) });
    const result: QaResult = { check: planned.check, severity: planned.severity, judged, outcome, at: kept?.at ?? new Date().toISOString() };
    record.results.push(result);
    // Written after each check: a crash later keeps what is done (the run resumes at the next check).
    writeUploadEvidence(ctx.upload, 'qa', record);
    const v = toVerdict(planned.check, planned.severity, outcome, ctx.stage.name);
    verdicts.push({ ...applyWaiver(v, findWaiver(ctx.ws, ctx.pkg, ctx.stage.name, planned.check, [...waivers])), artifactSha256: ctx.sourceId });
  }
  return { verdicts, record };
}
