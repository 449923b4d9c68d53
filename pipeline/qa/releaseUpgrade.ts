/**
 * The backport's release upgrade, the `release-upgrade` QA check: a user of the LTS with
 * the backport installed upgrades to the next release, and gets the devel stage's version.
 *
 * piuparts' own distupgrade mode does it (several `-d`): piuparts installs the packages by name
 * from the first distribution, dist-upgrades through the others and — with `--testdebs-repo` and
 * `--distupgrade-to-testdebs` — adds the devel stage's suite before the last dist-upgrade; then
 * purges, and compares the tree with a reference chroot dist-upgraded the same way without the
 * packages (no file left behind, every maintainer script succeeding). The path is
 *
 *   -d LTS   the LTS release and its pockets (+ its backports suite): apt installs the LTS's own
 *            version, when the LTS ships one;
 *   -d LTS   again, with this backport's .debs as an extra repository: dist-upgrade takes the
 *            LTS's version to the backport (or installs it, when the LTS ships none);
 *   -d DEVEL the devel series and its pockets, the LTS's lines gone (as the release notes tell a
 *            user to do), the devel stage's suite of the local archive added (a snapshot of it,
 *            signed-by the archive key, bind-mounted): `apt-get dist-upgrade`.
 *
 * piuparts writes only the release line of each distribution (`-m`); the pockets and the backport
 * repository are switched per step by two custom scripts (piuparts' `--scriptsdir` hooks:
 * post_chroot_unpack for the first step, pre_distupgrade for the others, which piuparts runs
 * with PIUPARTS_DISTRIBUTION_NEXT set). The reference chroot's dist-upgrade is kept for the run's
 * other install sets (`--save-end-meta`/`--end-meta`): a package with two sets pays it once.
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { execa } from 'execa';
import { readPackagesIndex } from '../archive/packagesIndex.js';
import { findSource, repreproArchive } from '../archive/reprepro.js';
import { chrootRepository, stageRepository } from '../archive/stageRepository.js';
import { buildTmpDir } from '../build/tmpdir.js';
import type { StageConfig } from '../config/schema.js';
import type { Workspace } from '../config/workspace.js';
import { compareVersions } from '../debian/version.js';
import { StateStore } from '../state/store.js';
import { qaBinaries } from './binaries.js';
import { qaRepositories, type QaRepository } from './repositories.js';

/** What the leg needs, once it is known it can run. */
export interface ReleaseUpgradePlan {
  develStage: StageConfig;
  /** The distributions piuparts is given: the LTS (`-d` twice) and the devel series. */
  lts: string;
  devel: string;
  ltsRepos: QaRepository[];
  develRepos: QaRepository[];
  /** Package → this backport's version, and → the devel stage's version (only those devel holds). */
  backport: Map<string, string>;
  develVersions: Map<string, string>;
  /**
   * Set when the devel stage holds the source only (its test-build verdict was lent by another
   * stage's build of the same tree and chroot, e.g. the ppa's): the lender's .debs stand in for the
   * binaries the devel series' builders would make, and `develNote` says so in every verdict.
   */
  develDebs?: string[];
  develNote?: string;
}

/** Why the leg is not run: a verdict of its own (blocked, with a fix when there is one). */
export interface ReleaseUpgradeBlock { blocked: string; fix?: string; todo?: string }

/** Package → Version of the given .debs. */
export async function debVersions(paths: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const p of paths) {
    const r = await execa('dpkg-deb', ['--field', p, 'Package', 'Version'], { env: { LC_ALL: 'C.UTF-8' } });
    const f = Object.fromEntries(String(r.stdout).split('\n').map((l) => /^(\w+):\s*(.*)$/.exec(l)).filter((m): m is RegExpExecArray => Boolean(m)).map((m) => [m[1]!, m[2]!]));
    if (f.Package && f.Version) out.set(f.Package, f.Version);
  }
  return out;
}

/**
 * Whether the leg can run for the backport's packages, and against what. Blocked (not a silent
 * pass) when the devel stage holds none of them — the path to the next release is unproven until
 * the devel stage has the package, which Debian's backports policy asks first anyway — and when
 * a devel version does not sort above the backport's: the user upgrading keeps the backport (the
 * version policy blocks that too; the upgrade path names it).
 */
