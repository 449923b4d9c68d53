/**
 * One binary test-build per distinct input. Two stages that build in the same chroot (ppa and
 * devel both in trixie) test-build the same tree, differing only in the changelog entry each
 * stage writes on top; the second build would say nothing the first did not. So a build's binary
 * inputs are hashed without debian/changelog — the tree (orig tarballs + debian/) but the
 * changelog, with the source name and upstream version it names, the chroot's key and tarball
 * mtime, the build switches, the extra repositories — and a recorded build of
 * the package with the same hash lends its verdict: the new record carries the verdict, a link
 * to that build's log in its own binary/, and `binaryFrom` naming it. The source package is
 * still built per stage, and every gate stays bound to the upload's own .dsc.
 *
 * `--rebuild` (force) or `builder.reuse: false` on the stage builds anew.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { StageConfig } from '../config/schema.js';
import type { Workspace } from '../config/workspace.js';
import type { BinaryOrigin, BuildRecord } from '../state/records.js';
import { StateStore } from '../state/store.js';
import type { ChrootStatus } from './chroots.js';
import { linkOrCopy } from './input.js';

/** Bump when the binary test-build changes in a way that invalidates recorded verdicts. */
const BINARY_FORMAT = 1;

/** Failures that say nothing about the package (network, chroot setup): never lent or served from cache. */
export const INFRASTRUCTURE_STAGE = /update|upgrade|fetch|session|unpack|chroot|download|create/;

export interface BinaryInputs {
  /** Content hash of the tree but debian/changelog (ResolvedInput.treeHashButChangelog). */
  content: string;
  chroot: Pick<ChrootStatus, 'key' | 'mtimeMs'>;
  archAll: boolean;
  extraRepositories: string[];
  /** The in-set build dependencies the stage's archive offers (build/stageArchive.ts stageArchiveKey); absent when none. */
  stageArchive?: { offered: string[]; remote?: string };
}

export function binaryInputsHash(i: BinaryInputs): string {
  return createHash('sha256')
    .update(JSON.stringify({
      format: BINARY_FORMAT,
      content: i.content,
      chroot: { key: i.chroot.key, mtimeMs: Math.round(i.chroot.mtimeMs) },
      archAll: i.archAll,
      extraRepositories: i.extraRepositories,
      // Absent (so left out of the JSON) when the stage's archive offers nothing the package
      // build-depends on: such builds hash as before and still lend their verdict across stages.
      stageArchive: i.stageArchive,
    }))
    .digest('hex');
}

/** Whether a stage's build may take another build's binary verdict: not with --rebuild, not with `builder.reuse: false`. */
export function reuseAllowed(st: StageConfig, options: { force?: boolean; reuse?: boolean }): boolean {
  return !options.force && options.reuse !== false && st.builder.reuse !== false;
}

/** A binary verdict a record can lend: a test-build that ran (or was itself lent) and did not fail for infrastructure reasons. */
function hasVerdict(r: BuildRecord): boolean {
  if (!r.binarySummary) return false;
  if (r.status === 'successful') return true;
  return r.failedPart === 'binary' && Boolean(r.failStage) && !INFRASTRUCTURE_STAGE.test(r.failStage!);
}

/**
 * The newest recorded build of `pkg` (any stage of the workspace) whose binary inputs hash to
 * `hash`, with its log still on disk. Reads records only.
 */
export function findBinaryOrigin(ws: Workspace, pkg: string, hash: string): BuildRecord | undefined {
  const store = new StateStore(ws.stateDir);
  const candidates = ws.config.stages
    .map((st) => store.read(pkg, st.name, 'build'))
    .filter((r): r is BuildRecord => Boolean(r && r.binaryInputsHash === hash && hasVerdict(r) && r.binaryLog && existsSync(r.binaryLog)));
  return candidates.sort((a, b) => b.finishedAt.localeCompare(a.finishedAt))[0];
}

/** The origin a lent verdict names: the build that ran sbuild, also when `origin` itself borrowed it. */
export function originOf(origin: BuildRecord): BinaryOrigin {
  return origin.binaryFrom ?? { stage: origin.stage, version: origin.version, finishedAt: origin.finishedAt, ...(origin.binaryLog ? { log: origin.binaryLog } : {}) };
}

/**
 * The binary part of a record that borrows `origin`'s verdict: its summary, failure (if any), and
 * a link to its log under `binDir`, so the evidence stays when the origin's directory is rebuilt.
 */
export function lendBinaryVerdict(origin: BuildRecord, binDir: string): Partial<BuildRecord> {
  mkdirSync(binDir, { recursive: true });
  const log = join(binDir, basename(origin.binaryLog!));
  if (!existsSync(log)) linkOrCopy(origin.binaryLog!, log);
  const failure = origin.status === 'successful'
    ? {}
    : { status: 'failed' as const, failedPart: 'binary' as const, failStage: origin.failStage, message: origin.message };
  const o = originOf(origin);
  return {
    binarySummary: origin.binarySummary, binaryLog: log, binaryFrom: o, ...failure,
    // Same inputs, same in-set build dependencies offered: the versions the origin installed.
    ...(origin.inSetBuildDeps ? { inSetBuildDeps: origin.inSetBuildDeps } : {}),
    noOwnBinaries: `the binary test-build is ${describeOrigin(o)}: its .debs carry ${o.version}, so this stage publishes its source only (builder.reuse: false gives it binaries of its own)`,
  };
}

/** "the ppa build of 1.0-1~ppa1 (2026-12-07 00:10)": for progress lines, the CLI and gate reasons. */
export function describeOrigin(o: BinaryOrigin): string {
  return `the ${o.stage} build of ${o.version} (${o.finishedAt.slice(0, 16).replace('T', ' ')})`;
}
