/**
 * Gates shared by every stage: the progression (the previous stage was reached), the package
 * set's dependencies (txzookeeper only after zookeeper reached the stage), waivers, and the
 * binding of verdicts to the exact artifact (sha256 of the signed .dsc and .changes).
 *
 * A verdict is pass, waived (who and why: package.yaml `waivers` or `--waive GATE --reason`), or
 * blocked (why, and the command that fixes it). Some gates cannot be waived: the version policy
 * (the archive would refuse the upload, or worse, accept one that shadows the archive's own).
 */
import { join } from 'node:path';
import type { Workspace } from '../config/workspace.js';
import { loadPackage } from '../config/workspace.js';
import type { GateVerdict, GitRef } from '../state/records.js';
import { readJson, writeJsonAtomic } from '../state/store.js';
import { planStage } from './plan.js';

export const GATES = {
  versionPolicy: 'version-policy',
  progression: 'progression',
  dependencies: 'dependencies',
  freeze: 'freeze',
  seriesSupport: 'series-support',
  lint: 'lint',
  binaryBuild: 'binary-build',
  cleanTree: 'clean-tree',
} as const;

/** Gates a waiver may not lift. */
export const UNWAIVABLE: ReadonlySet<string> = new Set([GATES.versionPolicy]);

export interface Waiver {
  gate: string;
  stage?: string;
  by: string;
  reason: string;
}

/** A (package, stage) an earlier part of this invocation promotes first (dry runs count it as reached). */
export interface PlannedStep {
  package: string;
  stage: string;
}

/** package.yaml waivers plus the command line's, for one gate of one stage. */
export function findWaiver(ws: Workspace, pkg: string, stage: string, gate: string, extra: readonly Waiver[] = []): Waiver | undefined {
  const all = [...extra, ...loadPackage(ws, pkg).definition.waivers];
  return all.find((w) => w.gate === gate && (!w.stage || w.stage === stage));
}

/** Apply a waiver to a blocked verdict (and only to a waivable one). */
export function applyWaiver(v: GateVerdict, waiver: Waiver | undefined): GateVerdict {
  if (v.verdict !== 'blocked' || !waiver || UNWAIVABLE.has(v.gate)) return v;
  return { ...v, verdict: 'waived', waiver: { by: waiver.by, reason: waiver.reason } };
}

/** True when `pkg`'s current version has landed in `stage` (or this invocation promotes it there first). */
export async function reached(ws: Workspace, pkg: string, stage: string, planned: readonly PlannedStep[] = []): Promise<{ reached: boolean; version?: string; planned?: boolean }> {
  if (planned.some((p) => p.package === pkg && p.stage === stage)) return { reached: true, planned: true };
  const plan = await planStage(ws, pkg, stage);
  return plan.landed ? { reached: true, version: plan.landed } : { reached: false };
}

/** The previous stage of the progression must hold this base version first. */
export async function progressionGate(ws: Workspace, pkg: string, stage: string, planned: readonly PlannedStep[]): Promise<GateVerdict> {
  const i = ws.config.stages.findIndex((s) => s.name === stage);
  const prev = ws.config.stages[i - 1];
  if (!prev) return { gate: GATES.progression, verdict: 'pass', reason: `${stage} is the first stage` };
  const r = await reached(ws, pkg, prev.name, planned);
  if (r.reached) return { gate: GATES.progression, verdict: 'pass', reason: r.planned ? `${prev.name} first, in this run` : `${pkg} ${r.version} is in ${prev.name}` };
  return {
    gate: GATES.progression, verdict: 'blocked',
    reason: `${pkg} has not reached ${prev.name}, the stage before ${stage}`,
    fix: `pipeline promote ${pkg} --to ${prev.name}`,
  };
}

/** Every package `pkg` depends on must have reached the stage first. */
export async function dependenciesGate(ws: Workspace, pkg: string, stage: string, planned: readonly PlannedStep[]): Promise<GateVerdict> {
  const deps = loadPackage(ws, pkg).definition.depends;
  if (deps.length === 0) return { gate: GATES.dependencies, verdict: 'pass', reason: 'no dependencies in the set' };
  const missing: string[] = [];
  const ok: string[] = [];
  for (const dep of deps) {
    const r = await reached(ws, dep, stage, planned);
    if (r.reached) ok.push(r.planned ? `${dep} (first, in this run)` : `${dep} ${r.version}`);
    else missing.push(dep);
  }
  if (missing.length === 0) return { gate: GATES.dependencies, verdict: 'pass', reason: `in ${stage}: ${ok.join(', ')}` };
  return {
    gate: GATES.dependencies, verdict: 'blocked',
    reason: `${pkg} needs ${missing.join(' and ')} in ${stage} first: ${missing.join(', ')} ${missing.length > 1 ? 'have' : 'has'} not reached ${stage}`,
    fix: missing.map((m) => `pipeline promote ${m} --to ${stage}`).join(' && '),
  };
}

/** The verdicts recorded for one stage upload, bound to the exact artifact. */
export interface GateRecord {
  package: string;
  stage: string;
  version: string;
  dscSha256: string;
  /** The upload's source identity; every verdict's artifactSha256 is this. */
  sourceId?: string;
  changesSha256: string;
  verdicts: GateVerdict[];
  at: string;
  /** The commit the checked upload was built from. */
  git?: GitRef;
}

export function gateRecordFile(ws: Workspace, pkg: string, stage: string): string {
  return join(ws.stateDir, 'records', pkg, `${stage}.gates.json`);
}

export function readGateRecord(ws: Workspace, pkg: string, stage: string): GateRecord | undefined {
  return readJson<GateRecord>(gateRecordFile(ws, pkg, stage));
}

export function writeGateRecord(ws: Workspace, record: GateRecord): void {
  writeJsonAtomic(gateRecordFile(ws, record.package, record.stage), record);
}

/** The record with `verdicts` in place of any earlier ones of the same gates (a check judged again). */
export function withVerdicts(rec: GateRecord, verdicts: readonly GateVerdict[]): GateRecord {
  const names = new Set(verdicts.map((v) => v.gate));
  return { ...rec, verdicts: [...rec.verdicts.filter((v) => !names.has(v.gate)), ...verdicts], at: new Date().toISOString() };
}

export function bind(verdicts: readonly GateVerdict[], sourceId: string): GateVerdict[] {
  return verdicts.map((v) => ({ ...v, artifactSha256: sourceId }));
}

export const blocking = (verdicts: readonly GateVerdict[]) => verdicts.filter((v) => v.verdict === 'blocked');

/** One line per blocked verdict: `gate: reason (fix: command)`. */
export function describeBlocked(verdicts: readonly GateVerdict[]): string {
  return blocking(verdicts).map((v) => `${v.gate}: ${v.reason ?? 'blocked'}${v.fix ? ` (fix: ${v.fix})` : ''}`).join('; ');
}
