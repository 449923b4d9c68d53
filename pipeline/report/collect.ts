/**
 * `collectReadiness(ws, {release})`: "are we ready for SERIES?" — for every package of the set, in
 * dependency order, every stage judged (report/stageChecks.ts: the artifact the stage holds and
 * one verdict per check, bound to that artifact's source identity), the release stage's checks in
 * front, for packages bound for main the MIR checklist, and the runs that did not finish. Reads
 * only the state store's records, the evidence kept beside each upload and the package trees:
 * nothing is built or run, so a report over hundreds of packages takes well under a second.
 */
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { packagesInOrder } from '../config/packages.js';
import type { StageConfig } from '../config/schema.js';
import { loadPackage, type LoadedPackage, type Workspace } from '../config/workspace.js';
import { PipelineError } from '../errors.js';
import { findSchedule, scheduleStatus } from '../schedule/milestones.js';
import { seriesOverview, successorOf } from '../schedule/resolve.js';
import { builderStandIn } from '../schedule/seriesTable.js';
import { stageDebdiff } from './debdiff.js';
import type { BuildRecord, LintRecord, PublishRecord } from '../state/records.js';
import { listRuns, type RunListing } from '../state/runner.js';
import { readJson } from '../state/store.js';
import { gitOf, packageHeads } from '../git/provenance.js';
import { cleanTreeChecks } from '../git/report.js';
import { dependenciesInMainCheck, mirFromQa, testsCheck, teamCheck, watchCheck, type MainIndex } from './mir.js';
import { worst, type CheckResult, type FreezeSummary, type OpenRun, type PackageReadiness, type ReadinessReport, type ReportVerdict, type StageVersions } from './model.js';
import {
  buildChecks, dependenciesCheck, freezeCheck, lintChecks, reachedCheck, stageEvidence, stageVerdict, versionPolicyCheck,
  type GateRecordFile, type StageEvidence,
} from './stageChecks.js';
import { qaChecks } from './qaChecks.js';
import { qaRepositories } from '../qa/repositories.js';

export interface CollectOptions {
  /** The release series (default: the devel stage's target series). */
  release?: string;
  /** Only these packages (names under packages/; each must exist), in dependency order. */
  packages?: string[];
  /**
   * The release series' main index for the MIR dependency check, or why there is none
   * (`loadMainIndex` fetches it; the library never touches the network by itself).
   */
  mainIndex?: MainIndex | string;
  /** Clock for `generatedAt` (default: now). */
  generatedAt?: Date;
}

