/**
 * The .debs a build made. A build that took another build's binary verdict (pipeline/build/reuse.ts,
 * `binaryFrom`) made none itself: its binaries are that build's, found through the state store (the
 * origin stage's record, when it is still the build of that version) — built from the origin's own
 * .dsc, which differs from this build's in the changelog entry only.
 */
import { existsSync } from 'node:fs';
import type { Workspace } from '../config/workspace.js';
import type { BuildRecord } from '../state/records.js';
import { StateStore } from '../state/store.js';

const isDeb = (p: string) => /\.u?deb$/.test(p);
const debsOf = (b: BuildRecord) => b.artifacts.map((a) => a.path).filter((p) => isDeb(p) && existsSync(p));

/** The successful build whose .debs stand for `build`'s: itself, or the origin of its reused verdict. */
export function binaryBuild(ws: Workspace, build: BuildRecord | undefined): BuildRecord | undefined {
  if (!build || build.status !== 'successful') return undefined;
  if (!build.binaryFrom || debsOf(build).length) return build;
  const origin = new StateStore(ws.stateDir).read(build.package, build.binaryFrom.stage, 'build');
  if (!origin || origin.status !== 'successful' || origin.version !== build.binaryFrom.version || origin.finishedAt !== build.binaryFrom.finishedAt) return undefined;
  return origin;
}

/** The .deb paths of a successful build still on disk (own, else the origin build's); [] when none. */
export function buildDebs(ws: Workspace, build: BuildRecord | undefined): string[] {
  const b = binaryBuild(ws, build);
  return b ? debsOf(b) : [];
}
