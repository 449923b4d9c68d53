/**
 * Scratch directories that do not outlive the tests: `scratchDir('lint-tree-')` is mkdtemp under
 * the system temp directory, removed when the test that made it finishes (onTestFinished), or —
 * made outside a test (module scope, a describe body, a beforeAll) — after the test file's last
 * test. Tests that made their own with mkdtemp and never removed them left tens of thousands of
 * directories in /tmp over a day of runs.
 *
 * Only test files may import this module: it registers its file-level afterAll when imported.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, onTestFinished } from 'vitest';

const untilFileEnd = new Set<string>();

// Registered when the test file imports this module, so it runs after the file's own afterAll
// hooks (vitest runs after-hooks last-registered first): those may still read their directories.
afterAll(() => {
  for (const dir of untilFileEnd) rmSync(dir, { recursive: true, force: true });
  untilFileEnd.clear();
});

export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  try {
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  } catch {
    // Not inside a test: the directory may be shared by the file's tests.
    untilFileEnd.add(dir);
  }
  return dir;
}
