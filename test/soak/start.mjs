#!/usr/bin/env node
// Promote the soak fixture set through every stage, one journaled run per (stage, package), in
// dependency order — what `pipeline promote --all` does for the real set. Packages already
// published to a stage are skipped; an unfinished run of the same package and stage is resumed
// by runSteps itself. Run from (or --config) a soak workspace made by fixture.mjs.
//   node test/soak/start.mjs            # the whole set
//   node test/soak/start.mjs PKG STAGE  # one promotion
import { loadWorkspace } from '../../dist/pipeline/config/workspace.js';
import { runSteps } from '../../dist/pipeline/state/runner.js';
import { StateStore } from '../../dist/pipeline/state/store.js';
import { FIXTURE_SET, expectedVersion } from './fixture.mjs';
import { KIND, soakSteps } from './kind.mjs';

const ws = loadWorkspace({});
const store = new StateStore(ws.stateDir);
const progress = {
  note: (m) => process.stderr.write(`${m}\n`),
  phase: () => ({ update() {}, done() {}, fail() {} }),
};
const [pkg, stage] = process.argv.slice(2);
const wait = process.env.SOAK_WAIT ? Number(process.env.SOAK_WAIT) : false;
const plan = pkg ? [{ package: pkg, stage }] : ws.config.stages.flatMap((s) => FIXTURE_SET.map((p) => ({ package: p.name, stage: s.name })));
try {
  for (const args of plan) {
    if (!pkg && store.read(args.package, args.stage, 'publish')?.version === expectedVersion(args.package, args.stage)) continue;
    const r = await runSteps(ws, { package: args.package, command: KIND, args, steps: soakSteps(ws, args), progress, wait });
    process.stdout.write(`${JSON.stringify({ runId: r.runId, ...args, resumed: r.resumed, reconciled: r.reconciled })}\n`);
  }
} catch (e) {
  process.stderr.write(`pipeline: ${e.oneLine ? e.oneLine() : e.message}\n`);
  process.exitCode = e.exitCode ?? 1;
}
