#!/usr/bin/env node
// bench/report: a readiness report over a generated set of 500 packages × 3 stages (build, lint,
// publish and gate records per stage) must take under a second of the tool's own time.
// Measures the library call (collectReadiness) and each renderer, separately from Node's start-up,
// as CPU time of this process (user + system: the tool's own time, which a busy machine's other
// jobs do not inflate the way they inflate wall time; both are printed, with the load average);
// for scale, the real tool the report does without — dpkg-parsechangelog per package for the
// version (it reads the changelog's first line instead) — measured on a sample in the same run.
//
//   npm run bench:report            (builds first: runs against dist/)
//   node bench/report.mjs [COUNT]
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { execFileSync } from 'node:child_process';
import { generatedSpecs, writeReportWorkspace } from './report-fixture.mjs';
import { loadWorkspace } from '../dist/pipeline/config/workspace.js';
import { collectReadiness, renderReport } from '../dist/pipeline/report/index.js';

const count = Number(process.argv[2] ?? 500);
const dir = mkdtempSync(join(tmpdir(), 'bench-report-'));
try {
  const t0 = performance.now();
  writeReportWorkspace(dir, generatedSpecs(count));
  const genMs = performance.now() - t0;
  const ws = loadWorkspace({ cwd: dir, config: join(dir, 'pipeline.yaml'), at: '2025-04-20', env: {} });

  // One warm-up run (module JIT, file cache), then the median of 5.
  const cpuMs = (c) => { const d = process.cpuUsage(c); return (d.user + d.system) / 1000; };
  const runs = [];
  let report;
  for (let i = 0; i < 6; i++) {
    const c = process.cpuUsage();
    const s = performance.now();
    report = await collectReadiness(ws, { release: 'trixie', mainIndex: 'not checked (bench)' });
    if (i > 0) runs.push({ cpu: cpuMs(c), wall: performance.now() - s });
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const collectMs = median(runs.map((r) => r.cpu));
  const collectWall = median(runs.map((r) => r.wall));
  const render = {};
  for (const f of ['text', 'md', 'json', 'html']) {
    const c = process.cpuUsage();
    const s = performance.now();
    const out = renderReport(report, f);
    render[f] = { ms: cpuMs(c), wall: performance.now() - s, kb: Math.round(Buffer.byteLength(out) / 1024) };
  }
  const total = collectMs + Math.max(...Object.values(render).map((r) => r.ms));

  // The real tool, on a sample: dpkg-parsechangelog per package, extrapolated to the set.
  const sample = Math.min(20, count);
  const s = performance.now();
  for (let i = 0; i < sample; i++) {
    execFileSync('dpkg-parsechangelog', ['-l', join(dir, 'packages', `pkg${String(i).padStart(4, '0')}`, 'debian', 'changelog'), '-SVersion']);
  }
  const dpkgPerPkg = (performance.now() - s) / sample;

  const stages = ws.config.stages.length;
  console.log(`bench/report: ${report.packages.length} packages × ${stages} stages (${report.overall.summary})`);
  console.log(`  generate workspace        ${genMs.toFixed(0)} ms (not counted)`);
  console.log(`  load average              ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${cpus().length} CPUs`);
  console.log(`  collectReadiness          ${collectMs.toFixed(1)} ms CPU, ${collectWall.toFixed(1)} ms wall  (median of ${runs.length})`);
  for (const [f, r] of Object.entries(render)) console.log(`  render ${f.padEnd(5)}              ${r.ms.toFixed(1)} ms CPU, ${r.wall.toFixed(1)} ms wall  (${r.kb} KiB)`);
  console.log(`  report + slowest renderer ${total.toFixed(1)} ms CPU  → ${total < 1000 ? 'under' : 'OVER'} the 1 s budget`);
  console.log(`  dpkg-parsechangelog alone ${(dpkgPerPkg * count).toFixed(0)} ms wall for ${count} packages (${dpkgPerPkg.toFixed(1)} ms each, sampled ${sample}): ` +
    `${((dpkgPerPkg * count) / collectWall).toFixed(1)}× the whole report's wall time`);
  process.exitCode = total < 1000 ? 0 : 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
