/**
 * `collectReadiness(ws, {release})`: "are we ready for SERIES?" — for every package of the set, in
 * dependency order: the stage reached and the versions per stage, then one verdict per check of
 * the stage that targets the release series (reached, dependencies, source build, binary
 * test-build, copyright lint, metadata lint, lintian, version policy, freeze with days left) and,
 * for packages bound for main, the MIR checklist. Reads only the state store's records (build,
 * lint, publish, the promote step's gate record) and the package trees: nothing is built or run,
 * so a report over hundreds of packages takes well under a second.
 *
 * A verdict is tied to the sha256 of the .dsc it was given for; a lint or gate record for another
 * artifact than the stage's current build is `unknown` (stale), never a pass.
 */
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { packagesInOrder } from '../config/packages.js';
import type { StageConfig } from '../config/schema.js';
import type { LoadedPackage, Workspace } from '../config/workspace.js';
import { PipelineError } from '../errors.js';
import { atLeast } from '../lint/check.js';
import { allTags, CHECKS } from '../lint/registry.js';
import { freezeGate } from '../schedule/freezeGate.js';
import { findSchedule, scheduleStatus, type Schedule } from '../schedule/milestones.js';
import { seriesOverview, successorOf } from '../schedule/resolve.js';
import type { BuildRecord, Finding, GateVerdict, LintRecord, PublishRecord, Severity } from '../state/records.js';
import { readJson } from '../state/store.js';
import { dependenciesInMainCheck, testsCheck, teamCheck, watchCheck, type MainIndex } from './mir.js';
import { worst, type CheckResult, type FreezeSummary, type PackageReadiness, type ReadinessReport, type ReportVerdict, type StageVersions } from './model.js';

export interface CollectOptions {
  /** The release series (default: the devel stage's target series). */
  release?: string;
  /**
   * The release series' main index for the MIR dependency check, or why there is none
   * (`loadMainIndex` fetches it; the library never touches the network by itself).
   */
  mainIndex?: MainIndex | string;
  /** Clock for `generatedAt` (default: now). */
  generatedAt?: Date;
}

/** The promote step's gate record (pipeline/stages/gates.ts GateRecord), read as plain JSON. */
interface GateRecordFile {
  version: string;
  dscSha256: string;
  verdicts: GateVerdict[];
}

/** LintRecord, plus the lint helper's marker that the real lintian ran (when it records one). */
type LintRecordSeen = LintRecord & { lintian?: { ran?: boolean; version?: string } | boolean };

const COPYRIGHT_TAGS = new Set(allTags(CHECKS.filter((c) => c.name.startsWith('debian/copyright'))).map((t) => t.name));
const COPYRIGHT_LIKE = /copyright|dep5|licen[cs]e|globbing-pattern|file-pattern/;
/** Tags saying some file's copyright/license is not described: vendored code not covered. */
const COVERAGE_TAGS = new Set(['file-without-copyright-information', 'source-ships-excluded-file', 'license-problem-undefined-license']);

const isCopyright = (f: Finding) => COPYRIGHT_TAGS.has(f.tag) || (f.source === 'lintian' && COPYRIGHT_LIKE.test(f.tag));

/** The stage a package must reach for `release`: the devel stage targeting it, else the last one. */
export function releaseStage(ws: Workspace, release: string): StageConfig {
  const matching = ws.config.stages.filter((s) => s.target.series === release);
  const st = matching.find((s) => s.kind === 'devel') ?? matching.at(-1);
  if (!st) {
    throw new PipelineError(`--release: no stage targets series "${release}" (stages: ${ws.config.stages.map((s) => `${s.name} → ${s.target.series}`).join(', ')})`, {
      file: ws.configFile, hint: 'name a series a stage of pipeline.yaml targets',
    });
  }
  return st;
}

/** Top version of debian/changelog, read from its first line (no dpkg-parsechangelog: speed). */
export function changelogVersion(debianDir: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(join(debianDir, 'changelog'), 'r');
  } catch {
    return undefined;
  }
  try {
    const buf = Buffer.alloc(512);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return /^\S+ \(([^)\s]+)\)/.exec(buf.subarray(0, n).toString('utf8'))?.[1];
  } finally {
    closeSync(fd);
  }
}

