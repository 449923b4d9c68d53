/**
 * The `reverse-dependencies` QA check: before a package leaves the stage, the autopkgtests of the
 * set's packages that depend on it (package.yaml `depends`) run against its new binaries, in the
 * stage's container — txzookeeper's tests against the python3-zookeeper this zookeeper upload built.
 *
 * Each dependant's source and binaries come from pipeline/qa/dependants.ts (stage archive, stage
 * build record, or packages/ and a build in the testbed); the new binaries are offered through a
 * pinned repository (pipeline/qa/newBinaries.ts). The verdict names every dependant, where its
 * source and binaries came from, and which of the new binaries its tests really installed, so a
 * pass says exactly what was tested; a failure names the dependant and its failing test.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { testPackages } from '../tools/autopkgtest.js';
import { buildDebs, runInStageTestbed, testsuiteOf } from './autopkgtest.js';
import type { QaCheck, QaContext, QaOutcome } from './check.js';
import { qaDeclaration } from './checks.js';
import { dependantsOf, dependantUnderTest, type DependantUnderTest } from './dependants.js';
import { newBinariesRepository, type NewBinariesRepository } from './newBinaries.js';
import { describeTests, judgeRun, quoteFailures, type JudgedRun } from './testRun.js';

interface DependantResult {
  dependant: DependantUnderTest;
  judged?: JudgedRun;
  /** The new binaries the dependant's tests installed, with the version they got. */
  installed: Record<string, string>;
  outputDir?: string;
  log?: string;
}

/** Whether a source (a .dsc or an unpacked tree) declares tests. */
function hasTests(source: string): boolean {
  if (source.endsWith('.dsc')) return Boolean(testsuiteOf(source));
  if (existsSync(join(source, 'debian', 'tests', 'control'))) return true;
  const control = join(source, 'debian', 'control');
  return existsSync(control) && /^Testsuite:\s*\S/mi.test(readFileSync(control, 'utf8'));
}

/** `txzookeeper 0.9.8-1 (source: packages/txzookeeper; binaries: built in the testbed)` */
function whatWasTested(d: DependantUnderTest): string {
  return `${d.name} ${d.version} (source: ${d.source.from}; binaries: ${d.binaries?.from ?? 'built in the testbed against the new binaries'})`;
}

function installedNote(r: DependantResult, repo: NewBinariesRepository, pkg: string): string {
  const used = Object.entries(r.installed);
  if (!used.length) return `its tests installed none of ${pkg}'s new binaries`;
  return `with ${used.map(([n, v]) => `${n} ${v}${repo.versions.get(n) === v ? '' : ` (not the new ${repo.versions.get(n)})`}`).join(', ')}`;
}

async function testDependant(ctx: QaContext, repo: NewBinariesRepository, name: string): Promise<DependantResult> {
  const dependant = await dependantUnderTest(ctx.ws, ctx.stage, name, join(ctx.workDir, 'sources'));
  if (!hasTests(dependant.source.path)) return { dependant, installed: {} };
  const r = await runInStageTestbed(ctx, `autopkgtest ${name} against ${ctx.pkg}`, {
    source: dependant.source.path,
    binaries: dependant.binaries?.paths ?? [],
    outputDir: join(ctx.workDir, name),
    aptSources: [repo.aptSource], binds: [{ directory: repo.dir, mountpoint: repo.dir }], setupCommands: [repo.setupCommand],
  });
  const judged = judgeRun(r);
  const installed: Record<string, string> = {};
  for (const t of judged.tests) {
    for (const [pkg, version] of testPackages(r.outputDir, t.name)) if (repo.versions.has(pkg)) installed[pkg] = version;
  }
  return { dependant, judged, installed, outputDir: r.outputDir, log: r.log };
}

export const reverseDependenciesCheck: QaCheck = {
  ...qaDeclaration('reverse-dependencies')!,
  async run(ctx: QaContext): Promise<QaOutcome> {
    const names = dependantsOf(ctx.ws, ctx.pkg);
    if (!names.length) return { verdict: 'not-applicable', reason: `no package of the set depends on ${ctx.pkg}` };
    const binaries = buildDebs(ctx.build, ctx.ws);
    if (!binaries.length) return { verdict: 'not-applicable', reason: `${ctx.pkg} ${ctx.plan.version}: the stage built no binaries to test its dependants against` };
    const repo = await newBinariesRepository(binaries, join(ctx.workDir, 'new-binaries'));
    const results: DependantResult[] = [];
    for (const name of names) results.push(await testDependant(ctx, repo, name));

    const details = {
      dependants: results.map((r) => ({
        name: r.dependant.name, version: r.dependant.version, source: r.dependant.source, binaries: r.dependant.binaries ?? { from: 'built in the testbed' },
        tests: r.judged?.tests ?? [], status: r.judged?.status ?? 'no tests', installed: r.installed, outputDir: r.outputDir,
      })),
      newBinaries: Object.fromEntries(repo.versions),
    };
    const bad = results.filter((r) => r.judged && (r.judged.status === 'failed' || r.judged.status === 'unusable'));
    if (bad.length) {
      const first = bad[0]!;
      const j = first.judged!;
      const failure = j.status === 'failed'
        ? `test ${j.failed.map((f) => f.name).join(', ')} failed: ${j.failed[0]!.tail.slice(-1)[0] ?? j.failed[0]!.detail}`
        : `could not be built or tested against the new binaries: ${j.logTail.slice(-1)[0] ?? 'see the log'}`;
      return {
        verdict: 'blocked',
        reason: `reverse dependency ${bad.map((b) => b.dependant.name).join(', ')} broken by ${ctx.pkg} ${ctx.plan.version}: ${first.dependant.name} ${failure} (${whatWasTested(first.dependant)}, ${installedNote(first, repo, ctx.pkg)})`,
        todo: `fix ${ctx.pkg} (or ${first.dependant.name}, and promote it first); the tests' output is in ${first.outputDir}`,
        log: bad.map((b) => `${b.dependant.name}:\n${quoteFailures(b.judged!, b.log!)}`).join('\n\n'),
        details,
      };
    }
    const tested = results.filter((r) => r.judged && r.judged.status === 'pass');
    if (!tested.length) return { verdict: 'not-applicable', reason: `no autopkgtest in ${names.join(', ')}, the set's packages that depend on ${ctx.pkg}`, details };
    return {
      verdict: 'pass',
      reason: tested.map((r) => `${whatWasTested(r.dependant)}: ${describeTests(r.judged!.tests)}, ${installedNote(r, repo, ctx.pkg)}`).join('; '),
      details,
    };
  },
};
