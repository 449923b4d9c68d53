/**
 * `status`: packages × stages — the version each stage's target holds, whether the package's
 * current version reached it, and the verdicts that block the next step (computed as a dry run
 * of its verify, plus the gates recorded for the last attempt at it).
 */
import { hostname } from 'node:os';
import type { Workspace } from '../config/workspace.js';
import { packagesInOrder } from '../config/packages.js';
import { loadPackage, stage as stageConfig } from '../config/workspace.js';
import type { GateVerdict, InSetBuildDep, PublishRecord } from '../state/records.js';
import { describeInSetBuildDeps } from '../build/stageArchive.js';
import { describeStageBinaries } from '../archive/stageBinaries.js';
import { StateStore } from '../state/store.js';
import { collectReadiness } from '../report/collect.js';
import { VERDICT_SYMBOL, type OpenRun, type ReportVerdict } from '../report/model.js';
import { readGateRecord } from './gates.js';
import { QA_CHECK_NAMES } from '../qa/checks.js';

const QA_NAMES = new Set<string>(QA_CHECK_NAMES);
import { stageOf } from './lifecycle.js';
import { standPoint } from './promote.js';
import { packageHeads, provenance, provenanceText, type GitProvenance } from '../git/provenance.js';
import { unreleasedCommits, type Unreleased } from '../git/unreleased.js';

export interface StatusCell {
  stage: string;
  /** Highest version of the package in the stage's target (any base). */
  version?: string;
  /** The current version's upload in this stage, when it landed. */
  landed?: string;
  /** The last upload recorded for the stage (confirmed or not). */
  lastPublish?: PublishRecord;
  /** The stage's verdict, as the readiness report gives it (report/stageChecks.ts). */
  verdict: ReportVerdict;
  /** The commit that upload was built from, and whether HEAD has changed the package since. */
  git?: GitProvenance;
  /** The binaries of the package set the stage's test-build installed (build/stageArchive.ts). */
  inSetBuildDeps?: InSetBuildDep[];
  /** The stage's QA verdicts on the artifact it holds (pipeline/qa; absent when nothing is built). */
  qa?: Array<{ check: string; verdict: ReportVerdict; reason?: string; fix?: string }>;
}

export interface StatusRow {
  package: string;
  version: string;
  current?: string;
  next?: string;
  /** The version the next step would upload. */
  nextVersion?: string;
  cells: StatusCell[];
  /** Verdicts that block the next step (empty: it may go). */
  blocking: GateVerdict[];
  /** Runs that failed, were interrupted or halted, with the command that continues or abandons each. */
  openRuns: OpenRun[];
  /** Commits under packages/PKG/ since the tag of its current stage (absent outside git). */
  unreleased?: Unreleased;
}

export interface StatusReport {
  profile: string;
  stages: { name: string; kind: string; target: string }[];
  rows: StatusRow[];
  host: string;
}

