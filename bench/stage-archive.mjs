#!/usr/bin/env node
// bench/stage-archive: what seeing the stage's own archive costs a binary test-build. Sets up a
// workspace whose ppa suite holds fixlib-a's source and binary (promoted with sbuild in the cached
// bookworm chroot), then test-builds fixlib-a's .dsc with the raw sbuild command, alternating:
//   A. without the stage archive (the command line and config a build had before it existed)
//   B. with it: the snapshot of the ppa suite (timed on its own), the extra repository and the
//      bind mount, as pipeline runs it
// and prints each round's wall times, the medians and their difference B − A (on a loaded machine
// the builds' own spread swamps it), then the two parts of the cost measured on their own: the
// snapshot, and apt-get update of the suite (host apt, private configuration, empty list vs the line).
// Rounds: argv[2] (default 3). Needs the compiled library (`npm run bench:stage-archive`).
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

const REPO = join(fileURLToPath(import.meta.url), '..', '..');
const rounds = Number(process.argv[2] ?? 3);
const root = mkdtempSync(join(tmpdir(), 'bench-stage-archive-'));
const say = (s) => process.stderr.write(`${s}\n`);
const lib = async (p) => import(join(REPO, 'dist', 'pipeline', p));

const { loadWorkspace } = await lib('config/workspace.js');
const { promote } = await lib('stages/promote.js');
const { StateStore } = await lib('state/store.js');
const { sbuild } = await lib('tools/sbuild.js');
const { buildTmpDir } = await lib('build/tmpdir.js');
const { stageRepository, chrootRepository } = await lib('archive/stageRepository.js');
const { stageArchiveViewDir } = await lib('build/stageArchive.js');

cpSync(join(REPO, 'schedules'), join(root, 'schedules'), { recursive: true });
mkdirSync(join(root, 'packages'));
cpSync(join(REPO, 'test', 'fixtures', 'stages', 'fixlib-a'), join(root, 'packages', 'fixlib-a'), { recursive: true });
const yaml = readFileSync(join(REPO, 'pipeline.yaml'), 'utf8').replace(/builder: \{ suite: trixie,/g, 'builder: { suite: bookworm,');
writeFileSync(join(root, 'pipeline.yaml'), yaml);
Object.assign(process.env, {
  PIPELINE_STATE_DIR: join(root, 'state'), PIPELINE_GNUPGHOME: join(root, 'gnupg'), PIPELINE_UPSTREAM: 'generated', PIPELINE_BUILDER: 'sbuild', PIPELINE_LINTIAN: '0',
});
const ws = loadWorkspace({ cwd: root, config: join(root, 'pipeline.yaml') });

say('setup: promote fixlib-a to ppa (sbuild) …');
const r = await promote(ws, 'fixlib-a', { to: 'ppa' });
if (r.state !== 'done') throw new Error(`setup promote: ${r.message}`);
const build = new StateStore(ws.stateDir).read('fixlib-a', 'ppa', 'build');
const repo = stageRepository(ws, 'ppa');

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const a = [];
const b = [];
const snap = [];
for (let i = 0; i < rounds; i++) {
  for (const withArchive of i % 2 ? [true, false] : [false, true]) {
    const out = join(root, `round-${i}-${withArchive ? 'b' : 'a'}`);
    mkdirSync(out, { recursive: true });
    const t0 = performance.now();
    let view;
    let seen;
    if (withArchive) {
      view = stageArchiveViewDir();
      seen = await chrootRepository(ws, repo, view);
      snap.push(performance.now() - t0);
    }
    const res = await sbuild({
      input: build.dsc.path, chroot: build.chroot.tarball, distribution: 'trixie', buildDir: out, source: false, archAny: true, archAll: true,
      tmpDir: buildTmpDir(), extraRepositories: seen ? [seen.line] : [], ...(seen ? { bindMounts: seen.bindMounts } : {}),
    });
    const ms = performance.now() - t0;
    if (view) rmSync(view, { recursive: true, force: true });
    if (res.exitCode !== 0) throw new Error(`sbuild failed (${withArchive ? 'with' : 'without'} the stage archive): ${res.log}`);
    (withArchive ? b : a).push(ms);
    say(`round ${i + 1}: ${withArchive ? 'with   ' : 'without'} ${(ms / 1000).toFixed(1)} s (load ${loadavg()[0].toFixed(1)})`);
    rmSync(out, { recursive: true, force: true });
  }
}
// The part of B − A that apt does: `apt-get update` of the stage's suite alone (a private apt
// configuration on the host, as the chroot's apt reads the snapshot: gpgv on InRelease, the
// Packages index) against an empty sources list, alternating.
const aptDir = join(root, 'apt');
const aptUpdate = async (lines) => {
  for (const sub of ['etc/sources.list.d', 'etc/preferences.d', 'state/lists/partial', 'cache/archives/partial']) mkdirSync(join(aptDir, sub), { recursive: true });
  rmSync(join(aptDir, 'state', 'lists'), { recursive: true, force: true });
  mkdirSync(join(aptDir, 'state', 'lists', 'partial'), { recursive: true });
  writeFileSync(join(aptDir, 'etc', 'sources.list'), lines.map((l) => `${l}\n`).join(''));
  writeFileSync(join(aptDir, 'status'), '');
  const o = [`Dir::Etc::sourcelist=${join(aptDir, 'etc', 'sources.list')}`, `Dir::Etc::sourceparts=${join(aptDir, 'etc', 'sources.list.d')}`,
    `Dir::Etc::preferencesparts=${join(aptDir, 'etc', 'preferences.d')}`, `Dir::State=${join(aptDir, 'state')}`, `Dir::State::status=${join(aptDir, 'status')}`,
    `Dir::Cache=${join(aptDir, 'cache')}`, 'Acquire::Languages=none', ...(process.getuid() === 0 ? ['APT::Sandbox::User=root'] : [])].flatMap((x) => ['-o', x]);
  const t0 = performance.now();
  await execa('apt-get', [...o, 'update', '-qq'], { env: { LC_ALL: 'C.UTF-8' } });
  return performance.now() - t0;
};
const aptWithout = [];
const aptWithSuite = [];
for (let i = 0; i < 5; i++) {
  aptWithout.push(await aptUpdate([]));
  aptWithSuite.push(await aptUpdate([repo.line]));
}
const s = (x) => `${(x / 1000).toFixed(1)} s`;
const ms = (x) => `${Math.round(x)} ms`;
console.log(JSON.stringify({
  rounds, load: loadavg()[0], withoutMs: a.map(Math.round), withMs: b.map(Math.round), snapshotMs: snap.map(Math.round),
  medianWithout: s(median(a)), medianWith: s(median(b)), differenceOfMedians: s(median(b) - median(a)), snapshot: ms(median(snap)),
  aptUpdateOfTheSuite: ms(median(aptWithSuite) - median(aptWithout)),
}, null, 1));
await execa('gpgconf', ['--homedir', join(root, 'gnupg'), '--kill', 'all'], { reject: false });
rmSync(root, { recursive: true, force: true });