/**
 * One package's records (the StateStore layout: records/<pkg>/<stage>.<kind>.json), found with one
 * directory listing instead of an existence check per file: hundreds of packages × stages × kinds.
 */
class PackageRecords {
  private readonly present: Set<string>;
  constructor(private readonly dir: string) {
    let names: string[] = [];
    try { names = readdirSync(dir); } catch { /* no records yet */ }
    this.present = new Set(names);
  }
  read<T>(stage: string, kind: string): T | undefined {
    const name = `${stage}.${kind}.json`;
    return this.present.has(name) ? readJson<T>(join(this.dir, name)) : undefined;
  }
}

export async function collectReadiness(ws: Workspace, options: CollectOptions = {}): Promise<ReadinessReport> {
  const devel = ws.config.stages.find((s) => s.kind === 'devel');
  const release = options.release ?? devel?.target.series ?? ws.config.stages.at(-1)!.target.series;
  const R = releaseStage(ws, release);
  const records = new Map<string, PackageRecords>();
  const recordsOf = (pkg: string) => {
    let r = records.get(pkg);
    if (!r) records.set(pkg, (r = new PackageRecords(join(ws.stateDir, 'records', pkg))));
    return r;
  };
  const packages = packagesInOrder(ws);
  const schedule = findSchedule(ws, release);
  const next = schedule ? successorOf(ws, schedule) : undefined;
  const notes: string[] = [seriesOverview(ws).develNote];
  const releasedOn = schedule?.milestones.find((m) => m.name === 'Release' && m.at <= ws.now)?.date;
  if (releasedOn && R.kind === 'devel') {
    notes.push(next?.schedule
      ? `${release} was released on ${releasedOn}: the devel stage's freeze gates follow ${next.series} (${ws.config.schedules}/${next.series}.yaml)`
      : `${release} was released on ${releasedOn} and no schedule for the next series exists: freeze verdicts are blocked`);
  }
  if (schedule?.provisional) notes.push(`the ${release} schedule is provisional: ${schedule.source ?? schedule.file}`);
  if (!schedule && R.kind === 'devel' && R.gates.schedule) notes.push(`no schedule for ${release}: freeze verdicts are blocked until ${ws.config.schedules}/${release}.yaml exists`);
  const anyMir = packages.some((p) => p.definition.mir.required);
  if (anyMir) notes.push(typeof options.mainIndex === 'object' ? `main index: ${options.mainIndex.from} (${options.mainIndex.binaries.size} binary packages)` : `main index: ${options.mainIndex ?? 'not checked'}`);
  const setBinaries = anyMir ? binariesOfSet(packages) : new Map<string, string>();
  const publishedAt = new Map<string, PublishRecord | undefined>();
  const pub = (pkg: string, stage: string) => {
    const k = `${pkg}\u0000${stage}`;
    if (!publishedAt.has(k)) publishedAt.set(k, recordsOf(pkg).read<PublishRecord>(stage, 'publish'));
    return publishedAt.get(k);
  };

  const results: PackageReadiness[] = packages.map((loaded) => {
    const def = loaded.definition;
    const name = def.name;
    const version = changelogVersion(loaded.debianDir);
    const stages: StageVersions[] = ws.config.stages.map((s) => {
      const p = pub(name, s.name);
      const b = recordsOf(name).read<BuildRecord>(s.name, 'build');
      return {
        stage: s.name, kind: s.kind, series: s.target.series, suite: s.target.suite,
        published: p?.version, publishedAt: p?.publishedAt,
        built: b?.version, buildStatus: b?.status, dscSha256: b?.dsc?.sha256 ?? p?.dscSha256,
      };
    });
    const reachedStage = [...stages].reverse().find((s) => s.published)?.stage;
    const publish = pub(name, R.name);
    const build = recordsOf(name).read<BuildRecord>(R.name, 'build');
    const lint = recordsOf(name).read<LintRecordSeen>(R.name, 'lint');
    const gates = recordsOf(name).read<GateRecordFile>(R.name, 'gates');
    const artifact = build?.status === 'successful' ? build.dsc?.sha256 : publish?.dscSha256 ?? build?.dsc?.sha256;
    // The same upload set, by the hash of its .dsc or of its _source.changes (lintian runs on either).
    const same: ArtifactMatch = (sha) => !artifact || !sha || sha === artifact || sha === build?.sourceChanges?.sha256 || sha === publish?.changesSha256;
    const on = { stage: R.name };

    const checks: CheckResult[] = [
      reachedCheck(name, R, publish, version),
      dependenciesCheck(def.depends, R, pub),
      ...buildChecks(name, def, R, build),
      ...lintChecks(name, R, lint, artifact, same),
      versionPolicyCheck(name, R, gates, artifact, same),
    ].map((c) => ({ ...on, ...c }));

    let freeze: FreezeSummary | undefined;
    if (R.kind === 'devel') {
      const f = freezeCheck(ws, loaded, R, schedule, next, publish, build, version);
      checks.push({ ...on, ...f.check });
      freeze = f.summary;
    }

    let mir: PackageReadiness['mir'];
    if (def.mir.required) {
      const lintian = checks.find((c) => c.check === 'lintian')!;
      const items: CheckResult[] = [
        testsCheck(loaded.debianDir, name),
        watchCheck(loaded.debianDir, name),
        vendoredCopyrightCheck(name, R, lint, same),
        { ...lintian, check: 'mir-lintian', title: 'MIR: lintian clean' },
        teamCheck(def),
        dependenciesInMainCheck(loaded.debianDir, name, setBinaries, options.mainIndex, builtDebs(build)),
      ];
      mir = { required: true, team: def.mir.team, verdict: worst(items.map((i) => i.verdict)), items };
    }
    const all = [...checks, ...(mir?.items ?? [])];
    return {
      package: name, version, upstreamVersion: def.upstream.version, depends: def.depends, reachedStage, stages, checks, freeze, mir,
      verdict: worst(all.map((c) => c.verdict)),
      blockers: all.filter((c) => c.verdict === 'blocked' || c.verdict === 'unknown'),
    };
  });

  const counts: Record<ReportVerdict, number> = { pass: 0, waived: 0, blocked: 0, unknown: 0 };
  for (const p of results) counts[p.verdict]++;
  const ready = results.length > 0 && counts.blocked === 0 && counts.unknown === 0;
  const readyCount = counts.pass + counts.waived;
  return {
    release, releaseVersion: ws.config.series[release]?.version ?? schedule?.version, vendor: ws.config.vendor, profile: ws.config.profile,
    stage: R.name, now: ws.now.toISOString(), generatedAt: (options.generatedAt ?? new Date()).toISOString(),
    schedule: schedule ? scheduleStatus(schedule, ws.now) : undefined,
    notes, packages: results,
    overall: {
      ready, verdict: ready ? 'ready' : 'not ready', counts,
      summary: results.length === 0
        ? 'no packages in the set'
        : `${readyCount} of ${results.length} package${results.length === 1 ? '' : 's'} ready for ${release}` +
          (counts.blocked || counts.unknown ? ` (${counts.blocked} blocked, ${counts.unknown} not checked yet)` : ''),
    },
  };
}