export function planReleaseUpgrade(ws: Workspace, pkg: string, stage: StageConfig, backport: Map<string, string>, arch: string): ReleaseUpgradePlan | ReleaseUpgradeBlock {
  const develStage = ws.config.stages.find((s) => s.kind === 'devel');
  const names = [...backport.keys()];
  if (!develStage) return { blocked: 'no devel stage in pipeline.yaml: there is no next release to upgrade to', todo: `add a devel stage, or set qa: { release-upgrade: warn } for stage ${stage.name}` };
  const repo = stageRepository(ws, develStage.name);
  if (repo?.kind !== 'local' || !repo.archiveDir) return { blocked: `the devel stage's archive ${develStage.target.archive} is not the local archive: its version cannot be installed here`, todo: `set qa: { release-upgrade: warn } for stage ${stage.name} in pipeline.yaml` };
  const promoteDevel = `pipeline promote ${pkg} --to ${develStage.name}`;
  if (!repo.available) return { blocked: `the devel stage's suite holds no version of ${names.join(', ')} yet (${repo.why})`, fix: promoteDevel };
  const develVersions = new Map<string, string>();
  for (const e of readPackagesIndex(repo.archiveDir, repo.suite, [arch])) {
    if (!backport.has(e.package)) continue;
    const had = develVersions.get(e.package);
    if (!had || compareVersions(e.version, had) > 0) develVersions.set(e.package, e.version);
  }
  let standIn: Pick<ReleaseUpgradePlan, 'develDebs' | 'develNote'> = {};
  if (!develVersions.size) {
    const lent = lentDevelBinaries(ws, pkg, develStage, repo.suite, backport);
    if (lent && 'blocked' in lent) return lent;
    if (lent) {
      for (const [n, v] of lent.develVersions) develVersions.set(n, v);
      standIn = { develDebs: lent.develDebs, develNote: lent.develNote };
    }
  }
  if (!develVersions.size) return { blocked: `the devel stage's suite ${repo.suite} holds no version of ${names.join(', ')} yet: the upgrade to the next release cannot be run`, fix: promoteDevel };
  const below = [...develVersions].filter(([n, v]) => compareVersions(v, backport.get(n)!) <= 0);
  if (below.length) {
    const what = below.map(([n, v]) => `${n} ${v} (${develStage.target.suite}) does not sort above this backport's ${backport.get(n)}`).join('; ');
    return { blocked: `${what}: a user upgrading to ${develStage.target.series} keeps the backport (the version policy blocks this too)`, todo: `upload a version above ${below.map(([n]) => backport.get(n)).join(', ')} to the ${develStage.name} stage first` };
  }
  const ltsRepos = qaRepositories(ws, stage);
  const develRepos = qaRepositories(ws, develStage);
  return { develStage, lts: ltsRepos[0]!.suite, devel: develRepos[0]!.suite, ltsRepos, develRepos, backport, develVersions, ...standIn };
}

/**
 * The devel stage's source-only upload (it published no binaries: its test-build verdict came from
 * another stage's build of the same tree and chroot) with the lender's .debs as its binaries —
 * undefined when the devel suite holds no source of the package either. Their versions are the
 * lender's (3.9.3-2~ppa1 for the devel stage's 3.9.3-2): they must sort above the backport's.
 */
function lentDevelBinaries(ws: Workspace, pkg: string, develStage: StageConfig, suite: string, backport: Map<string, string>):
  { develVersions: Map<string, string>; develDebs: string[]; develNote: string } | ReleaseUpgradeBlock | undefined {
  const build = new StateStore(ws.stateDir).read(pkg, develStage.name, 'build');
  if (!build?.binaryFrom || !findSource(repreproArchive(ws, develStage.target.archive), suite, pkg, build.version)) return undefined;
  const lent = qaBinaries(ws, build);
  const debs = lent.debs.map((d) => d.path).filter((d) => backport.has(debPackageName(d)));
  if (!debs.length) return { blocked: `the devel stage's suite ${suite} holds ${pkg} ${build.version} as source only, and the binaries of ${build.binaryFrom.stage} ${build.binaryFrom.version} whose test-build it reused are gone`, fix: `pipeline build ${pkg} --stage ${develStage.name} --rebuild` };
  // The lender's .debs carry the lender's version (the build record's, epoch included).
  const develVersions = new Map(debs.map((d) => [debPackageName(d), build.binaryFrom!.version]));
  return {
    develVersions, develDebs: debs,
    develNote: `${build.version} (source only in ${suite}; its binaries are the ${build.binaryFrom.stage} test-build's ${build.binaryFrom.version} of the same tree and chroot)`,
  };
}

/** A .deb's package name from its file name (NAME_VERSION_ARCH.deb). */
const debPackageName = (path: string) => basename(path).split('_')[0]!;

/** One step's apt lines as a shell here-document into the script's list. */
const listOf = (lines: readonly string[]) => `cat > "$list" <<'EOF'\n${lines.join('\n')}\nEOF\n`;

