/**
 * Every debian/copyright installed on this machine that declares the machine-readable format
 * parses, and all DEP-5 checks run on it, without an exception. (Real-world input: thousands of
 * files written by hand over fifteen years.)
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCopyright } from '../pipeline/lint/dep5/load.js';
import { parse } from '../pipeline/lint/dep5/parse.js';
import { lintTree } from '../pipeline/lint/run.js';
import { makeTree } from './helpers/lint-tree.js';

const DOC = '/usr/share/doc';

function copyrightFiles(): string[] {
  const out: string[] = [];
  for (const pkg of readdirSync(DOC)) {
    const f = join(DOC, pkg, 'copyright');
    try {
      if (statSync(f).isFile()) out.push(f);
    } catch {
      /* symlinked doc dirs, missing copyright */
    }
  }
  return out;
}

describe('debian/copyright files under /usr/share/doc', () => {
  const files = copyrightFiles();

  it('finds a real population to test on', () => {
    expect(files.length).toBeGreaterThan(100);
  });

  it('every DEP-5 one parses with line numbers, without an exception', () => {
    let dep5 = 0;
    const failures: string[] = [];
    for (const f of files) {
      const bytes = readFileSync(f);
      try {
        const c = readCopyright(bytes, f);
        if (!c.dep5) continue;
        dep5++;
        const doc = parse(c.text, f);
        // plain checks, not expect(): boost's copyright alone has 36,000 patterns
        if (!doc.header) failures.push(`${f}: no header paragraph`);
        for (const p of doc.files) for (const x of p.patterns) if (!(x.line >= p.files.line && x.line <= p.files.endLine)) failures.push(`${f}: pattern ${x.pattern} at line ${x.line} outside its field`);
        for (const pr of doc.problems) if (!(pr.line > 0)) failures.push(`${f}: problem without a line: ${pr.message}`);
      } catch (e) {
        failures.push(`${f}: ${(e as Error).message}`);
      }
    }
    expect(failures).toEqual([]);
    expect(dep5).toBeGreaterThan(50);
  });

  it('the DEP-5 checks run on each of them without an exception', async () => {
    // One tree, its copyright swapped: the checks see a real file list (the tree's) and real text.
    const root = makeTree({ 'debian/copyright': '', 'src/a.c': '', 'README': '' });
    const failures: string[] = [];
    for (const f of files) {
      const text = readFileSync(f);
      const tree = makeTree({ 'debian/copyright': text, 'src/a.c': '' });
      try {
        await lintTree(tree, { detectLicenses: false });
      } catch (e) {
        failures.push(`${f}: ${(e as Error).stack}`);
      }
    }
    expect(root).toBeTruthy();
    expect(failures).toEqual([]);
  }, 120_000);
});
