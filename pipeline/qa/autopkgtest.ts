/**
 * The `autopkgtest` QA check: the package's own DEP-8 tests (debian/tests/control, or the tests
 * autodep8 generates for a `Testsuite: autopkgtest-pkg-*` field) run by the real autopkgtest
 * against the stage build's binaries, in the stage's container (pipeline/qa/testbed.ts). The
 * source is the signed upload's .dsc, so what is tested is what will be uploaded; the set's
 * packages it depends on come as the stage has them (its archive or build records), pinned.
 *   no Testsuite in the .dsc, or no test found  → not applicable
 *   every test passes                           → pass, naming the tests
 *   a test fails                                → blocked, naming it and quoting its output's end
 * The full autopkgtest output (log, per-test stdout/stderr, installed packages) stays in workDir.
 */
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseSourceControlFile } from '../debian/dsc.js';
import { PipelineError } from '../errors.js';
import type { BuildRecord } from '../state/records.js';
import type { Workspace } from '../config/workspace.js';
import { autopkgtest, type AutopkgtestOptions, type AutopkgtestResult } from '../tools/autopkgtest.js';
import type { QaCheck, QaContext, QaOutcome } from './check.js';
import { qaDeclaration } from './checks.js';
import { setDependencyBinaries } from './dependants.js';
import { qaBinaries } from './binaries.js';
import { newBinariesRepository } from './newBinaries.js';
import { stageTestbed } from './testbed.js';
import { describeTests, judgeRun, quoteFailures } from './testRun.js';

/**
 * The .deb files the stage's checks judge (qa/binaries.ts: the test-build's, or for a stage that
 * took another stage's test-build verdict, that build's), each checked to still exist.
 */
export function buildDebs(build: BuildRecord, ws: Workspace): string[] {
  const debs = qaBinaries(ws, build).debs.map((a) => a.path).filter((p) => p.endsWith('.deb'));
  const missing = debs.filter((p) => !existsSync(p));
  if (missing.length) {
    throw new PipelineError(`the build's binaries are gone (${missing.map((p) => basename(p)).join(', ')})`, { file: build.outDir, exitCode: 1, hint: 'build again' });
  }
  return debs;
}

/** The Testsuite field of a .dsc (dpkg-source writes it for debian/tests/control and copies debian/control's). */
export function testsuiteOf(dsc: string): string | undefined {
  return parseSourceControlFile(dsc).paragraph.value('Testsuite')?.trim() || undefined;
}

/** What a check adds to the stage's testbed for one run (the new binaries of another package...). */
export type TestRunOptions = Pick<AutopkgtestOptions, 'source' | 'binaries' | 'outputDir' | 'setupCommands' | 'aptSources' | 'binds'>;

/** autopkgtest in the stage's testbed, its lines shown as the phase's detail. */
export async function runInStageTestbed(ctx: QaContext, label: string, o: TestRunOptions): Promise<AutopkgtestResult> {
  const bed = await stageTestbed(ctx);
  const phase = ctx.progress?.phase(label);
  try {
    const r = await autopkgtest({
      ...o, tarball: bed.tarball, ...(bed.unpackIn ? { unpackIn: bed.unpackIn } : {}),
      aptSources: [...bed.aptSources ?? [], ...o.aptSources ?? []],
      binds: [...bed.binds ?? [], ...o.binds ?? []],
      onLine: (line) => { const m = /^autopkgtest \[[\d:]+\]: (.*)$/.exec(line); if (m) phase?.update(m[1]!.slice(0, 70)); },
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
    phase?.done(describeTests(r.tests) || `exit ${r.exitCode}`);
    return r;
  } catch (e) {
    phase?.fail();
    throw e;
  } finally {
    bed.cleanup();
  }
}

export const autopkgtestCheck: QaCheck = {
  ...qaDeclaration('autopkgtest')!,
  async run(ctx: QaContext): Promise<QaOutcome> {
    const dsc = ctx.upload.dsc.path;
    const testsuite = testsuiteOf(dsc);
    if (!testsuite) return { verdict: 'not-applicable', reason: `${ctx.pkg} has no autopkgtest (no debian/tests/control, no Testsuite field)` };
    const binaries = buildDebs(ctx.build, ctx.ws);
    if (!binaries.length) return { verdict: 'not-applicable', reason: `${ctx.pkg} ${ctx.plan.version}: the stage built no binaries to test` };
    // The set's packages this one depends on, as the stage has them (pinned above the suite's).
    const setDeps = setDependencyBinaries(ctx.ws, ctx.stage, ctx.pkg);
    const repo = setDeps.length ? await newBinariesRepository(setDeps.flatMap((d) => d.paths), join(ctx.workDir, 'set-dependencies')) : undefined;
    const r = await runInStageTestbed(ctx, `autopkgtest ${ctx.pkg}`, {
      source: dsc, binaries, outputDir: join(ctx.workDir, 'out'),
      ...(repo ? { aptSources: [repo.aptSource], binds: [{ directory: repo.dir, mountpoint: repo.dir }], setupCommands: [repo.setupCommand] } : {}),
    });
    const j = judgeRun(r);
    const withDeps = setDeps.map((d) => `, with ${d.name} ${d.version} from ${d.from}`).join('');
    const what = `${ctx.pkg} ${ctx.plan.version} (Testsuite: ${testsuite}) against the stage's build, ${binaries.length} ${binaries.length === 1 ? 'binary' : 'binaries'}${withDeps}`;
    const details = {
      tests: j.tests, testsuite, binaries: binaries.map((b) => basename(b)), outputDir: r.outputDir, command: r.command,
      setDependencies: setDeps.map(({ name, version, from }) => ({ name, version, from })),
    };
    if (j.status === 'no-tests') return { verdict: 'not-applicable', reason: `autopkgtest found no test to run in ${what}`, details };
    if (j.status === 'pass') return { verdict: 'pass', reason: `${describeTests(j.tests)}: ${what}`, details };
    const first = j.failed[0];
    const reason = j.status === 'failed'
      ? `test ${j.failed.map((f) => f.name).join(', ')} failed: ${first!.tail.slice(-1)[0] ?? first!.detail} (${what}; ${describeTests(j.tests)})`
      : `the tests could not run: ${j.logTail.slice(-1)[0] ?? 'see the log'} (${what})`;
    return {
      verdict: 'blocked', reason, details, log: quoteFailures(j, r.log),
      todo: `fix the failing test or the package, then promote again; the test's output is in ${r.outputDir}`,
    };
  },
};