/** The two hook scripts that switch the apt sources between the steps (see above). */
export function sourceScripts(p: ReleaseUpgradePlan, backportLine: string): Record<string, string> {
  const head = '#!/bin/sh\n# Written by pipeline (pipeline/qa/releaseUpgrade.ts): the apt sources of this step of the release upgrade.\nset -e\nlist=/etc/apt/sources.list.d/pipeline-release-upgrade.list\nrm -f "$list"\n';
  // piuparts writes the release line of each distribution itself (-m): the scripts add the rest.
  const ltsLines = p.ltsRepos.slice(1).map((r) => r.line);
  const [develRelease, ...develRest] = p.develRepos;
  const develLines = [...(develRelease!.mirror !== p.ltsRepos[0]!.mirror ? [develRelease!.line] : []), ...develRest.map((r) => r.line)];
  return {
    'post_chroot_unpack_pipeline-sources': head + listOf(ltsLines),
    'pre_distupgrade_pipeline-sources': `${head}case "$PIUPARTS_DISTRIBUTION_NEXT" in\n${p.lts})\n${listOf([...ltsLines, backportLine])};;\n${p.devel})\n${listOf(develLines)};;\nesac\n`,
    'post_distupgrade_pipeline-obsolete': obsoleteScript(p.devel),
  };
}

/**
 * After the upgrade to the next release, the packages no archive offers any more (the LTS's
 * libraries a transition renamed, e.g. libgnutls30 → libgnutls30t64) are purged when nothing
 * depends on them, as Debian's release notes advise ("Obsolete packages"). In both piuparts
 * chroots: otherwise the reference keeps such a library that apt removed in the test chroot while
 * upgrading the package's dependencies, and piuparts' final restore asks apt for the LTS's version
 * of it, which the next release's archive cannot give ("Version … was not found").
 */
function obsoleteScript(devel: string): string {
  return [
    '#!/bin/sh',
    '# Written by pipeline (pipeline/qa/releaseUpgrade.ts): purge what the next release no longer ships.',
    `[ "$PIUPARTS_DISTRIBUTION" = ${devel} ] || exit 0`,
    "for p in $(apt list '?obsolete' 2>/dev/null | sed -n 's,^\\([^/]*\\)/.*,\\1,p'); do",
    '  # dpkg refuses a package something still depends on: that one stays, as it would for the user.',
    '  dpkg --purge "$p" || echo "pipeline: kept obsolete $p (still needed)"',
    'done',
    'exit 0',
    '',
  ].join('\n');
}

/** The packages' versions in the order dpkg unpacked them: LTS's own → backport → devel. */
export function versionChain(log: string, name: string): string[] {
  const chain: string[] = [];
  const esc = name.replace(/[.+]/g, '\\$&');
  for (const m of log.matchAll(new RegExp(`Unpacking ${esc}(?::\\S+)? \\(([^)]+)\\)`, 'g'))) if (chain.at(-1) !== m[1]) chain.push(m[1]!);
  return chain;
}

export interface ReleaseUpgradeRun {
  /** piuparts' arguments after `piuparts --existing-chroot ROOT`. */
  args: string[];
  cleanup(): void;
}

/**
 * Everything the piuparts run reads, prepared: the backport's .debs as a flat repository, the
 * devel stage's suite as a snapshot (world-readable, outside the state directory), the hook
 * scripts, the keyrings the lines name copied into the chroot.
 */
