/**
 * The debdiff summary of each stage's upload in the readiness report: read from the QA evidence
 * kept beside the upload (qa.json, pipeline/qa/run.ts), only when it was given for the artifact the
 * stage holds (same source identity). The text, Markdown and HTML reports print one line per stage
 * (`debdiffLines`); the JSON report carries the whole summary (`StageVersions.debdiff`).
 */
import { existsSync } from 'node:fs';
import type { Workspace } from '../config/workspace.js';
import type { QaOutcome } from '../qa/check.js';
import type { QaRecord } from '../qa/run.js';
import { readUploadEvidence, uploadDir } from '../stages/upload.js';
import type { StageSubject, StageVersions } from './model.js';

export interface StageDebdiff {
  verdict: QaOutcome['verdict'];
  /** The check's one line: `against 1.0 (local:ppa): source +1 -0 ~3 files; hello +1 -0 files, Depends +bash (>= 5)`. */
  summary: string;
  /** The summary as the check recorded it (pipeline/qa/debdiff.ts DebdiffSummary): lists, paths of the full diffs. */
  details?: Record<string, unknown>;
}

/** The stage's debdiff result bound to its subject, if the check ran on it. */
export function stageDebdiff(ws: Workspace, pkg: string, stage: string, subject: StageSubject | undefined): { debdiff?: StageDebdiff } {
  if (!subject?.sourceId || (subject.state !== 'published' && subject.state !== 'signed')) return {};
  const dir = uploadDir(ws, pkg, stage, subject.version);
  if (!existsSync(dir)) return {};
  let record: QaRecord | undefined;
  try { record = readUploadEvidence<QaRecord>(dir, 'qa'); } catch { return {}; }
  const r = record?.results.find((x) => x.check === 'debdiff' && x.judged.sourceId === subject.sourceId);
  if (!r) return {};
  return { debdiff: { verdict: r.outcome.verdict, summary: r.outcome.reason, ...(r.outcome.details ? { details: r.outcome.details } : {}) } };
}

/** One line per stage that has a debdiff: `ppa: against 1.0 (local:ppa): …`. */
export function debdiffLines(stages: StageVersions[]): string[] {
  return stages.filter((s) => s.debdiff).map((s) => `${s.stage}: ${s.debdiff!.verdict === 'blocked' ? 'BLOCKING: ' : ''}${s.debdiff!.summary}`);
}
