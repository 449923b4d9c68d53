/**
 * The backport's tree and build: the fetched .dsc unpacked with `dpkg-source -x` into the work
 * directory, its changelog entry added with dch as the user (DEBFULLNAME/DEBEMAIL), then
 *   sbuild    the source package and (with -b) the binaries in the destination's sbuild chroot
 *             (build/index.ts buildPackage, a directory input: cached by content like any build);
 *   pbuilder  the source package with dpkg-source -b / dpkg-genchanges -S on this machine, as
 *             backportpackage makes it, and (with -b) `pbuilder build` of that .dsc in the
 *             destination's cached pbuilder base (build/pbuilder.ts).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { execa } from 'execa';
import type { StageConfig } from '../config/schema.js';
import { builderSuite, type Workspace } from '../config/workspace.js';
import { PipelineError } from '../errors.js';
import { buildDirName, buildPackage } from '../build/index.js';
import { linkOrCopy } from '../build/input.js';
import { chrootSpecFor } from '../build/chroots.js';
import { ensurePbuilderBase, pbuilderBuild } from '../build/pbuilder.js';
import type { ProgressSink } from '../build/progress.js';
import { artifactOf } from '../state/artifact.js';
import type { BuildRecord } from '../state/records.js';
import { StateStore } from '../state/store.js';
import { applyPlanToTree } from '../stages/changelog.js';
import { sourcePackageOnHost } from '../stages/hostBuild.js';
import type { StagePlan } from '../stages/plan.js';
import { execaSupervised } from '../tools/supervised.js';
import type { BackportArgs } from './plan.js';

export interface PreparedTree {
  /** The unpacked source with the backport's changelog entry. */
  tree: string;
  /** The orig tarball(s) beside it. */
  origTarballs: string[];
}

/** The .dsc's Files entries (name only). */
function dscFileNames(dsc: string): string[] {
  const m = /^Files:\s*\n((?:[ \t].*\n?)*)/m.exec(readFileSync(dsc, 'utf8'));
  return (m?.[1] ?? '').split('\n').map((l) => l.trim().split(/\s+/)[2]).filter((n): n is string => Boolean(n));
}

/** dpkg-source -x of the fetched .dsc into <workdir>/<dest>/, then the backport's entry (dch). */
export async function prepareTree(args: BackportArgs, plan: StagePlan, dsc: string): Promise<PreparedTree> {
  const dir = join(args.workdir, plan.target.series);
  rmSync(dir, { recursive: true, force: true }); // a resumed prepare starts from the .dsc again
  mkdirSync(dir, { recursive: true });
  // Not SOURCE-UPSTREAM: dch renames a directory of that form when a native version changes.
  const tree = join(dir, args.source);
  const x = await execaSupervised('dpkg-source', ['-x', dsc, tree], { reject: false, all: true, env: { LC_ALL: 'C.UTF-8' } });
  if (x.exitCode !== 0) throw new PipelineError(`dpkg-source -x failed: ${String(x.all).trim().split('\n').pop()}`, { file: dsc, exitCode: 1 });
  const origTarballs: string[] = [];
  for (const name of dscFileNames(dsc)) {
    if (!/\.orig(-[A-Za-z0-9-]+)?\.tar\.[a-z0-9]+(\.asc)?$/.test(name)) continue;
    const from = join(dsc, '..', name);
    linkOrCopy(from, join(dir, name));
    origTarballs.push(join(dir, name));
  }
  await applyPlanToTree(tree, plan, args.maintainer);
  return { tree, origTarballs };
}

/** The plan as the builders take it: the tree already carries the entry (dch only checks it). */
function builtPlan(plan: StagePlan) {
  return { version: plan.version, distribution: plan.distribution, message: plan.message, newEntry: false, includeOrig: plan.includeOrig, ...(plan.changesSince ? { changesSince: plan.changesSince } : {}) };
}

