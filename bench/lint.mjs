#!/usr/bin/env node
// bench/lint: our copyright + metadata lint of Debian's real ZooKeeper source (trixie's
// 3.9.3-1+deb13u1, fetched once into the pipeline cache) against `lintian` on the same .dsc,
// alternating, in the same run:
//   A. `pipeline lint TREE --format json` — the whole CLI (node start-up included): DEP-5 parse,
//      coverage walk of every file, license header detection (cache warmed by one untimed run),
//      control/changelog/source/watch checks;
//   B. `lintian --fail-on none ZOOKEEPER.dsc` — lintian's default profile (it unpacks the .dsc itself).
// Prints each round, the medians, the ratio B/A (target ≥ 20) and the number of files checked.
// Rounds: argv[2] (default 3). Needs the compiled CLI (`npm run bench:lint` builds first).
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

const REPO = join(fileURLToPath(import.meta.url), '..', '..');
const { loadWorkspace } = await import(join(REPO, 'dist/pipeline/config/workspace.js'));
const { fetchSource } = await import(join(REPO, 'dist/pipeline/source/fetch.js'));
const { unpackDsc, lintTree } = await import(join(REPO, 'dist/pipeline/lint/index.js'));
const rounds = Number(process.argv[2] ?? 3);
const say = (s) => process.stderr.write(`${s}\n`);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const ws = loadWorkspace({ cwd: REPO });
const fetched = await fetchSource(ws, 'zookeeper');
const dsc = fetched.dsc.path;
const tree = await unpackDsc(ws.cacheDir, dsc);
say(`source: ${dsc}\ntree:   ${tree}`);

async function ours() {
  const t0 = performance.now();
  const r = await execa('node', [join(REPO, 'bin', 'pipeline.js'), 'lint', tree, '--format', 'json'], { reject: false, cwd: REPO });
  const ms = performance.now() - t0;
  if (r.exitCode !== 0 && r.exitCode !== 1) throw new Error(`pipeline lint failed (${r.exitCode}): ${r.stderr}`);
  return { ms, record: JSON.parse(r.stdout) };
}

async function lintian() {
  const t0 = performance.now();
  const r = await execa('lintian', ['--fail-on', 'none', dsc], { reject: false, env: { LC_ALL: 'C.UTF-8' } });
  const ms = performance.now() - t0;
  if (r.exitCode !== 0) throw new Error(`lintian failed (${r.exitCode}): ${r.stderr}`);
  return ms;
}

// Warm-up (untimed): fills the license cache and the OS page cache for both sides.
const warm = await ours();
await lintian();
const a = [];
const b = [];
for (let i = 0; i < rounds; i++) {
  const x = await ours();
  const y = await lintian();
  a.push(x.ms);
  b.push(y);
  say(`round ${i + 1}: pipeline lint ${x.ms.toFixed(0)} ms, lintian ${y.toFixed(0)} ms (load ${loadavg()[0].toFixed(1)})`);
}
// In-process figure (no node start-up), for reference.
const t0 = performance.now();
await lintTree(tree, { cacheDir: ws.cacheDir });
const inProcess = performance.now() - t0;

const ma = median(a);
const mb = median(b);
console.log(`files checked: ${warm.record.filesChecked}`);
console.log(`pipeline lint (CLI, license cache warm): median ${ma.toFixed(0)} ms   [${a.map((x) => x.toFixed(0)).join(', ')}]`);
console.log(`lintian:                                 median ${mb.toFixed(0)} ms   [${b.map((x) => x.toFixed(0)).join(', ')}]`);
console.log(`lintTree in-process:                     ${inProcess.toFixed(0)} ms`);
console.log(`ratio lintian / pipeline lint: ${(mb / ma).toFixed(1)}x (target >= 20x)`);
