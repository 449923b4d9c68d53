#!/usr/bin/env node
// bench/build-overhead: what `pipeline build` costs on top of the sbuild runs it wraps. The same
// fixture (test/fixtures/packages/hello-native, bookworm chroot) is built, alternating:
//   A. `pipeline build --dir FIXTURE --stage backports --force --json`  (the whole CLI: config,
//      scratch copy, changelog entry, source sbuild, binary sbuild, log parsing, checksums, record)
//   B. the equivalent raw commands: `cp -a` of the tree, then the two sbuild command lines that
//      run A recorded (record.commands), with the same environment, in a fresh directory.
// Prints the wall times, the median of each, and the ratio A/B (target ≤ 1.05). Rounds: argv[2]
// (default 3). Needs the compiled CLI (`npm run bench:build-overhead` builds first) and the
// cached chroot (created on first use).
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

const REPO = join(fileURLToPath(import.meta.url), '..', '..');
const FIXTURE = join(REPO, 'test', 'fixtures', 'packages', 'hello-native');
const rounds = Number(process.argv[2] ?? 3);
const dir = mkdtempSync(join(tmpdir(), 'bench-build-'));
const env = { ...process.env, PIPELINE_STATE_DIR: join(dir, 'state') };
const say = (s) => process.stderr.write(`${s}\n`);

async function pipelineBuild() {
  const t0 = performance.now();
  const r = await execa('node', [join(REPO, 'bin', 'pipeline.js'), '--json', 'build', '--dir', FIXTURE, '--stage', 'backports', '--force'], { env, reject: false });
  const ms = performance.now() - t0;
  if (r.exitCode !== 0) throw new Error(`pipeline build failed (${r.exitCode}): ${r.stderr}`);
  return { ms, record: JSON.parse(r.stdout) };
}

/** The same work done by hand: copy the tree, run the recorded sbuild command lines. */
async function rawBuild(record, round) {
  const work = join(dir, `raw-${round}`);
  const out = join(work, 'out');
  const bin = join(out, 'binary');
  mkdirSync(bin, { recursive: true });
  const [srcCmd, binCmd] = record.commands;
  // Re-point the recorded paths (pipeline's temporary build dir) at this round's directories.
  const recordedOut = /^--build-dir=(.*)$/m.exec(srcCmd.join('\n'))[1];
  const tree = join(out, '.src', 'hello-native-1.0');
  const fix = (args) => args.map((a) => a.split(recordedOut).join(out));
  // sbuild reads its tmpdir choice from the same config file pipeline wrote.
  const conf = join(record.outDir, '.sbuild.conf');
  const sbuildEnv = { ...process.env, LC_ALL: 'C.UTF-8', ...(readable(conf) ? { SBUILD_CONFIG: conf } : {}) };
  const t0 = performance.now();
  mkdirSync(join(out, '.src'), { recursive: true });
  await execa('cp', ['-a', FIXTURE, tree]);
  // The stage's changelog distribution, as pipeline sets it (one line).
  const cl = join(tree, 'debian', 'changelog');
  writeFileSync(cl, readFileSync(cl, 'utf8').replace(/^(\S+ \([^)]+\) )[^;]+;/m, '$1bookworm-backports;'));
  const s = await execa(srcCmd[0], fix(srcCmd.slice(1)), { cwd: out, env: sbuildEnv, reject: false });
  const b = await execa(binCmd[0], fix(binCmd.slice(1)), { cwd: bin, env: sbuildEnv, reject: false });
  const ms = performance.now() - t0;
  if (s.exitCode !== 0 || b.exitCode !== 0) throw new Error(`raw sbuild failed: source ${s.exitCode}, binary ${b.exitCode}`);
  rmSync(work, { recursive: true, force: true });
  return ms;
}

function readable(f) {
  try {
    readFileSync(f);
    return true;
  } catch {
    return false;
  }
}

try {
  say(`bench/build-overhead: ${rounds} rounds, hello-native in the bookworm chroot (load ${loadavg().map((l) => l.toFixed(1)).join(' ')})`);
  // Warm-up: creates the chroot if needed and the first record (the raw commands come from it).
  let { record } = await pipelineBuild();
  const a = [];
  const b = [];
  for (let i = 0; i < rounds; i++) {
    const p = await pipelineBuild();
    record = p.record;
    a.push(p.ms);
    b.push(await rawBuild(record, i));
    say(`round ${i + 1}: pipeline ${(a[i] / 1000).toFixed(1)} s, raw sbuild ${(b[i] / 1000).toFixed(1)} s`);
  }
  const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  const ratio = median(a) / median(b);
  console.log(JSON.stringify({
    rounds,
    pipelineMs: a.map(Math.round),
    rawSbuildMs: b.map(Math.round),
    medianPipelineMs: Math.round(median(a)),
    medianRawSbuildMs: Math.round(median(b)),
    ratio: Number(ratio.toFixed(3)),
    target: 1.05,
    ok: ratio <= 1.05,
  }, null, 2));
  say(`overhead ratio (pipeline / raw sbuild, medians): ${ratio.toFixed(3)} (target ≤ 1.05)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
