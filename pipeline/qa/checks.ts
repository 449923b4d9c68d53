/**
 * The QA checks a stage runs on its build before anything is uploaded, declared as a table the way
 * lintian declares its tags: each check's name (the gate name in every verdict, report and JSON), what
 * it proves, which Debian tool does the work, and the severity a careful maintainer would choose per
 * stage kind. pipeline.yaml overrides the severity per stage (`qa: { upgrade-path: warn }`).
 *
 * The implementations live one module per check (pipeline/qa/<name>.ts) and register themselves in
 * pipeline/qa/registry.ts; this file stays free of them so the config schema can import the names.
 */
import type { StageKind } from '../state/records.js';

export const QA_CHECK_NAMES = [
  'installability', 'upgrade-path', 'autopkgtest', 'reverse-dependencies', 'debdiff', 'release-upgrade', 'reproducible',
] as const;
export type QaCheckName = (typeof QA_CHECK_NAMES)[number];

/** block: a failure blocks the stage; warn: a failure is recorded as waived by the config; off: not run. */
export const QA_SEVERITIES = ['block', 'warn', 'off'] as const;
export type QaSeverity = (typeof QA_SEVERITIES)[number];

export interface QaCheckDeclaration {
  name: QaCheckName;
  title: string;
  /** What a pass proves (shown by `pipeline promote --dry-run` and in the README). */
  explanation: string;
  /** The Debian tool that does the work. */
  tool: string;
  /** The default severity per stage kind. */
  defaults: Record<StageKind, QaSeverity>;
}

export const QA_CHECKS: readonly QaCheckDeclaration[] = [
  { name: 'installability', title: 'installability',
    explanation: 'the built binaries install in a clean chroot of the target (for a backport: the LTS release, its pockets and backports); an unmet dependency is named',
    tool: 'dose-debcheck over the target\'s Packages lists', defaults: { ppa: 'block', devel: 'block', backports: 'block' } },
  { name: 'upgrade-path', title: 'upgrade path',
    explanation: 'install the version the target ships, upgrade to this upload, remove and purge: maintainer scripts succeed, no file left behind or overwritten',
    tool: 'piuparts in the stage\'s cached chroot', defaults: { ppa: 'block', devel: 'block', backports: 'block' } },
  { name: 'autopkgtest', title: 'autopkgtest',
    explanation: 'the package\'s own debian/tests pass against the built binaries in the stage\'s container',
    tool: 'autopkgtest', defaults: { ppa: 'block', devel: 'block', backports: 'block' } },
  { name: 'reverse-dependencies', title: 'reverse dependencies',
    explanation: 'the autopkgtests of the set\'s packages that depend on this one pass against this upload\'s binaries',
    tool: 'autopkgtest', defaults: { ppa: 'block', devel: 'block', backports: 'block' } },
  { name: 'debdiff', title: 'debdiff',
    explanation: 'the source and binary changes against what the target holds now (or the previous stage\'s upload), summarised; the full diff is kept beside the build',
    tool: 'debdiff', defaults: { ppa: 'warn', devel: 'warn', backports: 'warn' } },
  { name: 'release-upgrade', title: 'upgrade to the next release',
    explanation: 'a backport only: the LTS\'s own version, then this backport, then a dist-upgrade to the devel series with the devel stage\'s version, remove and purge: maintainer scripts succeed, the devel version ends up installed, no file left behind',
    tool: 'piuparts (distupgrade mode) in the LTS\'s cached chroot', defaults: { ppa: 'off', devel: 'off', backports: 'block' } },
  { name: 'reproducible', title: 'reproducible build',
    explanation: 'a second build with a varied environment gives the same binaries; the differing files are listed',
    tool: 'sbuild + diffoscope', defaults: { ppa: 'off', devel: 'off', backports: 'off' } },
];

export function qaDeclaration(name: string): QaCheckDeclaration | undefined {
  return QA_CHECKS.find((c) => c.name === name);
}

/** The severity of every check at a stage: its kind's defaults, then the stage's `qa` overrides. */
export function qaSeverities(kind: StageKind, overrides: Partial<Record<QaCheckName, QaSeverity>> = {}): Record<QaCheckName, QaSeverity> {
  return Object.fromEntries(QA_CHECKS.map((c) => [c.name, overrides[c.name] ?? c.defaults[kind]])) as Record<QaCheckName, QaSeverity>;
}
