/**
 * One package at one stage, judged: which artifact the stage holds (the *subject*: the upload the
 * target holds, else the signed upload waiting to go, else the stage's build) and one verdict per
 * check, each read from evidence bound to the subject's source identity (pipeline/debian/sourceId.ts)
 * — the stage's records when they are for it, else the evidence kept beside the upload
 * (build.json, gates.json, lint.json). Evidence for another artifact is never a pass: it is
 * `unknown`, naming both artifacts.
 *
 * Every `fix` is a command that, run as printed, changes the verdict it stands beside; an edit a
 * human must make is a `todo`, never dressed up as a command (test/report-fixes.test.ts runs them).
 */
import { existsSync } from 'node:fs';
import { describeOrigin } from '../build/reuse.js';
import { describeInSetBuildDeps } from '../build/stageArchive.js';
import { describeStageBinaries } from '../archive/stageBinaries.js';
import type { StageConfig } from '../config/schema.js';
import type { LoadedPackage, Workspace } from '../config/workspace.js';
import { atLeast } from '../lint/check.js';
import { allTags, CHECKS } from '../lint/registry.js';
import { freezeGate } from '../schedule/freezeGate.js';
import type { Schedule } from '../schedule/milestones.js';
import type { successorOf } from '../schedule/resolve.js';
import { signedUpload } from '../stages/stageArtifact.js';
import { readUploadEvidence, uploadDir } from '../stages/upload.js';
import { sourceIdOfArtifact } from '../state/artifact.js';
import { sourceIdOfFile } from '../debian/sourceId.js';
import type { BuildRecord, Finding, GateVerdict, GitRef, LintRecord, PublishRecord, Severity } from '../state/records.js';
import { worst, type CheckResult, type ReportVerdict, type StageSubject } from './model.js';

/** The promote step's gate record (pipeline/stages/gates.ts GateRecord), read as plain JSON. */
export interface GateRecordFile {
  version: string;
  dscSha256: string;
  sourceId?: string;
  verdicts: GateVerdict[];
  /** The commit the upload was built from (pipeline/git). */
  git?: GitRef;
}

const COPYRIGHT_TAGS = new Set(allTags(CHECKS.filter((c) => c.name.startsWith('debian/copyright'))).map((t) => t.name));
const COPYRIGHT_LIKE = /copyright|dep5|licen[cs]e|globbing-pattern|file-pattern/;
export const isCopyright = (f: Finding) => COPYRIGHT_TAGS.has(f.tag) || (f.source === 'lintian' && COPYRIGHT_LIKE.test(f.tag));

/** What the state store holds for one package and stage. */
export interface StageRecords {
  publish?: PublishRecord;
  build?: BuildRecord;
  lint?: LintRecord;
  gates?: GateRecordFile;
}

/** The evidence bound to the subject, and the stage records that are for another artifact. */
export interface StageEvidence {
  subject?: StageSubject;
  build?: BuildRecord;
  lint?: LintRecord;
  gates?: GateRecordFile;
  stale: { build?: BuildRecord; lint?: LintRecord; gates?: GateRecordFile };
}

const gatesId = (g?: GateRecordFile) => g?.sourceId ?? g?.verdicts[0]?.artifactSha256;
const short = (sha?: string) => (sha ? sha.slice(0, 12) : '?');
const dscName = (p?: string) => p?.split('/').pop();
/** sbuild's Build-Time is in seconds ("13"); say so. */
const secs = (t: string) => (/^\d+$/.test(t) ? `${t} s` : t);

