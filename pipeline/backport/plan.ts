/**
 * `pipeline backport SOURCE`: what a backport is asked to do (journaled as the run's arguments)
 * and its plan per destination — the version (backportpackage's scheme as the version policy
 * states it: `BASE~bpoNN+1` for a Debian release, `BASE~bpoYY.MM.1` for an Ubuntu one, `~ppa1`
 * appended for a `ppa:` upload), the changelog entry, the upload target and the stage whose
 * builder, lint gate and archive suite it uses.
 *
 * The local archive takes a backport into the suite of the workspace's backports stage for that
 * series (bookworm-backports), so the archive's conf/ stays what pipeline.yaml generates. A remote
 * target (a dput host, `ppa:OWNER/NAME`) gets a stage of its own for the run only.
 */
import { userInfo, hostname } from 'node:os';
import type { ArchiveConfig, StageConfig } from '../config/schema.js';
import type { Workspace } from '../config/workspace.js';
import { PipelineError } from '../errors.js';
import { compareVersions, isNativeVersion, maxVersion, parseVersion } from '../debian/version.js';
import { backportVersion, ppaVersion } from '../debian/versionPolicy.js';
import { findSeries } from '../schedule/seriesTable.js';
import { parsePpa } from '../archive/dput.js';
import type { StagePlan } from '../stages/plan.js';
import type { Severity } from '../state/records.js';
import { seriesVersion } from '../stages/series.js';
import { targetVersions } from '../stages/target.js';

export type BuilderName = 'sbuild' | 'pbuilder';

/** The journaled arguments of a backport run: all a resume needs to rebuild its steps. */
export interface BackportArgs {
  /** Source package name. */
  source: string;
  /** The suite it is fetched from (`-s`), a series of pipeline.yaml. */
  sourceSuite: string;
  /** The version fetched (`-v`, else the highest the source suite's pockets have). */
  version: string;
  /** Destination series (`-d`, repeatable), in order. */
  destinations: string[];
  /** `local` (the local archive), `ppa:OWNER/NAME`, or a dput host of the user's dput.cf. */
  upload: string;
  /** `-b`: test-build the binaries. */
  build: boolean;
  builder: BuilderName;
  /** `-k`: the key to sign with (a secret key of the pipeline's GnuPG home). */
  key?: string;
  /** False with `--dont-sign`: nothing is signed, nothing uploaded. */
  sign: boolean;
  /** `-y`: upload to a remote target without asking. */
  yes: boolean;
  /** `-w`: where the source is fetched and the trees are prepared (absolute). */
  workdir: string;
  /**
   * The lint severity that blocks (`--fail-on`): error by default — a no-change backport carries
   * the source's packaging as it is, so its warnings are reported, not the backporter's to fix.
   */
  failOn: Severity;
  /** The changelog trailer, from DEBFULLNAME/DEBEMAIL as dch reads them (taken when the run starts). */
  maintainer: { name: string; email: string };
}

export type UploadTarget =
  | { kind: 'local' }
  | { kind: 'ppa'; host: string; owner: string; name: string }
  | { kind: 'dput'; host: string };

const DPUT_HOST = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function parseUploadTarget(text: string): UploadTarget {
  if (text === 'local') return { kind: 'local' };
  if (text.startsWith('ppa:')) {
    const ppa = parsePpa(text);
    if (!ppa) throw new PipelineError(`-u ${text}: not ppa:OWNER/NAME`);
    return { kind: 'ppa', host: text, ...ppa };
  }
  if (!DPUT_HOST.test(text)) throw new PipelineError(`-u ${JSON.stringify(text)}: not a dput host name, ppa:OWNER/NAME or local`);
  return { kind: 'dput', host: text };
}

/**
 * The changelog identity as dch finds it: DEBFULLNAME (else NAME) and DEBEMAIL (else EMAIL),
 * either address may be `Name <address>` (its name used when no *NAME is set); without them,
 * pipeline.yaml's maintainer, else the login name at this host.
 */
export function maintainerFromEnv(env: NodeJS.ProcessEnv, fallback?: { name: string; email: string }): { name: string; email: string } {
  const split = (v?: string) => {
    const m = v ? /^\s*(.*?)\s*<([^<>\s]+@[^<>\s]+)>\s*$/.exec(v) : null;
    return m ? { name: m[1] || undefined, email: m[2]! } : v?.trim() ? { email: v.trim() } : undefined;
  };
  const mail = split(env.DEBEMAIL) ?? split(env.EMAIL);
  const name = env.DEBFULLNAME?.trim() || env.NAME?.trim() || mail?.name;
  if (!mail && !name && fallback) return fallback;
  let login = 'unknown';
  try { login = userInfo().username; } catch { /* no passwd entry */ }
  return { name: name ?? fallback?.name ?? login, email: mail?.email ?? fallback?.email ?? `${login}@${hostname()}` };
}

/** The run's name for the remote target archive (never in pipeline.yaml). */
const REMOTE_ARCHIVE = 'backport-upload';

/**
 * The workspace and stage a destination is built, linted and uploaded with: for the local
 * archive, the workspace's backports stage of that series; for a remote target, a stage (and
 * archive) of this run only, building in the series' chroot.
 */
