// The recovery soak: N seeded trials of promoting the fixture set through every stage, each trial
// killed (SIGKILL) at a random fault point — or at a random time — then `pipeline resume` until
// done (bounded). After each trial the world is checked: every expected version in the archive
// exactly once, nothing unexpected, no upload made twice, every journal complete, and the final
// state equal to a fault-free run's. Used by test/soak/soak.slow.test.ts and bench/soak.mjs.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { loadWorkspace } from '../../dist/pipeline/config/workspace.js';
import { decide, mulberry32, seedFor } from '../../dist/pipeline/state/faults.js';
import { readJournal, journalFile } from '../../dist/pipeline/state/journal.js';
import { listRuns } from '../../dist/pipeline/state/runner.js';
import { StateStore } from '../../dist/pipeline/state/store.js';
import { REPO, FIXTURE_SET, createSoakWorkspace, expectedUploads } from './fixture.mjs';
import { readSources, repreproList } from './kind.mjs';

const KIND_MODULE = join(REPO, 'test', 'soak', 'kind.mjs');
const START = join(REPO, 'test', 'soak', 'start.mjs');
const CLI = join(REPO, 'bin', 'pipeline.js');

/**
 * The seed (from `start` on) whose PRNG, at `rate`, first fires `point` exactly at its `target`th
 * occurrence: the trial's first kill lands at a chosen, still reproducible, place.
 */
export function seedFiringAt(point, target, rate, mode, start) {
  for (let seed = start; ; seed++) {
    const cfg = { seed, rate, mode, only: [point] };
    let k = 1;
    while (k < target && !decide(cfg, point, k).fire) k++;
    if (k === target && decide(cfg, point, k).fire) return seed;
  }
}

function run(cmd, args, { cwd, env, killAfterMs, timeoutMs = 120_000 }) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [cmd, ...args], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    // A crash of the whole job (the CI runner killed): the process group, tools included.
    const killGroup = () => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } };
    const timers = [setTimeout(() => { stderr += '\nsoak: timed out\n'; killGroup(); }, timeoutMs)];
    let killedAtRandom = false;
    if (killAfterMs !== undefined) timers.push(setTimeout(() => { killedAtRandom = true; killGroup(); }, killAfterMs));
    child.on('close', (code, signal) => {
      timers.forEach(clearTimeout);
      resolve({ code, signal, stdout, stderr, killedAtRandom, ms: Date.now() - started });
    });
  });
}

const sha = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');

function walk(dir, base = dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, base, out);
    else out.push(`${relative(base, p)} ${sha(p)}`);
  }
  return out;
}

/** Everything a fault-free run and a recovered run must agree on (times and run ids left out). */
export async function snapshot(ws) {
  const store = new StateStore(ws.stateDir);
  const strip = ({ publishedAt, ...rest }) => rest; // eslint-disable-line no-unused-vars
  const suites = {};
  for (const stage of ws.config.stages) {
    suites[stage.target.suite] = {
      sources: readSources(join(ws.root, 'archive'), stage.target.suite),
      reprepro: await repreproList(join(ws.root, 'archive'), stage.target.suite),
    };
  }
  return {
    suites,
    pool: walk(join(ws.root, 'archive', 'pool')),
    incoming: walk(join(ws.root, 'incoming')),
    records: FIXTURE_SET.map((p) => ({
      package: p.name,
      publish: ws.config.stages.map((s) => { const r = store.read(p.name, s.name, 'publish'); return r && strip(r); }),
      history: store.publishHistory(p.name).map(strip),
    })),
    runs: listRuns(ws).map((r) => `${r.package}/${r.args.stage}: ${r.state} ${r.progress}`).sort(),
  };
}

function ledger(ws) {
  const file = join(ws.root, 'uploads.ledger');
  const uploads = new Map();
  if (!existsSync(file)) return uploads;
  for (const line of readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
    const [path, mtime] = line.split('|');
    const name = path.split('/').pop();
    if (!uploads.has(name)) uploads.set(name, new Set());
    uploads.get(name).add(mtime);
  }
  return uploads;
}