/** Tags saying some file's copyright/license is not described: vendored code not covered. */
const COVERAGE_TAGS = new Set(['file-without-copyright-information', 'source-ships-excluded-file', 'license-problem-undefined-license']);

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
  const packages = selectPackages(ws, options.packages);
  // A stand-in's timeline and freezes are the series it stands for (target.standsFor): one series throughout.
  const scheduled = R.target.standsFor ?? release;
  const schedule = findSchedule(ws, scheduled);
  const next = schedule ? successorOf(ws, schedule) : undefined;
  const notes: string[] = [seriesOverview(ws).develNote];
  for (const st of ws.config.stages) { const s = builderStandIn(ws.config, st); if (s) notes.push(`stage ${st.name} builds in ${s}`); }
  const releasedOn = schedule?.milestones.find((m) => m.name === 'Release' && m.at <= ws.now)?.date;
  if (releasedOn && R.kind === 'devel') {
    notes.push(`${scheduled} was released on ${releasedOn}: closed to development uploads, freeze verdicts are blocked${next ? ` (the development series is ${next.series})` : ''}`);
  }
  if (schedule?.provisional) notes.push(`the ${scheduled} schedule is provisional: ${schedule.source ?? schedule.file}`);
  if (!schedule && R.kind === 'devel' && R.gates.schedule) notes.push(`no schedule for ${scheduled}: freeze verdicts are blocked until ${ws.config.schedules}/${scheduled}.yaml exists`);
  const anyMir = packages.some((p) => p.definition.mir.required);
  if (anyMir) notes.push(typeof options.mainIndex === 'object' ? `main index: ${options.mainIndex.from} (${options.mainIndex.binaries.size} binary packages)` : `main index: ${options.mainIndex ?? 'not checked'}`);
  const setBinaries = anyMir ? binariesOfSet(packages) : new Map<string, string>();
  // Read once per package and stage: the dependency check asks again for every dependant.
  const published = new Map<string, PublishRecord | undefined>();
  const publishRecord = (pkg: string, stage: string) => {
    const k = `${pkg}\u0000${stage}`;
    if (!published.has(k)) published.set(k, recordsOf(pkg).read<PublishRecord>(stage, 'publish'));
    return published.get(k);
  };
  const pub = (pkg: string, stage: string) => {
    const p = publishRecord(pkg, stage);
    return p && p.confirmed !== false ? p : undefined;
  };
  // One schedule per devel stage, parsed once, not once per package.
  const stageSchedules = new Map(ws.config.stages.filter((s) => s.kind === 'devel').map((s) => [s.name, findSchedule(ws, s.target.standsFor ?? s.target.series)]));
  const runs = listRuns(ws);

  const headOf = await packageHeads(ws);
  const results: PackageReadiness[] = packages.map((loaded) => {
    const def = loaded.definition;
    const name = def.name;
    const version = changelogVersion(loaded.debianDir);
    const judged = new Map<string, { ev: StageEvidence; checks: CheckResult[]; freeze?: FreezeSummary }>();
    const stages: StageVersions[] = ws.config.stages.map((s) => {
      const rec = recordsOf(name);
      const r = { publish: publishRecord(name, s.name), build: rec.read<BuildRecord>(s.name, 'build'), lint: rec.read<LintRecord>(s.name, 'lint'), gates: rec.read<GateRecordFile>(s.name, 'gates') };
      const ev = stageEvidence(ws, name, s, r, ws.now);
      const on = { stage: s.name };
      const checks: CheckResult[] = [
        reachedCheck(name, s, ev, version, r.publish),
        dependenciesCheck(def.depends, s, pub),
        ...buildChecks(name, def, s, ev),
        ...lintChecks(name, s, ev),
        versionPolicyCheck(name, s, ev),
        ...qaChecks(ws, name, s, ev),
        ...cleanTreeChecks(ev.gates),
      ].map((c) => ({ ...on, ...c }));
      let freeze: FreezeSummary | undefined;
      if (s.kind === 'devel') {
        const f = freezeCheck({ ws, loaded, schedule: stageSchedules.get(s.name), next: s === R ? next : undefined, version, scheduleDir: ws.config.schedules }, s, ev, r.publish);
        checks.push({ ...on, ...f.check });
        freeze = f.summary;
      }
      judged.set(s.name, { ev, checks, freeze });
      const verdict = stageVerdict(checks);
      const p = pub(name, s.name);
      return {
        stage: s.name, kind: s.kind, series: s.target.series, suite: s.target.suite,
        published: p?.version, publishedAt: p?.publishedAt,
        built: r.build?.version, buildStatus: r.build?.status, dscSha256: ev.subject?.dscSha256,
        subject: ev.subject, verdict, ready: verdict === 'pass' || verdict === 'waived', checks,
        ...gitOf(p?.git ?? ev.gates?.git ?? ev.build?.git, headOf(name)),
        ...stageDebdiff(ws, name, s.name, ev.subject),
      };
    });
    const reachedStage = [...stages].reverse().find((s) => s.published)?.stage;
    const { ev, checks, freeze } = judged.get(R.name)!;

    let mir: PackageReadiness['mir'];
    if (def.mir.required) {
      // The release stage's QA verdicts answer what the tree alone cannot (report/mir.ts mirFromQa).
      const mainOnly = qaRepositories(ws, R).every((r) => r.role !== 'extra' && r.components.every((c) => c === 'main'));
      const lintian = checks.find((c) => c.check === 'lintian')!;
      const items: CheckResult[] = [
        testsCheck(loaded.debianDir, name),
        watchCheck(loaded.debianDir, name),
        vendoredCopyrightCheck(name, R, ev),
        { ...lintian, check: 'mir-lintian', title: 'MIR: lintian clean' },
        teamCheck(def),
        dependenciesInMainCheck(loaded.debianDir, name, setBinaries, options.mainIndex, builtDebs(ev.build)),
      ].map((c) => ({ ...mirFromQa(c, checks, mainOnly), stage: R.name }));
      mir = { required: true, team: def.mir.team, verdict: worst(items.map((i) => i.verdict)), items };
    }
    const all = [...checks, ...(mir?.items ?? [])];
    return {
      package: name, version, upstreamVersion: def.upstream.version, depends: def.depends, reachedStage, stages, checks, freeze, mir,
      verdict: worst(all.map((c) => c.verdict)),
      blockers: all.filter((c) => c.verdict === 'blocked'),
      unknowns: all.filter((c) => c.verdict === 'unknown'),
      openRuns: openRunsOf(runs, name),
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
    ...(schedule ? { scheduleSeries: schedule.series } : {}),
    notes, packages: results,
    overall: {
      ready, verdict: ready ? 'ready' : 'not ready', counts,
      summary: results.length === 0
        ? 'no packages in the set'
        : `${readyCount} of ${results.length} package${results.length === 1 ? '' : 's'} ready for ${release}` +
          (counts.blocked || counts.unknown ? ` (${counts.blocked} blocked, ${counts.unknown} not known yet)` : ''),
    },
  };
}

/** The set in dependency order, or only the named packages (an unknown name is one error). */
function selectPackages(ws: Workspace, names?: string[]): LoadedPackage[] {
  const all = packagesInOrder(ws);
  if (!names?.length) return all;
  for (const n of names) loadPackage(ws, n); // names the file or says the package is unknown
  return all.filter((p) => names.includes(p.definition.name));
}

/**
 * The package's runs that did not finish and are not superseded by a later finished run: a
 * failed, interrupted or halted promote or build, with the command that continues or abandons it.
 */
export function openRunsOf(runs: RunListing[], pkg: string): OpenRun[] {
  const mine = runs.filter((r) => r.package === pkg);
  const lastDone = mine.filter((r) => r.state === 'done').map((r) => r.startedAt).sort().at(-1) ?? '';
  return mine
    .filter((r) => (r.state === 'failed' || r.state === 'interrupted') && r.startedAt > lastDone)
    .map((r) => ({
      runId: r.runId, command: r.command, state: r.halted ? 'halted' : r.state === 'failed' && r.permanent ? 'failed (permanent)' : r.state,
      ...(r.interrupted ? { step: r.interrupted } : {}),
      ...(r.error ? { error: r.error } : {}),
      ...(r.state === 'interrupted' || !r.permanent ? { continueWith: `pipeline resume ${r.runId}${r.halted ? ' --force' : ''}` } : {}),
      abandonWith: `pipeline runs abandon ${r.runId}`,
    }));
}

function vendoredCopyrightCheck(pkg: string, R: StageConfig, ev: StageEvidence): CheckResult {
  const base = { check: 'mir-copyright', title: 'MIR: copyright covers vendored code' };
  const cmd = `pipeline lint ${pkg} --stage ${R.name}`;
  const lint = ev.lint;
  if (!ev.subject || ev.subject.state === 'failed') return { ...base, verdict: 'unknown', reason: 'nothing built to lint yet', fix: `pipeline promote ${pkg} --to ${R.name}` };
  if (!lint) return { ...base, verdict: 'unknown', reason: `the ${ev.subject.state} ${ev.subject.version} has not been linted`, fix: cmd };
  const gaps = lint.findings.filter((f) => !f.overridden && COVERAGE_TAGS.has(f.tag));
  if (gaps.length === 0) return { ...base, verdict: 'pass', reason: `debian/copyright covers all ${lint.filesChecked} files`, artifactSha256: lint.artifactSha256 };
  const files = gaps.map((g) => g.file ?? g.detail ?? g.tag);
  return {
    ...base, verdict: 'blocked', artifactSha256: lint.artifactSha256,
    reason: `${gaps.length} file${gaps.length === 1 ? '' : 's'} not covered: ${files.slice(0, 3).join(', ')}${files.length > 3 ? ', ...' : ''}`,
    todo: `add Files: paragraphs for them to packages/${pkg}/debian/copyright`,
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


