/**
 * Renderings of a lint result: human text grouped by file, and lintian's own hint lines
 * (`W: zookeeper source: TAG DETAIL [FILE:LINE]`) so tools and eyes trained on lintian read it as is.
 * (--json is the LintRecord itself.)
 */
import type { Finding, LintRecord } from '../state/records.js';
import { SEVERITY_CODE, compareFindings, hintContext } from './check.js';

export interface FormatOptions {
  /** Also show findings silenced by lintian-overrides (lintian's --show-overrides). */
  showOverridden?: boolean;
}

/** lintian's hint line for one finding (`O:` for an overridden one, as lintian --show-overrides). */
export function lintianLine(pkg: string, f: Finding): string {
  const code = f.overridden ? 'O' : SEVERITY_CODE[f.severity];
  const context = hintContext(f);
  return `${code}: ${pkg} source: ${f.tag}${context ? ` ${context}` : ''}`;
}

export function formatLintian(record: LintRecord, options: FormatOptions = {}): string {
  const lines = [...record.findings]
    .filter((f) => options.showOverridden || !f.overridden)
    .sort(lintianOrder)
    .map((f) => lintianLine(record.package, f));
  // lintian's N: lines are comments to its readers: the count of what the per-tag limit left out.
  for (const o of omittedShown(record, options)) lines.push(`N: ${o.count} more ${o.tag}${o.overridden ? ' (overridden)' : ''} not shown (--json has the count)`);
  return lines.join('\n');
}

function omittedShown(record: LintRecord, options: FormatOptions) {
  return (record.omitted ?? []).filter((o) => options.showOverridden || !o.overridden);
}

/** lintian sorts by severity, then tag, then context. */
function lintianOrder(a: Finding, b: Finding): number {
  const rank = (f: Finding) => (f.overridden ? 9 : 'EWIP'.indexOf(SEVERITY_CODE[f.severity]));
  return rank(a) - rank(b) || a.tag.localeCompare(b.tag) || hintContext(a).localeCompare(hintContext(b));
}

export function formatHuman(record: LintRecord, options: FormatOptions = {}): string {
  const shown = record.findings.filter((f) => options.showOverridden || !f.overridden);
  const byFile = new Map<string, Finding[]>();
  for (const f of [...shown].sort(compareFindings)) {
    const key = f.file ?? '(package)';
    const list = byFile.get(key) ?? [];
    list.push(f);
    byFile.set(key, list);
  }
  const lines: string[] = [];
  for (const [file, list] of byFile) {
    lines.push(file);
    const width = Math.max(...list.map((f) => String(f.line ?? '').length));
    for (const f of list) {
      const where = f.line ? `${String(f.line).padStart(width)}: ` : width ? ' '.repeat(width + 2) : '';
      const extra = [f.overridden ? '(overridden)' : '', f.source === 'lintian' ? '(lintian)' : ''].filter(Boolean).join(' ');
      lines.push(`  ${where}${SEVERITY_CODE[f.severity]} ${f.tag}${f.detail ? ` ${f.detail}` : ''}${extra ? ` ${extra}` : ''}`);
    }
  }
  for (const o of omittedShown(record, options)) lines.push(`(${o.count} more ${SEVERITY_CODE[o.severity]} ${o.tag}${o.overridden ? ' (overridden)' : ''} not shown; --json has the count)`);
  const counts = summaryCounts(record);
  const as = record.version ? ` ${record.version}${record.stage ? ` (as the ${record.stage} stage uploads it)` : ''}` : '';
  const summary = `${record.package}${as}: ${record.filesChecked} files checked; ${counts}`;
  const gate = record.gate.verdict === 'blocked' ? `gate ${record.gate.gate}: BLOCKED — ${record.gate.reason}` : `gate ${record.gate.gate}: ${record.gate.verdict}${record.gate.reason ? ` — ${record.gate.reason}` : ''}`;
  return [...lines, lines.length ? '' : 'no findings', summary, gate].join('\n');
}

function summaryCounts(record: LintRecord): string {
  const omitted = record.omitted ?? [];
  const n = (pred: (f: Pick<Finding, 'overridden' | 'severity'>) => boolean) =>
    record.findings.filter(pred).length + omitted.filter(pred).reduce((sum, o) => sum + o.count, 0);
  const parts = [
    `${n((f) => !f.overridden && f.severity === 'error')} errors`,
    `${n((f) => !f.overridden && f.severity === 'warning')} warnings`,
    `${n((f) => !f.overridden && f.severity === 'info')} info`,
    `${n((f) => !f.overridden && f.severity === 'pedantic')} pedantic`,
  ];
  const overridden = n((f) => Boolean(f.overridden));
  if (overridden) parts.push(`${overridden} overridden`);
  return parts.join(', ');
}
