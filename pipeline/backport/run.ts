/**
 * `pipeline backport SOURCE` as a journaled run of kind `backport` (pipeline/state/runner.ts),
 * replacing ubuntu-dev-tools' backportpackage for a source package of any reachable suite:
 *
 *   fetch          apt-get source of SOURCE=VERSION from the source suite (private apt, tools/apt.ts)
 *   DEST:verify    the plan (backport/plan.ts) and its gates: the version against every pocket of
 *                  the destination series (stages/backports.ts, as promote's backport gate) and
 *                  the series' support
 *   DEST:prepare   dpkg-source -x, the changelog entry with dch as DEBFULLNAME/DEBEMAIL
 *   DEST:build     the source package (+ binaries with -b) in sbuild or pbuilder (backport/build.ts)
 *   DEST:sign      the upload set debsigned (--dont-sign: skipped, and nothing is uploaded)
 *   DEST:lint      the .dsc as unpacked + the real lintian on the .changes; the stage's lint gate
 *   DEST:publish   dput to the target (asks first for a remote one unless -y)
 *   DEST:confirm   the target's index lists the upload (remote: recorded as not yet confirmed)
 *
 * A backport publishes into a suite of its own choosing and needs nothing of a promote's: the
 * kind is standalone (no promote of the same package is resumed first, nor resumes it first).
 */
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { StageConfig } from '../config/schema.js';
import type { Workspace } from '../config/workspace.js';
import { PipelineError } from '../errors.js';
import { ensureSigningKey, namedSigningKey, type SigningKey } from '../archive/signing.js';
import { dputInvocation } from '../archive/dput.js';
import { noEpoch } from '../build/source.js';
import { lintPackage } from '../lint/index.js';
import { findSeries } from '../schedule/seriesTable.js';
import { seriesSupportGate } from '../schedule/resolve.js';
import { registerRunKind, runSteps, type RunProgress, type RunResult } from '../state/runner.js';
import type { StepContext, StepDefinition } from '../state/steps.js';
import type { BuildRecord, GateVerdict, PublishRecord, Severity } from '../state/records.js';
import { StateStore } from '../state/store.js';
import { backportVersionVerdict, ltsVersionsOf, seriesPocketVersions } from '../stages/backports.js';
import { blocking, bind, GATES } from '../stages/gates.js';
import type { StagePlan } from '../stages/plan.js';
import { confirmUpload, publishUpload, reconcilePublish, type PublishOutput } from '../stages/publish.js';
import { blockedError } from '../stages/stage.js';
import { changedFiles, describeUpload, prepareUpload, uploadDir, uploadSourceId, writeUploadEvidence, type UploadSet } from '../stages/upload.js';
import { privateApt } from '../tools/apt.js';
import { targetVersions } from '../stages/target.js';
import { assertBuilt, buildBackport, prepareTree, type PreparedTree } from './build.js';
import { destinationStage, parseUploadTarget, planDestination, withoutPpaTail, type BackportArgs } from './plan.js';
import { sha256File } from '../source/fetch.js';

export interface FetchOutput { dsc: string; sha256: string }
export interface VerifyOutput { plan: StagePlan; verdicts: GateVerdict[]; upload: { host: string; command: string[] } }
export interface LintOutput { verdicts: GateVerdict[]; counts: Record<Severity, number>; lintian: boolean }

export interface BackportRunOptions {
  progress?: RunProgress & { log?(line: string): void };
  /** Asks before an upload to a remote target (without -y); absent: such an upload is refused. */
  ask?: (question: string) => Promise<boolean>;
  dryRun?: boolean;
  wait?: boolean | number;
}

const out = <T>(ctx: StepContext, name: string): T => {
  const v = ctx.outputs[name];
  if (v === undefined) throw new PipelineError(`internal: step ${name} has no output yet`);
  return v as T;
};

/** The key the upload is signed with: -k, else the workspace's; the local archive takes only its own. */
async function signingKey(ws: Workspace, args: BackportArgs): Promise<SigningKey> {
  const own = await ensureSigningKey(ws, { create: true });
  if (!args.key) return own;
  const named = await namedSigningKey(ws, args.key);
  if (parseUploadTarget(args.upload).kind === 'local' && named.fingerprint !== own.fingerprint) {
    throw new PipelineError(`-k ${args.key}: the local archive accepts uploads signed by its own key ${own.fingerprint.slice(-16)} only`, { hint: 'drop -k, or upload elsewhere with -u' });
  }
  return named;
}

