/**
 * The chroot cache: one mmdebstrap buildd tarball per (suite, architecture, mirror, keyring,
 * components, extra packages), under <cacheDir>/chroots/<suite>-<arch>-<key8>.tar.zst with a
 * metadata JSON beside it. A tarball is written under a temporary name and renamed when
 * complete, metadata last, so an interrupted create or refresh leaves the previous entry usable
 * and never a half-written one. Creation is serialized per key with a lock, so the test setup and
 * a CLI run (or two CLI runs) do not both bootstrap the same chroot.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import lockfile from 'proper-lockfile';
import { builderSuite, type Workspace } from '../config/workspace.js';
import type { StageConfig } from '../config/schema.js';
import { PipelineError } from '../errors.js';
import { readJson, writeJsonAtomic } from '../state/store.js';
import { mmdebstrap, mmdebstrapVersion } from '../tools/mmdebstrap.js';
import { requireBuildEnvironment } from './preflight.js';
import { silentProgress, type ProgressSink } from './progress.js';
import { faultPoint } from '../state/faults.js';

export interface ChrootSpec {
  suite: string;
  architecture: string;
  mirror: string;
  keyring?: string;
  components: string[];
  extraPackages: string[];
  aptOptions: string[];
}

export interface ChrootEntry {
  spec: ChrootSpec;
  /** sha256 of the spec (hex); the file name carries its first 8 characters. */
  key: string;
  tarball: string;
  metaFile: string;
  createdAt: string;
  sizeBytes: number;
  mmdebstrapVersion?: string;
  /** Modification time of the tarball (ms); part of every build's inputs hash. */
  mtimeMs: number;
}

export interface ChrootStatus extends ChrootEntry {
  ageDays: number;
  stale: boolean;
}

const DAY = 86_400_000;

export function chrootDir(ws: Workspace): string {
  return join(ws.cacheDir, 'chroots');
}

/** The chroot a stage's builder needs on one architecture (mirror, keyring from the series). */
export function chrootSpecFor(ws: Workspace, stage: StageConfig, architecture = stage.builder.architectures[0] ?? 'amd64'): ChrootSpec {
  return chrootSpecForSuite(ws, builderSuite(stage), architecture, stage.builder.extraPackages);
}

export function chrootSpecForSuite(ws: Workspace, suite: string, architecture = 'amd64', extraPackages: string[] = []): ChrootSpec {
  const series = ws.config.series[suite];
  if (!series) {
    throw new PipelineError(`unknown series ${JSON.stringify(suite)} (series: ${Object.keys(ws.config.series).join(', ')})`, { file: ws.configFile, key: 'series' });
  }
  return {
    suite,
    architecture,
    mirror: series.mirror,
    keyring: series.keyring,
    components: [...series.components],
    extraPackages: [...extraPackages].sort(),
    aptOptions: [...series.aptOptions],
  };
}

/** Every distinct chroot the stages' builders name (for `chroot create` without a suite). */
export function stageChrootSpecs(ws: Workspace, suite?: string): ChrootSpec[] {
  const specs = new Map<string, ChrootSpec>();
  for (const st of ws.config.stages) {
    if (suite && builderSuite(st) !== suite) continue;
    for (const arch of st.builder.architectures) {
      const spec = chrootSpecFor(ws, st, arch);
      specs.set(chrootKey(spec), spec);
    }
  }
  if (suite && specs.size === 0) specs.set('', chrootSpecForSuite(ws, suite));
  return [...specs.values()];
}

export function chrootKey(spec: ChrootSpec): string {
  const canonical = JSON.stringify([spec.suite, spec.architecture, spec.mirror, spec.keyring ?? null, spec.components, [...spec.extraPackages].sort(), spec.aptOptions]);
  return createHash('sha256').update(canonical).digest('hex');
}

export function chrootPaths(ws: Workspace, spec: ChrootSpec): { tarball: string; metaFile: string; key: string } {
  const key = chrootKey(spec);
  const base = `${spec.suite}-${spec.architecture}-${key.slice(0, 8)}`;
  return { key, tarball: join(chrootDir(ws), `${base}.tar.zst`), metaFile: join(chrootDir(ws), `${base}.json`) };
}

interface ChrootMeta {
  spec: ChrootSpec;
  key: string;
  tarball: string;
  createdAt: string;
  sizeBytes: number;
  mmdebstrapVersion?: string;
}

/** The cached entry for a spec, if complete (metadata and tarball both present). */
export function findChroot(ws: Workspace, spec: ChrootSpec, now = Date.now()): ChrootStatus | undefined {
  const { metaFile, tarball } = chrootPaths(ws, spec);
  return readEntry(metaFile, tarball, ws.config.chroots.maxAgeDays, now);
}

