#!/usr/bin/env node
// bench/main-job: the README's main job against its floor, in one run, on a fresh state dir with
// warm chroot tarballs (created first, untimed):
//   A. `pipeline promote PKG --to backports` (PKG: argv[2], default zookeeper; a directory under
//      test/fixtures/stages/ works too, e.g. hello-stage, for a quick run)
//   B. for each distinct chroot the job built in, the raw sbuild binary build of the package there:
//      the test-build command line a record of that chroot holds, run again in a fresh directory
//      (the floor: one real build per distinct chroot)
//   C. a changelog-only change (a new entry in packages/PKG/debian/changelog), then
//      `pipeline promote PKG --to ppa` again: the source package is built, the test-build reused
// The QA checks (pipeline/qa: piuparts, autopkgtest, …) are off unless --with-qa is given: the
// figure is the builds against their floor, and QA's own cost is measured per check (the README's
// QA table). Prints the wall times, A / sum(B) (target ≤ 1.15) and C. Needs the compiled CLI
// (`npm run bench:main-job` builds first). Uses the shared cache (chroots, fetched upstreams).
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

const REPO = join(fileURLToPath(import.meta.url), '..', '..');
const withQa = process.argv.includes('--with-qa');
const pkg = process.argv.slice(2).find((a) => !a.startsWith('--')) ?? 'zookeeper';
const QA_OFF = '    qa: { installability: off, upgrade-path: off, autopkgtest: off, reverse-dependencies: off, debdiff: off, release-upgrade: off, reproducible: off }';
const root = mkdtempSync(join(tmpdir(), 'bench-main-job-'));
const say = (s) => process.stderr.write(`${s}\n`);
const env = {
  ...process.env,
  PIPELINE_STATE_DIR: join(root, '.pipeline', 'state'),
  PIPELINE_GNUPGHOME: join(root, '.pipeline', 'gnupg'),
  PIPELINE_BUILDER: 'sbuild',
  DEBFULLNAME: 'Pipeline Bench',
  DEBEMAIL: 'bench@localhost',
};
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');

async function pipeline(args, options = {}) {
  const t0 = performance.now();
  const r = await execa('node', [join(REPO, 'bin', 'pipeline.js'), '--config', join(root, 'pipeline.yaml'), ...args], { cwd: root, env, reject: false, ...options });
  const ms = performance.now() - t0;
  if (r.exitCode !== 0) throw new Error(`pipeline ${args.join(' ')} failed (${r.exitCode}): ${`${r.stdout}\n${r.stderr}`.trim().split('\n').slice(-8).join('\n')}`);
  return { ms, stdout: r.stdout };
}

const records = () => {
  const dir = join(env.PIPELINE_STATE_DIR, 'records', pkg);
  return ['ppa', 'devel', 'backports'].map((s) => join(dir, `${s}.build.json`)).filter(existsSync).map((f) => JSON.parse(readFileSync(f, 'utf8')));
};

/** The recorded test-build command of a chroot, run again by hand in a fresh directory. */
async function rawSbuild(record, i) {
  const cmd = record.commands[1];
  const recordedDir = /^--build-dir=(.*)$/m.exec(cmd.join('\n'))[1];
  const out = join(root, `raw-${i}`);
  mkdirSync(out, { recursive: true });
  // The floor is sbuild as a maintainer runs it: the base chroot tarball (not the
  // build-dependency layer the job used) and no stage-archive snapshot (a bind mount that lived
  // only for the job's build; the job's builds need nothing from it here).
  const args = cmd.slice(1)
    .filter((a) => !(a.startsWith('--extra-repository=') && a.includes('/srv/pipeline-stage-archive')) && a !== '--build-dep-resolver=null')
    .map((a) => (a.startsWith('--chroot=') ? `--chroot=${record.chroot.tarball}` : a.split(recordedDir).join(out)));
  // The job's sbuild configuration (the /dev/shm unshare directory), without its bind mounts.
  const recorded = join(record.outDir, '.sbuild.conf');
  const conf = join(root, `raw-${i}.sbuild.conf`);
  if (existsSync(recorded)) writeFileSync(conf, readFileSync(recorded, 'utf8').split('\n').filter((l) => !l.startsWith('$unshare_bind_mounts')).join('\n'));
  const t0 = performance.now();
  const r = await execa(cmd[0], args, { cwd: out, reject: false, env: { ...process.env, LC_ALL: 'C.UTF-8', ...(existsSync(conf) ? { SBUILD_CONFIG: conf } : {}) } });
  const ms = performance.now() - t0;
  if (r.exitCode !== 0) throw new Error(`raw sbuild in ${record.chroot.tarball} failed (${r.exitCode}): sbuild ${args.join(' ')}\n${String(r.stdout).split('\n').slice(-15).join('\n')}`);
  rmSync(out, { recursive: true, force: true });
  return ms;
}

