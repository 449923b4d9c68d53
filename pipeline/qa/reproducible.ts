/**
 * The `reproducible` QA check (off by default: it builds the binaries a second time): the stage's
 * .dsc built again in the same chroot tarball with sbuild, seeing the same repositories (the
 * stage's archive when the first build saw it), varying what reprotest would vary and sbuild can:
 *   build path   --build-path /build/reproducible-check/PKG (the first build: sbuild's random /build/PKG-XXXXXX)
 *   time zone    TZ=UTC-14 (the first build: unset, UTC)
 *   locale       LANG=C, LC_ALL=C (the first build: C.UTF-8)
 *   parallelism  DEB_BUILD_OPTIONS parallel=2 (the first build: serial unless set)
 *   build time   later by the first build's duration; SOURCE_DATE_EPOCH stays the changelog's date
 * dpkg-buildpackage --sanitize-env (sbuild passes it) resets the umask to 0022 and LC_COLLATE to
 * C.UTF-8 in both builds, as on the buildds, so neither is varied. reprotest itself is not used: its
 * virtualisation servers (null, schroot, chroot, lxc, qemu, ssh in 0.7.23) cannot run sbuild's unshare
 * chroot tarballs; `null` would build on the host, with the host's packages.
 *
 * The .debs are compared by sha256; a differing one lists its differing files (md5sums members)
 * and, when diffoscope is installed, keeps diffoscope's report (pipeline/qa/rebuildCompare.ts).
 */
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildBinary } from '../build/binary.js';
import { chrootSpecFor, ensureChroot } from '../build/chroots.js';
import { silentProgress } from '../build/progress.js';
import { buildTmpDir } from '../build/tmpdir.js';
import { stageArchiveViewDir } from '../build/stageArchive.js';
import { chrootRepository, stageRepository, type ChrootRepository } from '../archive/stageRepository.js';
import type { QaCheck, QaContext, QaOutcome } from './check.js';
import { qaDeclaration } from './checks.js';
import type { Workspace } from '../config/workspace.js';
import type { BuildRecord } from '../state/records.js';
import { StateStore } from '../state/store.js';
import { debPaths } from './baseline.js';
import { compareRebuild, type RebuildComparison } from './rebuildCompare.js';

/** The second build's variations (sbuild --build-path and $build_environment). */
export function variations(pkg: string, debBuildOptions = process.env.DEB_BUILD_OPTIONS ?? ''): { buildPath: string; environment: Record<string, string> } {
  const opts = debBuildOptions.split(/\s+/).filter((o) => o && !o.startsWith('parallel='));
  return {
    buildPath: `/build/reproducible-check/${pkg}`,
    environment: { TZ: 'UTC-14', LANG: 'C', LC_ALL: 'C', DEB_BUILD_OPTIONS: [...opts, 'parallel=2'].join(' ') },
  };
}

/**
 * The build whose .dsc made the stage's .debs: the stage's own, or for a reused test-build verdict
 * the lending build (its .dsc differs in the changelog entry: every .deb name would differ).
 */
export function madeBy(ws: Workspace, build: BuildRecord): BuildRecord | undefined {
  const from = build.binaryFrom;
  if (!from || build.artifacts.some((a) => /\.u?deb$/.test(a.path))) return build;
  const origin = new StateStore(ws.stateDir).read(build.package, from.stage, 'build');
  return origin?.version === from.version && origin.finishedAt === from.finishedAt ? origin : undefined;
}

function describeDiff(c: RebuildComparison): string {
  const parts = c.differing.map((d) => {
    const what = d.files.length ? d.files : (d.diffoscopeMembers ?? []);
    return `${d.deb} differs${what.length ? `: ${what.slice(0, 5).join(', ')}${what.length > 5 ? `, … (${what.length})` : ''}` : ' (not in its files\' contents)'}`;
  });
  if (c.missing.length) parts.push(`not made by the second build: ${c.missing.join(', ')}`);
  if (c.extra.length) parts.push(`made only by the second build: ${c.extra.join(', ')}`);
  return parts.join('; ');
}

