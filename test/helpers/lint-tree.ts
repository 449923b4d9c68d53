/** A throw-away source tree for lint tests: `makeTree({ 'debian/copyright': '...', 'src/a.c': '' })`, removed after the test. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { scratchDir } from './scratch.js';

export function makeTree(files: Record<string, string | Buffer>): string {
  const root = scratchDir('lint-tree-');
  mkdirSync(join(root, 'debian'), { recursive: true });
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), content);
  }
  return root;
}

/** A minimal DEP-5 header. */
export const HEADER = 'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\nUpstream-Name: demo\n';
