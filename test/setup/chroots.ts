/**
 * Global setup of the `slow` vitest project: makes sure the cached buildd chroot tarball of each
 * suite the slow tests build in exists — created once with mmdebstrap, then reused across runs
 * from the same cache `pipeline` itself uses (PIPELINE_CACHE_DIR, else ~/.cache/pipeline), so CI
 * and a developer's machine share it. Tests get the tarball paths with `inject('chroots')` (and
 * PIPELINE_TEST_CHROOT_<SUITE> in the environment) and the cache directory with
 * `inject('chrootCacheDir')`.
 *
 * PIPELINE_TEST_SUITES (comma-separated, default `bookworm`) names the suites; other suites are
 * created on demand by the first build that needs them.
 */
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { chrootSpecForSuite, ensureChroot } from '../../pipeline/build/chroots.js';
import { loadWorkspace } from '../../pipeline/config/workspace.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** suite → chroot tarball path */
    chroots: Record<string, string>;
    chrootCacheDir: string;
  }
}

const REPO = join(import.meta.dirname, '..', '..');

export default async function setup(project: TestProject): Promise<void> {
  const ws = loadWorkspace({ config: join(REPO, 'pipeline.yaml') });
  const suites = (process.env.PIPELINE_TEST_SUITES ?? 'bookworm').split(',').map((s) => s.trim()).filter(Boolean);
  const chroots: Record<string, string> = {};
  for (const suite of suites) {
    const started = Date.now();
    const entry = await ensureChroot(ws, chrootSpecForSuite(ws, suite), {
      progress: {
        phase: (name) => {
          process.stderr.write(`[slow setup] ${name} …\n`);
          return { update() {}, done: () => process.stderr.write(`[slow setup] ${name} done (${((Date.now() - started) / 1000).toFixed(0)}s)\n`), fail: () => {} };
        },
      },
    });
    chroots[suite] = entry.tarball;
    process.env[`PIPELINE_TEST_CHROOT_${suite.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`] = entry.tarball;
  }
  project.provide('chroots', chroots);
  project.provide('chrootCacheDir', ws.cacheDir);
}
