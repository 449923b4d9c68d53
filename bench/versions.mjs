#!/usr/bin/env node
// bench/versions: 100,000 Debian version comparisons with pipeline's own code and with
// `dpkg --compare-versions` (batched: one long-lived sh loop per CPU, one dpkg per pair, as the
// oracle test does), measured in the same run. Prints both times and the ratio; also checks that
// every answer agrees. Needs the compiled library (`npx tsc -p .`).
//   node bench/versions.mjs [--pairs N] [--json]
import { performance } from 'node:perf_hooks';
import { availableParallelism } from 'node:os';
import { aptListVersions, dpkgCompareBatch } from '../dist/pipeline/tools/dpkgOracle.js';
import { compareVersions, isValidVersion } from '../dist/pipeline/debian/version.js';

const args = process.argv.slice(2);
const pairsArg = args.indexOf('--pairs');
const N = pairsArg >= 0 ? Number(args[pairsArg + 1]) : 100_000;
const json = args.includes('--json');
const say = (s) => { if (!json) process.stderr.write(`${s}\n`); };

// Corpus: real versions from the apt lists; half the pairs are random, half are same-package.
let seed = 42;
const rnd = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const corpus = (await aptListVersions()).filter((c) => isValidVersion(c.version));
const distinct = [...new Set(corpus.map((c) => c.version))];
const byPkg = new Map();
for (const { package: p, version } of corpus) (byPkg.get(p) ?? byPkg.set(p, new Set()).get(p)).add(version);
const multi = [...byPkg.values()].filter((s) => s.size > 1).map((s) => [...s]);
const pick = (xs) => xs[Math.floor(rnd() * xs.length)];
const pairs = [];
for (let i = 0; i < N; i++) {
  if (i % 2 === 0 || multi.length === 0) pairs.push([pick(distinct), pick(distinct)]);
  else { const vs = pick(multi); pairs.push([pick(vs), pick(vs)]); }
}
say(`${N} pairs from ${distinct.length} distinct versions in the apt lists`);

// Ours: warm up once, then time the full run (best of 3).
const ours = new Int8Array(N);
for (let i = 0; i < Math.min(N, 10_000); i++) compareVersions(pairs[i][0], pairs[i][1]);
let oursMs = Infinity;
for (let round = 0; round < 3; round++) {
  const t0 = performance.now();
  for (let i = 0; i < N; i++) ours[i] = compareVersions(pairs[i][0], pairs[i][1]);
  oursMs = Math.min(oursMs, performance.now() - t0);
}
say(`pipeline: ${oursMs.toFixed(1)} ms`);

// dpkg: every pair asked with the relation our code claims; dpkg must say true to each.
const parallel = availableParallelism();
say(`dpkg --compare-versions: ${N} calls over ${parallel} sh loops …`);
const t1 = performance.now();
const answers = await dpkgCompareBatch(pairs.map(([a, b], i) => ({ a, op: ours[i] < 0 ? 'lt' : ours[i] > 0 ? 'gt' : 'eq', b })), { parallel });
const dpkgMs = performance.now() - t1;
const disagree = answers.filter((x) => x !== true).length;

const result = {
  pairs: N,
  pipelineMs: Number(oursMs.toFixed(2)),
  dpkgMs: Number(dpkgMs.toFixed(0)),
  dpkgProcesses: parallel,
  ratio: Number((dpkgMs / oursMs).toFixed(0)),
  perPairNs: { pipeline: Number(((oursMs * 1e6) / N).toFixed(0)), dpkg: Number(((dpkgMs * 1e6) / N).toFixed(0)) },
  disagreements: disagree,
};
if (json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
else {
  console.log(`versions: ${N} pairs — pipeline ${result.pipelineMs} ms, dpkg --compare-versions ${result.dpkgMs} ms (${parallel} parallel loops)`);
  console.log(`ratio: pipeline is ${result.ratio}× faster than dpkg; disagreements: ${disagree}`);
}
process.exitCode = disagree === 0 ? 0 : 1;