export async function status(ws: Workspace, packages?: string[]): Promise<StatusReport> {
  const names = packages?.length ? packages.map((p) => loadPackage(ws, p).definition.name) : packagesInOrder(ws).map((p) => p.definition.name);
  const store = new StateStore(ws.stateDir);
  const rows: StatusRow[] = [];
  // The same judgement as the report's, so the two never disagree.
  const readiness = new Map((await collectReadiness(ws)).packages.map((p) => [p.package, p]));
  const headOf = await packageHeads(ws);
  for (const pkg of names) {
    const stand = await standPoint(ws, pkg);
    const judged = readiness.get(pkg);
    const cells = stand.plans.map((p): StatusCell => {
      const last = store.read(pkg, p.stage, 'publish');
      const deps = store.read(pkg, p.stage, 'build')?.inSetBuildDeps;
      const stageJudged = judged?.stages.find((x) => x.stage === p.stage);
      const qa = stageJudged?.subject && stageJudged.subject.state !== 'failed'
        ? stageJudged.checks.filter((c) => QA_NAMES.has(c.check)).map((c) => ({ check: c.check, verdict: c.verdict, ...(c.reason ? { reason: c.reason } : {}), ...(c.fix ?? c.todo ? { fix: c.fix ?? c.todo } : {}) }))
        : [];
      return {
        ...(deps?.length ? { inSetBuildDeps: deps } : {}),
        ...(qa.length ? { qa } : {}),
        stage: p.stage,
        verdict: judged?.stages.find((x) => x.stage === p.stage)?.verdict ?? 'unknown',
        ...(p.targetVersions.current[0] ? { version: p.targetVersions.current[0] } : {}),
        ...(p.landed ? { landed: p.landed } : {}),
        ...(last ? { lastPublish: last } : {}),
        ...(last?.git ? { git: provenance(last.git, headOf(pkg)) } : {}),
      };
    });
    let blocking: GateVerdict[] = [];
    let nextVersion: string | undefined;
    if (stand.next) {
      const st = stageOf(stageConfig(ws, stand.next));
      const v = await st.verify({
        ws, pkg, args: { package: pkg, stages: [stand.next] },
        ctx: { runId: 'status', outputs: {}, dryRun: true, note: () => {} },
      });
      nextVersion = v.plan.version;
      blocking = v.verdicts.filter((x) => x.verdict === 'blocked');
      const recorded = readGateRecord(ws, pkg, stand.next);
      if (recorded && recorded.version === v.plan.version) {
        for (const r of recorded.verdicts) if (r.verdict === 'blocked' && !blocking.some((b) => b.gate === r.gate)) blocking.push(r);
      }
      // What the last attempt left: a failed build of this version blocks the next step too.
      const next = judged?.stages.find((x) => x.stage === stand.next);
      if (next?.subject?.version === v.plan.version) {
        for (const c of next.checks) {
          if (c.verdict === 'blocked' && c.check !== 'reached' && !blocking.some((b) => b.gate === c.check)) {
            blocking.push({ gate: c.check, verdict: 'blocked', reason: c.reason, ...(c.fix ?? c.todo ? { fix: c.fix ?? c.todo } : {}) });
          }
        }
      }
    }
    rows.push({
      package: pkg, version: stand.baseVersion,
      ...(stand.current ? { current: stand.current } : {}),
      ...(stand.next ? { next: stand.next } : {}),
      ...(nextVersion ? { nextVersion } : {}),
      cells, blocking, openRuns: judged?.openRuns ?? [],
      ...gitUnreleased(await unreleasedCommits(ws, pkg, stand.current ? stand.landed[stand.current] : undefined)),
    });
  }
  return {
    profile: ws.config.profile,
    stages: ws.config.stages.map((s) => ({ name: s.name, kind: s.kind, target: `${s.target.archive}:${s.target.suite}` })),
    rows,
    host: hostname(),
  };
}

const gitUnreleased = (u: Unreleased | undefined) => (u ? { unreleased: u } : {});

function pad(s: string, n: number): string {
  return s + ' '.repeat(Math.max(0, n - [...s].length));
}

