/** Text rendering of schedules and the series overview (`pipeline schedule`). */
import { daysText } from './freezeGate.js';
import { milestoneTitle, type ScheduleStatus } from './milestones.js';
import type { SeriesOverview } from './resolve.js';

export function renderOverviewText(o: SeriesOverview): string {
  const vendor = o.vendor === 'ubuntu' ? 'Ubuntu' : 'Debian';
  const d = o.distroInfo.devel;
  const l = o.distroInfo.latestLts;
  const lines = [
    `${vendor} series on ${o.now.slice(0, 10)}`,
    `  development series: ${d.found ? `${d.series.series} (${d.series.version}) — ${d.how}` : d.reason}`,
    `  latest LTS:         ${l.found ? `${l.series.series} (${l.series.version}) — ${l.how}` : l.reason}`,
    `  devel stage:        ${o.develNote}`,
    `  stages:             ${o.stages.map((s) => `${s.stage} → ${s.series}${s.version ? ` (${s.version})` : ''}`).join(', ')}`,
  ];
  return lines.join('\n');
}

export function renderScheduleText(s: ScheduleStatus): string {
  const vendor = s.vendor === 'ubuntu' ? 'Ubuntu' : 'Debian';
  const head = `${vendor} ${s.version} "${s.series}"${s.provisional ? ' — PROVISIONAL schedule' : ''}${s.source ? `\n  source: ${s.source}` : ''}`;
  const width = Math.max(...s.rows.map((r) => milestoneTitle(r).length));
  const rows = s.rows.map((r) => {
    const mark = r.past ? '✓' : r.next ? '→' : ' ';
    const time = r.name === 'opened' || r.name === 'Release' ? '         ' : `${r.at.slice(11, 16)} UTC`;
    const flag = r.unverified ? '  (date unverified)' : '';
    return `  ${mark} ${r.date} ${time}  ${milestoneTitle(r).padEnd(width)}  ${daysText(r.daysLeft).padEnd(13)}${flag}`.trimEnd();
  });
  const phase = s.phase === 'not-open' ? 'not open yet'
    : s.phase === 'open' ? 'open for development'
    : s.phase === 'Release' ? 'released'
    : `in ${s.phase}`;
  const next = s.next ? `; next: ${milestoneTitle(s.next)} on ${s.next.date} (${daysText(s.next.daysLeft)})` : '';
  return [head, ...rows, `  now (${s.now.slice(0, 16).replace('T', ' ')} UTC): ${phase}${next}`].join('\n');
}
