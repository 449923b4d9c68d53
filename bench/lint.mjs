#!/usr/bin/env node
// bench/lint: our lint of Debian's real ZooKeeper source (trixie's 3.9.3-1+deb13u1, fetched once
// into the pipeline cache) against lintian's copyright checks on the same .dsc, alternating:
//   A. `pipeline lint X.dsc --format json` — the whole CLI (node start-up included): verify the
//      .dsc as dscverify, scan it as shipped (lint/scan.ts: tarballs streamed, debian/ written), DEP-5 parse, coverage of every file, license header
//      detection, control/changelog/source/watch checks;
//   B. `lintian -C debian/copyright,debian/copyright/dep5,debian/copyright/dep5/components,
//      debian/copyright/apache-notice X.dsc` — lintian's copyright checks only (it unpacks the .dsc
//      itself every time; it has no cache to warm).
// Cold: our cache directory empty and the .dsc with its tarballs just copied into a new directory
// (as fetched): scan (or unpack) and license detection from scratch. Warm: the same .dsc again (tree and
// license cache reused). Each side's wall time and CPU time (user+sys of the process and its
// children, from /usr/bin/time) are printed; on a shared machine the CPU ratio is the steadier.
// Targets: cold >= 10x, warm >= 20x. Rounds: argv[2] (default 5). `npm run bench:lint` builds first.
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

const REPO = join(fileURLToPath(import.meta.url), '..', '..');
const { loadWorkspace } = await import(join(REPO, 'dist/pipeline/config/workspace.js'));
const { fetchSource } = await import(join(REPO, 'dist/pipeline/source/fetch.js'));
const { parseSourceControlFile } = await import(join(REPO, 'dist/pipeline/debian/dsc.js'));
const { unpackDsc, lintTree } = await import(join(REPO, 'dist/pipeline/lint/index.js'));
const { scanDsc } = await import(join(REPO, 'dist/pipeline/lint/scan.js'));
const { verifySourceControlFile } = await import(join(REPO, 'dist/pipeline/debian/verifyDsc.js'));
const rounds = Number(process.argv[2] ?? 5);
const startLoad = loadavg()[0];
const say = (s) => process.stderr.write(`${s}\n`);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const LINTIAN_CHECKS = 'debian/copyright,debian/copyright/dep5,debian/copyright/dep5/components,debian/copyright/apache-notice';

const ws = loadWorkspace({ cwd: REPO });
const fetched = await fetchSource(ws, 'zookeeper');
const source = fetched.dsc.path;
say(`source: ${source}`);

/** A fresh copy of the .dsc and its files, as just fetched. */
function freshCopy() {
  const dir = mkdtempSync(join(tmpdir(), 'bench-lint-dsc-'));
  const names = [basename(source), ...parseSourceControlFile(source).files.map((f) => f.name)];
  for (const n of names) copyFileSync(join(dirname(source), n), join(dir, n));
  return join(dir, basename(source));
}

/** Runs a command under /usr/bin/time: wall ms and CPU ms (user+sys, children included). */
async function timed(file, args, env = {}) {
  const out = join(mkdtempSync(join(tmpdir(), 'bench-time-')), 't');
  const t0 = performance.now();
  const r = await execa('/usr/bin/time', ['-f', '%U %S', '-o', out, file, ...args], { reject: false, cwd: REPO, env: { LC_ALL: 'C.UTF-8', ...env } });
  const wall = performance.now() - t0;
  const [user, sys] = readFileSync(out, 'utf8').trim().split('\n').pop().split(' ').map(Number);
  return { wall, cpu: (user + sys) * 1000, r };
}

async function ours(dsc, cacheDir) {
  const t = await timed('node', [join(REPO, 'bin', 'pipeline.js'), 'lint', dsc, '--format', 'json'], { PIPELINE_CACHE_DIR: cacheDir });
  if (t.r.exitCode !== 0 && t.r.exitCode !== 1) throw new Error(`pipeline lint failed (${t.r.exitCode}): ${t.r.stderr}`);
  return { ...t, record: JSON.parse(t.r.stdout) };
}

async function lintian(dsc) {
  const t = await timed('lintian', ['--fail-on', 'none', '-C', LINTIAN_CHECKS, dsc]);
  if (t.r.exitCode !== 0) throw new Error(`lintian failed (${t.r.exitCode}): ${t.r.stderr}`);
  return t;
}

const rows = { oursCold: [], oursWarm: [], lintian: [] };
let filesChecked = 0;
for (let i = 0; i < rounds; i++) {
  const cache = mkdtempSync(join(tmpdir(), 'bench-lint-cache-'));
  const dsc = freshCopy();
  const cold = await ours(dsc, cache);
  const warm = await ours(dsc, cache);
  const them = await lintian(freshCopy());
  filesChecked = cold.record.filesChecked;
  rows.oursCold.push(cold);
  rows.oursWarm.push(warm);
  rows.lintian.push(them);
  say(`round ${i + 1}: ours cold ${cold.wall.toFixed(0)} ms (cpu ${cold.cpu.toFixed(0)}), warm ${warm.wall.toFixed(0)} ms (cpu ${warm.cpu.toFixed(0)}), lintian ${them.wall.toFixed(0)} ms (cpu ${them.cpu.toFixed(0)})  load ${loadavg()[0].toFixed(1)}`);
  rmSync(cache, { recursive: true, force: true });
  rmSync(dirname(dsc), { recursive: true, force: true });
}

// In-process structural lint (no node start-up, no license detection): target < 300 ms. On the
// scanned source, as `lint X.dsc` does; and on the unpacked tree (a walk of its 1,589 files).
const scanned = await scanDsc(ws.cacheDir, source, await verifySourceControlFile(source));
let t0 = performance.now();
await lintTree(scanned.tree, { detectLicenses: false, scanned });
const structural = performance.now() - t0;
const tree = await unpackDsc(ws.cacheDir, source);
t0 = performance.now();
await lintTree(tree, { detectLicenses: false });
const structuralUnpacked = performance.now() - t0;

const m = (k, f) => median(rows[k].map((x) => x[f]));
console.log(`${new Date().toISOString().slice(0, 16)}Z, ${rounds} rounds, load average (1 min) ${startLoad.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end (2 cores)`);
console.log(`files checked: ${filesChecked}`);
for (const [k, label] of [['oursCold', 'pipeline lint, cold'], ['oursWarm', 'pipeline lint, warm'], ['lintian', 'lintian copyright checks']])
  console.log(`${label.padEnd(26)} wall median ${m(k, 'wall').toFixed(0).padStart(6)} ms   cpu median ${m(k, 'cpu').toFixed(0).padStart(6)} ms`);
console.log(`in-process structural lint (lintTree, no license detection): ${structural.toFixed(0)} ms (target < 300); on the unpacked tree ${structuralUnpacked.toFixed(0)} ms`);
const ratio = (k, f) => (m('lintian', f) / m(k, f)).toFixed(1);
console.log(`cold ratio lintian / pipeline: wall ${ratio('oursCold', 'wall')}x, cpu ${ratio('oursCold', 'cpu')}x (target >= 10x)`);
console.log(`warm ratio lintian / pipeline: wall ${ratio('oursWarm', 'wall')}x, cpu ${ratio('oursWarm', 'cpu')}x (target >= 20x)`);