export async function runReproducibleCheck(ctx: QaContext): Promise<QaOutcome> {
  const first = debPaths(ctx.ws, ctx.build);
  const made = madeBy(ctx.ws, ctx.build);
  if (!first.length || !made) return { verdict: 'not-applicable', reason: 'the stage\'s build left no .debs to rebuild' };
  const dsc = made.dsc?.path && existsSync(made.dsc.path) ? made.dsc.path : ctx.upload.dsc.path;
  const chroot = made.chroot?.tarball && existsSync(made.chroot.tarball)
    ? made.chroot.tarball
    : (await ensureChroot(ctx.ws, chrootSpecFor(ctx.ws, ctx.stage))).tarball;
  const outDir = join(ctx.workDir, 'second-build');
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const v = variations(ctx.pkg);
  const started = Date.now();
  // The first build saw its stage's archive (the set's binaries published there): so does the second.
  const repo = made.stageArchive?.line ? stageRepository(ctx.ws, made.stage) : undefined;
  const view = repo?.available ? stageArchiveViewDir() : undefined;
  let r;
  try {
    const seen: ChrootRepository | undefined = repo && view ? await chrootRepository(ctx.ws, repo, view) : undefined;
    r = await buildBinary({
      dsc, chroot, distribution: ctx.plan.distribution, outDir,
      archAll: first.some((p) => p.endsWith('_all.deb')),
      extraRepositories: [...ctx.stage.builder.extraRepositories, ...(seen ? [seen.line] : [])],
      ...(seen ? { bindMounts: seen.bindMounts } : {}),
      progress: ctx.progress ? { phase: (name) => ctx.progress!.phase(`reproducible: ${name}`) } : silentProgress,
      buildPath: v.buildPath, buildEnvironment: v.environment,
      ...(buildTmpDir() ? { tmpDir: buildTmpDir() } : {}),
    });
  } finally {
    if (view) rmSync(view, { recursive: true, force: true });
  }
  const seconds = Math.round((Date.now() - started) / 1000);
  // A chroot refreshed since the first build brings other build dependencies: say so beside any difference.
  const refreshed = statSync(chroot).mtimeMs > Date.parse(made.finishedAt);
  const rebuild = {
    seconds, log: r.log, command: r.command, variations: { buildPath: v.buildPath, ...v.environment },
    ...(refreshed ? { note: `the chroot ${chroot} was refreshed after the first build (${made.finishedAt}): differences may come from newer build dependencies` } : {}),
  };
  if (r.exitCode !== 0 || r.summary?.status !== 'successful') {
    return { verdict: 'blocked', reason: `the second build failed${r.summary?.failStage ? ` at ${r.summary.failStage}` : ''} (varied: build path, TZ, locale, parallel=2)`, ...(r.log ? { log: r.log } : {}), details: { rebuild } };
  }
  const c = await compareRebuild(first, outDir, ctx.workDir);
  const details = { rebuild, ...c };
  if (c.differing.length || c.missing.length || c.extra.length) {
    return {
      verdict: 'blocked', reason: `not reproducible: ${describeDiff(c)}${refreshed ? ' (the chroot was refreshed since the first build)' : ''}`, details,
      ...(c.differing[0]?.diffoscope ? { log: c.differing[0].diffoscope } : {}),
      todo: 'make the build reproducible (https://reproducible-builds.org/docs/: no build path, date or locale in the output), or set the stage\'s qa.reproducible to warn',
    };
  }
  return { verdict: 'pass', reason: `${c.identical.length} .deb${c.identical.length === 1 ? '' : 's'} identical (sha256) after a second build in ${seconds} s with another build path, TZ, locale and parallel=2`, details };
}

export const reproducibleCheck: QaCheck = { ...qaDeclaration('reproducible')!, run: runReproducibleCheck };
