/** Text (terminal), Markdown and JSON renderings of a ReadinessReport: the same facts in each. */
import { daysText } from '../schedule/freezeGate.js';
import { milestoneTitle } from '../schedule/milestones.js';
import { stageGitText } from '../git/provenance.js';
import { debdiffLines } from './debdiff.js';
import { VERDICT_SYMBOL, type CheckResult, type PackageReadiness, type ReadinessReport, type StageVersions } from './model.js';

export type ReportFormat = 'text' | 'md' | 'json' | 'html';

export function renderJson(r: ReadinessReport): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}

const short = (sha?: string) => (sha ? sha.slice(0, 12) : '');

/** "trixie (13)" */
export function releaseName(r: ReadinessReport): string {
  return `${r.release}${r.releaseVersion ? ` (${r.releaseVersion})` : ''}`;
}

/** One line on the schedule: phase and next milestone with the days left. */
export function scheduleLine(r: ReadinessReport): string {
  const s = r.schedule;
  if (!s) return `no schedule for ${r.release}`;
  const phase = s.phase === 'not-open' ? 'not open yet' : s.phase === 'open' ? 'open for development' : s.phase === 'Release' ? `released on ${s.rows.at(-1)!.date}` : `in ${s.phase}`;
  const next = s.next ? `; next: ${milestoneTitle(s.next)} on ${s.next.date} (${daysText(s.next.daysLeft)})` : '';
  return `${s.series} ${phase}${next}${s.provisional ? ' [provisional schedule]' : ''}`;
}

export function freezeLine(p: PackageReadiness): string | undefined {
  const f = p.freeze;
  if (!f) return undefined;
  const next = f.next ? `, ${f.next.milestone} ${daysText(f.next.daysLeft)}` : '';
  return `${f.verdict} (${f.series}: ${f.phase}${next})`;
}

/** One stage cell of the verdict matrix: "✓ 3.9.3-2~ppa1 (12 d)", "✗ blocked", "? unknown". */
export function stageCell(s: StageVersions): string {
  if (!s.subject && !s.ready) return `${VERDICT_SYMBOL[s.verdict]} not started`;
  const v = s.subject?.state === 'published' ? `${s.subject.version} (${s.subject.ageDays} d)` : s.subject ? `${s.subject.version} ${s.subject.state}` : '';
  const word = s.ready ? (s.verdict === 'waived' ? 'ready, waived' : 'ready') : s.verdict;
  return `${VERDICT_SYMBOL[s.verdict]} ${word}${v ? ` — ${v}` : ''}`;
}

/**
 * The checks a reader must act on, across every stage. A stage nothing was tried for yet
 * (no subject) shows only what blocks starting it (reached, dependencies): its unknowns all
 * have the same fix, promote, and would only repeat it.
 */
export function openChecks(p: PackageReadiness, verdict: 'blocked' | 'unknown'): CheckResult[] {
  const started = (s: StageVersions) => Boolean(s.subject) || s.stage === undefined;
  const stageChecks = p.stages.flatMap((s) => (started(s) ? s.checks : s.checks.filter((c) => c.check === 'reached' || c.check === 'dependencies')));
  // MIR items that wait on the release stage's upload say nothing new while it is not started.
  const release = p.stages.find((s) => s.stage === p.checks[0]?.stage);
  const mir = (p.mir?.items ?? []).filter((c) => !release || started(release) || !c.fix?.startsWith('pipeline promote'));
  return [...stageChecks, ...mir].filter((c) => c.verdict === verdict);
}

function actionLines(c: CheckResult, indent: string): string[] {
  return [
    ...(c.fix ? [`${indent}fix: ${c.fix}`] : []),
    ...(c.todo ? [`${indent}to do: ${c.todo}`] : []),
  ];
}

function checkLines(c: CheckResult, indent: string): string[] {
  const head = `${indent}${VERDICT_SYMBOL[c.verdict]} ${c.verdict.padEnd(7)} ${c.title}${c.reason ? ` — ${c.reason}` : ''}`;
  const lines = [head];
  if (c.waiver) lines.push(`${indent}            waived by ${c.waiver.by}: ${c.waiver.reason}`);
  if (c.verdict === 'blocked' || c.verdict === 'unknown') lines.push(...actionLines(c, `${indent}            `));
  if (c.artifactSha256) lines.push(`${indent}            artifact: source ${short(c.artifactSha256)}`);
  return lines;
}

/** "the freezes of forky (uploads to trixie)" when the gates follow another series than the stage uploads to. */
function scheduleLabel(r: ReadinessReport): string {
  return r.scheduleSeries && r.scheduleSeries !== r.release ? `${scheduleLine(r)} — the freeze gates follow ${r.scheduleSeries}; the stage uploads to ${r.release}` : scheduleLine(r);
}