/** Which artifact the stage holds, and the evidence bound to it. */
export function stageEvidence(ws: Workspace, pkg: string, st: StageConfig, r: StageRecords, now: Date): StageEvidence {
  let subject: StageSubject | undefined;
  const landed = r.publish && r.publish.confirmed !== false ? r.publish : undefined;
  if (landed) {
    const up = signedUpload(ws, pkg, st.name, landed.version);
    const id = landed.sourceId ?? (up ? sourceIdOfFile(up.dsc) : undefined);
    subject = {
      state: 'published', version: landed.version, sourceId: id, dsc: dscName(up?.dsc), dscSha256: landed.dscSha256,
      since: landed.publishedAt, ageDays: Math.max(0, Math.floor((now.getTime() - Date.parse(landed.publishedAt)) / 86_400_000)),
    };
  } else if (r.gates) {
    const up = signedUpload(ws, pkg, st.name, r.gates.version);
    subject = { state: 'signed', version: r.gates.version, sourceId: gatesId(r.gates), dsc: dscName(up?.dsc), dscSha256: r.gates.dscSha256 };
  } else if (r.build?.dsc && (r.build.status === 'successful' || r.build.failedPart === 'binary')) {
    // A failed binary test-build still made the source package: that is what the checks judge.
    subject = { state: 'built', version: r.build.version, sourceId: sourceIdOfArtifact(r.build.dsc), dsc: dscName(r.build.dsc.path), dscSha256: r.build.dsc.sha256 };
  } else if (r.build) {
    subject = { state: 'failed', version: r.build.version };
  }
  const id = subject?.sourceId;
  const dir = subject && subject.state !== 'built' && subject.state !== 'failed' ? uploadDir(ws, pkg, st.name, subject.version) : undefined;
  const evidence = <T>(kind: 'build' | 'lint' | 'gates', own: T | undefined, bound: (x: T) => boolean): { hit?: T; stale?: T } => {
    if (own && id && bound(own)) return { hit: own };
    const kept = dir && existsSync(dir) ? readUploadEvidence<T>(dir, kind) : undefined;
    if (kept && id && bound(kept)) return { hit: kept };
    return { stale: own };
  };
  const b = evidence<BuildRecord>('build', r.build, (x) => sourceIdOfArtifact(x.dsc) === id);
  const l = evidence<LintRecord>('lint', r.lint, (x) => x.artifactSha256 === id);
  const g = evidence<GateRecordFile>('gates', r.gates, (x) => gatesId(x) === id);
  // A failed build is the subject itself: its record is the evidence.
  const build = subject?.state === 'failed' ? r.build : b.hit;
  return { subject, build, lint: l.hit, gates: g.hit, stale: { build: subject?.state === 'failed' ? undefined : b.stale, lint: l.stale, gates: g.stale } };
}

export function reachedCheck(pkg: string, st: StageConfig, ev: StageEvidence, version?: string, publish?: PublishRecord): CheckResult {
  const base = { check: 'reached', title: `reached ${st.name}` };
  const s = ev.subject;
  if (s?.state === 'published') {
    // What the local archive publishes beside the source (archive/stageBinaries.ts), or why nothing.
    const bins = publish?.version === s.version ? describeStageBinaries(publish) : '';
    return { ...base, verdict: 'pass', reason: `${s.version} in ${st.target.suite} since ${s.since!.slice(0, 10)} (${s.ageDays} day${s.ageDays === 1 ? '' : 's'})${bins ? `; ${bins}` : ''}`, artifactSha256: s.sourceId };
  }
  const pending = s?.state === 'signed' ? `; ${s.version} is signed and waiting` : s ? `; ${s.version} ${s.state}` : '';
  return { ...base, verdict: 'blocked', reason: `not in ${st.target.suite} (${st.target.archive}) yet${version ? `; next upload from ${version}` : ''}${pending}`, fix: `pipeline promote ${pkg} --to ${st.name}` };
}

export function dependenciesCheck(depends: string[], st: StageConfig, pub: (p: string, s: string) => PublishRecord | undefined): CheckResult {
  const base = { check: 'dependencies', title: 'dependencies in the set' };
  if (depends.length === 0) return { ...base, verdict: 'pass', reason: 'none' };
  const missing = depends.filter((d) => !pub(d, st.name));
  if (missing.length === 0) return { ...base, verdict: 'pass', reason: `${depends.map((d) => `${d} ${pub(d, st.name)!.version}`).join(', ')} in ${st.name}` };
  return { ...base, verdict: 'blocked', reason: `needs ${missing.join(', ')} in ${st.name} first`, fix: missing.map((m) => `pipeline promote ${m} --to ${st.name}`).join(' && ') };
}

