/**
 * Check `installability`: the stage build's binary packages can be installed against the stage's
 * target (qa/repositories.ts: the target series and its update pockets, for a backport also the
 * series' backports suite, plus the builder's extraRepositories).
 *
 * Tool: dose-debcheck (Debian package dose-distcheck), over the repositories' binary Packages
 * lists (qa/binaryLists.ts) with the upload's .debs in the foreground — not apt's simulation in
 * the cached chroot. Why: dose is complete (it finds an installation set whenever one exists, where
 * apt's resolver can give up on a solvable case) and explains a failure structurally (the
 * unsatisfiable dependency, or the conflicting pair, with the chain leading there), so the verdict
 * names the unmet dependency exactly; it needs no root, no chroot unpacked and no network once the
 * lists are cached (a day, as the source lists). What it does not see: maintainer scripts and
 * files, which the upgrade-path check (qa/upgradePath.ts) runs for real.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { execa } from 'execa';
import { parse } from 'yaml';
import { EXIT, PipelineError } from '../errors.js';
import { execaSupervised } from '../tools/supervised.js';
import type { QaCheck, QaContext, QaOutcome } from './check.js';
import { qaDeclaration } from './checks.js';
import { qaBinaries } from './binaries.js';
import { binaryLists } from './binaryLists.js';
import { qaRepositories, stageSuitePackages } from './repositories.js';

interface DoseReason {
  missing?: { pkg: { package: string; version: string; 'unsat-dependency': string } };
  conflict?: { pkg1: { package: string; version: string }; pkg2: { package: string; version: string } };
}
interface DoseEntry { package: string; version: string; status: string; reasons?: DoseReason[] }

/** Drop dose's `:amd64` qualifiers: the dependency as debian/control spells it. */
const plain = (dep: string) => dep.replace(/:[a-z0-9-]+(?=[\s|,(]|$)/g, '');

/** One line per broken package: what it is and the dependency no package satisfies (or the conflict). */
export function explainBroken(report: DoseEntry[]): string[] {
  return report.filter((e) => e.status === 'broken').map((e) => {
    const why = (e.reasons ?? []).map((r) => {
      if (r.missing) {
        const via = r.missing.pkg.package === e.package ? '' : ` (needed through ${r.missing.pkg.package} ${r.missing.pkg.version})`;
        return `unmet dependency ${plain(r.missing.pkg['unsat-dependency'])}${via}`;
      }
      if (r.conflict) return `conflict between ${r.conflict.pkg1.package} ${r.conflict.pkg1.version} and ${r.conflict.pkg2.package} ${r.conflict.pkg2.version}`;
      return 'not installable';
    });
    return `${e.package} ${e.version}: ${[...new Set(why)].join('; ')}`;
  });
}

export async function checkInstallability(ctx: QaContext): Promise<QaOutcome> {
  const { debs, from } = qaBinaries(ctx.ws, ctx.build);
  if (!debs.length) {
    if (ctx.build.binaryFrom) return { verdict: 'blocked', reason: `the binaries of ${from!.stage} ${from!.version}, whose test-build this stage reused, are gone`, fix: `pipeline build ${ctx.pkg} --stage ${ctx.stage.name}` };
    return { verdict: 'not-applicable', reason: 'the build made no binary packages' };
  }
  const arch = ctx.stage.builder.architectures[0] ?? 'amd64';
  const repos = qaRepositories(ctx.ws, ctx.stage);
  const stageSuite = stageSuitePackages(ctx.ws, ctx.stage, arch);
  const lists = await binaryLists(ctx.ws, repos, arch);
  if (!lists.files.length) throw new PipelineError(`installability: no Packages list of ${repos.map((r) => r.suite).join(', ')} could be fetched`, { exitCode: EXIT.environment, hint: `private apt configuration in ${lists.dir}` });

  mkdirSync(join(ctx.workDir, 'debs'), { recursive: true });
  for (const d of debs) copyFileSync(d.path, join(ctx.workDir, 'debs', basename(d.path)));
  const scan = await execa('dpkg-scanpackages', ['--multiversion', 'debs', '/dev/null'], { cwd: ctx.workDir, env: { LC_ALL: 'C.UTF-8' } });
  const fg = join(ctx.workDir, 'Packages');
  writeFileSync(fg, scan.stdout);

  const args = [`--deb-native-arch=${arch}`, '--explain', '--failures', '--fg', fg, ...[...lists.files, ...(stageSuite?.files ?? [])].flatMap((f) => ['--bg', f])];
  const r = await execaSupervised('dose-debcheck', args, { reject: false, all: true, env: { LC_ALL: 'C.UTF-8' }, ...(ctx.signal ? { cancelSignal: ctx.signal } : {}) });
  const log = join(ctx.workDir, 'dose-debcheck.yaml');
  writeFileSync(log, `# dose-debcheck ${args.join(' ')}\n${String(r.all ?? '')}`);
  // Exit 0: all installable; 1: some broken; anything else: dose itself failed.
  if (r.exitCode !== 0 && r.exitCode !== 1) throw new PipelineError(`dose-debcheck failed (exit ${r.exitCode}): ${String(r.stderr).trim().split('\n')[0]}`, { exitCode: EXIT.environment, file: log });
  // failsafe: every scalar a string (YAML would read version 1.0 as the number 1).
  const parsed = (parse(String(r.stdout), { schema: 'failsafe' }) ?? {}) as { report?: unknown };
  // No failure: dose prints an empty `report:`, which failsafe reads as ''.
  const report = Array.isArray(parsed.report) ? (parsed.report as DoseEntry[]) : [];
  const broken = explainBroken(report);
  const against = [...repos.map((x) => x.suite), ...(stageSuite?.files.length ? [`${ctx.stage.target.suite} (the stage's own suite)`] : [])].join(', ');
  const unchecked = lists.missing.length ? `; lists missing, unchecked: ${lists.missing.join(', ')}` : '';
  const which = from ? ` (the ${from.stage} test-build's binaries, ${from.version}: same tree and chroot)` : '';
  const details = { repositories: [...repos.map((x) => x.line), ...(stageSuite ? [stageSuite.line] : [])], binaries: debs.map((d) => basename(d.path)), broken };
  if (broken.length) {
    return { verdict: 'blocked', reason: `not installable against ${against}: ${broken.join('; ')}${unchecked}`, todo: 'fix the binary package\'s Depends/Conflicts in debian/control, or add the repository that carries the dependency to the stage\'s builder.extraRepositories', log, details };
  }
  return { verdict: 'pass', reason: `${debs.length} binary package${debs.length === 1 ? '' : 's'}${which} installable against ${against} (dose-debcheck)${unchecked}`, log, details };
}

export const installability: QaCheck = { ...qaDeclaration('installability')!, run: checkInstallability };