export async function prepareReleaseUpgrade(ws: Workspace, p: ReleaseUpgradePlan, root: string, workDir: string, debs: readonly string[], names: readonly string[]): Promise<ReleaseUpgradeRun> {
  const flat = await flatRepository(join(workDir, 'backport-debs'), debs);
  // The backport's own .debs, exactly what the first runs judged: trusted as piuparts' testdebs are.
  const backportLine = `deb [trusted=yes] file://${flat} ./`;
  const scripts = join(workDir, 'piuparts-scripts');
  rmSync(scripts, { recursive: true, force: true });
  mkdirSync(scripts, { recursive: true });
  for (const [name, body] of Object.entries(sourceScripts(p, backportLine))) {
    writeFileSync(join(scripts, name), body);
    chmodSync(join(scripts, name), 0o755);
  }
  for (const r of [...p.ltsRepos, ...p.develRepos]) {
    if (r.keyring && existsSync(r.keyring)) { mkdirSync(join(root, dirname(r.keyring)), { recursive: true }); copyFileSync(r.keyring, join(root, r.keyring)); }
  }
  const view = mkdtempSync(join(buildTmpDir() ?? tmpdir(), 'pipeline-qa-devel-archive-'));
  let develLine: string;
  if (p.develDebs) {
    // The devel stage published its source only: the lender's .debs are its binaries (planReleaseUpgrade).
    develLine = `deb [trusted=yes] file://${await flatRepository(view, p.develDebs)} ./`;
  } else {
    const repo = stageRepository(ws, p.develStage.name)!;
    await chrootRepository(ws, repo, view);
    develLine = `deb [signed-by=${view}/${basename(repo.keyring!)}] file://${view} ${repo.suite} ${repo.components.join(' ')}`;
  }
  const binds = [flat, view, ...[...p.ltsRepos, ...p.develRepos].filter((r) => r.mirror.startsWith('file://')).map((r) => r.mirror.replace(/^file:\/\//, ''))];
  const endMeta = join(workDir, REFERENCE);
  const release = p.ltsRepos[0]!;
  return {
    args: [
      // No --hard-link: the reference chroot's dist-upgrade would write through to the test chroot's base.
      '-d', p.lts, '-d', p.lts, '-d', p.devel, '-m', `${release.mirror} ${release.components.join(' ')}`,
      '--scriptsdir', scripts, ...[...new Set(binds)].map((b) => `--bindmount=${b}`),
      '--testdebs-repo', develLine, '--distupgrade-to-testdebs',
      '--end-meta', endMeta, '--save-end-meta', endMeta,
      '--apt', ...names,
    ],
    cleanup: () => rmSync(view, { recursive: true, force: true }),
  };
}

/** .debs as a flat apt repository (dpkg-scanpackages), made afresh in `dir`. */
async function flatRepository(dir: string, debs: readonly string[]): Promise<string> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const d of debs) copyFileSync(d, join(dir, basename(d)));
  const scan = await execa('dpkg-scanpackages', ['--multiversion', '.', '/dev/null'], { cwd: dir, env: { LC_ALL: 'C.UTF-8' } });
  writeFileSync(join(dir, 'Packages'), `${scan.stdout}\n`);
  return dir;
}

/**
 * The reference chroot (the LTS dist-upgraded to the devel series without the packages: half of
 * a run's time) depends on the base chroot and the apt lines of each step, not on the packages
 * (the backport's repository and the devel stage's suite are there, but nothing installs from
 * them). So a check reuses the reference this process made for the same chroot and lines within
 * the hour: the next package of `promote --all`, a second check of the same backport. Any older
 * one is forgotten (the mirror moves); piuparts itself drops a loaded reference whose initial
 * package selections differ from the new chroot's.
 */
const REFERENCE_TTL_MS = 60 * 60 * 1000;
const references = new Map<string, { meta: string; at: number }>();
const REFERENCE = 'release-upgrade-reference.meta';

/** What the reference depends on: the base chroot tarball and the apt lines of each step. */
export function referenceKey(p: ReleaseUpgradePlan, tarball: string): string {
  return createHash('sha256').update(JSON.stringify([tarball, p.lts, p.devel, p.ltsRepos.map((r) => r.line), p.develRepos.map((r) => r.line)])).digest('hex');
}

/** Puts the reference this process made for `key` (within the hour) in `workDir`, or clears it. */
export function useReference(key: string, workDir: string): boolean {
  rmSync(join(workDir, REFERENCE), { force: true });
  const kept = references.get(key);
  if (!kept || Date.now() - kept.at > REFERENCE_TTL_MS || !existsSync(kept.meta)) return false;
  copyFileSync(kept.meta, join(workDir, REFERENCE));
  return true;
}

/** Keeps the reference a run saved in `workDir` for the checks that follow in this process. */
export function keepReference(key: string, workDir: string, reused: boolean): void {
  const made = join(workDir, REFERENCE);
  if (reused || !existsSync(made)) return;
  const meta = join(tmpdir(), `pipeline-release-upgrade-reference-${process.pid}-${key.slice(0, 16)}.meta`);
  copyFileSync(made, meta);
  if (!references.size) process.once('exit', () => { for (const r of references.values()) rmSync(r.meta, { force: true }); });
  references.set(key, { meta, at: Date.now() });
}

/** `hello 2.10-3 (bookworm) → 2.10-3~bpo12+1 (this backport) → 2.11-1 (trixie)` for each package. */
export function describePath(p: ReleaseUpgradePlan, chains: Map<string, string[]>): string {
  // Packages on the same path are named together (ZooKeeper's ten binaries share one).
  const byPath = new Map<string, string[]>();
  for (const [name, chain] of chains) {
    const bp = p.backport.get(name)!;
    const dv = p.develVersions.get(name);
    const lts = chain[0] !== bp ? `${chain[0]} (${p.lts})` : `none (${p.lts} ships none)`;
    const path = `${lts} → ${bp} (this backport) → ${dv ? `${dv} (${p.develNote ? `the devel stage's ${p.develNote}` : p.develStage.target.suite})` : `${chain.at(-1)} (${p.develStage.target.suite} holds none: kept)`}`;
    byPath.set(path, [...(byPath.get(path) ?? []), name]);
  }
  return [...byPath].map(([path, names]) => `${names.join(', ')} ${path}`).join('; ');
}
