/** Release-readiness reports: collect the facts once, render them as text, Markdown, JSON or HTML. */
export * from './model.js';
export { collectReadiness, releaseStage, changelogVersion, type CollectOptions } from './collect.js';
export { loadMainIndex, binariesOfSources, runtimeDependencies, type MainIndex } from './mir.js';
export { renderText, renderMarkdown, renderJson, type ReportFormat } from './render.js';
export { renderHtml } from './html.js';
export { report, type ReportOptions, type ReportResult } from './run.js';

import type { ReadinessReport } from './model.js';
import { renderHtml } from './html.js';
import { renderJson, renderMarkdown, renderText, type ReportFormat } from './render.js';

export function renderReport(report: ReadinessReport, format: ReportFormat): string {
  switch (format) {
    case 'text': return renderText(report);
    case 'md': return renderMarkdown(report);
    case 'json': return renderJson(report);
    case 'html': return renderHtml(report);
  }
}
