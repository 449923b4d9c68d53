/**
 * Which chroot a binary test-build unpacks: the base chroot with the .dsc's build dependencies
 * already installed (a layer, layers.ts) when there is or can be one, else the base chroot.
 *
 *   const layer = await selectLayer(ws, { chroot, dsc, archAny, archAll, extraRepositories, ... });
 *   sbuild --chroot=${layer.tarball}   // hit | made | bypassed (the base tarball)
 *
 * The build dependencies are resolved by apt against the base chroot's own package state and the
 * build's sources (the chroot's mirror and its extra repositories, so their state is in the
 * resolved set), the set found or made as a layer, and sbuild still runs its own resolver in
 * the container unpacked fresh from that tarball: it finds them installed and installs nothing
 * (or what changed since the resolution). Anything that goes wrong here bypasses the layer — the
 * build runs in the base chroot as before and sbuild reports, e.g., an unsatisfiable dependency.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import type { Workspace } from '../config/workspace.js';
import type { LayerUse } from '../state/records.js';
import { aptSatisfy } from '../tools/aptSatisfy.js';
import { buildDepsOf } from './buildDeps.js';
import type { ChrootStatus } from './chroots.js';
import { evictLayers, layerDir, layerKey, layerLimitBytes, makeLayer, pinLayer, useLayer, type LayerPin } from './layers.js';
import type { ProgressSink } from './progress.js';

export interface SelectLayerOptions {
  chroot: ChrootStatus;
  dsc: string;
  archAny: boolean;
  archAll: boolean;
  /** The build's extra repositories as the chroot sees them... */
  extraRepositories: string[];
  /** ...with the host directories bind-mounted to make them visible there (the stage's archive). */
  bindMounts?: { directory: string; mountpoint: string }[];
  /** `name version`, recorded as the build that made a layer. */
  madeFor: string;
  tmpDir?: string;
  progress: ProgressSink;
}

/** The base chroot's /var/lib/dpkg/status, read out of the tarball once per base (and mtime). */
async function baseStatus(aptDir: string, chroot: ChrootStatus): Promise<string> {
  const file = join(aptDir, `status-${Math.round(chroot.mtimeMs)}`);
  if (existsSync(file)) return file;
  mkdirSync(aptDir, { recursive: true });
  for (const n of readdirSync(aptDir)) if (n.startsWith('status-')) rmSync(join(aptDir, n), { force: true });
  const partial = `${file}.partial-${process.pid}`;
  await execa('tar', ['--zstd', '-xOf', chroot.tarball, './var/lib/dpkg/status'], { stdout: { file: partial } });
  renameSync(partial, file);
  return file;
}

/** The chroot's own sources line, as mmdebstrap wrote it. */
function baseSource(c: ChrootStatus): string {
  const s = c.spec;
  return `deb ${s.keyring ? `[signed-by=${s.keyring}] ` : ''}${s.mirror} ${s.suite} ${s.components.join(' ')}`;
}

/** A repository line as apt on the host reads it: each bind mount's chroot path back to its host directory. */
export function hostSourceLine(line: string, bindMounts: { directory: string; mountpoint: string }[] = []): string {
  return bindMounts.reduce((l, m) => l.split(m.mountpoint).join(m.directory), line);
}

/** The layer chosen, and the pin (layers.ts pinLayer) sbuild unpacks: release it after the build. */
export type SelectedLayer = LayerUse & { pin?: LayerPin };

export async function selectLayer(ws: Workspace, o: SelectLayerOptions): Promise<SelectedLayer> {
  const started = Date.now();
  const seconds = () => Math.round((Date.now() - started) / 100) / 10;
  const bypass = (reason: string): LayerUse => ({ status: 'bypassed', tarball: o.chroot.tarball, reason, seconds: seconds() });
  const limit = layerLimitBytes(ws);
  if (limit === 0) return bypass('layers off (chroots.layers.maxSizeMiB: 0)');
  const phase = o.progress.phase('binary: build-deps layer');
  try {
    const spec = o.chroot.spec;
    // Resolution and making run apt on the host: the stage archive's snapshot at its host path.
    const repositories = o.extraRepositories.map((l) => hostSourceLine(l, o.bindMounts));
    const aptDir = join(layerDir(ws), '.apt', `${spec.suite}-${spec.architecture}-${o.chroot.key.slice(0, 8)}`);
    const deps = await buildDepsOf(o.dsc, { architecture: spec.architecture, archAny: o.archAny, archAll: o.archAll });
    const resolved = await aptSatisfy({
      dir: aptDir,
      status: await baseStatus(aptDir, o.chroot),
      sources: [baseSource(o.chroot), ...repositories],
      architecture: spec.architecture,
      aptOptions: spec.aptOptions,
      ...deps,
    });
    if (resolved.install.length === 0) {
      phase.done('bypassed: the base chroot has every build dependency');
      return bypass('nothing to install');
    }
    const key = layerKey(o.chroot, resolved.install, resolved.files);
    // The layer installs the resolved set but removes nothing: a Build-Conflicts needs sbuild's resolver.
    const resolver = deps.conflicts ? 'apt' as const : 'null' as const;
    const hit = useLayer(ws, o.chroot, key);
    const hitPin = hit && pinLayer(hit.tarball);
    if (hit && hitPin) {
      phase.done(`hit: ${resolved.install.length} packages, made for ${hit.madeFor}`);
      return { status: 'hit', tarball: hit.tarball, pin: hitPin, key, packages: resolved.install.length, seconds: seconds(), resolver };
    }
    phase.update(`making: ${resolved.install.length} packages`);
    const made = await makeLayer(ws, { base: o.chroot, key, packages: resolved.install, extraRepositories: repositories, madeFor: o.madeFor, tmpDir: o.tmpDir, phase });
    const pin = pinLayer(made.tarball);
    evictLayers(ws, limit, key);
    if (!pin) throw new Error(`the layer ${made.tarball} was removed as soon as it was made`);
    phase.done(`made: ${resolved.install.length} packages, ${(made.sizeBytes / 1048576).toFixed(0)} MiB`);
    return { status: 'made', tarball: made.tarball, pin, key, packages: resolved.install.length, seconds: seconds(), resolver };
  } catch (e) {
    const reason = (e as Error).message.split('\n')[0]!.slice(0, 200);
    phase.done(`bypassed: ${reason}`);
    return bypass(reason);
  }
}
