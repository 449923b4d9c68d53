/**
 * The `host` builder: the stage's source package built on this machine, without a container and
 * without a binary test-build — the package tree from pipeline/source (orig + debian/), the
 * stage's changelog entry added with dch, `dpkg-source -b`, `dpkg-genchanges -S`. It exists so
 * tests and soak runs can promote fixture packages in seconds; real uploads use the sbuild builder.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { execa } from 'execa';
import { PipelineError } from '../errors.js';
import { execaSupervised } from '../tools/supervised.js';
import { prepareSourceTree } from '../source/tree.js';
import type { Artifact, BuildRecord } from '../state/records.js';
import type { SourcePlan } from './plan.js';
import { artifactOf as artifact } from '../state/artifact.js';
import type { BuildRequest } from './builders.js';
import { applyPlanToTree } from './changelog.js';

export { applyPlanToTree, dchArguments } from './changelog.js';

/** The files a .changes lists (Files: field), by name. */
export function changesFiles(changesText: string): string[] {
  const out: string[] = [];
  const m = /^Files:\s*\n((?:[ \t].*\n?)*)/m.exec(changesText);
  for (const line of (m?.[1] ?? '').split('\n')) {
    const name = line.trim().split(/\s+/)[4];
    if (name) out.push(name);
  }
  return out;
}

export { artifactOf as artifact } from '../state/artifact.js';

/**
 * `dpkg-source -b` of `tree` (in `parent`) and `dpkg-genchanges -S` with the plan's -sa/-sd and -v:
 * the source package as dpkg-buildpackage -S makes it, on this machine. The tree must already
 * carry the plan's changelog entry.
 */
export async function sourcePackageOnHost(tree: string, parent: string, source: string, plan: Pick<SourcePlan, 'version' | 'includeOrig' | 'changesSince'>): Promise<{ dscPath: string; changesPath: string; artifacts: Artifact[] }> {
  // dpkg-source -b of a large tree takes a while; it must not outlive a killed pipeline.
  const src = await execaSupervised('dpkg-source', ['-b', basename(tree)], { cwd: parent, reject: false, all: true, env: { LC_ALL: 'C.UTF-8' } });
  if (src.exitCode !== 0) throw new PipelineError(`dpkg-source -b failed: ${String(src.all).trim().split('\n').pop()}`, { file: tree, exitCode: 1 });
  const noEpoch = plan.version.replace(/^\d+:/, '');
  const changesName = `${source}_${noEpoch}_source.changes`;
  const gen = await execa('dpkg-genchanges', [
    '--build=source', plan.includeOrig ? '-sa' : '-sd', ...(plan.changesSince ? [`-v${plan.changesSince}`] : []), `-O../${changesName}`,
  ], { cwd: tree, reject: false, all: true, env: { LC_ALL: 'C.UTF-8' } });
  if (gen.exitCode !== 0) throw new PipelineError(`dpkg-genchanges failed: ${String(gen.all).trim().split('\n').pop()}`, { file: tree, exitCode: 1 });
  const changesPath = join(parent, changesName);
  const dscPath = join(parent, `${source}_${noEpoch}.dsc`);
  if (!existsSync(dscPath)) throw new PipelineError(`dpkg-source made no ${basename(dscPath)}`, { file: parent, exitCode: 1 });
  const listed = changesFiles(readFileSync(changesPath, 'utf8'));
  const artifacts = await Promise.all([changesPath, ...listed.map((f) => join(parent, f))].map(artifact));
  return { dscPath, changesPath, artifacts };
}

export async function hostBuild(req: BuildRequest): Promise<BuildRecord> {
  const { ws, pkg, stage, plan } = req;
  const outDir = join(ws.cacheDir, 'host-builds', pkg, stage, plan.version.replace(/:/g, '%3a'));
  const phase = req.progress?.phase(`host source build ${pkg} ${plan.version}`);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  try {
    const tree = await prepareSourceTree(ws, pkg, { into: outDir });
    await applyPlanToTree(tree.tree, plan, ws.config.maintainer);
    const { dscPath, changesPath, artifacts } = await sourcePackageOnHost(tree.tree, tree.parent, tree.source, plan);
    rmSync(tree.tree, { recursive: true, force: true });
    phase?.done(basename(changesPath));
    return {
      package: pkg, version: plan.version, stage, status: 'successful', outDir: tree.parent,
      dsc: artifacts.find((a) => a.path === dscPath), sourceChanges: artifacts[0], artifacts,
      sourceSummary: { status: 'successful', builder: 'host' },
      message: 'source-only host build (PIPELINE_BUILDER=host): no binary test-build',
      inputsHash: createHash('sha256').update(JSON.stringify({ key: tree.key, plan })).digest('hex'),
      finishedAt: new Date().toISOString(),
      ...(req.git ? { git: req.git } : {}),
    };
  } catch (e) {
    phase?.fail((e as Error).message);
    throw e;
  }
}

