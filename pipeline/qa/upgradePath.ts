/**
 * Check `upgrade-path`: the upload's binaries really installed, upgraded to and purged in a clean
 * chroot of the stage's target, by piuparts itself (Debian package piuparts, run as root).
 *
 * The chroot is the stage's cached buildd tarball (build/chroots.ts), unpacked into the check's
 * work directory and handed to piuparts as `--existing-chroot` (piuparts 1.1 reads only .tar.gz
 * base tarballs; `--hard-link` makes its copy cost nothing). piuparts gets the stage's QA
 * repositories (qa/repositories.ts) as its mirror and `--extra-repo` lines, and runs its two
 * tests on the .debs:
 *   - install and purge: the upload alone (a fresh install), then remove and purge;
 *   - upgrade: the version apt installs from the target (what the target ships: for a backport
 *     the LTS's own version — its release and pockets outrank the NotAutomatic backports suite),
 *     then the upload over it, then purge. Nothing shipped: piuparts says so, fresh install only.
 * Its checks are the ones asked for: every maintainer script must succeed, no file may be left
 * behind after purge, dpkg refuses a file overwritten without Replaces, no process left running.
 * piuparts mounts /proc and /dev/pts in the chroot: it runs in its own mount namespace (unshare
 * --mount), so a killed run leaves no mount on the host.
 *
 * For the backport stage a third run follows, piuparts' distupgrade mode (qa/releaseUpgrade.ts):
 * the LTS's own version, this backport over it, then a dist-upgrade to the devel series with the
 * devel stage's suite — a user upgrading to the next release — then purge. The verdict names every
 * version on that path; the devel stage holding no version yet, or one that does not sort above
 * the backport, blocks it (the fix or the edit named).
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { execa } from 'execa';
import { chrootSpecFor, chrootSpecForSuite, ensureChroot } from '../build/chroots.js';
import type { StageConfig } from '../config/schema.js';
import { builderSuite } from '../config/workspace.js';
import { EXIT, PipelineError } from '../errors.js';
import { execaSupervised } from '../tools/supervised.js';
import type { QaCheck, QaContext, QaOutcome } from './check.js';
import { qaDeclaration } from './checks.js';
import { qaBinaries } from './binaries.js';
import { qaRepositories } from './repositories.js';
import { debFields, installSets, isDebugSymbols, type DebFields } from './installSets.js';
import { debVersions, describePath, keepReference, planReleaseUpgrade, prepareReleaseUpgrade, referenceKey, useReference, versionChain } from './releaseUpgrade.js';

/** piuparts of a big package (a JRE and its dependencies, installed twice) takes minutes; an hour is a hang. */
const PIUPARTS_TIMEOUT_MS = 60 * 60_000;

/** What piuparts' log says went wrong: its first ERROR/FAIL line and the output under it. */
export interface PiupartsFailure {
  /** The ERROR/FAIL line, the chroot path dropped (`Command failed (status=100): apt-get ... install ./tmp/x.deb`). */
  what: string;
  /** dpkg's own complaint, when there is one (`installed hello package post-installation script subprocess returned error exit status 1`). */
  dpkg?: string;
  /** The maintainer script that failed, when dpkg names one (postinst, prerm, postrm, preinst) and its package. */
  script?: { name: string; package: string };
  /** The last lines of the failing command's output (apt's progress lines dropped). */
  tail: string[];
}

const SCRIPTS: Record<string, string> = {
  'post-installation': 'postinst', 'pre-installation': 'preinst', 'pre-removal': 'prerm', 'post-removal': 'postrm',
};