export function renderText(r: ReadinessReport): string {
  const out: string[] = [
    `Readiness for ${releaseName(r)} — stage ${r.stage} — evaluated at ${r.now.slice(0, 16).replace('T', ' ')} UTC: ${r.overall.verdict.toUpperCase()}`,
    `  ${r.overall.summary}`,
    `  schedule: ${scheduleLabel(r)}`,
    ...r.notes.map((n) => `  note: ${n}`),
  ];
  const stages = r.packages[0]?.stages.map((s) => s.stage) ?? [];
  if (r.packages.length) {
    const rows = r.packages.map((p) => [`${p.package} ${p.version ?? '?'}`, ...p.stages.map(stageCell)]);
    const head = ['', ...stages.map((s) => (s === r.stage ? `${s} (release)` : s))];
    const widths = head.map((h, i) => Math.max([...h].length, ...rows.map((row) => [...row[i]!].length)));
    const line = (cells: string[]) => `  ${cells.map((c, i) => c + ' '.repeat(Math.max(0, widths[i]! - [...c].length))).join('  ').trimEnd()}`;
    out.push('', line(head), ...rows.map(line));
  }
  for (const [verdict, title] of [['blocked', 'Blocked'], ['unknown', 'Not known yet']] as const) {
    const items = r.packages.flatMap((p) => openChecks(p, verdict).map((c) => ({ p, c })));
    if (!items.length) continue;
    out.push('', `${title}:`);
    for (const { p, c } of items) out.push(`  ${VERDICT_SYMBOL[c.verdict]} ${p.package} → ${c.stage ?? r.stage}: ${c.title} — ${c.reason ?? c.verdict}`, ...actionLines(c, '      '));
  }
  const runs = r.packages.flatMap((p) => p.openRuns.map((x) => ({ p, x })));
  if (runs.length) {
    out.push('', 'Runs that did not finish:');
    for (const { p, x } of runs) out.push(`  ${p.package}: run ${x.runId} (${x.command}) ${x.state}${x.step ? ` in ${x.step}` : ''}${x.error ? `: ${x.error}` : ''}`, ...(x.continueWith ? [`      continue: ${x.continueWith}`] : []), `      abandon: ${x.abandonWith}`);
  }
  for (const p of r.packages) {
    out.push('', `${VERDICT_SYMBOL[p.verdict]} ${p.package} ${p.version ?? '?'} (upstream ${p.upstreamVersion}) — ${p.verdict} — reached: ${p.reachedStage ?? 'none'}`);
    out.push(`    versions: ${p.stages.map((s) => `${s.stage} ${s.published ?? '—'}${s.built && s.built !== s.published ? ` (built ${s.built}${s.buildStatus === 'failed' ? ', failed' : ''})` : ''}${stageGitText(s, p.package)}`).join(', ')}`);
    if (p.depends.length) out.push(`    depends on: ${p.depends.join(', ')}`);
    out.push(...debdiffLines(p.stages).map((l) => `    debdiff ${l}`));
    const subject = p.stages.find((s) => s.stage === r.stage)?.subject;
    if (subject) out.push(`    judged: ${subject.dsc ?? `${p.package} ${subject.version}`} (${subject.state}; source ${short(subject.sourceId) || '?'}${subject.dscSha256 ? `, file sha256 ${short(subject.dscSha256)}` : ''})`);
    for (const c of p.checks) out.push(...checkLines(c, '    '));
    if (p.mir) {
      out.push(`    MIR checklist (${p.mir.team ? `team ${p.mir.team}` : 'no team'}): ${p.mir.verdict}`);
      for (const c of p.mir.items) out.push(...checkLines(c, '      '));
    }
  }
  return `${out.join('\n')}\n`;
}

