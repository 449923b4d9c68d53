#!/usr/bin/env node
// The long recovery soak: 200 seeded trials (or `node bench/soak.mjs TRIALS SEED CONCURRENCY DRIVER
// [--always-on RATE[:MODE]] [--from N]`; --from N runs trials N..TRIALS-1 only, each with the seed it
// has in the whole soak, to finish one that was cut short; with --always-on every process runs with PIPELINE_FAULTS on until done)
// of promoting the fixture set through every stage — DRIVER `promote` (the real pipeline promote,
// host source builder; the default) or `synthetic` (the soak-promote run kind, quicker) — with kills
// at random fault points and times, each resumed until done and checked (test/soak/harness.mjs). Prints the figures the recovery issue asks
// for; exits 1 if anything was lost, duplicated or unexpected. Needs `npx tsc -p .` first.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSoak } from '../test/soak/harness.mjs';

const flag = process.argv.indexOf('--always-on');
const alwaysOnSpec = flag > 0 ? process.argv.splice(flag, 2)[1] : undefined;
const fromFlag = process.argv.indexOf('--from');
const from = fromFlag > 0 ? Number(process.argv.splice(fromFlag, 2)[1]) : 0;
const alwaysOn = alwaysOnSpec ? { rate: Number(alwaysOnSpec.split(':')[0]), mode: alwaysOnSpec.split(':')[1] ?? 'mix' } : undefined;
if (alwaysOn && !(alwaysOn.rate > 0 && alwaysOn.rate <= 1)) throw new Error(`--always-on RATE[:MODE]: a rate in (0, 1], got ${alwaysOnSpec}`);
const trials = Number(process.argv[2] ?? 200);
const seed = Number(process.argv[3] ?? 2011);
const concurrency = Number(process.argv[4] ?? 2);
const driver = process.argv[5] ?? 'promote';
const base = mkdtempSync(join(tmpdir(), 'pipeline-soak-'));
const t0 = Date.now();
const s = await runSoak({
  trials, seed, base, concurrency, driver, alwaysOn, from,
  log: (line) => process.stderr.write(`${line}\n`),
});
const minutes = ((Date.now() - t0) / 60000).toFixed(1);
const reached = Object.keys(s.pointsReached);
console.log(`trials: ${s.trials}${from ? ` (${from}..${trials - 1})` : ''} (${driver}, seed ${seed}, ${s.failedTrials} failed, ${minutes} min, ${concurrency} at a time${alwaysOn ? `, faults always on at rate ${alwaysOn.rate} (${alwaysOn.mode})` : ''})`);
console.log(`runs finished: ${s.runsFinished} of ${s.runsTotal}${alwaysOn ? ' with faults on' : ''} (most rounds in a trial: ${s.maxRoundsInTrial}; empty run dirs pruned: ${s.emptyPruned})`);
console.log(`faults hit: ${s.faultsHit} (SIGKILLs ${s.kills}, injected throws ${s.throws}, random-time kills ${s.randomTimeKills})`);
console.log(`distinct fault points: ${s.distinctPoints} of ${reached.length} reached (${Object.entries(s.points).map(([p, n]) => `${p} ${n}`).join(', ')})`);
console.log(`recoveries: ${s.recoveries} runs resumed to completion (${s.resumes} pipeline resume calls, ${s.reconciled} interrupted steps reconciled, ${s.journalsRepaired} torn journals repaired, ${s.lockTakeovers} dead locks taken over, ${s.guardTrips} crash-loop halts)`);
console.log(`lost=${s.lost} duplicated=${s.duplicated} unexpected=${s.unexpected}`);
if (s.environmentRetries) console.log(`(${s.environmentRetries} rounds replayed: the CLI could not load while dist/ was being rebuilt)`);
for (const p of s.problems) console.log(`problem: ${p}`);
if (s.failedTrials === 0) rmSync(base, { recursive: true, force: true });
process.exitCode = s.lost || s.duplicated || s.unexpected || s.failedTrials ? 1 : 0;