function reachedCheck(pkg: string, R: StageConfig, publish: PublishRecord | undefined, version?: string): CheckResult {
  const base = { check: 'reached', title: `reached ${R.name}` };
  if (publish) return { ...base, verdict: 'pass', reason: `${publish.version} in ${R.target.suite} since ${publish.publishedAt.slice(0, 10)}`, artifactSha256: publish.dscSha256 };
  return { ...base, verdict: 'blocked', reason: `not in ${R.target.suite} (${R.target.archive}) yet${version ? `; next upload ${version}` : ''}`, fix: `pipeline promote ${pkg} --to ${R.name}` };
}

function dependenciesCheck(depends: string[], R: StageConfig, pub: (p: string, s: string) => PublishRecord | undefined): CheckResult {
  const base = { check: 'dependencies', title: 'dependencies in the set' };
  if (depends.length === 0) return { ...base, verdict: 'pass', reason: 'none' };
  const missing = depends.filter((d) => !pub(d, R.name));
  if (missing.length === 0) return { ...base, verdict: 'pass', reason: `${depends.join(', ')} in ${R.name}` };
  return { ...base, verdict: 'blocked', reason: `needs ${missing.join(', ')} in ${R.name} first`, fix: missing.map((m) => `pipeline promote ${m} --to ${R.name}`).join(' && ') };
}