/** Check one finished trial; returns the problems found (empty when all is well) and counters. */
export async function checkTrial(ws, reference) {
  const problems = [];
  const expected = expectedUploads(ws.config);
  let lost = 0;
  let unexpected = 0;
  for (const stage of ws.config.stages) {
    const suite = stage.target.suite;
    const have = await repreproList(join(ws.root, 'archive'), suite);
    const want = expected.filter((e) => e.suite === suite);
    for (const w of want) {
      const n = have.filter((h) => h.package === w.package && h.version === w.version).length;
      if (n === 0) { lost++; problems.push(`lost: ${w.package} ${w.version} is not in ${suite}`); }
      if (n > 1) problems.push(`${w.package} ${w.version} is in ${suite} ${n} times`);
    }
    for (const h of have) if (!want.some((w) => w.package === h.package && w.version === h.version)) { unexpected++; problems.push(`unexpected: ${h.package} ${h.version} in ${suite}`); }
  }
  let duplicated = 0;
  for (const [name, times] of ledger(ws)) if (times.size > 1) { duplicated += times.size - 1; problems.push(`duplicated upload: ${name} uploaded ${times.size} times`); }
  const runs = listRuns(ws);
  for (const r of runs) {
    const { damage, entries } = readJournal(journalFile(ws.stateDir, r.runId));
    if (damage) problems.push(`journal of ${r.runId} still damaged at line ${damage.line}`);
    if (r.state !== 'done' || r.done.length !== r.steps.length) problems.push(`run ${r.runId} (${r.package}/${r.args.stage}) is ${r.state} ${r.progress}`);
    if (entries.at(-1)?.type !== 'run-done') problems.push(`journal of ${r.runId} does not end with run-done`);
  }
  const snap = await snapshot(ws);
  if (reference && JSON.stringify(snap) !== JSON.stringify(reference)) {
    for (const key of Object.keys(reference))
      if (JSON.stringify(snap[key]) !== JSON.stringify(reference[key])) problems.push(`final ${key} differs from the fault-free run's: ${JSON.stringify(snap[key]).slice(0, 400)}`);
  }
  return { problems, lost, duplicated, unexpected, runs };
}

