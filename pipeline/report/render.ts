/** Text (terminal), Markdown and JSON renderings of a ReadinessReport: the same facts in each. */
import { daysText } from '../schedule/freezeGate.js';
import { milestoneTitle } from '../schedule/milestones.js';
import { VERDICT_SYMBOL, type CheckResult, type PackageReadiness, type ReadinessReport } from './model.js';

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
  return `${r.release} ${phase}${next}${s.provisional ? ' [provisional schedule]' : ''}`;
}

export function freezeLine(p: PackageReadiness): string | undefined {
  const f = p.freeze;
  if (!f) return undefined;
  const next = f.next ? `, ${f.next.milestone} ${daysText(f.next.daysLeft)}` : '';
  return `${f.verdict} (${f.series}: ${f.phase}${next})`;
}

function versionsLine(p: PackageReadiness): string {
  return p.stages.map((s) => `${s.stage} ${s.published ?? '—'}${s.built && s.built !== s.published ? ` (built ${s.built}${s.buildStatus === 'failed' ? ', failed' : ''})` : ''}`).join(', ');
}

function checkLines(c: CheckResult, indent: string): string[] {
  const head = `${indent}${VERDICT_SYMBOL[c.verdict]} ${c.verdict.padEnd(7)} ${c.title}${c.reason ? ` — ${c.reason}` : ''}`;
  const lines = [head];
  if (c.waiver) lines.push(`${indent}            waived by ${c.waiver.by}: ${c.waiver.reason}`);
  if (c.fix && (c.verdict === 'blocked' || c.verdict === 'unknown')) lines.push(`${indent}            fix: ${c.fix}`);
  if (c.artifactSha256) lines.push(`${indent}            artifact: sha256 ${short(c.artifactSha256)}`);
  return lines;
}

export function renderText(r: ReadinessReport): string {
  const out: string[] = [
    `Readiness for ${releaseName(r)} — stage ${r.stage} — evaluated at ${r.now.slice(0, 16).replace('T', ' ')} UTC: ${r.overall.verdict.toUpperCase()}`,
    `  ${r.overall.summary}`,
    `  schedule: ${scheduleLine(r)}`,
    ...r.notes.map((n) => `  note: ${n}`),
  ];
  for (const p of r.packages) {
    out.push('', `${VERDICT_SYMBOL[p.verdict]} ${p.package} ${p.version ?? '?'} (upstream ${p.upstreamVersion}) — ${p.verdict} — reached: ${p.reachedStage ?? 'none'}`);
    out.push(`    versions: ${versionsLine(p)}`);
    if (p.depends.length) out.push(`    depends on: ${p.depends.join(', ')}`);
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
  const out: string[] = [
    `# Readiness for ${releaseName(r)}: ${r.overall.verdict}`,
    '',
    `${r.overall.summary}. Stage **${r.stage}** (${r.profile} profile), evaluated at ${r.now.slice(0, 16).replace('T', ' ')} UTC.`,
    '',
    `Schedule: ${scheduleLine(r)}.`,
    '',
    ...r.notes.map((n) => `- ${mdCell(n)}`),
    '',
    '| Package | Version | Reached | Verdict | Freeze | Blockers |',
    '|---|---|---|---|---|---|',
    ...r.packages.map((p) => `| ${p.package} | ${p.version ?? '?'} | ${p.reachedStage ?? '—'} | ${mdVerdict(p.verdict)} | ${mdCell(freezeLine(p) ?? '—')} | ${p.blockers.length ? mdCell(p.blockers.map((b) => b.check).join(', ')) : '—'} |`),
  ];
  if (r.schedule) {
    out.push('', `## Schedule of ${r.release}`, '', '| Milestone | Date | When |', '|---|---|---|');
    for (const row of r.schedule.rows) out.push(`| ${row.past ? '✓ ' : row.next ? '→ ' : ''}${mdCell(milestoneTitle(row))}${row.unverified ? ' (unverified)' : ''} | ${row.date}${row.name === 'opened' || row.name === 'Release' ? '' : ' 21:00 UTC'} | ${daysText(row.daysLeft)} |`);
  }
  for (const p of r.packages) {
    out.push('', `## ${p.package} ${p.version ?? ''} — ${mdVerdict(p.verdict)}`, '');
    out.push(`Upstream ${p.upstreamVersion}; reached: ${p.reachedStage ?? 'none'}${p.depends.length ? `; depends on ${p.depends.join(', ')}` : ''}.`, '');
    out.push('| Stage | Series | Published | Built | .dsc sha256 |', '|---|---|---|---|---|');
    for (const s of p.stages) out.push(`| ${s.stage} | ${s.series} | ${s.published ?? '—'} | ${s.built ? `${s.built}${s.buildStatus === 'failed' ? ' (failed)' : ''}` : '—'} | ${short(s.dscSha256) || '—'} |`);
    out.push('', '| Check | Verdict | Why | Fix | Artifact |', '|---|---|---|---|---|');
    const rows = [...p.checks, ...(p.mir?.items ?? [])];
    for (const c of rows) {
      const why = c.waiver ? `${c.reason ?? ''} (waived by ${c.waiver.by}: ${c.waiver.reason})` : c.reason;
      const fix = c.verdict === 'blocked' || c.verdict === 'unknown' ? (c.fix ? `\`${mdCell(c.fix)}\`` : '') : '';
      out.push(`| ${mdCell(c.title)} | ${mdVerdict(c.verdict)} | ${mdCell(why)} | ${fix} | ${short(c.artifactSha256)} |`);
    }
  }
  return `${out.join('\n')}\n`;
}