function readEntry(metaFile: string, tarball: string, maxAgeDays: number, now: number): ChrootStatus | undefined {
  if (!existsSync(metaFile) || !existsSync(tarball)) return undefined;
  const meta = readJson<ChrootMeta>(metaFile);
  if (!meta) return undefined;
  const st = statSync(tarball);
  const ageDays = (now - Date.parse(meta.createdAt)) / DAY;
  return {
    spec: meta.spec,
    key: meta.key,
    tarball,
    metaFile,
    createdAt: meta.createdAt,
    sizeBytes: st.size,
    mmdebstrapVersion: meta.mmdebstrapVersion,
    mtimeMs: st.mtimeMs,
    ageDays,
    stale: ageDays > maxAgeDays,
  };
}

/** Every complete entry in the cache, newest first. */
export function listChroots(ws: Workspace, now = Date.now()): ChrootStatus[] {
  const dir = chrootDir(ws);
  if (!existsSync(dir)) return [];
  const entries: ChrootStatus[] = [];
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.json') || name.startsWith('.')) continue;
    const metaFile = join(dir, name);
    const tarball = join(dir, name.replace(/\.json$/, '.tar.zst'));
    const entry = readEntry(metaFile, tarball, ws.config.chroots.maxAgeDays, now);
    if (entry) entries.push(entry);
  }
  return entries.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

export interface EnsureChrootOptions {
  /** Re-create even when a fresh entry exists (`--refresh`). */
  refresh?: boolean;
  progress?: ProgressSink;
  now?: number;
}

/**
 * The cached chroot for a spec: created when missing, re-created when older than
 * config.chroots.maxAgeDays or when `refresh` is set. Returns the complete entry.
 */
export async function ensureChroot(ws: Workspace, spec: ChrootSpec, options: EnsureChrootOptions = {}): Promise<ChrootStatus> {
  const now = options.now ?? Date.now();
  const existing = findChroot(ws, spec, now);
  if (existing && !existing.stale && !options.refresh) return existing;
  requireBuildEnvironment(['mmdebstrap', 'newuidmap', 'newgidmap', 'zstd']);
  const dir = chrootDir(ws);
  mkdirSync(dir, { recursive: true });
  const { metaFile, tarball, key } = chrootPaths(ws, spec);
  const release = await lockfile.lock(tarball, {
    realpath: false,
    lockfilePath: `${tarball}.lock`,
    stale: 30_000,
    retries: { retries: 1200, minTimeout: 1000, maxTimeout: 1000, factor: 1 },
  });
  try {
    // Another process may have finished it while we waited for the lock.
    const after = findChroot(ws, spec, Date.now());
    if (after && !after.stale && (!options.refresh || (existing && after.createdAt !== existing.createdAt))) return after;
    await createChroot(spec, tarball, metaFile, key, options.progress ?? silentProgress, Boolean(existing));
    const created = findChroot(ws, spec, Date.now());
    if (!created) throw new PipelineError('chroot metadata missing after creation', { file: metaFile });
    return created;
  } finally {
    await release();
  }
}

async function createChroot(spec: ChrootSpec, tarball: string, metaFile: string, key: string, progress: ProgressSink, refreshing: boolean): Promise<void> {
  const phase = progress.phase(`chroot ${spec.suite}-${spec.architecture} (${refreshing ? 'refresh' : 'create'})`);
  // The extension must stay .tar.zst: mmdebstrap picks the compressor from it. We hold the
  // lock, so any partial file for this entry is a leftover of an interrupted run.
  const base = basename(tarball, '.tar.zst');
  for (const name of readdirSync(dirname(tarball))) {
    if (name.startsWith(`${base}.partial-`)) rmSync(join(dirname(tarball), name), { force: true });
  }
  const partial = join(dirname(tarball), `${base}.partial-${process.pid}.tar.zst`);
  try {
    await mmdebstrap({
      suite: spec.suite,
      target: partial,
      mirror: spec.mirror,
      architecture: spec.architecture,
      components: spec.components,
      keyring: spec.keyring,
      include: spec.extraPackages,
      aptOptions: spec.aptOptions,
      onLine(line) {
        progress.log?.(line);
        const m = /^I: (.*)$/.exec(line);
        if (m) phase.update(m[1].slice(0, 70));
      },
    });
    const meta: ChrootMeta = {
      spec,
      key,
      tarball,
      createdAt: new Date().toISOString(),
      sizeBytes: statSync(partial).size,
      mmdebstrapVersion: await mmdebstrapVersion(),
    };
    // Tarball first, then metadata: until the metadata names the new tarball's creation time,
    // readers treat the entry as it was (old metadata + a complete tarball either way).
    renameSync(partial, tarball);
    faultPoint('chroot.refresh'); // recovery soak: a crash between the new tarball and its metadata
    writeJsonAtomic(metaFile, meta);
    phase.done(`${(meta.sizeBytes / 1048576).toFixed(0)} MiB`);
  } catch (e) {
    rmSync(partial, { force: true });
    phase.fail();
    throw e;
  }
}

/** Removes cache entries whose spec no stage uses any more (not called automatically). */
export function removeChroot(entry: ChrootEntry): void {
  rmSync(entry.metaFile, { force: true });
  rmSync(entry.tarball, { force: true });
}
