/**
 * The backport entry point: the CLI's options turned into the run's journaled arguments (the
 * version the source suite has, the work directory, the changelog identity), then the run.
 */
import { isAbsolute, join, resolve } from 'node:path';
import { packageNames, type Workspace } from '../config/workspace.js';
import { compareVersions, maxVersion } from '../debian/version.js';
import { PipelineError } from '../errors.js';
import type { BuildRecord, GateVerdict, PublishRecord, Severity } from '../state/records.js';
import { privateApt } from '../tools/apt.js';
import { namedSigningKey } from '../archive/signing.js';
import type { StagePlan } from '../stages/plan.js';
import { isBlockedError } from '../stages/stage.js';
import { destinationStage, maintainerFromEnv, parseUploadTarget, type BackportArgs, type BuilderName } from './plan.js';
import { runBackport, type BackportRunOptions, type LintOutput, type VerifyOutput } from './run.js';

export { maintainerFromEnv, parseUploadTarget, type BackportArgs } from './plan.js';

export interface BackportRequest {
  source: string;
  sourceSuite: string;
  version?: string;
  destinations: string[];
  upload?: string;
  build?: boolean;
  builder?: string;
  key?: string;
  dontSign?: boolean;
  yes?: boolean;
  workdir?: string;
  /** Lint severity that blocks (default error). */
  failOn?: string;
  env?: NodeJS.ProcessEnv;
}

export interface DestinationReport {
  series: string;
  version: string;
  distribution: string;
  target: string;
  changesSince?: string;
  includeOrig: boolean;
  verdicts: GateVerdict[];
  upload: { host: string; command: string[] };
  build?: { status: string; binary: boolean; builder: string; outDir: string; log?: string };
  lint?: LintOutput;
  signed?: { changes: string; by: string };
  published?: PublishRecord;
  done: string[];
}

export interface BackportResult {
  source: string;
  version: string;
  sourceSuite: string;
  dryRun: boolean;
  state: 'done' | 'dry-run' | 'blocked' | 'failed';
  destinations: DestinationReport[];
  runId?: string;
  message?: string;
  exitCode: number;
}

const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info', 'pedantic'];
const SOURCE_NAME = /^[a-z0-9][a-z0-9.+-]+$/;

/** The version to backport: `-v`, which the source suite must have, else its highest. */
async function sourceVersion(ws: Workspace, suite: string, source: string, requested?: string): Promise<string> {
  const apt = privateApt(ws, suite);
  await apt.update();
  const suites = await apt.sourceVersions(source);
  const all = [...new Set(suites.flatMap((s) => s.versions))];
  const where = suites.map((s) => s.suite).join(', ');
  if (requested) {
    if (!all.some((v) => compareVersions(v, requested, { lenient: true }) === 0)) {
      throw new PipelineError(`-v ${requested}: ${where} ${all.length ? `have ${source} ${all.join(', ')}` : `have no ${source}`}`);
    }
    return requested;
  }
  const top = maxVersion(all);
  if (!top) throw new PipelineError(`${source}: no such source package in ${where}`, { hint: `check the name, or -s another suite (series: ${Object.keys(ws.config.series).join(', ')})` });
  return top;
}

