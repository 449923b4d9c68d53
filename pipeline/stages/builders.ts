/**
 * Who builds a stage's source package. The default is the container build (pipeline/build:
 * `buildPackage`, sbuild in unshare mode, source and binary test-build). `host` builds the source
 * package only, on this machine with dpkg-source (hostBuild.ts): for fast tests and soak runs, never
 * for real uploads — its BuildRecord says so, and the binary-build gate reports it as not run.
 *
 * The builder is chosen by promote's `builder` argument (journaled with the run, so a resumed run
 * uses the same one), else $PIPELINE_BUILDER, else `sbuild`.
 */
import type { Workspace } from '../config/workspace.js';
import { PipelineError } from '../errors.js';
import type { BuildRecord, GitRef } from '../state/records.js';
import { buildPackage } from '../build/index.js';
import type { StagePlan } from './plan.js';

export interface BuildRequest {
  ws: Workspace;
  pkg: string;
  stage: string;
  plan: StagePlan;
  force?: boolean;
  /** The commit packages/PKG/ is at (recorded in the BuildRecord). */
  git?: GitRef;
  progress?: { phase(name: string): { update(d: string): void; done(d?: string): void; fail(d?: string): void } };
}

export type Builder = (req: BuildRequest) => Promise<BuildRecord>;

const builders = new Map<string, Builder>();

export function registerBuilder(name: string, builder: Builder): void {
  builders.set(name, builder);
}

export function builderName(requested?: string, env: NodeJS.ProcessEnv = process.env): string {
  return requested ?? env.PIPELINE_BUILDER ?? 'sbuild';
}

/** The container build from pipeline/build. */
const sbuildBuilder: Builder = (req) =>
  buildPackage(req.ws, { pkg: req.pkg }, req.stage, { plan: req.plan, force: req.force, ...(req.git ? { git: req.git } : {}), ...(req.progress ? { progress: req.progress } : {}) });

export async function getBuilder(name: string): Promise<Builder> {
  if (name === 'sbuild') return builders.get('sbuild') ?? sbuildBuilder;
  if (name === 'host' && !builders.has('host')) return (await import('./hostBuild.js')).hostBuild;
  const b = builders.get(name);
  if (!b) throw new PipelineError(`unknown builder ${JSON.stringify(name)} (builders: sbuild, host${[...builders.keys()].filter((k) => k !== 'host' && k !== 'sbuild').map((k) => `, ${k}`).join('')})`, { key: 'PIPELINE_BUILDER' });
  return b;
}
