/**
 * The .debs a build made. A build that took another build's binary verdict (pipeline/build/reuse.ts,
 * `binaryFrom`) made none itself: its binaries are that build's, found through the state store (the
 * origin stage's record, when it is still the build of that version).
 */
import { existsSync } from 'node:fs';
import type { Workspace } from '../config/workspace.js';
import type { BuildRecord } from '../state/records.js';
import { StateStore } from '../state/store.js';

const isDeb = (p: string) => /\.u?deb$/.test(p);

/** The .deb paths of a successful build still on disk (own, else the origin build's); [] when none. */
export function buildDebs(ws: Workspace, build: BuildRecord | undefined): string[] {
  if (!build || build.status !== 'successful') return [];
  const own = build.artifacts.map((a) => a.path).filter((p) => isDeb(p) && existsSync(p));
  if (own.length || !build.binaryFrom) return own;
  const origin = new StateStore(ws.stateDir).read(build.package, build.binaryFrom.stage, 'build');
  if (!origin || origin.version !== build.binaryFrom.version || origin.finishedAt !== build.binaryFrom.finishedAt) return [];
  return origin.artifacts.map((a) => a.path).filter((p) => isDeb(p) && existsSync(p));
}
