/**
 * The build-dependency layer cache: a base chroot tarball (chroots.ts) with one resolved set of
 * build dependencies installed, at <cacheDir>/chroots/layers/<suite>-<arch>-<key16>.tar.zst with
 * a metadata JSON beside it. The key is the base chroot's key and tarball mtime (a refreshed
 * base is another base) plus the exact set apt resolved (`name:arch=version` of every package it
 * would install, with each file's size and hash): any build whose resolution gives the same set
 * in the same base gets the same chroot from it as sbuild would have made, without installing again.
 *
 * Made with mmdebstrap from the base tarball (variant apt, tar-in, the set pinned by version) and
 * written under a temporary name, renamed when complete, metadata last; serialized per key by a
 * lock. Bounded: `chroots.layers.maxSizeMiB` (pipeline.yaml, default 4096, 0 = no layers); the
 * least recently used layers go first, layers of a refreshed or removed base before any.
 */
import { createHash } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { execa } from 'execa';
import lockfile from 'proper-lockfile';
import type { Workspace } from '../config/workspace.js';
import { PipelineError } from '../errors.js';
import { readJson, writeJsonAtomic } from '../state/store.js';
import { mmdebstrap } from '../tools/mmdebstrap.js';
import { chrootDir, type ChrootStatus } from './chroots.js';
import type { ProgressPhase } from './progress.js';

export interface LayerBase {
  key: string;
  /** The base tarball's mtime when the layer was made: a refresh changes it. */
  mtimeMs: number;
  tarball: string;
}

export interface LayerMeta {
  key: string;
  suite: string;
  architecture: string;
  base: LayerBase;
  /** `name:arch=version`, sorted: what apt installed on top of the base. */
  packages: string[];
  tarball: string;
  createdAt: string;
  lastUsedAt: string;
  /** The build that made it (package and version). */
  madeFor: string;
}

export interface LayerStatus extends LayerMeta {
  metaFile: string;
  sizeBytes: number;
  /** The base chroot was refreshed or removed since: the layer can never be hit again. */
  stale: boolean;
}

const MiB = 1048576;

export function layerDir(ws: Workspace): string {
  return join(chrootDir(ws), 'layers');
}

/** The configured bound in bytes; 0 turns layers off. */
export function layerLimitBytes(ws: Workspace): number {
  return ws.config.chroots.layers.maxSizeMiB * MiB;
}

/** `files`: each package's file, size and hash (apt's), so the same version with other content is another set. */
export function layerKey(base: Pick<ChrootStatus, 'key' | 'mtimeMs'>, packages: string[], files: string[]): string {
  return createHash('sha256')
    .update(JSON.stringify({ base: base.key, mtimeMs: Math.round(base.mtimeMs), packages: [...packages].sort(), files: [...files].sort() }))
    .digest('hex');
}

export function layerPaths(ws: Workspace, base: ChrootStatus, key: string): { tarball: string; metaFile: string } {
  const name = `${base.spec.suite}-${base.spec.architecture}-${key.slice(0, 16)}`;
  return { tarball: join(layerDir(ws), `${name}.tar.zst`), metaFile: join(layerDir(ws), `${name}.json`) };
}

function baseIsCurrent(base: LayerBase): boolean {
  try {
    return Math.round(statSync(base.tarball).mtimeMs) === Math.round(base.mtimeMs);
  } catch {
    return false;
  }
}

function readLayer(metaFile: string): LayerStatus | undefined {
  const meta = readJson<LayerMeta>(metaFile);
  if (!meta || !existsSync(meta.tarball)) return undefined;
  return { ...meta, metaFile, sizeBytes: statSync(meta.tarball).size, stale: !baseIsCurrent(meta.base) };
}

/** Every complete layer, most recently used first. */
export function listLayers(ws: Workspace): LayerStatus[] {
  const dir = layerDir(ws);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => n.endsWith('.json') && !n.startsWith('.'))
    .map((n) => readLayer(join(dir, n)))
    .filter((l): l is LayerStatus => Boolean(l))
    .sort((a, b) => b.lastUsedAt.localeCompare(a.lastUsedAt));
}

/** The complete, current layer for a key, marked used now. */
export function useLayer(ws: Workspace, base: ChrootStatus, key: string): LayerStatus | undefined {
  const layer = readLayer(layerPaths(ws, base, key).metaFile);
  if (!layer || layer.stale) return undefined;
  const { metaFile, sizeBytes, stale, ...meta } = layer;
  const used = { ...meta, lastUsedAt: new Date().toISOString() };
  writeJsonAtomic(metaFile, used);
  return { ...used, metaFile, sizeBytes, stale };
}

const PIN_PREFIX = '.inuse-';

const alive = (pid: number) => {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
};

export interface LayerPin {
  /** A hard link to the layer's tarball: what sbuild unpacks. */
  path: string;
  release(): void;
}

/**
 * Pins a layer for one build: a hard link beside it (`.inuse-PID-N-NAME`), which eviction never
 * sees, so another process evicting the layer between this build choosing it and sbuild opening
 * it removes the name but not the file this build unpacks. Undefined when the layer is gone
 * already. Pins of processes that died (a SIGKILL skips release) are removed by the next pin.
 */