/** The status table as text: one row per package, one column per stage, then what blocks. */
export function renderStatus(report: StatusReport): string {
  const header = ['PACKAGE', 'VERSION', ...report.stages.map((s) => `${s.name} (${s.target})`), 'NEXT'];
  const rows = report.rows.map((r) => [
    r.package, r.version,
    ...r.cells.map((c) => {
      if (c.landed) return `${c.landed} ${c.verdict === 'pass' || c.verdict === 'waived' ? '✓' : `${VERDICT_SYMBOL[c.verdict]} ${c.verdict}`}${c.git ? ` ${provenanceText(c.git, r.package)}` : ''}`;
      if (c.lastPublish && c.lastPublish.confirmed === false) return `${c.lastPublish.version} (uploaded, unconfirmed)`;
      return c.version ? `${c.version} (older)` : '—';
    }),
    r.openRuns.length
      ? `${r.next ?? 'done'}: run ${r.openRuns.at(-1)!.state}`
      : r.next ? `${r.next} ${r.nextVersion ?? ''}${r.blocking.length ? ': blocked' : ': can go'}` : 'done',
  ]);
  const widths = header.map((h, i) => Math.max([...h].length, ...rows.map((r) => [...r[i]!].length)));
  const lines = [header, ...rows].map((r) => r.map((c, i) => pad(c, widths[i]!)).join('  ').trimEnd());
  const blocks = report.rows.flatMap((r) => r.blocking.map((v) => `  ${r.package} → ${r.next}: ${v.gate}: ${v.reason ?? 'blocked'}${v.fix ? `\n      fix: ${v.fix}` : ''}`));
  const runs = report.rows.flatMap((r) => r.openRuns.map((x) =>
    `  ${r.package}: run ${x.runId} (${x.command}) ${x.state}${x.step ? ` in ${x.step}` : ''}${x.error ? `: ${x.error}` : ''}${x.continueWith ? `\n      continue: ${x.continueWith}` : ''}\n      abandon: ${x.abandonWith}`));
  // QA on the artifact each stage holds: one line per stage, a fix under a check that is not a pass.
  const qa = report.rows.flatMap((r) => r.cells.filter((c) => c.qa?.length).flatMap((c) => [
    // A check with nothing to judge passes the gate, but "✓ pass" would claim it tested something.
    `  ${r.package} @ ${c.stage}: ${c.qa!.map((q) => `${q.check} ${q.verdict === 'pass' && /^(\S+: )?not applicable: /.test(q.reason ?? '') ? '– n/a' : `${VERDICT_SYMBOL[q.verdict]} ${q.verdict}`}`).join(', ')}`,
    ...c.qa!.filter((q) => q.verdict === 'blocked' || q.verdict === 'unknown').map((q) => `      ${q.check}: ${q.reason ?? q.verdict}${q.fix ? `\n      fix: ${q.fix}` : ''}`),
  ]));
  const unreleased = report.rows.flatMap((r) => (r.unreleased?.commits.length ? [
    `  ${r.package}: ${r.unreleased.commits.length} commit${r.unreleased.commits.length === 1 ? '' : 's'} under ${r.unreleased.path}/ ${r.unreleased.since ? `since ${r.unreleased.since}` : 'never released'}${r.unreleased.note ? ` (${r.unreleased.note})` : ''}`,
    ...r.unreleased.commits.slice(0, 10).map((c) => `      ${c.commit.slice(0, 7)} ${c.subject}`),
    ...(r.unreleased.commits.length > 10 ? [`      ... and ${r.unreleased.commits.length - 10} more`] : []),
  ] : []));
  // What each stage's archive gave its builds, and what the stage published beside its source.
  const archives = report.rows.flatMap((r) => r.cells.flatMap((c) => {
    const what = [describeInSetBuildDeps({ inSetBuildDeps: c.inSetBuildDeps, stage: c.stage }), c.lastPublish ? describeStageBinaries(c.lastPublish) : ''].filter(Boolean);
    return what.length ? [`  ${r.package} ${c.stage}: ${what.join('; ')}`] : [];
  }));
  return [
    `profile ${report.profile}`, ...lines, ...(archives.length ? ['', 'stage archives:', ...archives] : []),
    ...(runs.length ? ['', 'runs that did not finish:', ...runs] : []),
    ...(qa.length ? ['', 'qa (pipeline/qa; pipeline qa PKG --stage S runs them):', ...qa] : []), ...(blocks.length ? ['', 'blocked:', ...blocks] : []),
    ...(unreleased.length ? ['', 'unreleased (pipeline changelog PKG drafts the entry):', ...unreleased] : []),
  ].join('\n');
}
