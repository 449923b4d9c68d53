/**
 * The stage's container as an autopkgtest testbed: the chroot tarball the stage's build ran in (the
 * cached mmdebstrap tarball of the builder suite, pipeline/build/chroots.ts), unpacked by
 * autopkgtest-virt-unshare (where sbuild unpacks its chroots), with the stage's extra apt repositories. A repository or keyring on the
 * host (file://, signed-by=) is bind-mounted at the same path, so the lines work unchanged inside.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { chrootSpecFor, ensureChroot } from '../build/chroots.js';
import { buildTmpDir } from '../build/tmpdir.js';
import type { AutopkgtestOptions } from '../tools/autopkgtest.js';
import type { QaContext } from './check.js';

export type Testbed = Pick<AutopkgtestOptions, 'tarball' | 'aptSources' | 'binds' | 'unpackIn'>;

export async function stageTestbed(ctx: Pick<QaContext, 'ws' | 'stage' | 'build'>): Promise<Testbed> {
  const built = ctx.build.chroot?.tarball;
  const tarball = built && existsSync(built) ? built : (await ensureChroot(ctx.ws, chrootSpecFor(ctx.ws, ctx.stage))).tarball;
  const aptSources = [...ctx.stage.builder.extraRepositories];
  // Unpacked where sbuild unpacks (a roomy /dev/shm when there is one: pipeline/build/tmpdir.ts),
  // since autopkgtest unpacks the tarball again for every test that installs packages.
  const unpackIn = buildTmpDir();
  return { tarball, aptSources, binds: hostPathsOf(aptSources), ...(unpackIn ? { unpackIn } : {}) };
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
