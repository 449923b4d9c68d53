/**
 * Issue 14, item 3 through the real CLI: a package's debian/changelog, control or copyright that
 * does not parse makes `pipeline lint` exit 1 at its default gate with an error naming file and
 * line, and `pipeline show` refuse it (exit 2) naming the same file and line.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, errorLines, tempWorkspace } from './helpers/workspace.js';

type Edit = (text: string) => string;
const BREAKAGES: Array<[string, 'changelog' | 'control' | 'copyright', Edit, RegExp]> = [
  ['a changelog whose first line is not an entry header', 'changelog', (t) => `Release notes\n${t}`, /syntax-error-in-debian-changelog/],
  ['a changelog with a one-space trailer in an old entry', 'changelog', (t) => {
    const lines = t.split('\n');
    const i = lines.findLastIndex((l) => l.startsWith(' -- '));
    lines[i] = lines[i].replace('>  ', '> ');
    return lines.join('\n');
  }, /syntax-error-in-debian-changelog/],
  ['a control file with no binary paragraph', 'control', (t) => t.slice(0, t.indexOf('\n\n') + 1), /syntax-error-in-debian-control|no binary package paragraph/],
  ['a control file with an invalid binary package name', 'control', (t) => t.replace(/^Package: (\S+)/m, 'Package: $1_Bad'), /invalid binary package name/],
  ['a copyright Files paragraph without License', 'copyright', (t) => t.replace(/^(Files: \*\n(?:[^\n]+\n)*?)License: [^\n]*\n(?: [^\n]*\n)*/m, '$1'), /missing-field-in-dep5-copyright/],
];

/** `file:line` out of `...path/debian/FILE:LINE...`. */
function where(text: string, file: string): string | undefined {
  const m = new RegExp(`debian/${file}:(\\d+)`).exec(text) ?? new RegExp(`debian/${file}\\n\\s+(\\d+): E `).exec(text);
  return m ? `${file}:${m[1]}` : undefined;
}

describe('lint and show agree on files that do not parse', () => {
  for (const [name, file, edit, pattern] of BREAKAGES) {
    it(name, async () => {
      const ws = tempWorkspace(['zookeeper']);
      const path = join(ws.root, 'packages/zookeeper/debian', file);
      const before = readFileSync(path, 'utf8');
      const after = edit(before);
      expect(after).not.toBe(before);
      writeFileSync(path, after);

      const show = await cli(ws, ['show', 'zookeeper']);
      expect(show.exitCode, show.stderr).toBe(2);
      const err = errorLines(show.stderr);
      expect(err, show.stderr).toHaveLength(1);
      expect(show.stderr).not.toMatch(/\n\s+at /); // no stack trace

      const lint = await cli(ws, ['lint', join(ws.root, 'packages/zookeeper')]);
      expect(lint.exitCode, lint.stdout).toBe(1);
      expect(lint.stdout).toMatch(pattern);
      expect(lint.stdout).toMatch(/gate lint:error: BLOCKED/);
      // The line show names is among lint's error lines for that file.
      const shown = where(err[0], file);
      expect(shown, err[0]).toBeDefined();
      const lintLines = [...lint.stdout.split(`debian/${file}\n`)[1]?.matchAll(/^\s+(\d+): E /gm) ?? []].map((m) => `${file}:${m[1]}`);
      expect(lintLines).toContain(shown);
    }, 60_000);
  }
});