const mdCell = (s: string | undefined) => (s ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');
const mdVerdict = (v: string) => `${VERDICT_SYMBOL[v as keyof typeof VERDICT_SYMBOL]} **${v}**`;

export function renderMarkdown(r: ReadinessReport): string {
  const stages = r.packages[0]?.stages.map((s) => s.stage) ?? [];
  const out: string[] = [
    `# Readiness for ${releaseName(r)}: ${r.overall.verdict}`,
    '',
    `${r.overall.summary}. Release stage **${r.stage}** (${r.profile} profile), evaluated at ${r.now.slice(0, 16).replace('T', ' ')} UTC.`,
    '',
    `Schedule: ${scheduleLabel(r)}.`,
    '',
    ...r.notes.map((n) => `- ${mdCell(n)}`),
    '',
    `| Package | Version | ${stages.map((s) => (s === r.stage ? `${s} (release)` : s)).join(' | ')} | Freeze |`,
    `|---|---|${stages.map(() => '---|').join('')}---|`,
    ...r.packages.map((p) => `| ${p.package} | ${p.version ?? '?'} | ${p.stages.map((s) => mdCell(stageCell(s))).join(' | ')} | ${mdCell(freezeLine(p) ?? '—')} |`),
  ];
  for (const [verdict, title] of [['blocked', 'Blocked'], ['unknown', 'Not known yet']] as const) {
    const items = r.packages.flatMap((p) => openChecks(p, verdict).map((c) => ({ p, c })));
    if (!items.length) continue;
    out.push('', `## ${title}`, '', '| Package | Stage | Check | Why | Fix |', '|---|---|---|---|---|');
    for (const { p, c } of items) out.push(`| ${p.package} | ${c.stage ?? r.stage} | ${mdCell(c.title)} | ${mdCell(c.reason)} | ${c.fix ? `\`${mdCell(c.fix)}\`` : ''}${c.todo ? `${c.fix ? '<br>' : ''}to do: ${mdCell(c.todo)}` : ''} |`);
  }
  const runs = r.packages.flatMap((p) => p.openRuns.map((x) => ({ p, x })));
  if (runs.length) {
    out.push('', '## Runs that did not finish', '', '| Package | Run | State | Continue | Abandon |', '|---|---|---|---|---|');
    for (const { p, x } of runs) out.push(`| ${p.package} | ${x.runId} (${x.command}) | ${mdCell(`${x.state}${x.step ? ` in ${x.step}` : ''}${x.error ? `: ${x.error}` : ''}`)} | ${x.continueWith ? `\`${x.continueWith}\`` : '—'} | \`${x.abandonWith}\` |`);
  }
  if (r.schedule) {
    out.push('', `## Schedule of ${r.schedule.series}${r.schedule.series !== r.release ? ` (the freeze gates' series; the stage uploads to ${r.release})` : ''}`, '', '| Milestone | Date | When |', '|---|---|---|');
    for (const row of r.schedule.rows) out.push(`| ${row.past ? '✓ ' : row.next ? '→ ' : ''}${mdCell(milestoneTitle(row))}${row.unverified ? ' (unverified)' : ''} | ${row.date}${row.name === 'opened' || row.name === 'Release' ? '' : ' 21:00 UTC'} | ${daysText(row.daysLeft)} |`);
  }
  for (const p of r.packages) {
    out.push('', `## ${p.package} ${p.version ?? ''} — ${mdVerdict(p.verdict)}`, '');
    out.push(`Upstream ${p.upstreamVersion}; reached: ${p.reachedStage ?? 'none'}${p.depends.length ? `; depends on ${p.depends.join(', ')}` : ''}.`, '');
    out.push('| Stage | Series | Verdict | Judged | Age | Source identity | .dsc sha256 |', '|---|---|---|---|---|---|---|');
    for (const s of p.stages) {
      const j = s.subject;
      out.push(`| ${s.stage} | ${s.series} | ${mdVerdict(s.verdict)} | ${j ? `${j.version} (${j.state})` : '—'}${mdCell(stageGitText(s, p.package))} | ${j?.ageDays !== undefined ? `${j.ageDays} d` : '—'} | ${short(j?.sourceId) || '—'} | ${short(j?.dscSha256) || '—'} |`);
    }
    const debdiffs = debdiffLines(p.stages);
    if (debdiffs.length) out.push('', ...debdiffs.map((l) => `- debdiff ${l}`));
    out.push('', `Checks for ${r.stage}:`, '', '| Check | Verdict | Why | Fix | Artifact |', '|---|---|---|---|---|');
    const rows = [...p.checks, ...(p.mir?.items ?? [])];
    for (const c of rows) {
      const why = c.waiver ? `${c.reason ?? ''} (waived by ${c.waiver.by}: ${c.waiver.reason})` : c.reason;
      const open = c.verdict === 'blocked' || c.verdict === 'unknown';
      const fix = open ? `${c.fix ? `\`${mdCell(c.fix)}\`` : ''}${c.todo ? `${c.fix ? '<br>' : ''}to do: ${mdCell(c.todo)}` : ''}` : '';
      out.push(`| ${mdCell(c.title)} | ${mdVerdict(c.verdict)} | ${mdCell(why)} | ${fix} | ${short(c.artifactSha256)} |`);
    }
  }
  return `${out.join('\n')}\n`;
}
