/**
 * BackportStage: the LTS release's backports pocket (bookworm-backports in the Debian profile,
 * <LTS>-backports on Ubuntu). Version `BASE~bpoNN+N` (Debian) or `BASE~bpoYY.MM.N` (Ubuntu's
 * backporters' scheme): below the development release's version, above everything the LTS has —
 * the other targets of the LTS series, and every pocket of the series pipeline.yaml declares
 * (release, -updates, -security) as far as their apt lists were fetched (`pipeline fetch PKG
 * --lists`; never fetched for a gate, so the verdict names the pockets it could not check).
 * Changelog: "No-change backport to SERIES.", distribution SERIES-backports, -v the target's version.
 */
import { inPhase, silentProgress, type ProgressSink } from '../build/progress.js';
import type { Workspace } from '../config/workspace.js';
import { compareVersions } from '../debian/version.js';
import type { GateVerdict } from '../state/records.js';
import { privateApt, type SuiteVersions } from '../tools/apt.js';
import type { StagePlan } from './plan.js';
import { seriesSupportGate } from '../schedule/resolve.js';
import { applyWaiver, findWaiver, GATES } from './gates.js';
import { BaseStage, type StageRun } from './stage.js';
import { targetVersions } from './target.js';
import { versionVerdict } from './versionGate.js';

/** Where the LTS has versions of a package: a pocket of the series (`bookworm-security`) or a stage target. */
export interface LtsHolding {
  where: string;
  versions: string[];
}

export interface LtsVersions {
  holdings: LtsHolding[];
  /** Pockets whose apt lists are not on disk: their versions are unknown. */
  unchecked: string[];
}

/**
 * `apt-get update` of the private lists of every series a backports stage targets (release and
 * update pockets): what the backport version gate reads. Reuses lists younger than a day.
 */
export async function updateLtsLists(ws: Workspace, progress: ProgressSink = silentProgress): Promise<Array<{ series: string; suites: string[]; missing?: string[]; warning?: string }>> {
  const out: Array<{ series: string; suites: string[]; missing?: string[]; warning?: string }> = [];
  for (const series of new Set(ws.config.stages.filter((s) => s.kind === 'backports').map((s) => s.target.series))) {
    if (!ws.config.series[series]) continue;
    const apt = privateApt(ws, series);
    const suites = apt.suites.map((s) => s.suite);
    const r = await inPhase(progress, `apt-get update (${suites.join(', ')}, private lists)`, async (phase) => {
      const res = await apt.update();
      if (res.missing.length) phase.update(`no lists for ${res.missing.join(', ')}${res.warning ? ` (${res.warning})` : ''}`);
      return res;
    });
    out.push({ series, suites, ...(r.missing.length ? { missing: r.missing } : {}), ...(r.warning ? { warning: r.warning } : {}) });
  }
  return out;
}

/** Versions of a source package in every pocket of a series (private apt lists as fetched). */
export async function seriesPocketVersions(ws: Workspace, series: string, source: string): Promise<SuiteVersions[] | undefined> {
  if (!ws.config.series[series]) return undefined;
  return privateApt(ws, series).sourceVersions(source);
}

/** What the LTS series has: its pockets' indices and the other stage targets of that series. */
export async function ltsVersionsOf(ws: Workspace, plan: StagePlan, series: string, stageName: string): Promise<LtsVersions> {
  const targets = ws.config.stages.filter((s) => s.target.series === series && s.name !== stageName);
  const holdings: LtsHolding[] = targets.map((s) => ({
    where: `${s.target.archive}:${s.target.suite}`,
    versions: targetVersions(ws, plan.package, s, plan.source).current,
  }));
  const unchecked: string[] = [];
  for (const p of (await seriesPocketVersions(ws, series, plan.source)) ?? []) {
    if (p.missingComponents) unchecked.push(p.missingComponents.length === p.components.length ? p.suite : `${p.suite} (${p.missingComponents.join(', ')})`);
    else holdings.push({ where: p.suite, versions: p.versions });
  }
  return { holdings, unchecked };
}

/** The highest LTS version and where it is (first holder in declaration order when several have it). */
export function highestLtsVersion(lts: LtsVersions): { version: string; where: string[] } | undefined {
  let best: { version: string; where: string[] } | undefined;
  for (const h of lts.holdings) {
    for (const v of h.versions) {
      const c = best ? compareVersions(v, best.version, { lenient: true }) : 1;
      if (c > 0) best = { version: v, where: [h.where] };
      else if (c === 0 && best && !best.where.includes(h.where)) best.where.push(h.where);
    }
  }
  return best;
}

/**
 * The backport's version verdict against what the LTS has: the policy's verdict, and in its reason
 * which pocket holds the highest LTS version and which pockets could not be checked.
 */
export function backportVersionVerdict(
  plan: StagePlan,
  lts: LtsVersions,
  ctx: { vendor: 'debian' | 'ubuntu'; seriesVersion?: string; fetchHint?: string },
): GateVerdict {
  const ltsVersions = [...new Set(lts.holdings.flatMap((h) => h.versions))];
  const v = versionVerdict(plan, { vendor: ctx.vendor, ...(ctx.seriesVersion ? { seriesVersion: ctx.seriesVersion } : {}), ltsVersions });
  const top = highestLtsVersion(lts);
  const notes: string[] = [];
  if (top) notes.push(`highest LTS version: ${top.where.join(' and ')} ${top.where.length > 1 ? 'have' : 'has'} ${top.version}`);
  const empty = lts.holdings.filter((h) => h.versions.length === 0 && !h.where.includes(':')).map((h) => h.where);
  if (empty.length) notes.push(`${empty.join(', ')} ${empty.length > 1 ? 'have' : 'has'} no ${plan.source}`);
  if (lts.unchecked.length) {
    notes.push(`unchecked: ${lts.unchecked.join(', ')} (apt lists not fetched${ctx.fetchHint ? `: ${ctx.fetchHint}` : ''})`);
  }
  if (!notes.length) return v;
  return { ...v, reason: `${v.reason ?? ''} (${notes.join('; ')})`.trim() };
}

export class BackportStage extends BaseStage {
  readonly kind = 'backports' as const;

  /** A backport to a release past its support is refused (schedule/resolve.ts seriesSupportGate). */
  override async extraGates(run: StageRun): Promise<GateVerdict[]> {
    const v = seriesSupportGate(run.ws, this.config);
    return [applyWaiver(v, findWaiver(run.ws, run.pkg, this.config.name, GATES.seriesSupport, run.args.waivers))];
  }

  async versionGate(ws: Workspace, plan: StagePlan): Promise<GateVerdict> {
    const lts = await ltsVersionsOf(ws, plan, this.config.target.series, this.config.name);
    return backportVersionVerdict(plan, lts, {
      vendor: ws.config.vendor,
      ...(plan.seriesVersion ? { seriesVersion: plan.seriesVersion } : {}),
      fetchHint: `pipeline fetch ${plan.package} --lists`,
    });
  }
}
