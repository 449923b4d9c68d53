/**
 * The artifact a stage holds for a package, as the checks must judge it: the upload the target
 * holds (published), else the signed upload waiting to go (signed), else the stage's build of
 * the version it would upload (built). `pipeline lint PKG --stage S` lints this exact .dsc, so
 * its verdict lands on the same identity the promote's verdicts were bound to.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Workspace } from '../config/workspace.js';
import { sourceIdOfFile } from '../debian/sourceId.js';
import { StateStore } from '../state/store.js';
import { uploadDir } from './upload.js';

export interface StageArtifact {
  state: 'published' | 'signed' | 'built';
  version: string;
  dsc: string;
  /** The _source.changes beside it (lintian's input). */
  changes?: string;
  /** The upload directory, for a signed or published upload (its evidence lives there). */
  uploadDir?: string;
  sourceId: string;
}

/** The signed upload of `version` for the stage, if its directory holds a .dsc and a _source.changes. */
export function signedUpload(ws: Workspace, pkg: string, stage: string, version: string): { dir: string; dsc: string; changes: string } | undefined {
  const dir = uploadDir(ws, pkg, stage, version);
  if (!existsSync(dir)) return undefined;
  const names = readdirSync(dir);
  const dsc = names.find((n) => n.endsWith('.dsc'));
  const changes = names.find((n) => n.endsWith('_source.changes'));
  return dsc && changes ? { dir, dsc: join(dir, dsc), changes: join(dir, changes) } : undefined;
}

/**
 * The stage's artifact: `landed` (the version the target holds, from this base) first, then
 * `planned` (the version the next upload would carry): signed upload, else the stage's build.
 */
export function findStageArtifact(ws: Workspace, pkg: string, stage: string, versions: { landed?: string; planned?: string }): StageArtifact | undefined {
  if (versions.landed) {
    const up = signedUpload(ws, pkg, stage, versions.landed);
    if (up) return { state: 'published', version: versions.landed, dsc: up.dsc, changes: up.changes, uploadDir: up.dir, sourceId: sourceIdOfFile(up.dsc) };
  }
  const v = versions.planned;
  if (!v) return undefined;
  const up = signedUpload(ws, pkg, stage, v);
  if (up) return { state: 'signed', version: v, dsc: up.dsc, changes: up.changes, uploadDir: up.dir, sourceId: sourceIdOfFile(up.dsc) };
  const build = new StateStore(ws.stateDir).read(pkg, stage, 'build');
  if (build?.status === 'successful' && build.version === v && build.dsc && existsSync(build.dsc.path)) {
    return { state: 'built', version: v, dsc: build.dsc.path, ...(build.sourceChanges && existsSync(build.sourceChanges.path) ? { changes: build.sourceChanges.path } : {}), sourceId: sourceIdOfFile(build.dsc.path) };
  }
  return undefined;
}