let pins = 0;
export function pinLayer(tarball: string): LayerPin | undefined {
  const dir = join(tarball, '..');
  for (const n of existsSync(dir) ? readdirSync(dir) : []) {
    const pid = Number(/^\.inuse-(\d+)-/.exec(n)?.[1]);
    if (pid && pid !== process.pid && !alive(pid)) rmSync(join(dir, n), { force: true });
  }
  const path = join(dir, `${PIN_PREFIX}${process.pid}-${pins++}-${basename(tarball)}`);
  try {
    linkSync(tarball, path);
  } catch {
    return undefined;
  }
  return { path, release: () => rmSync(path, { force: true }) };
}

export function removeLayer(l: Pick<LayerStatus, 'metaFile' | 'tarball'>): void {
  rmSync(l.metaFile, { force: true });
  rmSync(l.tarball, { force: true });
}

/**
 * Trims the cache to `limitBytes`: stale layers first, then least recently used; `keep` (the
 * layer a build is about to use) is never removed. Returns what was removed.
 */
export function evictLayers(ws: Workspace, limitBytes = layerLimitBytes(ws), keep?: string): LayerStatus[] {
  const layers = listLayers(ws);
  const removed: LayerStatus[] = [];
  let total = layers.reduce((n, l) => n + l.sizeBytes, 0);
  const order = [...layers.filter((l) => l.stale), ...layers.filter((l) => !l.stale).reverse()];
  for (const l of order) {
    if (l.key === keep) continue;
    if (!l.stale && total <= limitBytes) break;
    removeLayer(l);
    removed.push(l);
    total -= l.sizeBytes;
  }
  return removed;
}

export interface MakeLayerOptions {
  base: ChrootStatus;
  key: string;
  packages: string[];
  /** Extra repositories (sources.list lines) apt may need for the set. */
  extraRepositories: string[];
  madeFor: string;
  /** Where mmdebstrap unpacks (the build's tmpdir); default the cache directory. */
  tmpDir?: string;
  phase: ProgressPhase;
}

/** Makes the layer for `key` unless another process made it meanwhile; returns it marked used. */
export async function makeLayer(ws: Workspace, o: MakeLayerOptions): Promise<LayerStatus> {
  const dir = layerDir(ws);
  mkdirSync(dir, { recursive: true });
  const { tarball, metaFile } = layerPaths(ws, o.base, o.key);
  const release = await lockfile.lock(tarball, {
    realpath: false,
    lockfilePath: `${tarball}.lock`,
    stale: 30_000,
    retries: { retries: 1800, minTimeout: 1000, maxTimeout: 1000, factor: 1 },
  });
  const scratch = join(o.tmpDir ?? dir, `.layer-${o.key.slice(0, 16)}-${process.pid}`);
  try {
    const made = useLayer(ws, o.base, o.key);
    if (made) return made;
    // We hold the lock: partial files of this key are leftovers of a killed run.
    const stem = o.key.slice(0, 16);
    for (const [d, prefix] of [[dir, `.${stem}.partial-`], [o.tmpDir ?? dir, `.layer-${stem}-`]] as const) {
      for (const n of existsSync(d) ? readdirSync(d) : []) if (n.startsWith(prefix)) rmSync(join(d, n), { recursive: true, force: true });
    }
    if (/\s/.test(scratch + tarball)) throw new PipelineError('a build-dependency layer needs paths without spaces (mmdebstrap hooks)', { file: scratch });
    mkdirSync(scratch, { recursive: true });
    // mmdebstrap's tar-in wants an uncompressed tarball whose /dev it may populate itself.
    const baseTar = join(scratch, 'base.tar');
    await execa('zstd', ['-dqf', o.base.tarball, '-o', baseTar]);
    await execa('tar', ['--delete', '--wildcards', '-f', baseTar, './dev/*']);
    let extraSourcesFile: string | undefined;
    if (o.extraRepositories.length) {
      extraSourcesFile = join(scratch, 'extra.list');
      writeFileSync(extraSourcesFile, o.extraRepositories.map((l) => `${l}\n`).join(''));
    }
    const partial = join(dir, `.${o.key.slice(0, 16)}.partial-${process.pid}.tar.zst`);
    const spec = o.base.spec;
    try {
      await mmdebstrap({
        suite: spec.suite, target: partial, mirror: spec.mirror, architecture: spec.architecture, components: spec.components,
        keyring: spec.keyring, include: o.packages.map((p) => p.replace(/:[a-z0-9-]+=/, '=')), aptOptions: spec.aptOptions,
        fromTar: baseTar, extraSourcesFile, tmpDir: o.tmpDir,
        onLine(line) {
          const m = /^I: (.*)$/.exec(line);
          if (m) o.phase.update(m[1]!.slice(0, 70));
        },
      });
      const now = new Date().toISOString();
      const meta: LayerMeta = {
        key: o.key, suite: spec.suite, architecture: spec.architecture,
        base: { key: o.base.key, mtimeMs: o.base.mtimeMs, tarball: o.base.tarball },
        packages: o.packages, tarball, createdAt: now, lastUsedAt: now, madeFor: o.madeFor,
      };
      renameSync(partial, tarball); // same directory: atomic
      writeJsonAtomic(metaFile, meta);
      return { ...meta, metaFile, sizeBytes: statSync(tarball).size, stale: false };
    } finally {
      rmSync(partial, { force: true });
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    await release();
  }
}