function faultsLogged(ws) {
  const file = join(ws.stateDir, 'faults.log');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

/**
 * Run the soak. `base` is a scratch directory (trial workspaces, the shared build cache);
 * `log` receives one line per trial; `concurrency` trials run at a time (each in its own workspace).
 */
export async function runSoak({ trials, seed = 1, base, log = () => {}, maxRounds = 14, faultyRounds = 3, concurrency = 1 }) {
  mkdirSync(base, { recursive: true });
  const cacheDir = join(base, 'cache');
  const fixtures = join(cacheDir, 'soak-fixtures');
  const envFor = (extra = {}) => {
    const env = { ...process.env };
    for (const k of ['PIPELINE_STATE_DIR', 'PIPELINE_CONFIG', 'PIPELINE_FAULTS', 'PIPELINE_FAULT_POINTS', 'PIPELINE_FAULTS_LOG', 'PIPELINE_FAULTS_TRACE']) delete env[k];
    return { ...env, PIPELINE_CACHE_DIR: cacheDir, SOAK_FIXTURES: fixtures, PIPELINE_RUN_KINDS: KIND_MODULE, ...extra };
  };
  const workspace = (dir) => loadWorkspace({ cwd: dir, env: envFor() });

  // The fault-free reference (which also warms the build cache: trials never run dpkg-buildpackage),
  // traced to learn which fault points one pass over the set reaches, and how often.
  const refDir = createSoakWorkspace(join(base, 'reference'), fixtures);
  const trace = join(base, 'reference.trace');
  rmSync(trace, { force: true });
  const ref = await run(START, [], { cwd: refDir, env: envFor({ PIPELINE_FAULTS_TRACE: trace }) });
  if (ref.code !== 0) throw new Error(`fault-free reference run failed: ${ref.stderr}`);
  const refWs = workspace(refDir);
  const refCheck = await checkTrial(refWs, undefined);
  if (refCheck.problems.length) throw new Error(`fault-free reference run is wrong: ${refCheck.problems.join('; ')}`);
  const reference = await snapshot(refWs);
  const reached = {};
  for (const p of readFileSync(trace, 'utf8').split('\n').filter(Boolean)) reached[p] = (reached[p] ?? 0) + 1;
  const points = Object.keys(reached).sort();

  const stats = {
    trials: 0, failedTrials: 0, faultsHit: 0, kills: 0, throws: 0, randomTimeKills: 0, points: new Map(),
    recoveries: 0, resumes: 0, reconciled: 0, journalsRepaired: 0, lockTakeovers: 0, guardTrips: 0, rounds: 0,
    lost: 0, duplicated: 0, unexpected: 0, problems: [], pointsReached: reached,
  };
  const offset = Math.floor(mulberry32(seed)() * points.length);

  async function trial(i) {
    const rnd = mulberry32(seedFor(seed, 'trial', i));
    const trialSeed = Math.floor(rnd() * 1e9);
    const randomTime = i % 5 === 4;
    // Cycle through the points (every one is aimed at), the first kill at a random occurrence of it.
    const point = points[(offset + i - Math.floor(i / 5)) % points.length];
    const mode = i % 4 === 3 ? 'mix' : 'kill';
    const rate = Number(Math.min(1, 1.5 / reached[point]).toFixed(5));
    const target = 1 + Math.floor(rnd() * reached[point]);
    const firstSeed = seedFiringAt(point, target, rate, mode, trialSeed);
    const dir = createSoakWorkspace(join(base, `trial-${i}`), fixtures);
    const ws = workspace(dir);
    let complete = false;
    let note = randomTime ? 'random-time kills' : `${point} #${target} ${mode}, seed ${firstSeed}`;
    for (let r = 0; r < maxRounds && !complete; r++) {
      const runs = listRuns(ws);
      const halted = runs.filter((x) => x.state === 'failed' && x.halted);
      const pending = runs.filter((x) => x.state === 'interrupted' || (x.state === 'failed' && !x.permanent && !x.halted));
      const faulty = r < faultyRounds;
      let args;
      let script = CLI;
      if (halted.length) { stats.guardTrips += halted.length; args = ['resume', halted[0].runId, '--force']; }
      else if (pending.length) args = ['resume'];
      else if (new Set(runs.filter((x) => x.state === 'done').map((x) => `${x.package}/${x.args.stage}`)).size === FIXTURE_SET.length * ws.config.stages.length) { complete = true; break; }
      else { script = START; args = []; }
      const faultEnv = faulty && !randomTime && !halted.length
        ? { PIPELINE_FAULTS: `${r === 0 ? firstSeed : trialSeed + r}:${rate}:${mode}`, PIPELINE_FAULT_POINTS: point } : {};
      const killAfterMs = faulty && randomTime && r < 2 ? Math.floor(50 + rnd() * 3000) : undefined;
      const res = await run(script, args, { cwd: dir, env: envFor(faultEnv), killAfterMs });
      stats.rounds++;
      if (script === CLI) stats.resumes++;
      if (res.killedAtRandom) { stats.randomTimeKills++; stats.faultsHit++; }
      if (res.signal === 'SIGKILL') stats.kills++;
      stats.lockTakeovers += (res.stderr.match(/took over the lock/g) ?? []).length;
      if (res.stderr.includes('soak: timed out')) stats.problems.push(`trial ${i}: a process timed out: ${res.stderr.slice(-500)}`);
    }
    const faults = faultsLogged(ws);
    stats.faultsHit += faults.length;
    stats.throws += faults.filter((f) => f.kind === 'throw').length;
    for (const f of faults) stats.points.set(f.point, (stats.points.get(f.point) ?? 0) + 1);
    const check = await checkTrial(ws, reference);
    if (!complete) check.problems.unshift(`not complete after ${maxRounds} rounds`);
    for (const r of check.runs) {
      const { entries } = readJournal(journalFile(ws.stateDir, r.runId));
      if (r.resumes > 0 && r.state === 'done') stats.recoveries++;
      stats.reconciled += entries.filter((e) => e.type === 'step-end' && e.reconciled).length;
      stats.journalsRepaired += entries.filter((e) => e.type === 'run-resumed' && e.repaired).length;
    }
    stats.trials++;
    stats.lost += check.lost;
    stats.duplicated += check.duplicated;
    stats.unexpected += check.unexpected;
    if (check.problems.length) {
      stats.failedTrials++;
      stats.problems.push(...check.problems.map((p) => `trial ${i} (${note}): ${p} [kept in ${dir}]`));
    } else {
      rmSync(dir, { recursive: true, force: true }); // failed trials stay for inspection
    }
    note += `, ${faults.length} fault(s)`;
    log(`trial ${i}: ${check.problems.length ? 'FAIL' : 'ok'} (${note})`);
  }

  let next = 0;
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, async () => {
    while (next < trials) await trial(next++);
  }));
  return { ...stats, distinctPoints: stats.points.size, points: Object.fromEntries(stats.points) };
}