export function piupartsFailure(log: string, tailLines = 8): PiupartsFailure | undefined {
  const lines = log.split('\n');
  const stamp = /^\d+m[\d.]+s (\w+): ?(.*)$/;
  // A "WARN: ..." logged at ERROR level (broken symlinks of the base) is not what failed: the first
  // FAIL (or a failed command) is, when there is one.
  const failed = (l: string) => { const m = stamp.exec(l); return Boolean(m && (m[1] === 'ERROR' || m[1] === 'FAIL') && !/piuparts run ends/.test(m[2]!)); };
  const fail = lines.findIndex((l) => failed(l) && !/^\d+m[\d.]+s \w+: WARN:/.test(l));
  const at = fail >= 0 ? fail : lines.findIndex(failed);
  if (at < 0) return undefined;
  const head = stamp.exec(lines[at]!)![2]!;
  const body: string[] = [];
  for (const l of lines.slice(at + 1)) {
    if (stamp.test(l)) break;
    body.push(l.replace(/^ {2}/, ''));
  }
  // The command's output is logged twice around an ERROR line (as it ran, then again): the part above is the same.
  const useful = body.filter((l) => l.trim() && !/^\(Reading database/.test(l) && !/^debconf: delaying package configuration/.test(l));
  const what = head.replace(/\['chroot', '[^']*', /, '[').replace(/\['([^\]]*)'\]/, (_m, inner: string) => inner.split("', '").join(' '));
  const dpkg = useful.map((l) => l.trim()).find((l) => /(maintainer|installation|removal) script subprocess returned error|trying to overwrite|subprocess .* returned error exit status/.test(l));
  const proc = useful.map((l) => /error processing (?:package|archive) (\S+)/.exec(l)?.[1]).find(Boolean);
  const kind = dpkg ? Object.keys(SCRIPTS).find((k) => dpkg.includes(`${k} script`)) : undefined;
  const pkg = proc ? basename(proc).replace(/_.*$/, '') : undefined;
  return {
    what,
    ...(dpkg ? { dpkg } : {}),
    ...(kind && pkg ? { script: { name: SCRIPTS[kind]!, package: pkg } } : {}),
    tail: (pkg && scriptOutput(useful, pkg)) || useful.slice(-tailLines),
  };
}

/**
 * The failing maintainer script's own output: from dpkg's "Setting up P" (or Unpacking, Removing…)
 * to its complaint about P. A dist-upgrade goes on configuring hundreds of other packages after
 * it, so the command's last lines would say nothing about the script.
 */
function scriptOutput(lines: readonly string[], pkg: string, max = 8): string[] | undefined {
  const esc = pkg.replace(/[.+]/g, '\\$&');
  const end = lines.findIndex((l) => new RegExp(`error processing (?:package|archive) (?:\\S*/)?${esc}[_ :(]`).test(`${l} `));
  if (end < 0) return undefined;
  const opening = new RegExp(`^\\s*(?:Setting up|Unpacking|Preparing to unpack|Removing|Purging configuration files for) (?:\\S*/)?${esc}[ :_]`);
  let start = end - 1;
  while (start >= 0 && !opening.test(lines[start]!)) start--;
  if (start < 0) return undefined;
  return lines.slice(start, end + 2).map((l) => l.trim()).slice(-max);
}

/**
 * Whether a passing piuparts run also ran its upgrade test (the target ships the package), and
 * which versions it upgraded from: dpkg's "Unpacking P (new) over (old)" for the upload's packages.
 */
export function piupartsUpgrade(log: string, names: readonly string[]): { upgraded: boolean; shipped: string[] } {
  const over = [...log.matchAll(/Unpacking (\S+) \([^)]+\) over \(([^)]+)\)/g)].filter((m) => names.includes(m[1]!.replace(/:.*$/, '')));
  return { upgraded: /PASS: Installation, upgrade and purging tests/.test(log), shipped: [...new Set(over.map((m) => `${m[1]} ${m[2]}`))] };
}

/** The stage's cached chroot tarball, unpacked into the work directory (piuparts copies it by hard links). */
async function stagedChroot(ctx: QaContext, stage: StageConfig): Promise<{ root: string; tarball: string; standIn?: string }> {
  const arch = stage.builder.architectures[0] ?? 'amd64';
  // The target series' chroot: the builder's when it builds for the target (the usual case) or
  // stands in for it (the target's archive out of reach), else a chroot of the target series.
  const spec = builderSuite(stage) === stage.target.series || stage.builder.standIn
    ? chrootSpecFor(ctx.ws, stage, arch)
    : chrootSpecForSuite(ctx.ws, stage.target.series, arch);
  const entry = await ensureChroot(ctx.ws, spec);
  const root = join(ctx.workDir, 'chroot');
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  await execa('tar', ['--zstd', '-xf', entry.tarball, '-C', root]);
  return { root, tarball: entry.tarball, ...(stage.builder.standIn ? { standIn: stage.builder.standIn } : {}) };
}

/** What a piuparts run gave: its exit, whether it timed out, its output; and its log's text. */
type PiupartsRun = (log: string, args: string[]) => Promise<{ r: { exitCode?: number; timedOut: boolean; all?: unknown }; text: string }>;

/**
 * The cached chroot is a buildd chroot, with no init system. A package whose dependencies pull
 * one in (zookeeperd → … → systemd-sysv) cannot be purged back to that base: apt refuses to
 * remove the protected init. A user's system has one, so the run is repeated with the init in
 * the base (piuparts --fake-essential-packages), and the verdict says so; later runs start so.
 * pam-auth-update (libpam-systemd, part of the init) keeps its bookkeeping in /var/lib/pam/seen.
 */