function destinationSteps(ws0: Workspace, args: BackportArgs, dest: string, options: BackportRunOptions): StepDefinition[] {
  const target = parseUploadTarget(args.upload);
  const { ws, stage: st } = destinationStage(ws0, dest, target);
  const name = (step: string) => `${dest}:${step}`;
  const progress = options.progress;
  const uploads = args.sign;
  const step = <T>(s: string, dryRun: boolean, retryable: boolean, check: string, run: (ctx: StepContext) => Promise<T>, reconcile?: (ctx: StepContext) => Promise<T | undefined>): StepDefinition => ({
    name: name(s), dryRun, retryable, check, inputs: () => ({ args, step: name(s) }), run, ...(reconcile ? { reconcile } : {}),
  });
  const steps: StepDefinition[] = [
    step<VerifyOutput>('verify', true, true, 'the version sorts above every pocket of the destination and below the source; the series is supported', async (ctx) => verify(ws, st, args, ctx)),
    step<PreparedTree>('prepare', false, false, 'dch gave the top entry the planned version and distribution', async (ctx) =>
      prepareTree(args, out<VerifyOutput>(ctx, name('verify')).plan, out<FetchOutput>(ctx, 'fetch').dsc)),
    step<BuildRecord>('build', false, true, 'the build record says successful (source, and binaries with -b)', async (ctx) => {
      const record = await buildBackport(ws, st, args, out<VerifyOutput>(ctx, name('verify')).plan, out<PreparedTree>(ctx, name('prepare')), progress);
      assertBuilt(record);
      return record;
    }),
  ];
  if (uploads) {
    steps.push(step<UploadSet>('sign', false, false, 'gpg --verify accepts the .changes and the .dsc', async (ctx) => {
      const key = await signingKey(ws, args);
      const set = await prepareUpload(ws, out<BuildRecord>(ctx, name('build')), key);
      writeUploadEvidence(set, 'build', out<BuildRecord>(ctx, name('build')));
      return set;
    }, async (ctx) => {
      const build = ctx.outputs[name('build')] as BuildRecord | undefined;
      if (!build?.sourceChanges) return undefined;
      const dir = uploadDir(ws, build.package, build.stage, build.version);
      const changes = join(dir, basename(build.sourceChanges.path));
      if (!existsSync(changes)) return undefined;
      try { return await describeUpload(dir, changes, (await signingKey(ws, args)).gnupgHome); } catch { return undefined; }
    }));
  }
  steps.push(step<LintOutput>('lint', false, false, 'the stage\'s lint gate on the .dsc as unpacked and lintian\'s tags on the .changes', async (ctx) => lint(ws, st, args, ctx, name)));
  if (uploads) {
    steps.push(step<PublishOutput>('publish', false, true, 'the checked files are what dput uploads', async (ctx) => {
      const set = out<UploadSet>(ctx, name('sign'));
      const { plan } = out<VerifyOutput>(ctx, name('verify'));
      const changed = await changedFiles(set);
      if (changed.length) throw Object.assign(new PipelineError(`${changed.join(', ')} changed after its checks`, { file: set.dir, exitCode: 1 }), { permanent: true });
      if (target.kind !== 'local' && !args.yes) {
        const question = `Upload ${basename(set.changes.path)} to ${target.host}? [y/N] `;
        if (!options.ask) throw Object.assign(new PipelineError(`an upload to ${target.host} asks first, and there is no terminal to ask on`, { hint: 'pass -y to upload without asking', exitCode: 2 }), { permanent: true });
        if (!(await options.ask(question))) throw Object.assign(new PipelineError(`upload to ${target.host} declined: nothing uploaded`, { exitCode: 1, hint: `the signed upload stays in ${set.dir}` }), { permanent: true });
      }
      return publishUpload(ws, st, plan, set);
    }, async (ctx) => {
      const set = ctx.outputs[name('sign')] as UploadSet | undefined;
      const verify = ctx.outputs[name('verify')] as VerifyOutput | undefined;
      return set && verify ? reconcilePublish(ws, st, verify.plan, set) : undefined;
    }));
    steps.push(step<PublishRecord>('confirm', false, true, 'the target\'s index lists the upload with the checked .dsc', async (ctx) => {
      const set = out<UploadSet>(ctx, name('sign'));
      const record = await confirmUpload(ws, st, out<VerifyOutput>(ctx, name('verify')).plan, set, out<PublishOutput>(ctx, name('publish')), progress);
      const store = new StateStore(ws.stateDir);
      store.write('publish', record);
      store.appendPublishHistory(record);
      return record;
    }));
  }
  return steps;
}

