// The recovery soak: N seeded trials of promoting the fixture set through every stage, each trial
// killed (SIGKILL) at a random fault point — or at a random time — then `pipeline resume` until
// done (bounded). After each trial the world is checked: every expected version in the archive
// exactly once, nothing unexpected, no upload made twice, every journal complete, and the final
// state equal to a fault-free run's. Used by test/soak/soak.slow.test.ts and bench/soak.mjs.
// With `alwaysOn: { rate, mode }` every process of every round runs with PIPELINE_FAULTS on (all
// points, the trial's seed; each process draws afresh by its generation) until the work is done.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadWorkspace } from '../../dist/pipeline/config/workspace.js';
import { decide, mulberry32, seedFor } from '../../dist/pipeline/state/faults.js';
import { readJournal, journalFile } from '../../dist/pipeline/state/journal.js';
import { listRuns } from '../../dist/pipeline/state/runner.js';
import { REPO } from './fixture.mjs';
import { DRIVERS } from './drivers.mjs';

const CLI = join(REPO, 'bin', 'pipeline.js');

/**
 * The seed (from `start` on) whose PRNG, at `rate`, first fires `point` exactly at its `target`th
 * occurrence in the first process with faults on over a fresh state dir (generation 1): the
 * trial's first kill lands at a chosen, still reproducible, place.
 */
export function seedFiringAt(point, target, rate, mode, start, generation = 1) {
  for (let seed = start; ; seed++) {
    const cfg = { seed, rate, mode, only: [point] };
    let k = 1;
    while (k < target && !decide(cfg, point, k, generation).fire) k++;
    if (k === target && decide(cfg, point, k, generation).fire) return seed;
  }
}

