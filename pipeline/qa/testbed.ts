/**
 * The stage's container as an autopkgtest testbed: the chroot tarball the stage's build ran in (the
 * cached mmdebstrap tarball of the builder suite, pipeline/build/chroots.ts), unpacked by
 * autopkgtest-virt-unshare (where sbuild unpacks its chroots), with what the stage's builds see:
 *   - the stage's own archive (pipeline/archive/stageRepository.ts), as a snapshot bind-mounted
 *     where the builds mount it, once the suite has a signed index;
 *   - the stage's builder.extraRepositories, with any host path they name (file://, signed-by=)
 *     bind-mounted at the same path, so the lines work unchanged inside.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { chrootRepository, stageRepository } from '../archive/stageRepository.js';
import { chrootSpecFor, ensureChroot } from '../build/chroots.js';
import { buildTmpDir } from '../build/tmpdir.js';
import type { AutopkgtestOptions } from '../tools/autopkgtest.js';
import type { QaContext } from './check.js';

export interface Testbed extends Pick<AutopkgtestOptions, 'tarball' | 'aptSources' | 'binds' | 'unpackIn'> {
  /** The stage archive's apt line as the testbed reads it, when it is offered. */
  stageArchive?: string;
  /** Removes the stage archive's snapshot. */
  cleanup(): void;
}

export async function stageTestbed(ctx: Pick<QaContext, 'ws' | 'stage' | 'build'>): Promise<Testbed> {
  const built = ctx.build.chroot?.tarball;
  const tarball = built && existsSync(built) ? built : (await ensureChroot(ctx.ws, chrootSpecFor(ctx.ws, ctx.stage))).tarball;
  const aptSources = [...ctx.stage.builder.extraRepositories];
  const binds = hostPathsOf(aptSources).map((d) => ({ directory: d, mountpoint: d }));
  // Unpacked where sbuild unpacks (a roomy /dev/shm when there is one: pipeline/build/tmpdir.ts),
  // since autopkgtest unpacks the tarball again for every test that installs packages.
  const unpackIn = buildTmpDir();
  const repo = stageRepository(ctx.ws, ctx.stage.name);
  let view: string | undefined;
  let stageArchive: string | undefined;
  if (repo?.available) {
    view = mkdtempSync(join(unpackIn ?? tmpdir(), 'pipeline-qa-stage-archive-'));
    try {
      const seen = await chrootRepository(ctx.ws, repo, view);
      aptSources.push(seen.line);
      binds.push(...seen.bindMounts);
      stageArchive = seen.line;
    } catch (e) {
      rmSync(view, { recursive: true, force: true });
      throw e;
    }
  }
  return {
    tarball, aptSources, binds, ...(unpackIn ? { unpackIn } : {}), ...(stageArchive ? { stageArchive } : {}),
    cleanup: () => { if (view) rmSync(view, { recursive: true, force: true }); },
  };
}

/** The host directories apt source lines name: file:// repositories and signed-by keyrings. */
export function hostPathsOf(lines: readonly string[]): string[] {
  const dirs = new Set<string>();
  for (const line of lines) {
    for (const m of line.matchAll(/(?:file:\/\/|signed-by=)(\/[^\s\]]+)/g)) {
      const path = m[1]!;
      if (!existsSync(path)) continue;
      dirs.add(statSync(path).isDirectory() ? path : dirname(path));
    }
  }
  return [...dirs].sort();
}
