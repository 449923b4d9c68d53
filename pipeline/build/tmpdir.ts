/**
 * Where sbuild unpacks the chroot for a build. Unpacking a buildd tarball and deleting it again
 * dominate a small package's build time, and both are several times faster on a tmpfs than on
 * disk (measured here: unpack 2.6 s vs 8.1 s, removal 0.2 s vs 2.5 s). So a RAM-backed /dev/shm
 * with room to spare is used when there is one; otherwise sbuild's default (/tmp).
 *
 * PIPELINE_BUILD_TMPDIR overrides: a directory, or empty for sbuild's default.
 */
import { accessSync, constants, readFileSync, statfsSync } from 'node:fs';

const GiB = 1024 ** 3;

export function buildTmpDir(env: NodeJS.ProcessEnv = process.env, minFreeBytes = 8 * GiB): string | undefined {
  if (env.PIPELINE_BUILD_TMPDIR !== undefined) return env.PIPELINE_BUILD_TMPDIR || undefined;
  const dir = '/dev/shm';
  try {
    accessSync(dir, constants.W_OK);
    const st = statfsSync(dir);
    if (st.bavail * st.bsize < minFreeBytes) return undefined;
    // A noexec mount cannot run the chroot's programs.
    const mount = readFileSync('/proc/mounts', 'utf8').split('\n').find((l) => l.split(' ')[1] === dir);
    if (!mount || mount.split(' ')[3]?.split(',').includes('noexec')) return undefined;
    return dir;
  } catch {
    return undefined;
  }
}