try {
  const yaml = readFileSync(join(REPO, 'pipeline.yaml'), 'utf8');
  writeFileSync(join(root, 'pipeline.yaml'), withQa ? yaml : yaml.replace(/^(    gates: \{.*\})$/gm, `$1\n${QA_OFF}`));
  cpSync(join(REPO, 'schedules'), join(root, 'schedules'), { recursive: true });
  const fixture = !existsSync(join(REPO, 'packages', pkg));
  const from = fixture ? join(REPO, 'test', 'fixtures', 'stages', pkg) : join(REPO, 'packages', pkg);
  if (fixture) env.PIPELINE_UPSTREAM = 'generated'; // fixtures have no reachable upstream
  cpSync(from, join(root, 'packages', pkg), { recursive: true });
  say(`bench/main-job: ${pkg}, QA ${withQa ? 'on (as configured)' : 'off (--with-qa runs it)'} (load ${load()})`);
  await pipeline(['chroot', 'create']); // warm tarballs, untimed

  const main = await pipeline(['promote', pkg, '--to', 'backports', '--json']);
  say(`A. main job: ${(main.ms / 1000).toFixed(0)} s (load ${load()})`);
  const built = records();
  const stages = built.map((r) => ({ stage: r.stage, chroot: r.chroot?.key.slice(0, 8), testBuild: r.binaryFrom ? `reused from ${r.binaryFrom.stage}` : 'built', sourceInstallS: Number(r.sourceSummary?.installTime ?? NaN), binaryInstallS: Number(r.binarySummary?.installTime ?? NaN) }));

  // B. one raw test-build per distinct chroot, from a record that ran one there.
  const perChroot = new Map();
  for (const r of built) if (!r.binaryFrom && r.commands?.length === 2 && !perChroot.has(r.chroot.key)) perChroot.set(r.chroot.key, r);
  const raw = [];
  for (const [key, r] of perChroot) {
    const ms = await rawSbuild(r, raw.length);
    raw.push({ chroot: key.slice(0, 8), tarball: r.chroot.tarball, ms: Math.round(ms) });
    say(`B. raw sbuild in ${r.chroot.tarball.split('/').pop()}: ${(ms / 1000).toFixed(0)} s`);
  }
  const floor = raw.reduce((s, x) => s + x.ms, 0);

  // C. a changelog-only change, promoted to the first stage again.
  const changelog = join(root, 'packages', pkg, 'debian', 'changelog');
  const top = (await execa('dpkg-parsechangelog', ['-l', changelog, '-S', 'Version'])).stdout.trim();
  const next = top.replace(/(\d+)$/, (n) => String(Number(n) + 1));
  const dist = (await execa('dpkg-parsechangelog', ['-l', changelog, '-S', 'Distribution'])).stdout.trim();
  await execa('dch', ['--changelog', changelog, '--newversion', next, '--distribution', dist, '--force-distribution', '--', 'Changelog-only change (bench/main-job).'], { env });
  const again = await pipeline(['promote', pkg, '--to', 'ppa', '--json']);
  const ppa = records().find((r) => r.stage === 'ppa');
  say(`C. promote --to ppa after a changelog-only change: ${(again.ms / 1000).toFixed(0)} s, test-build ${ppa?.binaryFrom ? `reused from ${ppa.binaryFrom.stage} ${ppa.binaryFrom.version}` : 'built'}`);

  const ratio = main.ms / floor;
  console.log(JSON.stringify({
    package: pkg,
    qa: withQa ? 'as configured' : 'off',
    load: load(),
    mainJobMs: Math.round(main.ms),
    stages,
    rawSbuild: raw,
    ratio: Number(ratio.toFixed(3)),
    target: 1.15,
    ok: ratio <= 1.15,
    changelogOnly: { version: ppa?.version, ms: Math.round(again.ms), testBuild: ppa?.binaryFrom ? 'reused' : 'built' },
  }, null, 2));
  say(`main job / raw sbuild per chroot: ${ratio.toFixed(3)} (target ≤ 1.15)`);
} finally {
  await execa('gpgconf', ['--homedir', env.PIPELINE_GNUPGHOME, '--kill', 'all'], { reject: false });
  rmSync(root, { recursive: true, force: true });
}
