/**
 * What a stage's upload is compared with (the debdiff check): the source package the target holds
 * now, else the previous stage's published upload, else the version the target's series itself
 * ships (Debian's or Ubuntu's archive, read through the private apt of pipeline/tools/apt.ts) —
 * with the binaries of that version when they can still be found.
 *
 *   local archive target  the suite's Sources index → the pool's .dsc; its Packages index → the .debs
 *   PPA (dput) target     our own upload of the version the PPA holds (the upload directory)
 *   other dput target     the series' archive (apt-get source --download-only)
 * The binaries of an upload of ours come from the build kept beside it (build.json), else the
 * archive's pool (once binaries are published beside the source).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StageConfig } from '../config/schema.js';
import { builderSuite, stage as stageConfig, type Workspace } from '../config/workspace.js';
import { foldedValue, parseDeb822 } from '../debian/deb822.js';
import { compareVersions } from '../debian/version.js';
import { findSource, repreproArchive } from '../archive/reprepro.js';
import { privateApt } from '../tools/apt.js';
import type { BuildRecord } from '../state/records.js';
import { StateStore } from '../state/store.js';
import type { StagePlan } from '../stages/plan.js';
import { readUploadEvidence, uploadDir } from '../stages/upload.js';
import { qaBinaries } from './binaries.js';

export interface Baseline {
  version: string;
  /** Where it comes from, for the reason line: `local:ppa`, `the devel stage's upload`, `Debian trixie`. */
  from: string;
  dsc: string;
  /** Its binary packages (.deb files), when found; [] otherwise. */
  debs: string[];
  /** The chroot suite those .debs were built in (the builder suite of the stage they are from). */
  debsBuiltIn?: string;
}

export interface BaselineQuery {
  ws: Workspace;
  pkg: string;
  stage: StageConfig;
  plan: StagePlan;
  /** Where a source downloaded from the series' archive goes. */
  downloadDir: string;
}

const newestOther = (versions: string[], not: string) =>
  versions.filter((v) => compareVersions(v, not, { lenient: true }) !== 0).sort((a, b) => compareVersions(b, a, { lenient: true }))[0];

/**
 * The baseline to compare with, or why there is none. A dput target that is a distribution's
 * archive (not a PPA) holds what its series' lists say: that comes first there; elsewhere the
 * series' own version is the last resort (a first upload to a PPA or a local stage).
 */
export async function findBaseline(q: BaselineQuery): Promise<Baseline | { none: string }> {
  const { ws, plan } = q;
  const distribution = plan.target.archiveKind === 'dput' && !plan.target.upload.startsWith('ppa:');
  const held = async () => {
    const v = newestOther(plan.targetVersions.current, plan.version);
    if (!v) return undefined;
    return plan.target.archiveKind === 'reprepro' ? fromLocalArchive(q, v) : fromOwnUpload(ws, q.pkg, q.stage.name, v, plan.target.upload);
  };
  const order = distribution ? [fromSeriesArchive, held, previousStageUpload] : [held, previousStageUpload, fromSeriesArchive];
  for (const candidate of order) {
    const b = await candidate(q);
    if (b) return b;
  }
  const prev = previousStage(ws, q.stage);
  return { none: `${plan.target.upload} holds no other ${plan.source}${prev ? `, the ${prev.name} stage published no other version` : ''}, and ${plan.target.series}'s lists name none` };
}

function previousStage(ws: Workspace, st: StageConfig): StageConfig | undefined {
  const i = ws.config.stages.findIndex((s) => s.name === st.name);
  return i > 0 ? ws.config.stages[i - 1] : undefined;
}

function dscIn(dir: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  const name = readdirSync(dir).find((n) => n.endsWith('.dsc'));
  return name ? join(dir, name) : undefined;
}

/** The paths of a successful build's .debs still on disk: its own, or the lending build's (qa/binaries.ts). */
export function debPaths(ws: Workspace, build: BuildRecord | undefined): string[] {
  if (!build || build.status !== 'successful') return [];
  return qaBinaries(ws, build).debs.map((a) => a.path).filter((p) => existsSync(p));
}

/** The .debs of the build kept beside one of our uploads (its build.json). */
function uploadDebs(ws: Workspace, dir: string): string[] {
  return debPaths(ws, readUploadEvidence<BuildRecord>(dir, 'build'));
}

