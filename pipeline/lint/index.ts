/**
 * Lint, the library entry points:
 *   lintPackage(ws, 'zookeeper' | 'path/to/tree' | 'x.dsc', { stage, lintian }) → LintRecord
 *     (a package with a stage is linted as that stage will upload it: lint/asUploaded.ts)
 *   lintTree(dir, opts) → LintRecord  (a bare unpacked source tree, no workspace needed)
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Workspace } from '../config/workspace.js';
import { stage as stageOf } from '../config/workspace.js';
import { verifySourceControlFile } from '../debian/verifyDsc.js';
import { PipelineError } from '../errors.js';
import type { Progress } from '../source/fetch.js';
import type { LintRecord, Severity } from '../state/records.js';
import { sourceIdOfFile } from '../debian/sourceId.js';
import type { PackageTarget } from './packageTarget.js';
import { lintTreeIsolated } from './isolated.js';
import { displayPath, unpackDsc } from './unpack.js';
import { scanDsc, scannable } from './scan.js';
import { type LintTreeOptions } from './run.js';

export { unpackDsc } from './unpack.js';
export { lintTree, mergeFindings, gateVerdict, type LintTreeOptions } from './run.js';
// runLintian and parseLintianOutput: lint/lintian.ts (not re-exported here: it loads execa).
export { formatHuman, formatLintian, lintianLine } from './format.js';
export { parseOverrides, applyOverrides } from './overrides.js';
export { CHECKS, allTags, tagInfo } from './registry.js';
export type { Check, TagDefinition } from './check.js';
export * as dep5 from './dep5/api.js';

export interface LintPackageOptions {
  /** Stage name from pipeline.yaml: its gate (gates.lint) and target series apply. */
  stage?: string;
  /** A .changes/.dsc to run the real lintian on and merge (true: the stage's last build, or the .dsc given). */
  lintian?: string | boolean;
  /** Second opinion from licensecheck on license mismatches. */
  licensecheck?: boolean;
  /** Skip per-file license detection (structure and coverage only). */
  detectLicenses?: boolean;
  /** Blocking severity instead of the stage's. */
  gate?: Severity;
  progress?: Progress;
  /** Use the generated upstream tree when the package allows it (offline, tests). */
  generated?: boolean;
  /** Store the record in the state store (default: when linting a package for a stage). */
  record?: boolean;
  /**
   * A package linted for a stage: apply the stage's plan to debian/ first (version, distribution,
   * changelog entry), linting it as the stage will upload it (default true; false: as it is).
   */
  asUploaded?: boolean;
}

export async function lintPackage(ws: Workspace, target: string, opts: LintPackageOptions = {}): Promise<LintRecord> {
  const stage = opts.stage ? stageOf(ws, opts.stage) : undefined;
  const base: LintTreeOptions = {
    stage,
    gate: opts.gate,
    cacheDir: ws.cacheDir,
    licensecheck: opts.licensecheck,
    detectLicenses: opts.detectLicenses,
    vendor: ws.config.vendor,
    declaredSeries: Object.keys(ws.config.series),
  };
  const path = resolve(target);
  let tree: string;
  let lintianInput: string | undefined = typeof opts.lintian === 'string' ? resolve(opts.lintian) : undefined;
  let pkg: PackageTarget | undefined;

  if (target.endsWith('.dsc') && existsSync(path)) {
    // Scanned, not unpacked (lint/scan.ts), unless licensecheck is to read the files.
    const sc = opts.licensecheck ? undefined : await verifySourceControlFile(path, displayPath(path));
    if (sc && scannable(sc)) {
      const scanned = await scanDsc(ws.cacheDir, path, sc, opts.progress);
      tree = scanned.tree;
      base.scanned = { files: scanned.files, headers: scanned.headers };
    } else tree = await unpackDsc(ws.cacheDir, path, opts.progress);
    if (opts.lintian === true) lintianInput = path;
  } else if ((target.includes('/') || target === '.' || !/^[a-z0-9][a-z0-9.+-]*$/.test(target)) && existsSync(path)) {
    if (!statSync(path).isDirectory()) throw new PipelineError('not a directory, .dsc or package name', { file: target });
    tree = path;
  } else {
    // The stage machinery is loaded only for a package (lint/packageTarget.ts).
    const { packageTarget } = await import('./packageTarget.js');
    pkg = await packageTarget(ws, target, stage, base, opts);
    tree = pkg.tree;
    lintianInput ??= pkg.lintianInput;
  }
  if (opts.lintian === true && !lintianInput) throw new PipelineError('--lintian needs a .changes or .dsc here', { hint: 'pass --lintian FILE.changes' });

  if (lintianInput) await verifySourceControlFile(lintianInput, displayPath(lintianInput));
  // lintian (seconds) and our checks (milliseconds) run side by side.
  const theirs = lintianInput ? runLintianPhase(lintianInput, opts.progress, ws.config.vendor) : Promise.resolve([]);
  const phase = opts.progress?.phase('lint');
  const [extraFindings] = await Promise.all([theirs]);
  const lint = (dir: string) => lintTreeIsolated(dir, { ...base, extraFindings });
  const record = pkg ? await pkg.lint(tree, lint) : await lint(tree);
  if (pkg?.plan) record.version = pkg.plan.version;
  phase?.done(`${record.filesChecked} files, ${record.findings.filter((f) => !f.overridden).length} findings`);
  if (lintianInput) record.lintian = { ran: true };
  // Bound to the source identity of the .dsc linted; a tree that is no upload yet is bound to nothing.
  const subject = pkg?.subject;
  if (subject) {
    record.version = subject.version;
    record.artifactSha256 = subject.sourceId;
  } else if (target.endsWith('.dsc') && existsSync(path)) record.artifactSha256 = sourceIdOfFile(path);
  if (pkg && stage && opts.record !== false) {
    const { keepPackageRecord } = await import('./packageTarget.js');
    keepPackageRecord(ws, record, subject, Boolean(opts.gate));
  }
  return record;
}

async function runLintianPhase(input: string, progress: Progress | undefined, profile: 'debian' | 'ubuntu') {
  const phase = progress?.phase(`lintian ${input.split('/').pop()}`);
  try {
    const { runLintian } = await import('./lintian.js');
    const found = await runLintian(input, { profile });
    phase?.done(`${found.length} hints`);
    return found;
  } catch (e) {
    phase?.fail();
    throw e;
  }
}