const INIT = ['--fake-essential-packages=systemd-sysv', '-i', '/var/lib/pam/seen'];

/** The piuparts runs of one check in one unpacked chroot: running, the init retry, a failure as a verdict. */
export interface PiupartsSession {
  runPiuparts: PiupartsRun;
  withInitRetry: (run: (extra: string[]) => ReturnType<PiupartsRun>) => ReturnType<PiupartsRun>;
  failedRun: (r: Awaited<ReturnType<PiupartsRun>>['r'], text: string, log: string, what: string, must: string) => QaOutcome | undefined;
  /** Seconds spent in piuparts so far. */
  seconds(): number;
  /** Whether the runs needed (or started with) the init system in the base. */
  withInit(): boolean;
  details: Record<string, unknown>;
}

export function piupartsSession(ctx: QaContext, root: string, details: Record<string, unknown>, opts: { initFromStart?: boolean } = {}): PiupartsSession {
  let secs = 0;
  let withInit = Boolean(opts.initFromStart);
  const runPiuparts: PiupartsRun = async (log, args) => {
    rmSync(log, { force: true });
    const started = Date.now();
    // A maintainer script waiting for input (or a daemon that never returns) must not hang the stage.
    const r = await execaSupervised('unshare', ['--mount', '--propagation', 'private', '--', 'piuparts', '--existing-chroot', root, '--tmpdir', ctx.workDir, '-l', log, ...args], { reject: false, all: true, env: { LC_ALL: 'C.UTF-8' }, timeout: PIUPARTS_TIMEOUT_MS, ...(ctx.signal ? { cancelSignal: ctx.signal } : {}) });
    secs += Math.round((Date.now() - started) / 1000);
    details.seconds = secs;
    return { r, text: existsSync(log) ? readFileSync(log, 'utf8') : String(r.all ?? '') };
  };
  const withInitRetry: PiupartsSession['withInitRetry'] = async (run) => {
    let done = await run(withInit ? INIT : []);
    if (!withInit && done.r.exitCode !== 0 && /Essential packages were removed/.test(done.text)) {
      done = await run(INIT);
      withInit = true;
    }
    return done;
  };
  /** A failed (or hung) run as the blocked verdict: the failing maintainer script and its output. */
  const failedRun: PiupartsSession['failedRun'] = (r, text, log, what, must) => {
    if (r.timedOut) {
      const tail = text.trim().split('\n').slice(-6).map((l) => l.trim());
      return { verdict: 'blocked', reason: `${what}: piuparts did not finish in ${PIUPARTS_TIMEOUT_MS / 60_000} min — ${tail.join(' ⏎ ')} (full log: ${log})`, todo: `see ${log}: a maintainer script may wait for input or a daemon may not return`, log, details };
    }
    if (r.exitCode === 0) return undefined;
    const f = piupartsFailure(text);
    if (!f) throw new PipelineError(`piuparts failed (exit ${r.exitCode}) without a failure in its log: ${String(r.all ?? '').trim().split('\n').pop()}`, { exitCode: EXIT.environment, file: log });
    const script = f.script ? `${f.script.package}'s ${f.script.name} failed` : f.dpkg ?? f.what;
    return {
      verdict: 'blocked',
      reason: `${what}: ${script} — ${f.tail.join(' ⏎ ')} (full log: ${log})`,
      ...(f.script ? { todo: `fix debian/${f.script.package}.${f.script.name} (or debian/${f.script.name}): ${must}` } : { todo: `see ${log}` }),
      log, details: { ...details, failure: f },
    };
  };
  return { runPiuparts, withInitRetry, failedRun, seconds: () => secs, withInit: () => withInit, details };
}

/** What both piuparts checks start from: the binaries judged, split into sets that install together. */
interface PiupartsSubject {
  debs: string[];
  sets: DebFields[][];
  /** ` (the ppa test-build's binaries, 1.0-1~ppa1)` when the stage reused another's test-build. */
  which: string;
}

