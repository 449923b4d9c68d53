/**
 * The readiness report as one self-contained HTML page: inline CSS (screen and print), no
 * scripts, no external fetches (a Content-Security-Policy forbids them), readable on a screen and
 * on paper, with a timeline of the release schedule against today.
 */
import { daysText } from '../schedule/freezeGate.js';
import { milestoneTitle, type ScheduleStatus } from '../schedule/milestones.js';
import type { CheckResult, PackageReadiness, ReadinessReport, ReportVerdict } from './model.js';
import { freezeLine, openChecks, releaseName, scheduleLine, stageCell } from './render.js';
import { stageGitText } from '../git/provenance.js';
import { debdiffLines } from './debdiff.js';

const esc = (s: string | undefined) =>
  (s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const badge = (v: ReportVerdict | 'ready' | 'not ready') =>
  `<span class="badge v-${v.replace(' ', '-')}">${esc(v)}</span>`;

const CSS = `
:root { --pass:#1a7f37; --waived:#9a6700; --blocked:#cf222e; --unknown:#57606a; --ink:#1f2328; --muted:#57606a; --line:#d0d7de; --bg:#f6f8fa; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: var(--ink); margin: 0 auto; max-width: 1180px; padding: 24px; }
h1 { font-size: 1.6em; margin: 0 0 4px; } h2 { font-size: 1.25em; margin: 0; } h3 { font-size: 1em; margin: 14px 0 6px; }
.sub { color: var(--muted); margin: 0 0 16px; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: .82em; font-weight: 600; color: #fff; text-transform: uppercase; letter-spacing: .03em; white-space: nowrap; }
.v-pass, .v-ready { background: var(--pass); } .v-waived { background: var(--waived); } .v-blocked, .v-not-ready { background: var(--blocked); } .v-unknown { background: var(--unknown); }
.overall { border: 1px solid var(--line); border-left: 6px solid var(--blocked); background: var(--bg); padding: 12px 16px; border-radius: 6px; margin: 12px 0 20px; }
.overall.ready { border-left-color: var(--pass); }
.overall p { margin: 4px 0; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 10px; font-size: .93em; }
th, td { text-align: left; vertical-align: top; padding: 5px 8px; border-bottom: 1px solid var(--line); }
th { background: var(--bg); font-weight: 600; }
td.sha, code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: .9em; }
code { background: var(--bg); padding: 1px 4px; border-radius: 4px; word-break: break-word; }
section.pkg { border: 1px solid var(--line); border-radius: 6px; padding: 12px 16px; margin: 16px 0; break-inside: avoid-page; }
section.pkg header { display: flex; gap: 12px; align-items: baseline; flex-wrap: wrap; }
.muted { color: var(--muted); }
.notes { margin: 6px 0 0; padding-left: 18px; color: var(--muted); }
.timeline { position: relative; height: 216px; margin: 18px 70px 4px; }
.timeline .bar { position: absolute; top: 92px; left: 0; right: 0; height: 6px; background: var(--line); border-radius: 3px; }
.timeline .done { position: absolute; top: 92px; left: 0; height: 6px; background: #8c959f; border-radius: 3px; }
.timeline .ms { position: absolute; top: 0; width: 0; }
.timeline .ms .dot { position: absolute; top: 88px; left: -7px; width: 14px; height: 14px; border-radius: 50%; background: #fff; border: 3px solid var(--ink); }
.timeline .ms.past .dot { background: var(--ink); }
.timeline .ms .lbl { position: absolute; left: 0; width: 150px; transform: translateX(-50%); font-size: .76em; text-align: center; line-height: 1.25; }
.timeline .ms.up .lbl { top: 0; height: 80px; display: flex; flex-direction: column; justify-content: flex-end; }
.timeline .ms.down .lbl { top: 110px; }
.timeline .ms.next .dot { border-color: var(--blocked); }
.timeline .today { position: absolute; top: 80px; width: 0; height: 116px; border-left: 2px dashed var(--blocked); }
.timeline .today span { position: absolute; top: 114px; left: 6px; font-size: .76em; font-weight: 700; color: var(--blocked); white-space: nowrap; background: #fff; padding: 0 3px; }
.timeline .today.right span { left: auto; right: 6px; } .timeline .today.left span { left: 6px; }
.small { font-size: .82em; margin: 0 0 14px; }
table.open.blocked td:first-child { border-left: 4px solid var(--blocked); } table.open.unknown td:first-child { border-left: 4px solid var(--unknown); }
.todo { color: var(--muted); font-style: italic; } td.stage { white-space: nowrap; }
table.checks { table-layout: fixed; } table.checks col.c1 { width: 19%; } table.checks col.c2 { width: 10%; } table.checks col.c3 { width: 41%; } table.checks col.c4 { width: 21%; } table.checks col.c5 { width: 9%; }
footer { margin-top: 24px; color: var(--muted); font-size: .85em; }
@media print {
  body { font-size: 10pt; max-width: none; padding: 0; }
  .badge, .overall, .timeline * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  section.pkg { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  a { color: inherit; text-decoration: none; }
  @page { size: A4; margin: 14mm; }
}
`;

/**
 * The milestones as evenly spaced stops (a schedule spans months between some milestones and
 * days between others: to scale, the labels would overlap), with today placed proportionally
 * inside the interval it falls in.
 */
function timeline(s: ScheduleStatus, now: string): string {
  const rows = s.rows;
  const n = rows.length;
  const pos = (i: number) => (n === 1 ? 50 : (i / (n - 1)) * 100);
  const t = (d: string) => Date.parse(`${d}T00:00:00Z`);
  const nowMs = Date.parse(now);
  let todayPct: number;
  let where = '';
  if (nowMs < t(rows[0]!.date)) { todayPct = 0; where = 'before the series opened'; }
  else if (nowMs >= t(rows[n - 1]!.date)) { todayPct = 100; where = 'after the release'; }
  else {
    const i = rows.findIndex((r, k) => k < n - 1 && nowMs >= t(r.date) && nowMs < t(rows[k + 1]!.date));
    const a = t(rows[i]!.date);
    const b = t(rows[i + 1]!.date);
    todayPct = pos(i) + ((nowMs - a) / Math.max(b - a, 1)) * (pos(i + 1) - pos(i));
  }
  const marks = rows.map((r, i) => {
    const cls = ['ms', r.past ? 'past' : '', r.next ? 'next' : '', i % 2 ? 'down' : 'up', i === 0 ? 'first' : '', i === n - 1 ? 'last' : ''].filter(Boolean).join(' ');
    const when = r.name === 'opened' || r.name === 'Release' ? r.date : `${r.date} 21:00 UTC`;
    return `<div class="${cls}" style="left:${pos(i).toFixed(2)}%"><div class="dot" title="${esc(r.meaning)}"></div>` +
      `<div class="lbl"><b>${esc(r.label ?? r.name)}</b>${r.unverified ? '*' : ''}${r.label ? `<br><span class="muted">${esc(r.name)}</span>` : ''}<br>${esc(when)}<br><span class="muted">${esc(daysText(r.daysLeft))}</span></div></div>`;
  }).join('');
  const side = todayPct > 85 ? ' right' : todayPct < 15 ? ' left' : '';
  const today = `<div class="today${side}" style="left:${todayPct.toFixed(2)}%"><span>today ${esc(now.slice(0, 10))}${where ? ` (${where})` : ''}</span></div>`;
  return `<div class="timeline" role="img" aria-label="schedule of ${esc(s.series)} against today">` +
    `<div class="bar"></div><div class="done" style="width:${todayPct.toFixed(2)}%"></div>${marks}${today}</div>` +
    '<p class="muted small">Milestones evenly spaced (not to scale); filled: in effect. Freezes take effect at 21:00 UTC.</p>';
}

/** The fix (a command) and the to-do (an edit) of an open check. */
function actionCell(c: CheckResult): string {
  if (c.verdict !== 'blocked' && c.verdict !== 'unknown') return '';
  return [c.fix ? `<code>${esc(c.fix)}</code>` : '', c.todo ? `<span class="todo">to do: ${esc(c.todo)}</span>` : ''].filter(Boolean).join('<br>');
}

/** Blocked checks, or unknown ones, of every package and stage, each with its fix: what a reader acts on. */
function openTable(r: ReadinessReport, verdict: 'blocked' | 'unknown', title: string): string {
  const rows = r.packages.flatMap((p) => openChecks(p, verdict).map((c) =>
    `<tr data-package="${esc(p.package)}" data-check="${esc(c.check)}" data-stage="${esc(c.stage ?? r.stage)}"><td>${esc(p.package)}</td><td>${esc(c.stage ?? r.stage)}</td><td>${esc(c.title)}</td><td>${esc(c.reason)}</td><td>${actionCell(c)}</td></tr>`));
  if (!rows.length) return '';
  return `<h2 id="${verdict}">${esc(title)} (${rows.length})</h2><table class="open ${verdict}"><thead><tr><th>Package</th><th>Stage</th><th>Check</th><th>Why</th><th>Fix</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function runsTable(r: ReadinessReport): string {
  const rows = r.packages.flatMap((p) => p.openRuns.map((x) =>
    `<tr data-run="${esc(x.runId)}"><td>${esc(p.package)}</td><td>${esc(x.runId)} <span class="muted">(${esc(x.command)})</span></td><td>${esc(`${x.state}${x.step ? ` in ${x.step}` : ''}${x.error ? `: ${x.error}` : ''}`)}</td><td>${x.continueWith ? `<code>${esc(x.continueWith)}</code>` : '—'}</td><td><code>${esc(x.abandonWith)}</code></td></tr>`));
  if (!rows.length) return '';
  return `<h2 id="runs">Runs that did not finish</h2><table><thead><tr><th>Package</th><th>Run</th><th>State</th><th>Continue</th><th>Abandon</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function checkRow(c: CheckResult): string {
  const why = esc(c.reason) + (c.waiver ? `<br><span class="muted">waived by ${esc(c.waiver.by)}: ${esc(c.waiver.reason)}</span>` : '');
  const fix = actionCell(c);
  return `<tr class="check" data-check="${esc(c.check)}" data-verdict="${c.verdict}"><td>${esc(c.title)}</td><td>${badge(c.verdict)}</td><td>${why}</td><td>${fix}</td>` +
    `<td class="sha">${c.artifactSha256 ? `<span title="${esc(c.artifactSha256)}">${esc(c.artifactSha256.slice(0, 12))}</span>` : ''}</td></tr>`;
}

/** The stages' debdiff summaries (report/debdiff.ts), one item each. */
function debdiffList(p: PackageReadiness): string {
  const lines = debdiffLines(p.stages);
  return lines.length ? `<ul class="debdiff">${lines.map((l) => `<li>debdiff ${esc(l)}</li>`).join('')}</ul>` : '';
}

function packageSection(p: PackageReadiness): string {
  const stages = p.stages.map((s) => `<tr data-stage="${esc(s.stage)}" data-verdict="${s.verdict}"><td>${esc(s.stage)}</td><td>${esc(s.series)} <span class="muted">(${esc(s.suite)})</span></td>` +
    `<td>${badge(s.verdict)}</td><td>${esc(s.subject ? `${s.subject.version} (${s.subject.state})` : '—')}${s.git ? ` <span class="muted" title="${esc(s.git.commit)}">${esc(stageGitText(s, p.package))}</span>` : ''}</td><td>${esc(s.subject?.ageDays !== undefined ? `${s.subject.ageDays} d` : '—')}</td>` +
    `<td class="sha">${s.subject?.sourceId ? `<span title="${esc(s.subject.sourceId)}">${esc(s.subject.sourceId.slice(0, 12))}</span>` : '—'}</td>` +
    `<td class="sha">${esc(s.subject?.dscSha256 ? s.subject.dscSha256.slice(0, 12) : '—')}</td></tr>`).join('');
  const head = '<colgroup><col class="c1"><col class="c2"><col class="c3"><col class="c4"><col class="c5"></colgroup><thead><tr><th>Check</th><th>Verdict</th><th>Why</th><th>Fix</th><th>Artifact</th></tr></thead>';
  const mir = p.mir
    ? `<h3>MIR checklist ${badge(p.mir.verdict)} <span class="muted">${esc(p.mir.team ? `owning team: ${p.mir.team}` : 'no owning team')}</span></h3><table class="checks">${head}<tbody>${p.mir.items.map(checkRow).join('')}</tbody></table>`
    : '';
  return `<section class="pkg" id="pkg-${esc(p.package)}" data-package="${esc(p.package)}" data-verdict="${p.verdict}">` +
    `<header><h2>${esc(p.package)} <span class="muted">${esc(p.version ?? '')}</span></h2>${badge(p.verdict)}` +
    `<span class="muted">upstream ${esc(p.upstreamVersion)} · reached: ${esc(p.reachedStage ?? 'none')}${p.depends.length ? ` · depends on ${esc(p.depends.join(', '))}` : ''}</span></header>` +
    `<h3>Stages</h3><table><thead><tr><th>Stage</th><th>Series</th><th>Verdict</th><th>Judged</th><th>Age</th><th>Source identity</th><th>.dsc sha256</th></tr></thead><tbody>${stages}</tbody></table>${debdiffList(p)}` +
    `<h3>Checks for the release stage</h3><table class="checks">${head}<tbody>${p.checks.map(checkRow).join('')}</tbody></table>${mir}</section>`;
}

export function renderHtml(r: ReadinessReport): string {
  const title = `Readiness for ${releaseName(r)}: ${r.overall.verdict}`;
  const stageNames = r.packages[0]?.stages.map((s) => s.stage) ?? [];
  const summary = r.packages.map((p) => `<tr data-package="${esc(p.package)}"><td><a href="#pkg-${esc(p.package)}">${esc(p.package)}</a></td><td>${esc(p.version ?? '?')}</td>` +
    `<td>${badge(p.verdict)}</td>${p.stages.map((s) => `<td class="stage" data-stage="${esc(s.stage)}" data-verdict="${s.verdict}">${esc(stageCell(s))}</td>`).join('')}<td>${esc(freezeLine(p) ?? '—')}</td></tr>`).join('');
  const scheduleTitle = r.schedule
    ? `Schedule of ${esc(r.schedule.series)}${r.schedule.series !== r.release ? ` <span class="muted">— the series whose freezes the ${esc(r.stage)} gates apply; the stage uploads to ${esc(r.release)}</span>` : ` <span class="muted">— the series the ${esc(r.stage)} stage uploads to</span>`}`
    : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<h1>Readiness for ${esc(releaseName(r))}</h1>
<p class="sub">${esc(r.vendor === 'ubuntu' ? 'Ubuntu' : 'Debian')} · ${esc(r.profile)} profile · stage <b>${esc(r.stage)}</b> · evaluated at ${esc(r.now.slice(0, 16).replace('T', ' '))} UTC</p>
<div class="overall${r.overall.ready ? ' ready' : ''}" id="overall" data-verdict="${esc(r.overall.verdict)}">
<p>${badge(r.overall.verdict)} <b>${esc(r.overall.summary)}</b></p>
<p>Schedule: ${esc(scheduleLine(r))}</p>
${r.notes.length ? `<ul class="notes">${r.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : ''}
</div>
<table id="summary"><thead><tr><th>Package</th><th>Version</th><th>Verdict (${esc(r.stage)})</th>${stageNames.map((s) => `<th>${esc(s)}</th>`).join('')}<th>Freeze</th></tr></thead><tbody>${summary}</tbody></table>
${openTable(r, 'blocked', 'Blocked')}
${openTable(r, 'unknown', 'Not known yet')}
${runsTable(r)}
${r.schedule ? `<h2 id="schedule">${scheduleTitle}</h2>${timeline(r.schedule, r.now)}${r.schedule.rows.some((x) => x.unverified) ? '<p class="muted">* date not confirmed against the published schedule</p>' : ''}` : ''}
<h2>Packages</h2>
${r.packages.map(packageSection).join('\n')}
<footer>Generated ${esc(r.generatedAt)} by pipeline. Verdicts: pass, waived (with who and why), blocked (with the fix), unknown (not run yet, or run on another artifact).</footer>
</body>
</html>
`;
}