function run(cmd, args, { cwd, env, killAfterMs, timeoutMs = 600_000 }) {
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

/** Everything a fault-free run and a recovered run must agree on (the driver decides what). */
export async function snapshot(ws, driver = DRIVERS.synthetic) {
  return driver.snapshot(ws);
}

/** Check one finished trial; returns the problems found (empty when all is well) and counters. */
export async function checkTrial(ws, reference, driver = DRIVERS.synthetic) {
  const { problems, lost, duplicated, unexpected } = await driver.check(ws, reference);
  const runs = listRuns(ws);
  for (const r of runs) {
    const { damage, entries } = readJournal(journalFile(ws.stateDir, r.runId));
    if (damage) problems.push(`journal of ${r.runId} still damaged at line ${damage.line}`);
    if (r.state !== 'done' || r.done.length !== r.steps.length) problems.push(`run ${r.runId} (${r.package}) is ${r.state} ${r.progress}`);
    if (entries.at(-1)?.type !== 'run-done') problems.push(`journal of ${r.runId} does not end with run-done`);
  }
  if (reference) {
    const snap = await driver.snapshot(ws);
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
export async function runSoak({ trials, seed = 1, base, log = () => {}, maxRounds = 14, faultyRounds = 3, concurrency = 1, driver: driverName = 'promote', alwaysOn, from = 0 }) {
  if (alwaysOn) { maxRounds = Math.max(maxRounds, alwaysOn.maxRounds ?? 600); faultyRounds = Infinity; }
  const driver = DRIVERS[driverName];
  if (!driver) throw new Error(`unknown soak driver ${driverName} (${Object.keys(DRIVERS).join(', ')})`);
  mkdirSync(base, { recursive: true });
  const shared = driver.setup(base);
  const open = (dir) => {
    const t = driver.workspace(dir, shared);
    return { ...t, ws: loadWorkspace({ cwd: dir, env: t.env() }) };
  };
  const [startScript, startArgs] = driver.start();

  // The fault-free reference (which also warms any build cache), traced to learn which fault
  // points one pass reaches, and how often.
  const refDir = join(base, 'reference');
  const refT = driver.workspace(refDir, shared);
  const trace = join(base, 'reference.trace');
  rmSync(trace, { force: true });
  const ref = await run(startScript, startArgs, { cwd: refDir, env: refT.env({ PIPELINE_FAULTS_TRACE: trace }), timeoutMs: 1_800_000 });
  if (ref.code !== 0) throw new Error(`fault-free reference run failed: ${ref.stderr.slice(-2000)}`);
  const refWs = loadWorkspace({ cwd: refDir, env: refT.env() });
  if (!driver.complete(refWs)) throw new Error('fault-free reference run did not complete');
  const reference = await driver.snapshot(refWs);
  const refCheck = await checkTrial(refWs, reference, driver);
  if (refCheck.problems.length) throw new Error(`fault-free reference run is wrong: ${refCheck.problems.join('; ')}`);
  driver.cleanup(refDir);
  const reached = {};
  for (const p of readFileSync(trace, 'utf8').split('\n').filter(Boolean)) reached[p] = (reached[p] ?? 0) + 1;
  const points = Object.keys(reached).sort();

  const stats = {
    trials: 0, failedTrials: 0, faultsHit: 0, kills: 0, throws: 0, randomTimeKills: 0, points: new Map(),
    recoveries: 0, resumes: 0, reconciled: 0, journalsRepaired: 0, lockTakeovers: 0, guardTrips: 0, rounds: 0, environmentRetries: 0,
    runsFinished: 0, runsTotal: 0, emptyPruned: 0, maxRoundsInTrial: 0,
    lost: 0, duplicated: 0, unexpected: 0, problems: [], pointsReached: reached,
  };
  const offset = Math.floor(mulberry32(seed)() * points.length);
  const benchStart = Date.now();

  async function trial(i) {
    const rnd = mulberry32(seedFor(seed, 'trial', i));
    const trialSeed = Math.floor(rnd() * 1e9);
    const randomTime = !alwaysOn && i % 5 === 4;
    // Cycle through the points (every one is aimed at), the first kill at a random occurrence of it.
    const point = points[(offset + i - Math.floor(i / 5)) % points.length];
    const mode = i % 4 === 3 ? 'mix' : 'kill';
    const rate = Number(Math.min(1, 1.5 / reached[point]).toFixed(5));
    const target = 1 + Math.floor(rnd() * reached[point]);
    const firstSeed = seedFiringAt(point, target, rate, mode, trialSeed);
    const trialStart = Date.now();
    const mine = { rounds: 0, resumes: 0, randomTimeKills: 0, faultsHit: 0, kills: 0, lockTakeovers: 0, guardTrips: 0 };
    const dir = join(base, `trial-${i}`);
    const { env, ws } = open(dir);
    let complete = false;
    let note = alwaysOn ? `faults always on, seed ${trialSeed}:${alwaysOn.rate}` : randomTime ? 'random-time kills' : `${point} #${target} ${mode}, seed ${firstSeed}`;
    const rounds = [];
    let envRetries = 0;
    let stuck = 0;
    let lastProgress = -1;
    for (let r = 0; r < maxRounds && !complete; r++) {
      const runs = listRuns(ws);
      // Fault-free rounds that finish no step are not going to: stop early (the trial fails).
      const progress = runs.reduce((n, x) => n + x.done.length, 0);
      stuck = progress === lastProgress && r > faultyRounds && !alwaysOn ? stuck + 1 : 0;
      lastProgress = progress;
      if (stuck >= 3) break;
      const halted = runs.filter((x) => x.state === 'failed' && x.halted);
      const pending = runs.filter((x) => x.state === 'interrupted' || (x.state === 'failed' && !x.permanent && !x.halted));
      const faulty = r < faultyRounds;
      let args;
      let script = CLI;
      if (halted.length) { mine.guardTrips += halted.length; args = ['resume', halted[0].runId, '--force']; }
      else if (pending.length) args = ['resume'];
      else if (driver.complete(ws)) { complete = true; break; }
      else { script = startScript; args = startArgs; }
      const faultEnv = alwaysOn
        ? { PIPELINE_FAULTS: `${trialSeed}:${alwaysOn.rate}:${alwaysOn.mode ?? 'mix'}` }
        : faulty && !randomTime && !halted.length
          ? { PIPELINE_FAULTS: `${r === 0 ? firstSeed : trialSeed + r}:${rate}:${mode}`, PIPELINE_FAULT_POINTS: point } : {};
      const killAfterMs = faulty && randomTime && r < 2 ? Math.floor(50 + rnd() * 3000) : undefined;
      const res = await run(script, args, { cwd: dir, env: env(faultEnv), killAfterMs });
      const last = res.stderr.trim().split('\n').pop() ?? '';
      rounds.push(`${[script === CLI ? 'pipeline' : script.split('/').pop(), ...args].join(' ')}${faultEnv.PIPELINE_FAULTS ? ` [${faultEnv.PIPELINE_FAULTS}]` : ''} → ${res.signal ?? res.code}${res.code ? `: ${last.slice(0, 200)}` : ''} (${res.ms} ms)`);
      // The shared dist/ being recompiled by someone else (a developer machine, never CI) breaks the
      // CLI's imports for a moment: that round says nothing about recovery; wait and play it again.
      if (res.code && /SyntaxError|ERR_MODULE_NOT_FOUND|does not provide an export/.test(res.stderr) && envRetries < 20) {
        envRetries++;
        stats.environmentRetries++;
        r--;
        await new Promise((ok) => setTimeout(ok, 3000));
        continue;
      }
      mine.rounds++;
      if (args[0] === 'resume') mine.resumes++;
      if (res.killedAtRandom) { mine.randomTimeKills++; mine.faultsHit++; }
      if (res.signal === 'SIGKILL') mine.kills++;
      mine.lockTakeovers += (res.stderr.match(/took over the lock/g) ?? []).length;
      if (res.stderr.includes('soak: timed out')) stats.problems.push(`trial ${i}: a process timed out: ${res.stderr.slice(-500)}`);
    }
    stats.maxRoundsInTrial = Math.max(stats.maxRoundsInTrial, rounds.length);
    // Kills while a run was being created leave empty run directories: `runs prune` is the cleanup.
    const pruned = await run(CLI, ['runs', 'prune', '--json'], { cwd: dir, env: env({}) });
    if (pruned.code === 0) stats.emptyPruned += JSON.parse(pruned.stdout).removed.length;
    else stats.problems.push(`trial ${i}: runs prune failed: ${pruned.stderr.trim().split('\n').pop()}`);
    // This trial's round counters join the totals only now, with its faults: a running total never
    // mixes in the rounds of a trial still under way.
    for (const [k, v] of Object.entries(mine)) stats[k] += v;
    const faults = faultsLogged(ws);
    stats.faultsHit += faults.length;
    stats.throws += faults.filter((f) => f.kind === 'throw').length;
    for (const f of faults) stats.points.set(f.point, (stats.points.get(f.point) ?? 0) + 1);
    const check = await checkTrial(ws, reference, driver);
    driver.cleanup(dir);
    if (!complete) check.problems.unshift(`not complete after ${maxRounds} rounds: ${rounds.join(' | ')}`);
    for (const r of check.runs) {
      stats.runsTotal++;
      if (r.state === 'done') stats.runsFinished++;
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
    note += `, ${faults.length} fault(s), ${rounds.length} round(s), ${((Date.now() - trialStart) / 60000).toFixed(1)} min`;
    log(`trial ${i}: ${check.problems.length ? 'FAIL' : 'ok'} (${note})`);
    // A running total after every trial: a long bench stopped early still says what it proved so far.
    log(`  so far: ${stats.trials} trial(s) in ${((Date.now() - benchStart) / 60000).toFixed(1)} min, ${stats.failedTrials} failed, runs finished ${stats.runsFinished} of ${stats.runsTotal}${alwaysOn ? ' with faults on' : ''}, ${stats.faultsHit} faults (${stats.kills} SIGKILLs, ${stats.throws} injected throws), ${stats.resumes} resumes, most rounds ${stats.maxRoundsInTrial}, lost=${stats.lost} duplicated=${stats.duplicated} unexpected=${stats.unexpected}`);
    if (process.env.SOAK_ROUNDS) for (const r of rounds) log(`  ${r}`);
  }

  // `from`: trials before it are skipped (each trial's seed depends on the run's seed and its index
  // only, so a soak cut short is finished by running the rest with the same seed).
  let next = from;
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, async () => {
    while (next < trials) {
      const i = next++;
      try {
        await trial(i);
      } catch (e) {
        // A trial whose world cannot even be inspected (e.g. the archive's own lock left behind) failed.
        stats.trials++;
        stats.failedTrials++;
        stats.problems.push(`trial ${i}: ${String(e?.shortMessage ?? e?.message ?? e).split('\n')[0]} [kept in ${join(base, `trial-${i}`)}]`);
        log(`trial ${i}: FAIL (${String(e?.message ?? e).split('\n')[0]})`);
      }
    }
  }));
  return { ...stats, driver: driver.name, distinctPoints: stats.points.size, points: Object.fromEntries(stats.points) };
}
