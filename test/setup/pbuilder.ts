/**
 * Global setup of the `slow` vitest project, beside chroots.ts: the pbuilder base tarball of each
 * suite the `--builder pbuilder` tests build in (PIPELINE_TEST_PBUILDER_SUITES, default
 * `bookworm`), created once with `pbuilder create` (minutes) and then reused from the cache
 * `pipeline` itself uses (<cache>/pbuilder/). pbuilder needs root: elsewhere nothing is created
 * and the pbuilder tests say they are skipped.
 */
import { join } from 'node:path';
import { chrootSpecForSuite } from '../../pipeline/build/chroots.js';
import { ensurePbuilderBase } from '../../pipeline/build/pbuilder.js';
import { findTool } from '../../pipeline/build/preflight.js';
import { loadWorkspace } from '../../pipeline/config/workspace.js';

const REPO = join(import.meta.dirname, '..', '..');

export default async function setup(): Promise<void> {
  if (process.getuid?.() !== 0 || !findTool('pbuilder')) return;
  const ws = loadWorkspace({ config: join(REPO, 'pipeline.yaml') });
  for (const suite of (process.env.PIPELINE_TEST_PBUILDER_SUITES ?? 'bookworm').split(',').map((s) => s.trim()).filter(Boolean)) {
    const started = Date.now();
    await ensurePbuilderBase(ws, chrootSpecForSuite(ws, suite), {
      progress: {
        phase: (name) => {
          process.stderr.write(`[slow setup] ${name} …\n`);
          return { update() {}, done: () => process.stderr.write(`[slow setup] ${name} done (${((Date.now() - started) / 1000).toFixed(0)}s)\n`), fail: () => {} };
        },
      },
    });
  }
}