export function buildChecks(pkg: string, def: LoadedPackage['definition'], st: StageConfig, ev: StageEvidence): CheckResult[] {
  const cmd = `pipeline build ${pkg} --stage ${st.name}`;
  const src = { check: 'source-build', title: 'source package built in the container' };
  const bin = { check: 'binary-build', title: 'binary test-build' };
  const binaryWanted = def.build.binary && st.gates.binaryBuild;
  const notRequired: CheckResult = { ...bin, verdict: 'pass', reason: 'not required (build.binary: false or gates.binaryBuild: false)' };
  const s = ev.subject;
  const build = ev.build;
  const id = s?.sourceId;
  const log = (l?: string) => (l ? `; log: ${l}` : '');
  if (!s) {
    // promote builds, signs, lints and uploads: the one command that gives every check a verdict.
    const promote = `pipeline promote ${pkg} --to ${st.name}`;
    return [
      { ...src, verdict: 'unknown', reason: `no build for ${st.name} yet`, fix: promote },
      binaryWanted ? { ...bin, verdict: 'unknown', reason: `no build for ${st.name} yet`, fix: promote } : notRequired,
    ];
  }
  if (s.state === 'failed' && build) {
    const where = `${build.failStage ? ` at ${build.failStage}` : ''}${build.message ? `: ${build.message}` : ''}`;
    if (build.failedPart !== 'binary') {
      return [
        { ...src, verdict: 'blocked', reason: `${build.version}: source build failed${where}${log(build.sourceLog)}`, todo: `fix the package in packages/${pkg}/debian, then ${cmd} --force` },
        binaryWanted ? { ...bin, verdict: 'unknown', reason: 'no source package to build from', todo: `fix the source build first` } : notRequired,
      ];
    }
  }
  const how = build?.sourceSummary?.builder === 'host' ? ' (host dpkg-source, no container)' : build?.sourceSummary?.buildTime ? ` (${secs(build.sourceSummary.buildTime)})` : '';
  const source: CheckResult = build
    ? { ...src, verdict: 'pass', reason: `${build.version}${how}${build.chroot ? `; chroot ${build.chroot.key.slice(0, 8)}` : ''}`, artifactSha256: id ?? sourceIdOfArtifact(build.dsc) }
    : { ...src, verdict: 'pass', reason: `${s.version}: the ${s.state} upload's source package (${s.dsc ?? 'its .dsc'})`, artifactSha256: id };
  if (!binaryWanted) return [source, notRequired];
  // The promote's verdict for this upload first: it is bound to it and carries any waiver.
  const recorded = ev.gates?.verdicts.find((v) => v.gate === 'binary-build');
  if (recorded) return [source, { ...bin, verdict: recorded.verdict, reason: `${ev.gates!.version}: ${recorded.reason ?? recorded.verdict}`, waiver: recorded.waiver, ...(recorded.verdict === 'blocked' ? { todo: recorded.fix ?? `fix the build failure, then ${cmd} --force` } : {}), artifactSha256: id }];
  if (build?.status === 'failed' && build.failedPart === 'binary')
    return [source, { ...bin, verdict: 'blocked', reason: `${build.version}: FTBFS${build.failStage ? ` at ${build.failStage}` : ''}${build.message ? `: ${build.message}` : ''}${log(build.binaryLog)}`, todo: `fix the build failure, then ${cmd} --force`, artifactSha256: id }];
  if (build?.binarySummary?.status === 'successful') {
    const deps = describeInSetBuildDeps(build);
    return [source, { ...bin, verdict: 'pass', reason: `${build.version}${build.binaryFrom ? ` (the verdict of ${describeOrigin(build.binaryFrom)})` : build.binarySummary.buildTime ? ` (build ${secs(build.binarySummary.buildTime)})` : ''}${deps ? `; ${deps}` : ''}`, artifactSha256: id }];
  }
  if (build?.sourceSummary?.builder === 'host')
    return [source, { ...bin, verdict: 'unknown', reason: `${build.version} was built by the host builder, which does no binary test-build`, fix: `${cmd} --force`, artifactSha256: id }];
  const other = ev.stale.build ? `; the stage's build is ${ev.stale.build.version} (source ${short(sourceIdOfArtifact(ev.stale.build.dsc))})` : '';
  return [source, { ...bin, verdict: 'unknown', reason: `no binary test-build recorded for ${s.version}${other}`, fix: s.state === 'built' ? `${cmd} --force` : `pipeline promote ${pkg} --to ${st.name}`, artifactSha256: id }];
}

