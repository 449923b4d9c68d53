// The HTML report opens in a real browser: headless Chromium (Debian's `chromium`, installed by
// scripts/setup.sh) takes a screenshot and dumps the rendered DOM, whose text must name every
// package with its verdict. About 2–4 s; no network (the page fetches nothing, and Chromium's
// own background traffic is switched off).
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { collectReadiness } from './collect.js';
import { fixtureWorkspace } from '../../test/support/reportFixture.js';
import { renderHtml } from './html.js';

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

describe('HTML report in headless Chromium', () => {
  it('renders (screenshot) and the page text names each package and its verdict', async () => {
    const report = await collectReadiness(fixtureWorkspace('2025-04-20'), { release: 'trixie' });
    const dir = mkdtempSync(join(tmpdir(), 'report-html-'));
    const page = join(dir, 'report.html');
    writeFileSync(page, renderHtml(report));
    const png = join(dir, 'report.png');
    await chromium([`--screenshot=${png}`, '--window-size=1280,2000', `file://${page}`], join(dir, 'profile-1'));
    const head = readFileSync(png).subarray(0, 8);
    expect(head.equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
    expect(statSync(png).size).toBeGreaterThan(20_000); // a blank page compresses to a few kB
    // IHDR: the screenshot has the window's size.
    expect([readFileSync(png).readUInt32BE(16), readFileSync(png).readUInt32BE(20)]).toEqual([1280, 2000]);

    const dom = (await chromium(['--dump-dom', `file://${page}`], join(dir, 'profile-2'))).stdout;
    expect(textOf(dom.split('<h1>')[1]!.split('</h1>')[0]!)).toBe('Readiness for trixie (13)');
    expect(textOf(dom.split('id="overall"')[1]!.split('</div>')[0]!)).toContain('not ready 1 of 4 packages ready for trixie');
    const summary = dom.split('<table id="summary">')[1]!.split('</table>')[0]!;
    for (const p of report.packages) {
      const row = summary.split(`<tr data-package="${p.package}">`)[1]!.split('</tr>')[0]!;
      expect(textOf(row)).toMatch(new RegExp(`^${p.package} ${p.version!.replace(/[.+]/g, '\\$&')} \\S+ ${p.verdict} `));
      const section = dom.split(`id="pkg-${p.package}"`)[1]!.split('</section>')[0]!;
      expect(textOf(section)).toContain(`${p.package} ${p.version} ${p.verdict}`);
      for (const c of [...p.checks, ...(p.mir?.items ?? [])]) {
        const tr = section.split(`data-check="${c.check}" data-verdict="${c.verdict}">`)[1]!.split('</tr>')[0]!;
        expect(textOf(tr).startsWith(`${c.title} ${c.verdict}`)).toBe(true);
      }
    }
  });
});
