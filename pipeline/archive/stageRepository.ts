/**
 * The stage's own archive as an apt repository: what a stage's builds (and its QA checks) see
 * besides the series' mirror, as builds in a Launchpad PPA see the PPA's packages.
 *
 *   stageRepository(ws, 'ppa')  → { line: 'deb [signed-by=…/pipeline-archive-keyring.gpg] file:///…/archive ppa main', … }
 *
 *   local reprepro target   the stage's target suite, signed-by the local archive key (the public
 *                           key ensureArchive exports beside the archive: archive/signing.ts)
 *   Launchpad PPA target    the PPA's apt line (`index`), signed-by `keyring` (the PPA's public
 *                           key, a file), when both are configured on the dput archive
 *
 * Inside sbuild's unshare chroot a host path is not visible, and the chroot's root is a
 * subordinate uid outside. chrootRepository() therefore copies the suite — its dists/ and the pool files its
 * Packages indices list — and the keyring into a world-readable temporary directory, under the
 * archive lock (a consistent snapshot while another package publishes: apt never sees an
 * InRelease that does not match its Packages), and sbuild bind-mounts that directory at
 * STAGE_ARCHIVE_MOUNT (`$unshare_bind_mounts`): apt reads `file:///srv/pipeline-stage-archive`.
 */
import { chmodSync, constants, copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { stage as stageConfig, type Workspace } from '../config/workspace.js';
import { EXIT, PipelineError } from '../errors.js';
import { archiveLockName, withLock } from '../state/lock.js';
import { readPackagesIndex, type PackagesEntry } from './packagesIndex.js';
import { parsePpa } from './dput.js';
import { PUBLIC_KEY_FILE, recoverArchive, repreproArchive } from './reprepro.js';

/** Where the stage's archive appears inside the build chroot. */
export const STAGE_ARCHIVE_MOUNT = '/srv/pipeline-stage-archive';
const CHROOT_KEYRING = `${STAGE_ARCHIVE_MOUNT}/${PUBLIC_KEY_FILE}`;

export interface StageRepository {
  stage: string;
  /** The archive's name in pipeline.yaml. */
  archive: string;
  kind: 'local' | 'remote';
  /** The apt URI as the host reads it (file:///… or the PPA's https URL). */
  uri: string;
  suite: string;
  components: string[];
  /** The public keyring apt's signed-by points at (a host path). */
  keyring?: string;
  /** The one-line apt source for apt on the host. */
  line: string;
  /** The local archive's directory. */
  archiveDir?: string;
  /** The binary architectures the archive serves. */
  architectures: string[];
  /** False when apt could not use it yet (the suite was never exported, no keyring): `why` says so. */
  available: boolean;
  why?: string;
}

export interface BindMount {
  /** Host directory. */
  directory: string;
  /** Absolute path inside the chroot. */
  mountpoint: string;
}

/** The repository as the build chroot sees it: its apt line and the bind mount that makes it visible. */
export interface ChrootRepository {
  line: string;
  bindMounts: BindMount[];
  /** What the snapshot's Packages indices list (local archives). */
  packages: PackagesEntry[];
}

export function aptSourceLine(uri: string, suite: string, components: readonly string[], keyring?: string): string {
  return `deb ${keyring ? `[signed-by=${keyring}] ` : ''}${uri} ${suite} ${components.join(' ')}`;
}

/**
 * The stage's target suite as an apt repository, or undefined when the target has none to offer
 * (a dput target that is not a PPA, or has no `index`). Reads nothing but the config and whether
 * the suite's signed index exists.
 */
export function stageRepository(ws: Workspace, stageName: string): StageRepository | undefined {
  const st = stageConfig(ws, stageName);
  const cfg = ws.config.archives[st.target.archive];
  if (!cfg) return undefined;
  const suite = st.target.suite;
  const components = ['main'];
  if (cfg.kind === 'reprepro') {
    const archive = repreproArchive(ws, st.target.archive);
    const keyring = join(archive.dir, PUBLIC_KEY_FILE);
    const uri = `file://${archive.dir}`;
    const exported = existsSync(join(archive.dir, 'dists', suite, 'InRelease')) && existsSync(keyring);
    return {
      stage: st.name, archive: st.target.archive, kind: 'local', uri, suite, components, keyring,
      line: aptSourceLine(uri, suite, components, keyring), archiveDir: archive.dir, architectures: archive.config.architectures,
      available: exported, ...(exported ? {} : { why: `${suite} of ${archive.dir} has no signed index yet (nothing published)` }),
    };
  }
  if (!parsePpa(cfg.host) || !cfg.index) return undefined;
  const keyring = cfg.keyring ? resolve(ws.root, cfg.keyring) : undefined;
  const usable = Boolean(keyring && existsSync(keyring));
  return {
    stage: st.name, archive: st.target.archive, kind: 'remote', uri: cfg.index, suite, components, ...(keyring ? { keyring } : {}),
    line: aptSourceLine(cfg.index, suite, components, keyring), architectures: st.builder.architectures,
    available: usable,
    ...(usable ? {} : { why: keyring ? `${keyring} (archives.${st.target.archive}.keyring) does not exist` : `archives.${st.target.archive}.keyring is not set: apt could not verify the PPA` }),
  };
}

/**
 * sbuild mounts the directory from inside its user namespace, whose root is a subordinate uid (a
 * stranger to the host's files): every directory on the way must let others through. A private
 * temporary or home directory does not, and the mount would fail silently (then apt-get update).
 */
function assertReachable(dir: string): void {
  for (let d = resolve(dir); ; d = dirname(d)) {
    if ((statSync(d).mode & 0o001) === 0) {
      throw new PipelineError(`${d} is not searchable by others, so sbuild's unshare chroot (a subordinate uid) cannot mount the stage archive snapshot below it`, {
        file: dir, exitCode: EXIT.environment, hint: 'set PIPELINE_BUILD_TMPDIR to a directory under /tmp or /dev/shm',
      });
    }
    if (d === dirname(d)) return;
  }
}

/** A file copied for the chroot: a reflink where the filesystem has them, world-readable. */
function copyReadable(from: string, to: string): void {
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to, constants.COPYFILE_FICLONE);
  chmodSync(to, 0o644);
}

