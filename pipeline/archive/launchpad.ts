/**
 * Waiting for a Launchpad PPA upload, as ubuntu-dev-tools' `ppa wait` does: after dput, poll
 * Launchpad's REST API (anonymous, read-only) until the upload is published and built on every
 * architecture, a build failed, or the time is up.
 *
 *   1. GET {api}/~OWNER/+archive/ubuntu/NAME?ws.op=getPublishedSources&source_name=S&version=V&exact_match=true
 *      → a collection of source_package_publishing_history entries (`status`: Pending, Published,
 *        Superseded, Deleted, Obsolete). None yet: the upload is still in Launchpad's upload queue
 *        (or was rejected, which Launchpad reports by e-mail only).
 *   2. GET {entry.self_link}?ws.op=getBuilds
 *      → a collection of build entries, one per architecture: `arch_tag`, `buildstate`
 *        ("Needs building", "Currently building", "Successfully built", "Failed to build", ...),
 *        `build_log_url` (set once the build ends), `web_link`.
 *
 * Done: the source is Published and every build "Successfully built". Failed: any build in a
 * final failure state, or the source Deleted/Superseded/Obsolete. Progress is reported on every
 * change of state; the verdict names each build's state and its log URL.
 */
import { PipelineError } from '../errors.js';
import { silentProgress, type ProgressSink } from '../build/progress.js';

export const LAUNCHPAD_API = 'https://api.launchpad.net/1.0';

/** Build states that end a build without binaries (Launchpad's BuildStatus enumeration). */
const FAILED_BUILD = new Set(['Failed to build', 'Dependency wait', 'Chroot problem', 'Build for superseded Source', 'Failed to upload', 'Cancelled build']);
const GONE_SOURCE = new Set(['Deleted', 'Superseded', 'Obsolete']);

export interface PpaBuild {
  arch: string;
  state: string;
  logUrl?: string;
  webLink?: string;
}

export interface PpaWaitResult {
  outcome: 'built' | 'failed' | 'timeout';
  /** The source publication's status, or 'not in the PPA yet'. */
  sourceStatus: string;
  builds: PpaBuild[];
  polls: number;
  /** One line: the verdict with every build's state and log URL. */
  summary: string;
}

export interface PpaWaitOptions {
  owner: string;
  ppa: string;
  source: string;
  version: string;
  /** API root (default https://api.launchpad.net/1.0; tests point it at a local server). */
  api?: string;
  timeoutMs: number;
  intervalMs: number;
  progress?: ProgressSink;
  /** Injected clock and sleep (tests of the timeout run without waiting). */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

interface Collection<T> { total_size?: number; start?: number; entries: T[] }
interface SourcePublication { self_link: string; source_package_name: string; source_package_version: string; status: string }
interface BuildEntry { arch_tag: string; buildstate: string; build_log_url?: string | null; web_link?: string }

async function getJson<T>(url: string): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, { headers: { Accept: 'application/json' }, signal: AbortSignal.timeout(30_000) });
  } catch (e) {
    throw Object.assign(new PipelineError(`Launchpad API unreachable: ${(e as Error).message} (${url})`, { exitCode: 1 }), { transient: true });
  }
  if (!res.ok) throw Object.assign(new PipelineError(`Launchpad API: HTTP ${res.status} for ${url}`, { exitCode: 1 }), { transient: res.status >= 500 });
  return (await res.json()) as T;
}

function describeBuilds(builds: PpaBuild[]): string {
  return builds.map((b) => `${b.arch}: ${b.state}${b.logUrl ? ` (log ${b.logUrl})` : ''}`).join('; ');
}

/** One look at the PPA: the source publication's status and its builds. */
export async function ppaUploadState(o: Pick<PpaWaitOptions, 'owner' | 'ppa' | 'source' | 'version' | 'api'>): Promise<{ sourceStatus: string; builds: PpaBuild[] }> {
  const api = (o.api ?? LAUNCHPAD_API).replace(/\/$/, '');
  const q = new URLSearchParams({ 'ws.op': 'getPublishedSources', source_name: o.source, version: o.version, exact_match: 'true' });
  const sources = await getJson<Collection<SourcePublication>>(`${api}/~${o.owner}/+archive/ubuntu/${o.ppa}?${q}`);
  const pub = sources.entries.find((e) => e.source_package_name === o.source && e.source_package_version === o.version);
  if (!pub) return { sourceStatus: 'not in the PPA yet', builds: [] };
  const builds = await getJson<Collection<BuildEntry>>(`${pub.self_link}?ws.op=getBuilds`);
  return {
    sourceStatus: pub.status,
    builds: builds.entries.map((b) => ({ arch: b.arch_tag, state: b.buildstate, ...(b.build_log_url ? { logUrl: b.build_log_url } : {}), ...(b.web_link ? { webLink: b.web_link } : {}) })),
  };
}

/** Poll until published and built, failed, or `timeoutMs`; progress on every change. */
export async function waitForPpaUpload(o: PpaWaitOptions): Promise<PpaWaitResult> {
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const what = `${o.source} ${o.version} in ppa:${o.owner}/${o.ppa}`;
  const phase = (o.progress ?? silentProgress).phase(`Launchpad: waiting for ${what}`);
  const start = now();
  let polls = 0;
  let last = '';
  for (;;) {
    polls++;
    const s = await ppaUploadState(o);
    const line = `source ${s.sourceStatus}${s.builds.length ? `; ${describeBuilds(s.builds)}` : ''}`;
    if (line !== last) phase.update(line);
    last = line;
    const failed = s.builds.filter((b) => FAILED_BUILD.has(b.state));
    if (failed.length || GONE_SOURCE.has(s.sourceStatus)) {
      const summary = `${what}: ${failed.length ? `build failed — ${describeBuilds(failed)}` : `source ${s.sourceStatus}`}`;
      phase.fail(summary);
      return { outcome: 'failed', sourceStatus: s.sourceStatus, builds: s.builds, polls, summary };
    }
    if (s.sourceStatus === 'Published' && s.builds.length && s.builds.every((b) => b.state === 'Successfully built')) {
      const summary = `${what}: published and built — ${describeBuilds(s.builds)}`;
      phase.done(summary);
      return { outcome: 'built', sourceStatus: s.sourceStatus, builds: s.builds, polls, summary };
    }
    const elapsed = now() - start;
    if (elapsed + o.intervalMs > o.timeoutMs) {
      const summary = `${what}: not done after ${Math.round(elapsed / 1000)}s — ${line}`;
      phase.fail(summary);
      return { outcome: 'timeout', sourceStatus: s.sourceStatus, builds: s.builds, polls, summary };
    }
    await sleep(o.intervalMs);
  }
}