function buildChecks(pkg: string, def: LoadedPackage['definition'], R: StageConfig, build: BuildRecord | undefined): CheckResult[] {
  const cmd = `pipeline build ${pkg} --stage ${R.name}`;
  const src = { check: 'source-build', title: 'source package built in the container' };
  const bin = { check: 'binary-build', title: 'binary test-build' };
  const binaryWanted = def.build.binary && R.gates.binaryBuild;
  if (!build) {
    return [
      { ...src, verdict: 'unknown', reason: `no build for ${R.name} yet`, fix: cmd },
      binaryWanted ? { ...bin, verdict: 'unknown', reason: `no build for ${R.name} yet`, fix: cmd } : { ...bin, verdict: 'pass', reason: 'not required (build.binary: false or gates.binaryBuild: false)' },
    ];
  }
  const sha = build.dsc?.sha256;
  const log = (l?: string) => (l ? `; log: ${l}` : '');
  const source: CheckResult = build.status === 'failed' && build.failedPart !== 'binary'
    ? { ...src, verdict: 'blocked', reason: `${build.version}: source build failed${build.failStage ? ` at ${build.failStage}` : ''}${build.message ? `: ${build.message}` : ''}${log(build.sourceLog)}`, fix: `fix the package, then ${cmd} --force` }
    : { ...src, verdict: 'pass', reason: `${build.version}${build.sourceSummary?.buildTime ? ` (${build.sourceSummary.buildTime})` : ''}`, artifactSha256: sha };
  let binary: CheckResult;
  if (!binaryWanted) binary = { ...bin, verdict: 'pass', reason: 'not required (build.binary: false or gates.binaryBuild: false)' };
  else if (build.status === 'failed' && build.failedPart === 'binary')
    binary = { ...bin, verdict: 'blocked', reason: `${build.version}: FTBFS${build.failStage ? ` at ${build.failStage}` : ''}${build.message ? `: ${build.message}` : ''}${log(build.binaryLog)}`, fix: `fix the build failure, then ${cmd} --force`, artifactSha256: sha };
  else if (source.verdict === 'blocked') binary = { ...bin, verdict: 'unknown', reason: 'no source package to build from', fix: cmd };
  else if (build.binarySummary?.status === 'successful')
    binary = { ...bin, verdict: 'pass', reason: `${build.version}${build.binarySummary.buildTime ? ` (build ${build.binarySummary.buildTime})` : ''}`, artifactSha256: sha };
  else binary = { ...bin, verdict: 'unknown', reason: `no binary test-build recorded for ${build.version}`, fix: cmd, artifactSha256: sha };
  return [source, binary];
}

type ArtifactMatch = (sha: string | undefined) => boolean;

