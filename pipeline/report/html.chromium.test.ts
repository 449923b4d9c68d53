// The HTML report opens in a real browser: headless Chromium (Debian's `chromium`, installed by
// scripts/setup.sh) takes a screenshot and dumps the rendered DOM, whose text must name every
// package with its verdict, every stage's verdict, and — above the details — each blocker with
// the command that fixes it. A ready set and a blocked one. No network (the page fetches nothing,
// and Chromium's own background traffic is switched off).
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { collectReadiness } from './collect.js';
import { fixtureWorkspace, FULL } from '../../test/support/reportFixture.js';
import { renderHtml } from './html.js';
import type { ReadinessReport } from './model.js';
import { scratchDir } from '../../test/helpers/scratch.js';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

function chromium(args: string[], profile: string) {
  if (!CHROMIUM) throw new Error('chromium is not installed: run scripts/setup.sh (apt-get install chromium)');
  return execa(CHROMIUM, [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`, ...args,
  ], { timeout: 60_000 });
}

/** Text content of an element: tags dropped, entities the page uses decoded, whitespace collapsed. */
const textOf = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/\s+/g, ' ').trim();

/** Screenshot (a real PNG of the window's size, not blank) and the rendered DOM. */
async function open(report: ReadinessReport): Promise<string> {
  const dir = scratchDir('report-html-');
  const page = join(dir, 'report.html');
  writeFileSync(page, renderHtml(report));
  const png = join(dir, 'report.png');
  await chromium([`--screenshot=${png}`, '--window-size=1280,2000', `file://${page}`], join(dir, 'profile-1'));
  const bytes = readFileSync(png);
  expect(bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
  expect(statSync(png).size).toBeGreaterThan(20_000); // a blank page compresses to a few kB
  expect([bytes.readUInt32BE(16), bytes.readUInt32BE(20)]).toEqual([1280, 2000]);
  return (await chromium(['--dump-dom', `file://${page}`], join(dir, 'profile-2'))).stdout;
}

function expectPackages(dom: string, report: ReadinessReport): void {
  const summary = dom.split('<table id="summary">')[1]!.split('</table>')[0]!;
  for (const p of report.packages) {
    const row = summary.split(`<tr data-package="${p.package}">`)[1]!.split('</tr>')[0]!;
    expect(textOf(row)).toMatch(new RegExp(`^${p.package} ${p.version!.replace(/[.+]/g, '\\$&')} ${p.verdict} `));
    for (const s of p.stages) expect(row).toContain(`data-stage="${s.stage}" data-verdict="${s.verdict}"`);
    const section = dom.split(`id="pkg-${p.package}"`)[1]!.split('</section>')[0]!;
    expect(textOf(section)).toContain(`${p.package} ${p.version} ${p.verdict}`);
    for (const c of [...p.checks, ...(p.mir?.items ?? [])]) {
      const tr = section.split(`data-check="${c.check}" data-verdict="${c.verdict}">`)[1]!.split('</tr>')[0]!;
      expect(textOf(tr).startsWith(`${c.title} ${c.verdict}`)).toBe(true);
    }
  }
}

describe('HTML report in headless Chromium', () => {
  it('a blocked set: the blockers, each with its fix, come before the schedule and the details', async () => {
    const report = await collectReadiness(fixtureWorkspace('2025-04-20'), { release: 'trixie' });
    const dom = await open(report);
    expect(textOf(dom.split('<h1>')[1]!.split('</h1>')[0]!)).toBe('Readiness for trixie (13)');
    expect(textOf(dom.split('id="overall"')[1]!.split('</div>')[0]!)).toContain('not ready 1 of 4 packages ready for trixie');
    expectPackages(dom, report);
    const blockedAt = dom.indexOf('<h2 id="blocked">');
    expect(blockedAt).toBeGreaterThan(0);
    expect(blockedAt).toBeLessThan(dom.indexOf('<h2 id="schedule">'));
    expect(dom.indexOf('<h2 id="unknown">')).toBeGreaterThan(blockedAt);
    const blocked = dom.slice(blockedAt).split('</table>')[0]!;
    // delta never reached devel: the row names the command that promotes it.
    expect(textOf(blocked.split('data-package="delta" data-check="reached" data-stage="devel">')[1]!.split('</tr>')[0]!)).toContain('pipeline promote delta --to devel');
    // beta's FTBFS is an edit to make, said as a to-do, not a command.
    expect(textOf(blocked.split('data-package="beta" data-check="binary-build" data-stage="devel">')[1]!.split('</tr>')[0]!)).toContain('to do: fix the build failure');
  });

  it('a ready set: every stage ready, no blocker table, the schedule shown', async () => {
    const report = await collectReadiness(fixtureWorkspace('2025-04-20', [{ name: 'alpha', version: '2.0-1', stages: { ppa: FULL, devel: FULL, backports: FULL } }]), { release: 'trixie' });
    expect(report.packages[0]!.stages.map((s) => s.ready)).toEqual([true, true, true]);
    const dom = await open(report);
    expect(textOf(dom.split('id="overall"')[1]!.split('</div>')[0]!)).toContain('ready 1 of 1 package ready for trixie');
    expect(dom).not.toContain('<h2 id="blocked">');
    expect(dom).not.toContain('<h2 id="unknown">');
    expect(dom).toContain('<h2 id="schedule">');
    expectPackages(dom, report);
  });
});