function openUp(dir: string): void {
  chmodSync(dir, 0o755);
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, d.name);
    if (d.isDirectory()) openUp(p);
    else chmodSync(p, 0o644);
  }
}

/**
 * The repository as the chroot reaches it, materialised under `viewDir` (which the caller removes
 * after the build): a local suite is copied (dists/SUITE and the pool files its Packages indices
 * list), a remote one gets only its keyring. Call only for an `available` repository.
 */
export async function chrootRepository(ws: Workspace, repo: StageRepository, viewDir: string): Promise<ChrootRepository> {
  mkdirSync(viewDir, { recursive: true });
  chmodSync(viewDir, 0o755);
  assertReachable(viewDir);
  if (repo.kind === 'remote') {
    // apt reads an armored key only from a .asc file: keep the configured file's kind.
    const name = repo.keyring!.endsWith('.asc') ? 'stage-keyring.asc' : 'stage-keyring.gpg';
    copyReadable(repo.keyring!, join(viewDir, name));
    openUp(viewDir);
    return { line: aptSourceLine(repo.uri, repo.suite, repo.components, `${STAGE_ARCHIVE_MOUNT}/${name}`), bindMounts: [{ directory: viewDir, mountpoint: STAGE_ARCHIVE_MOUNT }], packages: [] };
  }
  const dir = repo.archiveDir!;
  const packages = await withLock(ws.stateDir, archiveLockName(repo.archive), { wait: true, command: `snapshot ${repo.suite} for a build` }, async () => {
    // A reprepro killed after its commit, before its export: indices first (as publish does).
    await recoverArchive(repreproArchive(ws, repo.archive), undefined);
    cpSync(join(dir, 'dists', repo.suite), join(viewDir, 'dists', repo.suite), { recursive: true });
    copyReadable(repo.keyring!, join(viewDir, PUBLIC_KEY_FILE));
    const listed = readPackagesIndex(dir, repo.suite, repo.architectures);
    for (const e of listed) copyReadable(join(dir, e.filename), join(viewDir, e.filename));
    return listed;
  });
  openUp(viewDir);
  return { line: aptSourceLine(`file://${STAGE_ARCHIVE_MOUNT}`, repo.suite, repo.components, CHROOT_KEYRING), bindMounts: [{ directory: viewDir, mountpoint: STAGE_ARCHIVE_MOUNT }], packages };
}