function fromOwnUpload(ws: Workspace, pkg: string, stage: string, version: string, from: string): Baseline | undefined {
  const dir = uploadDir(ws, pkg, stage, version);
  const dsc = dscIn(dir);
  return dsc ? { version, from, dsc, debs: uploadDebs(ws, dir), debsBuiltIn: builderSuite(stageConfig(ws, stage)) } : undefined;
}

function fromLocalArchive(q: BaselineQuery, version: string): Baseline | undefined {
  const archive = repreproArchive(q.ws, q.plan.target.archive);
  const entry = findSource(archive, q.plan.target.suite, q.plan.source, version);
  if (!entry?.dsc) return undefined;
  const dsc = join(archive.dir, entry.directory, entry.dsc);
  if (!existsSync(dsc)) return undefined;
  // Our own upload's build first (the test-build's debs), else binaries the suite publishes.
  const ours = fromOwnUpload(q.ws, q.pkg, q.stage.name, version, q.plan.target.upload);
  const debs = ours?.debs.length ? ours.debs : poolDebs(archive.dir, q.plan.target.suite, archive.config.architectures, q.plan.source, version);
  return { version, from: q.plan.target.upload, dsc, debs, debsBuiltIn: builderSuite(q.stage) };
}

/** The pool files of the binaries a suite's Packages indices list for one source version. */
export function poolDebs(archiveDir: string, suite: string, architectures: string[], source: string, version: string): string[] {
  const out = new Set<string>();
  for (const arch of architectures) {
    const file = join(archiveDir, 'dists', suite, 'main', `binary-${arch}`, 'Packages');
    if (!existsSync(file)) continue;
    for (const p of parseDeb822(readFileSync(file, 'utf8'), { file, allowEmpty: true }).paragraphs) {
      const [src, srcVersion] = (() => {
        const s = p.value('Source');
        const m = s ? /^(\S+)(?:\s+\((\S+)\))?/.exec(s) : null;
        return [m?.[1] ?? p.value('Package'), m?.[2] ?? p.value('Version')];
      })();
      const filename = p.get('Filename');
      if (src === source && srcVersion && compareVersions(srcVersion, version, { lenient: true }) === 0 && filename) {
        const path = join(archiveDir, foldedValue(filename));
        if (existsSync(path)) out.add(path);
      }
    }
  }
  return [...out];
}

/** The upload the previous stage published (the version this stage carries on from). */
function previousStageUpload(q: BaselineQuery): Baseline | undefined {
  const prev = previousStage(q.ws, q.stage);
  if (!prev) return undefined;
  const pub = new StateStore(q.ws.stateDir).read(q.pkg, prev.name, 'publish');
  if (!pub || pub.confirmed === false || compareVersions(pub.version, q.plan.version, { lenient: true }) === 0) return undefined;
  return fromOwnUpload(q.ws, q.pkg, prev.name, pub.version, `the ${prev.name} stage's upload`);
}

/**
 * The version the series' archive ships (its release and update pockets), from the private apt
 * lists already on disk (a gate never fetches lists): the source cache of `pipeline fetch` when it
 * holds it, else `apt-get source --download-only`.
 */
async function fromSeriesArchive(q: BaselineQuery): Promise<Baseline | undefined> {
  const series = q.plan.target.series;
  if (!q.ws.config.series[series]) return undefined;
  const apt = privateApt(q.ws, series);
  let versions: string[];
  try {
    versions = (await apt.sourceVersions(q.plan.source)).flatMap((s) => s.versions);
  } catch {
    return undefined;
  }
  const version = newestOther(versions, q.plan.version);
  if (!version) return undefined;
  const from = `${q.ws.config.vendor === 'ubuntu' ? 'Ubuntu' : 'Debian'} ${series}`;
  const cached = dscIn(join(q.ws.cacheDir, 'sources', q.pkg, version));
  if (cached) return { version, from, dsc: cached, debs: [] };
  try {
    await apt.sourceDownload(q.plan.source, version, q.downloadDir);
  } catch {
    return undefined;
  }
  const dsc = dscIn(q.downloadDir);
  return dsc ? { version, from, dsc, debs: [] } : undefined;
}