async function verify(ws: Workspace, st: StageConfig, args: BackportArgs, ctx: StepContext): Promise<VerifyOutput> {
  const dest = st.target.series;
  const target = parseUploadTarget(args.upload);
  // The destination's pockets, fresh (a day old at most): the gate reads them, and -v names the newest.
  const upd = await privateApt(ws, dest).update();
  if (upd.missing.length) ctx.note(`no apt lists for ${upd.missing.join(', ')}${upd.warning ? ` (${upd.warning})` : ''}`);
  const pockets = (await seriesPocketVersions(ws, dest, args.source)) ?? [];
  const targets = ws.config.stages.filter((s) => s.target.series === dest && s.name !== st.name).flatMap((s) => targetVersions(ws, args.source, s, args.source).current);
  const plan = planDestination(ws, st, args, target, [...pockets.flatMap((p) => p.versions), ...targets]);
  const judged = withoutPpaTail(plan);
  const vendor = findSeries(ws.config, dest)?.vendor ?? ws.config.vendor;
  const verdicts = [
    backportVersionVerdict(judged, await ltsVersionsOf(ws, judged, dest, st.name), { vendor, ...(plan.seriesVersion ? { seriesVersion: plan.seriesVersion } : {}) }),
    seriesSupportGate(ws, st),
  ];
  const changes = join(uploadDir(ws, args.source, st.name, plan.version), `${args.source}_${noEpoch(plan.version)}_source.changes`);
  const inv = dputInvocation(ws, st, changes);
  if (!ctx.dryRun && blocking(verdicts).length) throw blockedError(args.source, dest, verdicts, plan);
  return { plan, verdicts, upload: { host: inv.host, command: [inv.file, ...inv.args] } };
}

async function lint(ws: Workspace, st: StageConfig, args: BackportArgs, ctx: StepContext, name: (s: string) => string): Promise<LintOutput> {
  const build = out<BuildRecord>(ctx, name('build'));
  const set = args.sign ? out<UploadSet>(ctx, name('sign')) : undefined;
  const dsc = set?.dsc.path ?? build.dsc!.path;
  const changes = set?.changes.path ?? build.sourceChanges!.path;
  const { plan, verdicts: verifyVerdicts } = out<VerifyOutput>(ctx, name('verify'));
  const record = await lintPackage(ws, dsc, { stage: st.name, record: false, lintian: changes, gate: args.failOn });
  const id = set ? uploadSourceId(set) : build.dsc!.sourceId ?? '';
  const verdicts = bind([...verifyVerdicts, { ...record.gate, gate: GATES.lint }], id);
  const counts = { error: 0, warning: 0, info: 0, pedantic: 0 } as Record<Severity, number>;
  for (const f of record.findings) if (!f.overridden) counts[f.severity]++;
  if (set) {
    const lintRecord = { ...record, package: args.source, stage: st.name, version: plan.version, artifactSha256: id, gate: verdicts.find((v) => v.gate === GATES.lint)! };
    writeUploadEvidence(set, 'lint', lintRecord);
    writeUploadEvidence(set, 'gates', { package: args.source, stage: st.name, version: plan.version, dscSha256: set.dsc.sha256, sourceId: id, changesSha256: set.changes.sha256, verdicts, at: new Date().toISOString() });
  }
  if (blocking(verdicts).length) throw blockedError(args.source, st.target.series, verdicts, plan);
  return { verdicts, counts, lintian: Boolean(record.lintian?.ran) };
}

/** The steps of a backport run: fetch, then the lifecycle per destination. */
export function backportSteps(ws: Workspace, args: BackportArgs, options: BackportRunOptions = {}): StepDefinition[] {
  const fetch: StepDefinition<FetchOutput> = {
    name: 'fetch', dryRun: false, retryable: true,
    check: 'apt-get source verified the .dsc and its files against the suite\'s signed index',
    inputs: () => ({ args, step: 'fetch' }),
    run: async () => {
      const dir = join(args.workdir, 'source');
      await privateApt(ws, args.sourceSuite).sourceDownload(args.source, args.version, dir);
      const dsc = join(dir, `${args.source}_${noEpoch(args.version)}.dsc`);
      if (!existsSync(dsc)) throw new PipelineError(`apt-get source left no ${basename(dsc)}`, { file: dir, exitCode: 3 });
      return { dsc, sha256: await sha256File(dsc) };
    },
  };
  return [fetch, ...args.destinations.flatMap((d) => destinationSteps(ws, args, d, options))];
}

registerRunKind('backport', (ws, args: BackportArgs) => backportSteps(ws, args), { standalone: true });

/** Run (or resume) a backport; resolves to the runner's result (outputs by step name). */
export async function runBackport(ws: Workspace, args: BackportArgs, options: BackportRunOptions = {}): Promise<RunResult> {
  return runSteps(ws, {
    package: args.source, command: 'backport', args, steps: backportSteps(ws, args, options),
    dryRun: Boolean(options.dryRun), ...(options.progress ? { progress: options.progress } : {}), wait: options.wait,
  });
}