/** Validate the request and turn it into the run's arguments (reads the source suite's lists). */
export async function backportArgs(ws: Workspace, req: BackportRequest, how: { canAsk?: boolean } = {}): Promise<BackportArgs> {
  const env = req.env ?? process.env;
  if (!SOURCE_NAME.test(req.source)) throw new PipelineError(`${JSON.stringify(req.source)} is not a source package name`);
  // A package of the workspace moves through its stages with promote, whose records a backport would overwrite.
  if (packageNames(ws).includes(req.source)) {
    throw new PipelineError(`${req.source} is a package of this workspace (packages/${req.source})`, { hint: `pipeline promote ${req.source} --to ${ws.config.stages.find((s) => s.kind === 'backports')?.name ?? 'backports'}` });
  }
  if (!ws.config.series[req.sourceSuite]) {
    throw new PipelineError(`-s ${req.sourceSuite}: not a series of ${ws.configFile} (series: ${Object.keys(ws.config.series).join(', ')})`);
  }
  if (!req.destinations.length) throw new PipelineError('name a destination: -d SERIES');
  const builder = (req.builder ?? 'sbuild') as BuilderName;
  if (builder !== 'sbuild' && builder !== 'pbuilder') throw new PipelineError(`--builder ${req.builder}: sbuild or pbuilder`);
  const failOn = (req.failOn ?? 'error') as Severity;
  if (!SEVERITIES.includes(failOn)) throw new PipelineError(`--fail-on ${req.failOn}: one of ${SEVERITIES.join(', ')}`);
  const upload = req.upload ?? 'local';
  const target = parseUploadTarget(upload);
  for (const d of req.destinations) destinationStage(ws, d, target); // unknown series, no local stage: before any fetch
  // backportpackage asks before a remote upload; with no terminal to ask on, refuse before the work.
  if (!req.dontSign && target.kind !== 'local' && !req.yes && how.canAsk === false) {
    throw new PipelineError(`an upload to ${target.host} asks first, and there is no terminal to ask on`, { hint: 'pass -y to upload without asking' });
  }
  if (req.key && !req.dontSign) await namedSigningKey(ws, req.key, env); // an unknown key: before any fetch
  if (req.dontSign && req.upload) throw new PipelineError('--dont-sign with -u: an upload must be signed', { hint: 'drop -u to build without uploading, or drop --dont-sign' });
  const version = await sourceVersion(ws, req.sourceSuite, req.source, req.version);
  const workdir = req.workdir
    ? (isAbsolute(req.workdir) ? req.workdir : resolve(req.workdir))
    : join(ws.stateDir, 'backport', `${req.source}_${version.replace(/:/g, '%3a')}`);
  return {
    source: req.source, sourceSuite: req.sourceSuite, version, destinations: [...new Set(req.destinations)], upload,
    build: Boolean(req.build), builder, ...(req.key ? { key: req.key } : {}), sign: !req.dontSign, yes: Boolean(req.yes), workdir, failOn,
    maintainer: maintainerFromEnv(env, ws.config.maintainer),
  };
}

function report(args: BackportArgs, outputs: Record<string, unknown>, dest: string): DestinationReport | undefined {
  const v = outputs[`${dest}:verify`] as VerifyOutput | undefined;
  if (!v) return undefined;
  const plan: StagePlan = v.plan;
  const build = outputs[`${dest}:build`] as BuildRecord | undefined;
  const sign = outputs[`${dest}:sign`] as { changes: { path: string }; signedBy: string } | undefined;
  return {
    series: dest, version: plan.version, distribution: plan.distribution, target: plan.target.upload,
    ...(plan.changesSince ? { changesSince: plan.changesSince } : {}), includeOrig: plan.includeOrig,
    verdicts: (outputs[`${dest}:lint`] as LintOutput | undefined)?.verdicts ?? v.verdicts, upload: v.upload,
    ...(build ? { build: { status: build.status, binary: args.build, builder: args.builder, outDir: build.outDir, ...(build.binaryLog ? { log: build.binaryLog } : {}) } } : {}),
    ...(outputs[`${dest}:lint`] ? { lint: outputs[`${dest}:lint`] as LintOutput } : {}),
    ...(sign ? { signed: { changes: sign.changes.path, by: sign.signedBy } } : {}),
    ...(outputs[`${dest}:confirm`] ? { published: outputs[`${dest}:confirm`] as PublishRecord } : {}),
    done: Object.keys(outputs).filter((k) => k.startsWith(`${dest}:`)).map((k) => k.slice(dest.length + 1)),
  };
}

/** `pipeline backport`: plan (dry run) or run it; a blocked gate or failed build is exit 1 with the plan so far. */
export async function backport(ws: Workspace, req: BackportRequest, options: BackportRunOptions = {}): Promise<BackportResult> {
  const args = await backportArgs(ws, req, { canAsk: Boolean(options.ask) || Boolean(options.dryRun) });
  const head = { source: args.source, version: args.version, sourceSuite: args.sourceSuite, dryRun: Boolean(options.dryRun) };
  const dests = (outputs: Record<string, unknown>) => args.destinations.map((d) => report(args, outputs, d)).filter((r): r is DestinationReport => Boolean(r));
  const outputs: Record<string, unknown> = {};
  try {
    const r = await runBackport(ws, args, options);
    Object.assign(outputs, r.outputs);
    const blocked = r.state === 'dry-run' && dests(outputs).some((d) => d.verdicts.some((v) => v.verdict === 'blocked'));
    return { ...head, state: blocked ? 'blocked' : r.state, destinations: dests(outputs), ...(r.runId ? { runId: r.runId } : {}), exitCode: blocked ? 1 : 0 };
  } catch (e) {
    if (isBlockedError(e)) {
      const plan = e.plan;
      const partial: DestinationReport[] = plan ? [{
        series: plan.target.series, version: plan.version, distribution: plan.distribution, target: plan.target.upload, includeOrig: plan.includeOrig,
        verdicts: e.verdicts, upload: { host: '', command: [] }, done: [],
      }] : [];
      return { ...head, state: 'blocked', destinations: partial, message: e.message, exitCode: 1 };
    }
    throw e;
  }
}
