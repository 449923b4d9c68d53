/**
 * Publishing an upload set and confirming it landed, per archive kind:
 *   reprepro (local): under the archive lock — ensure the archive, dput to the suite's local
 *     incoming, `processincoming`; confirm by reading the suite's Sources index and checking
 *     that it lists this exact .dsc (sha256).
 *   dput to a Launchpad PPA: dput; confirm waits for Launchpad to publish and build it
 *     (archive/launchpad.ts, `ppa wait`): a failed build is an error naming its state and log.
 *   dput (other hosts): dput; confirm by the archive's `index` when reachable, else the upload
 *     is recorded as not yet confirmed.
 * Reconcile (after a crash inside publish): the version already in the index, or its .changes
 * still waiting in incoming, or dput's .upload record for a remote host — never a second upload.
 * An upload the suite holds that is still in incoming (processincoming killed between its commit
 * and its clean-up) is cleared from incoming, here and before every processincoming, so the
 * archive's log shows it processed once.
 */
import { basename, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { StageConfig } from '../config/schema.js';
import type { Workspace } from '../config/workspace.js';
import { PipelineError } from '../errors.js';
import { faultPoint } from '../state/faults.js';
import { archiveLockName, withLock } from '../state/lock.js';
import type { GitRef, PublishRecord } from '../state/records.js';
import type { ProgressSink } from '../build/progress.js';
import { dput, dputInvocation, parsePpa, uploadRecordPath, uploadRecorded } from '../archive/dput.js';
import { waitForPpaUpload } from '../archive/launchpad.js';
import { ensureArchive, findSource, parseSources, pendingIncoming, processIncoming, recoverArchive, repreproArchive, settleIncoming } from '../archive/reprepro.js';
import { ensureSigningKey } from '../archive/signing.js';
import type { StagePlan } from './plan.js';
import { uploadSourceId, type UploadSet } from './upload.js';

export interface PublishOutput {
  host: string;
  command: string[];
  /** dput's .upload record. */
  record: string;
  at: string;
  reconciled?: boolean;
  /** The commit the upload was built from. */
  git?: GitRef;
}

export async function publishUpload(ws: Workspace, st: StageConfig, plan: StagePlan, set: UploadSet): Promise<PublishOutput> {
  const key = await ensureSigningKey(ws, { create: true });
  const archiveConfig = ws.config.archives[st.target.archive]!;
  const changes = set.changes.path;
  if (archiveConfig.kind !== 'reprepro') {
    const r = await dput(ws, st, changes, key);
    return { host: r.invocation.host, command: [r.invocation.file, ...r.invocation.args], record: r.record, at: new Date().toISOString() };
  }
  return withLock(ws.stateDir, archiveLockName(st.target.archive), { wait: true, command: `publish ${plan.package} ${plan.version}` }, async () => {
    const archive = await ensureArchive(ws, st.target.archive, key);
    await settleIncoming(archive, key, st.target.suite);
    if (findSource(archive, st.target.suite, plan.source, plan.version)) {
      throw Object.assign(new PipelineError(`${plan.source} ${plan.version} is already in ${st.target.suite}`, { file: archive.dir, exitCode: 1 }), { permanent: true });
    }
    const host = dputInvocation(ws, st, changes).host;
    // A recorded dput whose files never reached the archive (processincoming refused and cleaned up): upload again.
    const force = uploadRecorded(changes, host) && !pendingIncoming(archive, st.target.suite).some((p) => basename(p) === basename(changes));
    const r = await dput(ws, st, changes, key, { force });
    faultPoint('publish.after-dput-before-archive-update');
    await processIncoming(archive, key, st.target.suite);
    return { host: r.invocation.host, command: [r.invocation.file, ...r.invocation.args], record: r.record, at: new Date().toISOString() };
  });
}

export async function reconcilePublish(ws: Workspace, st: StageConfig, plan: StagePlan, set: UploadSet): Promise<PublishOutput | undefined> {
  const changes = set.changes.path;
  const inv = dputInvocation(ws, st, changes);
  const done = (): PublishOutput => ({
    host: inv.host, command: [inv.file, ...inv.args], record: uploadRecordPath(changes, inv.host), at: new Date().toISOString(), reconciled: true,
  });
  const archiveConfig = ws.config.archives[st.target.archive]!;
  if (archiveConfig.kind !== 'reprepro') return uploadRecorded(changes, inv.host) ? done() : undefined;
  const key = await ensureSigningKey(ws, { create: true });
  return withLock(ws.stateDir, archiveLockName(st.target.archive), { wait: true, command: `reconcile ${plan.package} ${plan.version}` }, async () => {
    const archive = repreproArchive(ws, st.target.archive);
    await recoverArchive(archive, key); // a reprepro killed after its commit, before its export: indices first
    await settleIncoming(archive, key, st.target.suite);
    const landed = findSource(archive, st.target.suite, plan.source, plan.version);
    if (landed) return landed.dsc && landed.files[landed.dsc]?.sha256 === set.dsc.sha256 ? done() : undefined;
    if (pendingIncoming(archive, st.target.suite).some((p) => basename(p) === basename(changes))) {
      await processIncoming(await ensureArchive(ws, st.target.archive, key), key, st.target.suite);
      return findSource(archive, st.target.suite, plan.source, plan.version) ? done() : undefined;
    }
    return undefined;
  });
}

/** Read a remote archive's Sources index (gzip) for a suite; undefined when unreachable. */
async function remoteSources(indexUrl: string, suite: string, component: string): Promise<string | undefined> {
  try {
    const res = await fetch(`${indexUrl.replace(/\/$/, '')}/dists/${suite}/${component}/source/Sources.gz`, { signal: AbortSignal.timeout(10_000) });
    if (!res.ok) return undefined;
    return gunzipSync(Buffer.from(await res.arrayBuffer())).toString('utf8');
  } catch {
    return undefined;
  }
}

export async function confirmUpload(ws: Workspace, st: StageConfig, plan: StagePlan, set: UploadSet, published: PublishOutput, progress?: ProgressSink): Promise<PublishRecord> {
  const archiveConfig = ws.config.archives[st.target.archive]!;
  const base: PublishRecord = {
    package: plan.package, version: plan.version, stage: st.name, target: st.target.archive, suite: st.target.suite,
    dscSha256: set.dsc.sha256, sourceId: uploadSourceId(set), changesSha256: set.changes.sha256, publishedAt: published.at,
    dput: published.command, uploadRecord: published.record,
  };
  const dscName = basename(set.dsc.path);
  if (archiveConfig.kind === 'reprepro') {
    const archive = repreproArchive(ws, st.target.archive);
    const entry = findSource(archive, st.target.suite, plan.source, plan.version);
    if (!entry) throw new PipelineError(`${plan.source} ${plan.version} is not in ${st.target.suite}'s Sources index after the upload`, { file: join(archive.dir, 'dists', st.target.suite), exitCode: 1 });
    const indexed = entry.files[dscName]?.sha256;
    if (indexed !== set.dsc.sha256) {
      throw Object.assign(new PipelineError(`${st.target.suite} lists ${dscName} with sha256 ${indexed ?? 'none'}, not the checked ${set.dsc.sha256}`, { file: archive.dir, exitCode: 1 }), { permanent: true });
    }
    return { ...base, confirmed: true };
  }
  const ppa = parsePpa(archiveConfig.host);
  if (ppa && archiveConfig.wait.timeoutMinutes > 0) {
    let r;
    try {
      r = await waitForPpaUpload({
        owner: ppa.owner, ppa: ppa.name, source: plan.source, version: plan.version,
        ...(archiveConfig.api ? { api: archiveConfig.api } : {}),
        timeoutMs: archiveConfig.wait.timeoutMinutes * 60_000, intervalMs: archiveConfig.wait.intervalSeconds * 1000,
        ...(progress ? { progress } : {}),
      });
    } catch (e) {
      // The upload went out; an unreachable API only leaves it unconfirmed.
      if (e instanceof PipelineError && (e as { transient?: boolean }).transient) return { ...base, confirmed: false, note: `${e.message}: confirm later with pipeline status` };
      throw e;
    }
    if (r.outcome === 'failed') throw Object.assign(new PipelineError(`Launchpad: ${r.summary}`, { exitCode: 1 }), { permanent: true });
    return { ...base, confirmed: r.outcome === 'built', note: r.outcome === 'built' ? r.summary : `${r.summary}: Launchpad is not done yet; look again with pipeline status` };
  }
  if (!archiveConfig.index) return { ...base, confirmed: false, note: `uploaded to ${published.host}; no index configured to confirm it` };
  const text = await remoteSources(archiveConfig.index, st.target.suite, 'main');
  const entry = text ? parseSources(text).find((e) => e.package === plan.source && e.version === plan.version) : undefined;
  if (entry) return { ...base, confirmed: true };
  return { ...base, confirmed: false, note: text ? `not yet in ${archiveConfig.index} (${st.target.suite}): the archive builds before it publishes` : `${archiveConfig.index} unreachable: confirm later with pipeline status` };
}