const LINT_DEFS = [
  { check: 'copyright-lint', title: 'copyright (DEP-5) lint clean', pick: (f: Finding) => f.source === 'pipeline' && isCopyright(f) },
  { check: 'metadata-lint', title: 'metadata lint clean', pick: (f: Finding) => f.source === 'pipeline' && !isCopyright(f) },
  { check: 'lintian', title: 'lintian clean', pick: (f: Finding) => f.source === 'lintian' },
];

export function lintChecks(pkg: string, st: StageConfig, ev: StageEvidence): CheckResult[] {
  const cmd = `pipeline lint ${pkg} --stage ${st.name}`;
  const s = ev.subject;
  const lint = ev.lint;
  const unknown = (reason: string, fix: string, artifactSha256?: string) =>
    LINT_DEFS.map((d) => ({ check: d.check, title: d.title, verdict: 'unknown' as const, reason, fix, ...(artifactSha256 ? { artifactSha256 } : {}) }));
  if (!s || s.state === 'failed') return unknown(`nothing built for ${st.name} to lint yet`, `pipeline promote ${pkg} --to ${st.name}`);
  if (!lint) {
    const old = ev.stale.lint;
    const why = old
      ? `the lint on record is of ${old.artifactSha256 ? `source ${short(old.artifactSha256)}` : `the packages/ tree${old.version ? ` (as ${old.version})` : ''}`}, not of the ${s.state} ${s.version} (source ${short(s.sourceId)})`
      : `the ${s.state} ${s.version} has not been linted`;
    return unknown(why, cmd, s.sourceId);
  }
  const threshold: Severity = st.gates.lint;
  const lintian = lint.lintian;
  const lintianRan = lintian?.ran === true || lint.findings.some((f) => f.source === 'lintian');
  return LINT_DEFS.map((d) => {
    const base = { check: d.check, title: d.title, artifactSha256: lint.artifactSha256 };
    if (d.check === 'lintian' && !lintianRan) {
      if (lintian?.skipped) return { ...base, verdict: 'waived' as const, reason: `lintian did not run on ${s.version}`, waiver: lintian.skipped };
      return { ...base, verdict: 'unknown' as const, reason: `lintian has not run on ${s.version}`, fix: `${cmd} --lintian` };
    }
    const mine = lint.findings.filter(d.pick);
    const live = mine.filter((f) => !f.overridden);
    const hits = live.filter((f) => atLeast(f.severity, threshold));
    const overridden = mine.length - live.length;
    const extra = [live.length - hits.length ? `${live.length - hits.length} below ${threshold}` : '', overridden ? `${overridden} overridden` : ''].filter(Boolean).join(', ');
    if (hits.length === 0) return { ...base, verdict: 'pass' as const, reason: `${s.version}: no ${threshold}-or-worse findings${extra ? ` (${extra})` : ''}` };
    const tags = [...new Set(hits.map((f) => f.tag))];
    const reason = `${s.version}: ${hits.length} at ${threshold} or worse: ${tags.slice(0, 4).join(', ')}${tags.length > 4 ? ', ...' : ''}`;
    if (lint.gate.verdict === 'waived' && lint.gate.waiver) return { ...base, verdict: 'waived' as const, reason, waiver: lint.gate.waiver };
    return { ...base, verdict: 'blocked' as const, reason, todo: `fix the findings (${cmd} lists them) in packages/${pkg}/debian, or override them in debian/source/lintian-overrides` };
  });
}