export function destinationStage(ws: Workspace, dest: string, target: UploadTarget): { ws: Workspace; stage: StageConfig } {
  if (!ws.config.series[dest]) {
    throw new PipelineError(`-d ${dest}: not a series of ${ws.configFile} (series: ${Object.keys(ws.config.series).join(', ')})`, { hint: `add series.${dest} (mirror, keyring, components, version) to pipeline.yaml` });
  }
  if (target.kind === 'local') {
    const st = ws.config.stages.find((s) => s.kind === 'backports' && s.target.series === dest && ws.config.archives[s.target.archive]?.kind === 'reprepro');
    if (!st) {
      throw new PipelineError(`-d ${dest}: no backports stage of pipeline.yaml uploads ${dest} to a local archive (backports stages: ${ws.config.stages.filter((s) => s.kind === 'backports').map((s) => `${s.name} → ${s.target.series}`).join(', ') || 'none'})`, {
        file: ws.configFile, hint: 'upload elsewhere with -u HOST or ppa:OWNER/NAME',
      });
    }
    return { ws, stage: st };
  }
  const vendor = findSeries(ws.config, dest)?.vendor ?? ws.config.vendor;
  // A PPA (and Ubuntu's upload queue) takes the series; Debian's backports its -backports suite.
  const pocket = target.kind === 'dput' && vendor === 'debian' ? 'backports' : undefined;
  const template = ws.config.stages.find((s) => s.kind === 'backports');
  const stage: StageConfig = {
    name: `backport-${dest}`,
    kind: 'backports',
    target: { archive: REMOTE_ARCHIVE, suite: pocket ? `${dest}-${pocket}` : dest, series: dest, ...(pocket ? { pocket } : {}) },
    builder: { suite: dest, architectures: ['amd64'], extraPackages: [], extraRepositories: [], reuse: true },
    gates: template?.gates ?? { lint: 'warning', schedule: false, binaryBuild: true },
    qa: {},
  };
  const archive = { kind: 'dput', host: target.host, wait: { timeoutMinutes: 0, intervalSeconds: 60 } } as ArchiveConfig;
  return { ws: { ...ws, config: { ...ws.config, archives: { ...ws.config.archives, [REMOTE_ARCHIVE]: archive }, stages: [...ws.config.stages, stage] } }, stage };
}

/** The newest version a destination has now (its pockets' or the target's), for the changelog's -v. */
function newestBelow(versions: readonly string[], version: string): string | undefined {
  return maxVersion(versions.filter((v) => compareVersions(v, version, { lenient: true }) < 0));
}

/**
 * The plan of one destination: version, distribution, changelog entry, -v and -sa/-sd.
 * `ltsVersions`: what the destination series holds (its pockets' private apt lists, the other
 * stage targets of the series), for -v and the backport counter.
 */
export function planDestination(ws: Workspace, st: StageConfig, args: BackportArgs, target: UploadTarget, ltsVersions: readonly string[]): StagePlan {
  const dest = st.target.series;
  const vendor = findSeries(ws.config, dest)?.vendor ?? ws.config.vendor;
  const sv = seriesVersion(ws, dest);
  const tv = targetVersions(ws, args.source, st, args.source);
  // The counter goes above the target's and the LTS's own backports of this base (a PPA test upload of one the archive holds).
  const used = [...new Set([...tv.current, ...tv.history, ...ltsVersions])];
  const bpo = backportVersion(args.version, { vendor, seriesVersion: sv, usedVersions: used });
  const version = target.kind === 'ppa' ? ppaVersion(bpo, used) : bpo;
  const changesSince = newestBelow([...tv.current, ...ltsVersions], version);
  const upstream = (v: string) => { const p = parseVersion(v, { lenient: true }); return `${p.epoch}:${p.upstream}`; };
  const includeOrig = !isNativeVersion(args.version) && !(target.kind === 'local' && tv.current.some((v) => upstream(v) === upstream(args.version)));
  const archive = ws.config.archives[st.target.archive]!;
  return {
    package: args.source, source: args.source, stage: st.name, kind: 'backports',
    baseVersion: args.version, baseDistribution: args.sourceSuite,
    version,
    distribution: st.target.pocket ? `${dest}-${st.target.pocket}` : dest,
    message: `No-change backport to ${dest}.`,
    newEntry: true,
    ...(changesSince ? { changesSince } : {}),
    includeOrig,
    target: {
      archive: st.target.archive, archiveKind: archive.kind, suite: st.target.suite, series: dest,
      ...(st.target.pocket ? { pocket: st.target.pocket } : {}),
      upload: archive.kind === 'reprepro' ? `${st.target.archive}:${st.target.suite}` : archive.host,
    },
    seriesVersion: sv,
    targetVersions: tv,
  };
}

/** The backport version without a `~ppaN` tail: what the LTS version gate judges. */
export function withoutPpaTail(plan: StagePlan): StagePlan {
  return /~bpo[^~]*~ppa\d+$/.test(plan.version) ? { ...plan, version: plan.version.replace(/~ppa\d+$/, '') } : plan;
}
