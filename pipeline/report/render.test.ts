import { describe, expect, it } from 'vitest';
import { collectReadiness } from './collect.js';
import { fixtureWorkspace } from '../../test/support/reportFixture.js';
import { renderHtml } from './html.js';
import { VERDICT_SYMBOL } from './model.js';
import { openChecks, renderJson, renderMarkdown, renderText, stageCell } from './render.js';

describe('renderers carry the same facts', async () => {
  const report = await collectReadiness(fixtureWorkspace('2025-04-20'), { release: 'trixie', generatedAt: new Date('2025-04-20T12:00:00Z') });
  const all = (p: (typeof report.packages)[number]) => [...p.checks, ...(p.mir?.items ?? [])];

  it('JSON is the report itself', () => {
    expect(JSON.parse(renderJson(report))).toEqual(JSON.parse(JSON.stringify(report)));
  });

  it('Markdown: each package with its verdict in the summary, and every check with its verdict', () => {
    const md = renderMarkdown(report);
    expect(md.startsWith('# Readiness for trixie (13): not ready\n')).toBe(true);
    for (const p of report.packages) {
      expect(md).toContain(`| ${p.package} | ${p.version} | ${p.stages.map((st) => stageCell(st)).join(' | ')} |`);
      const section = md.split(`\n## ${p.package} `)[1]!.split('\n## ')[0]!;
      for (const c of all(p)) expect(section).toContain(`| ${c.title} | ${VERDICT_SYMBOL[c.verdict]} **${c.verdict}** |`);
      for (const b of p.blockers) if (b.fix) expect(section).toContain(`\`${b.fix.replace(/\|/g, '\\|')}\``);
      // Every blocked check of every stage is in the Blocked table near the top, with its fix.
      const blocked = md.split('\n## Blocked\n')[1]!.split('\n## ')[0]!;
      for (const c of openChecks(p, 'blocked')) expect(blocked).toContain(`| ${p.package} | ${c.stage} | ${c.title} |`);
    }
    expect(md).toContain('| → BetaFreeze (Hard Freeze) | 2025-05-15 21:00 UTC | in 25 days |');
  });

  it('HTML: each package section with its verdict, every check with its verdict, self-contained', () => {
    const html = renderHtml(report);
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).not.toMatch(/<script|<link|src="http|href="http|@import|url\(/);
    expect(html).toContain('@media print');
    expect(html).toContain(`id="overall" data-verdict="not ready"`);
    for (const p of report.packages) {
      const section = html.split(`<section class="pkg" id="pkg-${p.package}" data-package="${p.package}" data-verdict="${p.verdict}">`)[1]?.split('</section>')[0];
      expect(section, p.package).toBeDefined();
      for (const c of all(p)) expect(section).toContain(`data-check="${c.check}" data-verdict="${c.verdict}"`);
    }
    expect(html).toContain('class="timeline"');
    expect(html).toContain('today 2025-04-20');
  });

  it('text: every package and check, the fixes, the overall verdict', () => {
    const text = renderText(report);
    expect(text.split('\n')[0]).toBe('Readiness for trixie (13) — stage devel — evaluated at 2025-04-20 12:00 UTC: NOT READY');
    for (const p of report.packages) {
      expect(text).toContain(`${VERDICT_SYMBOL[p.verdict]} ${p.package} ${p.version} (upstream ${p.upstreamVersion}) — ${p.verdict}`);
      for (const b of p.blockers) if (b.fix) expect(text).toContain(`fix: ${b.fix}`);
    }
  });

  it('escapes HTML in facts', async () => {
    const r = structuredClone(report);
    r.packages[0]!.checks[0]!.reason = '<img src=x onerror=alert(1)> & "quotes"';
    const html = renderHtml(r);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quotes&quot;');
    expect(html).not.toContain('<img src=x');
  });
});
