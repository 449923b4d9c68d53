/**
 * The upload set: the exact files that will be uploaded for one stage — the build's
 * _source.changes and the files it lists, copied to <stateDir>/uploads/<pkg>/<stage>/<version>/
 * (the build cache stays untouched) and signed there with debsign. Every gate is bound to the
 * sha256 of this .dsc and .changes; dput's .upload record lands next to them.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Workspace } from '../config/workspace.js';
import { PipelineError } from '../errors.js';
import type { Artifact, BuildRecord, GitRef } from '../state/records.js';
import { debsign, verifySignature, type SigningKey } from '../archive/signing.js';
import { artifact, changesFiles } from './hostBuild.js';
import { sourceIdOfFile } from '../debian/sourceId.js';
import { readJson, writeJsonAtomic } from '../state/store.js';

export interface UploadSet {
  dir: string;
  changes: Artifact;
  dsc: Artifact;
  /** Every file the .changes lists (the .dsc included). */
  files: Artifact[];
  signedBy: string;
  /** The commit the upload was built from. */
  git?: GitRef;
}

export function uploadDir(ws: Workspace, pkg: string, stage: string, version: string): string {
  return join(ws.stateDir, 'uploads', pkg, stage, version.replace(/:/g, '%3a'));
}

/** Copy the build's source upload into the upload directory and debsign it. */
export async function prepareUpload(ws: Workspace, build: BuildRecord, key: SigningKey): Promise<UploadSet> {
  if (!build.sourceChanges || !build.dsc) {
    throw new PipelineError(`build of ${build.package} ${build.version} has no source .changes/.dsc`, { file: build.outDir, exitCode: 1 });
  }
  const dir = uploadDir(ws, build.package, build.stage, build.version);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const from = dirname(build.sourceChanges.path);
  const names = changesFiles(readFileSync(build.sourceChanges.path, 'utf8'));
  for (const name of [basename(build.sourceChanges.path), ...names]) {
    if (!existsSync(join(from, name))) throw new PipelineError(`${name}, listed in the .changes, is missing`, { file: from, exitCode: 1 });
    copyFileSync(join(from, name), join(dir, name));
  }
  // With -sd the .changes leaves the orig tarball out (the archive has it), but the upload
  // directory keeps the whole source package the .dsc names, so it can be unpacked and linted.
  for (const name of dscFiles(readFileSync(build.dsc.path, 'utf8'))) {
    if (!existsSync(join(dir, name)) && existsSync(join(from, name))) copyFileSync(join(from, name), join(dir, name));
  }
  const changesPath = join(dir, basename(build.sourceChanges.path));
  await debsign(key, changesPath);
  return describeUpload(dir, changesPath, key.gnupgHome);
}

/** The file names a .dsc's Files field lists (md5 size name). */
function dscFiles(dscText: string): string[] {
  const m = /^Files:\s*\n((?:[ \t].*\n?)*)/m.exec(dscText);
  return (m?.[1] ?? '').split('\n').map((l) => l.trim().split(/\s+/)[2]).filter((n): n is string => Boolean(n));
}

/** Hash and check an upload directory: a valid signature on the .changes and .dsc, every listed file present. */
export async function describeUpload(dir: string, changesPath: string, gnupgHome: string): Promise<UploadSet> {
  const sig = await verifySignature(changesPath, gnupgHome);
  if (!sig.valid || !sig.fingerprint) throw new PipelineError('the .changes has no valid signature', { file: changesPath, exitCode: 1 });
  const names = changesFiles(readFileSync(changesPath, 'utf8'));
  const dscName = names.find((n) => n.endsWith('.dsc'));
  if (!dscName) throw new PipelineError('the .changes lists no .dsc', { file: changesPath, exitCode: 1 });
  const dscSig = await verifySignature(join(dir, dscName), gnupgHome);
  if (!dscSig.valid) throw new PipelineError('the .dsc has no valid signature', { file: join(dir, dscName), exitCode: 1 });
  const files = await Promise.all(names.map((n) => artifact(join(dir, n))));
  return { dir, changes: await artifact(changesPath), dsc: files.find((f) => f.path.endsWith('.dsc'))!, files, signedBy: sig.fingerprint };
}

/** The upload's source identity (the .dsc's unarmored content: pipeline/debian/sourceId.ts). */
export function uploadSourceId(set: UploadSet): string {
  return set.dsc.sourceId ?? sourceIdOfFile(set.dsc.path);
}

/**
 * What was judged about this upload, kept beside it (build.json, gates.json, lint.json, qa.json): the
 * stage's records move on with the next attempt, the upload's evidence stays with the upload, so
 * the report can always show what the archive's copy was judged on.
 */
export type EvidenceKind = 'build' | 'gates' | 'lint' | 'qa';

export function writeUploadEvidence(set: { dir: string }, kind: EvidenceKind, record: unknown): void {
  writeJsonAtomic(join(set.dir, `${kind}.json`), record);
}

export function readUploadEvidence<T>(dir: string, kind: EvidenceKind): T | undefined {
  try {
    return readJson<T>(join(dir, `${kind}.json`));
  } catch {
    return undefined;
  }
}

/** Re-hash an upload set; the names of files whose bytes changed since it was described. */
export async function changedFiles(set: UploadSet): Promise<string[]> {
  const out: string[] = [];
  for (const a of [set.changes, ...set.files]) {
    if (!existsSync(a.path) || (await artifact(a.path)).sha256 !== a.sha256) out.push(basename(a.path));
  }
  return [...new Set(out)];
}
