/**
 * The stage's lint gate on debian/ alone, before the build: debian/ as the upload will carry it
 * (the stage's changelog entry applied with dch on a scratch copy), through the metadata checks
 * (control, changelog, nmu, source format). They take about a second; the build they would
 * otherwise wait for takes a quarter of an hour, and any of their findings blocks the lint step
 * after the build all the same (a distribution that does not fit the stage, an upload the
 * changelog calls a team upload while the team is in Uploaders...). The full lint — copyright
 * coverage, license headers, the real lintian — still runs on the signed .dsc. The same scratch
 * copy gives prepare the changelog entry it shows, so dch runs once per prepare.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StageConfig } from '../config/schema.js';
import { loadPackage, type Workspace } from '../config/workspace.js';
import type { Check } from '../lint/check.js';
import { changelogCheck } from '../lint/metadata/changelog.js';
import { controlCheck } from '../lint/metadata/control.js';
import { descriptionCheck } from '../lint/metadata/description.js';
import { nmuCheck } from '../lint/metadata/nmu.js';
import { sourceFormatCheck } from '../lint/metadata/source.js';
import { ubuntuMaintainerCheck } from '../lint/metadata/ubuntuMaintainer.js';
import { lintTree } from '../lint/run.js';
import type { Finding, GateVerdict } from '../state/records.js';
import { applyPlanToTree } from './changelog.js';
import type { StagePlan } from './plan.js';

/** The checks that need nothing but debian/. */
export const DEBIAN_DIR_CHECKS: readonly Check[] = [controlCheck, descriptionCheck, changelogCheck, nmuCheck, ubuntuMaintainerCheck, sourceFormatCheck];

export interface DebianDirLint {
  /** The stage's lint gate over these checks (gate `lint:SEVERITY`, as the lint step's). */
  gate: GateVerdict;
  findings: Finding[];
  /** The top changelog entry as dch wrote it (changelogEntryOf). */
  changelogEntry: string;
}

/**
 * `fn` on a scratch copy of the package's debian/ with the plan applied by dch (packages/ is never
 * touched). `addedLines` is how many lines dch put on top of debian/changelog (the stage's new
 * entry; 0 when it only edited the top one), for mapping findings back with mapChangelogLine.
 */
export async function withStageDebianDir<T>(ws: Workspace, pkg: string, plan: StagePlan, fn: (tree: string, addedLines: number) => Promise<T>): Promise<T> {
  const tmp = mkdtempSync(join(tmpdir(), 'pipeline-prepare-'));
  try {
    cpSync(loadPackage(ws, pkg).debianDir, join(tmp, 'debian'), { recursive: true });
    const changelogLines = () => readFileSync(join(tmp, 'debian', 'changelog'), 'utf8').split('\n').length;
    const before = changelogLines();
    await applyPlanToTree(tmp, plan, ws.config.maintainer);
    return await fn(tmp, changelogLines() - before);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * A debian/changelog finding on the staged tree, as a line of the maintainer's file: lines below
 * the `added` lines of the stage's entry move up by its length; one inside that entry has no line
 * in the maintainer's file and says so.
 */
export function mapChangelogLine(f: Finding, added: number, stageName: string, version: string): Finding {
  if (f.file !== 'debian/changelog' || !f.line || added <= 0) return f;
  if (f.line > added) return { ...f, line: f.line - added };
  const { line: _line, ...rest } = f;
  const where = `(in the ${version} entry the ${stageName} stage adds)`;
  return { ...rest, detail: f.detail ? `${f.detail} ${where}` : where };
}

/** The top entry of a tree's debian/changelog, heading to trailer. */
export function changelogEntryOf(tree: string): string {
  const lines = readFileSync(join(tree, 'debian', 'changelog'), 'utf8').split('\n');
  const end = lines.findIndex((l) => l.startsWith(' -- '));
  return lines.slice(0, end + 1).join('\n');
}

/** The stage's lint gate on debian/ as it will be uploaded, and the changelog entry it carries: one dch run. */
export async function lintDebianDir(ws: Workspace, pkg: string, stage: StageConfig, plan: StagePlan): Promise<DebianDirLint> {
  return withStageDebianDir(ws, pkg, plan, async (tree, added) => {
    const record = await lintTree(tree, { checks: DEBIAN_DIR_CHECKS, stage, vendor: ws.config.vendor, declaredSeries: Object.keys(ws.config.series), detectLicenses: false });
    // Lines of the maintainer's changelog, as `pipeline lint PKG --stage` reports them.
    const findings = record.findings.map((f) => mapChangelogLine(f, added, stage.name, plan.version));
    return { gate: record.gate, findings, changelogEntry: changelogEntryOf(tree) };
  });
}