function lintChecks(pkg: string, R: StageConfig, lint: LintRecordSeen | undefined, artifact: string | undefined, same: ArtifactMatch): CheckResult[] {
  const defs = [
    { check: 'copyright-lint', title: 'copyright (DEP-5) lint clean', pick: (f: Finding) => f.source === 'pipeline' && isCopyright(f) },
    { check: 'metadata-lint', title: 'metadata lint clean', pick: (f: Finding) => f.source === 'pipeline' && !isCopyright(f) },
    { check: 'lintian', title: 'lintian clean', pick: (f: Finding) => f.source === 'lintian' },
  ];
  const cmd = `pipeline lint ${pkg} --stage ${R.name}`;
  if (!lint) return defs.map((d) => ({ check: d.check, title: d.title, verdict: 'unknown' as const, reason: `not linted for ${R.name} yet`, fix: cmd }));
  if (!same(lint.artifactSha256)) {
    return defs.map((d) => ({ check: d.check, title: d.title, verdict: 'unknown' as const, reason: `stale: linted ${short(lint.artifactSha256)}, the current build is ${short(artifact)}`, fix: cmd, artifactSha256: lint.artifactSha256 }));
  }
  const threshold: Severity = R.gates.lint;
  const lintianRan = lint.lintian === true || (typeof lint.lintian === 'object' && lint.lintian.ran !== false) || lint.findings.some((f) => f.source === 'lintian');
  return defs.map((d) => {
    const base = { check: d.check, title: d.title, artifactSha256: lint.artifactSha256 };
    if (d.check === 'lintian' && !lintianRan) return { ...base, verdict: 'unknown' as const, reason: 'lintian has not run on this artifact', fix: `${cmd} --lintian` };
    const mine = lint.findings.filter(d.pick);
    const live = mine.filter((f) => !f.overridden);
    const hits = live.filter((f) => atLeast(f.severity, threshold));
    const overridden = mine.length - live.length;
    const extra = [live.length - hits.length ? `${live.length - hits.length} below ${threshold}` : '', overridden ? `${overridden} overridden` : ''].filter(Boolean).join(', ');
    if (hits.length === 0) return { ...base, verdict: 'pass' as const, reason: `no ${threshold}-or-worse findings${extra ? ` (${extra})` : ''}` };
    const tags = [...new Set(hits.map((f) => f.tag))];
    const reason = `${hits.length} at ${threshold} or worse: ${tags.slice(0, 4).join(', ')}${tags.length > 4 ? ', ...' : ''}`;
    if (lint.gate.verdict === 'waived' && lint.gate.waiver) return { ...base, verdict: 'waived' as const, reason, waiver: lint.gate.waiver };
    return { ...base, verdict: 'blocked' as const, reason, fix: `fix the findings (${cmd}), or override/waive them with a reason` };
  });
}

function vendoredCopyrightCheck(pkg: string, R: StageConfig, lint: LintRecordSeen | undefined, same: ArtifactMatch): CheckResult {
  const base = { check: 'mir-copyright', title: 'MIR: copyright covers vendored code' };
  const cmd = `pipeline lint ${pkg} --stage ${R.name}`;
  if (!lint) return { ...base, verdict: 'unknown', reason: 'not linted yet', fix: cmd };
  if (!same(lint.artifactSha256)) return { ...base, verdict: 'unknown', reason: 'lint is for another artifact', fix: cmd };
  const gaps = lint.findings.filter((f) => !f.overridden && COVERAGE_TAGS.has(f.tag));
  if (gaps.length === 0) return { ...base, verdict: 'pass', reason: `debian/copyright covers all ${lint.filesChecked} files`, artifactSha256: lint.artifactSha256 };
  const files = gaps.map((g) => g.file ?? g.detail ?? g.tag);
  return {
    ...base, verdict: 'blocked', artifactSha256: lint.artifactSha256,
    reason: `${gaps.length} file${gaps.length === 1 ? '' : 's'} not covered: ${files.slice(0, 3).join(', ')}${files.length > 3 ? ', ...' : ''}`,
    fix: `add Files: paragraphs for them to packages/${pkg}/debian/copyright`,
  };
}

