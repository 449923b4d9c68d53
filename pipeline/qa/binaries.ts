/**
 * The binary packages a stage's QA judges: the .debs of the stage's test-build. A build that
 * borrowed another stage's binary verdict (build/reuse.ts: same tree but the changelog, same
 * chroot) has no .debs of its own; its binaries are the lending build's, found by its record.
 */
import { existsSync } from 'node:fs';
import type { Workspace } from '../config/workspace.js';
import type { Artifact, BinaryOrigin, BuildRecord } from '../state/records.js';
import { StateStore } from '../state/store.js';

export interface QaBinaries {
  debs: Artifact[];
  /** Set when the .debs are the lending build's (their version is that build's). */
  from?: BinaryOrigin;
}

const isDeb = (a: Artifact) => /\.u?deb$/.test(a.path);

export function qaBinaries(ws: Workspace, build: BuildRecord): QaBinaries {
  const own = build.artifacts.filter(isDeb);
  if (own.length || !build.binaryFrom) return { debs: own };
  const from = build.binaryFrom;
  const origin = new StateStore(ws.stateDir).read(build.package, from.stage, 'build');
  const lent = origin && origin.version === from.version ? origin.artifacts.filter(isDeb).filter((a) => existsSync(a.path)) : [];
  return { debs: lent, from };
}