export function versionPolicyCheck(pkg: string, st: StageConfig, ev: StageEvidence): CheckResult {
  const base = { check: 'version-policy', title: 'version policy' };
  const s = ev.subject;
  const v = ev.gates?.verdicts.find((x) => x.gate === 'version-policy');
  if (ev.gates && v) {
    return { ...base, verdict: v.verdict, reason: `${ev.gates.version}: ${v.reason ?? v.verdict}`, ...(v.verdict === 'blocked' && v.fix ? { fix: v.fix } : {}), waiver: v.waiver, artifactSha256: ev.gates.sourceId ?? v.artifactSha256 };
  }
  if (s?.state === 'published') return { ...base, verdict: 'unknown', reason: `no gate record kept for the published ${s.version}`, todo: 'published by an older pipeline: the next upload is checked' };
  const old = ev.stale.gates;
  const reason = old ? `checked for ${old.version} (source ${short(gatesId(old))}), not for ${s ? `${s.version} (source ${short(s.sourceId)})` : 'this upload'}` : 'checked when the promote signs the upload';
  return { ...base, verdict: 'unknown', reason, fix: `pipeline promote ${pkg} --to ${st.name}` };
}

export interface FreezeContext {
  ws: Workspace;
  loaded: LoadedPackage;
  schedule?: Schedule;
  next?: ReturnType<typeof successorOf>;
  version?: string;
  scheduleDir: string;
}

export function freezeCheck(f: FreezeContext, st: StageConfig, ev: StageEvidence, publish?: PublishRecord) {
  const def = f.loaded.definition;
  const base = { check: 'freeze', title: 'release freeze' };
  const s = ev.subject;
  const candidate = s?.version ?? f.version;
  const src = def.source.kind === 'apt' && def.source.series === st.target.series ? def.source.version : undefined;
  const landed = s?.state === 'published';
  const current = publish?.version ?? src;
  type V = { verdict: ReportVerdict; reason?: string; fix?: string; todo?: string; waiver?: { by: string; reason: string }; series: string; phase: string; next?: { milestone: string; date: string; daysLeft: number } };
  let v: V;
  if (!st.gates.schedule) v = { verdict: 'pass', reason: `schedule gates are off for ${st.name}`, series: st.target.series, phase: 'not-frozen' };
  else if (!f.schedule) v = { verdict: 'blocked', reason: `no release schedule for ${st.target.series}`, todo: `add ${f.scheduleDir}/${st.target.series}.yaml (see schedules/README.md)`, series: st.target.series, phase: 'unknown' };
  else if (!candidate) v = { verdict: 'unknown', reason: 'no version to judge (no upload, no debian/changelog)', fix: `pipeline promote ${def.name} --to ${st.name}`, series: f.schedule.series, phase: 'unknown' };
  else {
    const g = freezeGate({ schedule: f.schedule, now: f.ws.now, stageKind: 'devel', currentVersion: current, candidateVersion: candidate, pkg: def, next: f.next, artifactSha256: s?.sourceId });
    const notes = g.notes.length ? ` — ${g.notes.join('; ')}` : '';
    if (landed) v = { verdict: 'pass', reason: `${candidate} already in ${st.target.series}; for the next upload: ${g.verdict}${g.reason ? `: ${g.reason}` : ''}`, series: g.series, phase: g.phase, next: g.next };
    else v = { verdict: g.verdict, reason: `${candidate}: ${g.reason ?? ''}${notes}`, ...(g.verdict === 'blocked' ? { todo: g.fix } : {}), waiver: g.waiver, series: g.series, phase: g.phase, next: g.next };
  }
  return {
    check: { ...base, verdict: v.verdict, reason: v.reason, fix: v.fix, todo: v.todo, waiver: v.waiver, artifactSha256: s?.sourceId } as CheckResult,
    summary: { verdict: v.verdict, series: v.series, phase: v.phase, reason: v.reason, fix: v.fix ?? v.todo, next: v.next },
  };
}

/** The stage's verdict: the worst of its checks. */
export const stageVerdict = (checks: CheckResult[]): ReportVerdict => worst(checks.map((c) => c.verdict));