function versionPolicyCheck(pkg: string, R: StageConfig, gates: GateRecordFile | undefined, artifact: string | undefined, same: ArtifactMatch): CheckResult {
  const base = { check: 'version-policy', title: 'version policy' };
  const fix = `pipeline promote ${pkg} --to ${R.name} --dry-run`;
  const v = gates?.verdicts.find((x) => x.gate === 'version-policy');
  if (!gates || !v) return { ...base, verdict: 'unknown', reason: 'not checked yet (no promote plan recorded)', fix };
  if (!same(gates.dscSha256)) return { ...base, verdict: 'unknown', reason: `stale: checked for ${short(gates.dscSha256)}, current build ${short(artifact)}`, fix, artifactSha256: gates.dscSha256 };
  return { ...base, verdict: v.verdict, reason: `${gates.version}: ${v.reason ?? v.verdict}`, fix: v.fix, waiver: v.waiver, artifactSha256: v.artifactSha256 ?? gates.dscSha256 };
}

function freezeCheck(
  ws: Workspace, loaded: LoadedPackage, R: StageConfig, schedule: Schedule | undefined, next: ReturnType<typeof successorOf>,
  publish: PublishRecord | undefined, build: BuildRecord | undefined, version?: string,
): { check: CheckResult; summary: FreezeSummary } {
  const def = loaded.definition;
  const base = { check: 'freeze', title: 'release freeze' };
  const candidate = build?.version ?? version;
  const src = def.source.kind === 'apt' && def.source.series === R.target.series ? def.source.version : undefined;
  const current = publish?.version ?? src;
  let v: { verdict: ReportVerdict; reason?: string; fix?: string; waiver?: { by: string; reason: string }; series: string; phase: string; next?: FreezeSummary['next'] };
  if (!R.gates.schedule) v = { verdict: 'pass', reason: `schedule gates are off for ${R.name}`, series: R.target.series, phase: 'not-frozen' };
  else if (!schedule) v = { verdict: 'blocked', reason: `no release schedule for ${R.target.series}`, fix: `add ${ws.config.schedules}/${R.target.series}.yaml (see schedules/README.md)`, series: R.target.series, phase: 'unknown' };
  else if (!candidate) v = { verdict: 'unknown', reason: 'no version to judge (no build, no debian/changelog)', fix: `pipeline build ${def.name} --stage ${R.name}`, series: schedule.series, phase: 'unknown' };
  else {
    const g = freezeGate({ schedule, now: ws.now, stageKind: 'devel', currentVersion: current, candidateVersion: candidate, pkg: def, next, artifactSha256: build?.dsc?.sha256 });
    const notes = g.notes.length ? ` — ${g.notes.join('; ')}` : '';
    if (publish && publish.version === candidate) {
      v = { verdict: 'pass', reason: `${candidate} already in ${R.target.series}; for the next upload: ${g.verdict}: ${g.reason ?? ''}`, series: g.series, phase: g.phase, next: g.next };
    } else {
      v = { verdict: g.verdict, reason: `${candidate}: ${g.reason ?? ''}${notes}`, fix: g.fix, waiver: g.waiver, series: g.series, phase: g.phase, next: g.next };
    }
  }
  return {
    check: { ...base, verdict: v.verdict, reason: v.reason, fix: v.fix, waiver: v.waiver, artifactSha256: build?.dsc?.sha256 },
    summary: { verdict: v.verdict, series: v.series, phase: v.phase, reason: v.reason, fix: v.fix, next: v.next },
  };
}

/** Binary package name → package of the set (from each debian/control), for the MIR dependency check. */
/** The .debs a successful build of the stage left (still on disk): their Depends are the resolved ones. */
function builtDebs(build: BuildRecord | undefined): string[] | undefined {
  if (build?.status !== 'successful') return undefined;
  const debs = build.artifacts.map((a) => a.path).filter((p) => p.endsWith('.deb') && existsSync(p));
  return debs.length ? debs : undefined;
}

function binariesOfSet(packages: LoadedPackage[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of packages) {
    const file = join(p.debianDir, 'control');
    if (!existsSync(file)) continue;
    const text = readFileSyncSafe(file);
    for (const m of text.matchAll(/^Package:\s*(\S+)/gim)) out.set(m[1]!, p.definition.name);
  }
  return out;
}

function readFileSyncSafe(file: string): string {
  try { return readFileSync(file, 'utf8'); } catch { return ''; }
}

const short = (sha?: string) => (sha ? sha.slice(0, 12) : '?');