export async function buildBackport(ws: Workspace, st: StageConfig, args: BackportArgs, plan: StagePlan, prepared: PreparedTree, progress?: ProgressSink): Promise<BuildRecord> {
  if (args.builder === 'sbuild') {
    return buildPackage(ws, { dir: prepared.tree, origTarballs: prepared.origTarballs, build: { binary: args.build, archAll: true } }, st.name, {
      plan: builtPlan(plan), ...(progress ? { progress } : {}),
    });
  }
  return pbuilderBackport(ws, st, args, plan, prepared, progress);
}

async function pbuilderBackport(ws: Workspace, st: StageConfig, args: BackportArgs, plan: StagePlan, prepared: PreparedTree, progress?: ProgressSink): Promise<BuildRecord> {
  const outDir = join(ws.stateDir, 'builds', buildDirName(args.source, plan.version, `${st.name}-pbuilder`));
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const tree = join(outDir, basename(prepared.tree));
  await execa('cp', ['-a', '--reflink=auto', prepared.tree, tree]);
  for (const o of prepared.origTarballs) linkOrCopy(o, join(outDir, basename(o)));
  const phase = progress?.phase(`source package ${args.source} ${plan.version} (dpkg-source -b, as backportpackage)`);
  let src;
  try {
    src = await sourcePackageOnHost(tree, outDir, args.source, builtPlan(plan));
    phase?.done(basename(src.changesPath));
  } catch (e) {
    phase?.fail((e as Error).message);
    throw e;
  } finally {
    rmSync(tree, { recursive: true, force: true });
  }
  const spec = chrootSpecFor(ws, st);
  const base = {
    package: args.source, version: plan.version, stage: st.name, outDir,
    dsc: src.artifacts.find((a) => a.path === src.dscPath), sourceChanges: src.artifacts[0], artifacts: src.artifacts,
    sourceSummary: { status: 'successful', builder: 'dpkg-source' },
    inputsHash: createHash('sha256').update(JSON.stringify({ dsc: src.artifacts.find((a) => a.path === src.dscPath)?.sha256, builder: 'pbuilder', suite: builderSuite(st) })).digest('hex'),
  };
  let record: BuildRecord;
  if (!args.build) {
    record = { ...base, status: 'successful', message: 'no binary build (without -b)', finishedAt: new Date().toISOString() };
  } else {
    const pb = await ensurePbuilderBase(ws, spec, { ...(progress ? { progress } : {}) });
    const binDir = join(outDir, 'binary');
    const r = await pbuilderBuild(spec, pb, src.dscPath, binDir, progress);
    const binaries = await Promise.all(readdirSync(binDir).filter((n) => /\.(deb|udeb|changes|buildinfo)$/.test(n)).map((n) => artifactOf(join(binDir, n))));
    record = {
      ...base,
      status: r.ok ? 'successful' : 'failed',
      ...(r.ok ? {} : { failedPart: 'binary' as const, failStage: 'build', message: r.message ?? 'pbuilder build failed' }),
      artifacts: [...src.artifacts, ...binaries],
      binarySummary: { status: r.ok ? 'successful' : 'failed', builder: 'pbuilder', basetgz: pb.basetgz },
      binaryLog: r.log,
      commands: [r.command],
      chroot: { tarball: pb.basetgz, key: pb.key },
      finishedAt: new Date().toISOString(),
    };
  }
  new StateStore(ws.stateDir).write('build', record);
  return record;
}

/** A failed build stops the backport: one line naming the part and the log. */
export function assertBuilt(record: BuildRecord): void {
  if (record.status === 'successful') return;
  const log = record.failedPart === 'binary' ? record.binaryLog : record.sourceLog;
  throw Object.assign(new PipelineError(`${record.failedPart ?? 'source'} build of ${record.package} ${record.version} failed${record.failStage ? ` at ${record.failStage}` : ''}: ${record.message ?? 'see the log'}`, {
    exitCode: 1, ...(log && existsSync(log) ? { file: log } : {}),
  }), { permanent: true });
}