async function piupartsSubject(ctx: QaContext, check: string): Promise<PiupartsSubject | QaOutcome> {
  const { debs, from } = qaBinaries(ctx.ws, ctx.build);
  if (!debs.length) {
    if (ctx.build.binaryFrom) return { verdict: 'blocked', reason: `the binaries of ${from!.stage} ${from!.version}, whose test-build this stage reused, are gone`, fix: `pipeline build ${ctx.pkg} --stage ${ctx.stage.name}` };
    return { verdict: 'not-applicable', reason: 'the build made no binary packages' };
  }
  if (process.getuid?.() !== 0) throw new PipelineError(`${check} runs piuparts, which needs root (it chroots, mounts /proc and installs packages)`, { exitCode: EXIT.environment, hint: `run as root, or set qa: { ${check}: off } for stage ${ctx.stage.name} in pipeline.yaml` });
  const judged = debs.filter((d) => !isDebugSymbols(d.path)).map((d) => d.path);
  const sets = installSets(await Promise.all(judged.map((d) => debFields(d))));
  if (!sets.length) return { verdict: 'not-applicable', reason: 'the build made only debug-symbol packages' };
  mkdirSync(ctx.workDir, { recursive: true });
  return { debs: judged, sets, which: from ? ` (the ${from.stage} test-build's binaries, ${from.version})` : '' };
}

const isOutcome = (x: PiupartsSubject | QaOutcome): x is QaOutcome => 'verdict' in x;

export async function checkUpgradePath(ctx: QaContext): Promise<QaOutcome> {
  const subject = await piupartsSubject(ctx, 'upgrade-path');
  if (isOutcome(subject)) return subject;
  const { sets, which } = subject;
  const { root, standIn } = await stagedChroot(ctx, ctx.stage);
  try {
    const repos = qaRepositories(ctx.ws, ctx.stage);
    const [release, ...others] = repos;
    // signed-by keyrings and file:// repositories must exist at the same path inside the chroot.
    const binds: string[] = [];
    for (const r of others) {
      if (r.keyring && existsSync(r.keyring)) { mkdirSync(join(root, dirname(r.keyring)), { recursive: true }); copyFileSync(r.keyring, join(root, r.keyring)); }
      if (r.mirror.startsWith('file://')) binds.push(r.mirror.replace(/^file:\/\//, ''));
    }
    const apart = sets.length > 1 ? `; ${sets.length} runs, packages that conflict with each other apart (${sets.map((set) => set.map((d) => d.name).join(' ')).join(' | ')})` : '';
    // One log per piuparts run: piuparts.log, or piuparts-N.log when the build needs several sets.
    const logOf = (i: number) => join(ctx.workDir, sets.length > 1 ? `piuparts-${i + 1}.log` : 'piuparts.log');
    const upgradedFrom: string[] = [];
    let anyUpgrade = false;
    const details: Record<string, unknown> = { tool: 'piuparts', repositories: repos.map((x) => x.line), binaries: subject.debs.map((d) => basename(d)), sets: sets.map((set) => set.map((d) => d.name)) };
    const session = piupartsSession(ctx, root, details);
    for (const [i, set] of sets.entries()) {
      const log = logOf(i);
      const piuparts = (extra: string[]) => session.runPiuparts(log, [
        '--hard-link', '-d', release!.suite, '-m', `${release!.mirror} ${release!.components.join(' ')}`,
        ...others.flatMap((r) => ['--extra-repo', r.line]),
        ...binds.flatMap((b) => [`--bindmount=${b}`]),
        ...extra,
        ...set.map((d) => d.path),
      ]);
      const { r, text } = await session.withInitRetry(piuparts);
      const failed = session.failedRun(r, text, log, `piuparts${which}${sets.length > 1 ? ` installing ${set.map((d) => d.name).join(', ')}` : ''}`, `it must succeed in a clean ${ctx.stage.target.series} chroot`);
      if (failed) return { ...failed, details: { ...details, ...failed.details } };
      const { upgraded, shipped } = piupartsUpgrade(text, set.map((d) => d.name));
      if (upgraded) { anyUpgrade = true; upgradedFrom.push(...shipped); }
    }
    const names = [...new Set(sets.flat().map((d) => d.name))];
    const steps = !anyUpgrade
      ? `fresh install and purge (${ctx.stage.target.series} ships no ${names.join(', ')}: no upgrade to test)`
      : `install and purge, and the upgrade from ${upgradedFrom.length ? `${[...new Set(upgradedFrom)].join(', ')} (what ${ctx.stage.target.series} ships)` : `the version ${ctx.stage.target.series} ships`} to this upload`;
    const chroot = `${standIn ? `; in the builder's stand-in chroot (${standIn})` : ''}${session.withInit() ? '; systemd-sysv in the base (the dependencies pull in an init system, which a user\'s system has)' : ''}`;
    return { verdict: 'pass', reason: `piuparts${which}: ${steps} passed (maintainer scripts, no file left after purge, no overwrite) in ${session.seconds()} s${chroot}${apart}`, log: logOf(0), details: { ...details, upgradeTested: anyUpgrade } };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/**
 * The `release-upgrade` check (qa/releaseUpgrade.ts plans and prepares it): for a backport, a user
 * of the LTS with the backport installed upgrades to the next release and gets the devel stage's
 * version — one piuparts distupgrade run per install set. The init system is in the base from the
 * start: a system being upgraded to the next release has one (and ZooKeeper's dependencies pull
 * it in, which would otherwise cost every run twice).
 */
export async function checkReleaseUpgrade(ctx: QaContext): Promise<QaOutcome> {
  if (ctx.stage.kind !== 'backports') return { verdict: 'not-applicable', reason: `only a backport is upgraded to the next release (stage ${ctx.stage.name} is ${ctx.stage.kind})` };
  const subject = await piupartsSubject(ctx, 'release-upgrade');
  if (isOutcome(subject)) return subject;
  const { sets, which } = subject;
  const backport = await debVersions(sets.flat().map((d) => d.path));
  const plan = planReleaseUpgrade(ctx.ws, ctx.pkg, ctx.stage, backport, ctx.stage.builder.architectures[0] ?? 'amd64');
  if ('blocked' in plan) {
    return { verdict: 'blocked', reason: `the upgrade to the next release (this backport → the devel stage's version) cannot be run: ${plan.blocked}`, ...(plan.fix ? { fix: plan.fix } : {}), ...(plan.todo ? { todo: plan.todo } : {}) };
  }
  const { root, tarball } = await stagedChroot(ctx, ctx.stage);
  const refKey = referenceKey(plan, tarball);
  const reused = useReference(refKey, ctx.workDir);
  try {
    const details: Record<string, unknown> = { tool: 'piuparts (distupgrade)', sets: sets.map((set) => set.map((d) => d.name)), referenceReused: reused };
    const session = piupartsSession(ctx, root, details, { initFromStart: true });
    const chains = new Map<string, string[]>();
    for (const [i, set] of sets.entries()) {
      const log = join(ctx.workDir, sets.length > 1 ? `piuparts-release-upgrade-${i + 1}.log` : 'piuparts-release-upgrade.log');
      const names = set.map((d) => d.name);
      const run = await prepareReleaseUpgrade(ctx.ws, plan, root, ctx.workDir, subject.debs, names);
      try {
        const { r, text } = await session.withInitRetry((extra) => session.runPiuparts(log, [...extra, ...run.args]));
        // The path as far as dpkg got (a run that failed before unpacking anything: the backport alone).
        const sofar = new Map(names.map((n) => { const c = versionChain(text, n); return [n, c.length ? c : [plan.backport.get(n)!]]; }));
        const what = `piuparts release upgrade ${plan.lts} → ${plan.devel}${which} (${describePath(plan, sofar)})`;
        const failed = session.failedRun(r, text, log, what, `it must succeed when ${plan.devel}'s version is installed over this backport (a user upgrading to the next release)`);
        if (failed) return { ...failed, details: { ...failed.details, releaseUpgrade: { from: plan.lts, to: plan.devel, log } } };
        for (const n of names) {
          const chain = versionChain(text, n);
          const want = plan.develVersions.get(n);
          // dist-upgrade can hold a package back (a dependency it will not remove): then the user does not get it.
          if (want && chain.at(-1) !== want) {
            return { verdict: 'blocked', reason: `${what}: apt's dist-upgrade left ${n} at ${chain.at(-1) ?? 'nothing'}, not the devel stage's ${want} (full log: ${log})`, todo: `see ${log}: a user upgrading to ${plan.devel} would not get ${n} ${want}`, log, details };
          }
          chains.set(n, chain);
        }
      } finally {
        run.cleanup();
      }
    }
    details.releaseUpgrade = { from: plan.lts, to: plan.devel, develStage: plan.develStage.name, path: Object.fromEntries(chains) };
    const log = join(ctx.workDir, sets.length > 1 ? 'piuparts-release-upgrade-1.log' : 'piuparts-release-upgrade.log');
    return { verdict: 'pass', reason: `piuparts${which}: ${plan.lts} → ${plan.devel} with the ${plan.develStage.name} stage's ${plan.develNote ?? 'suite'} (apt-get dist-upgrade, then purge; systemd-sysv in the base, as on a system being upgraded) passed in ${session.seconds()} s${reused ? ' (the reference chroot reused from an earlier check of this run)' : ''}: ${describePath(plan, chains)}`, log, details };
  } finally {
    keepReference(refKey, ctx.workDir, reused);
    rmSync(root, { recursive: true, force: true });
  }
}

export const upgradePath: QaCheck = { ...qaDeclaration('upgrade-path')!, run: checkUpgradePath };
export const releaseUpgradeCheck: QaCheck = { ...qaDeclaration('release-upgrade')!, run: checkReleaseUpgrade };
