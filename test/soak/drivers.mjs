// What a soak trial promotes, two ways:
//   promote   — the real `pipeline promote --all --to backports` of the fixture set (the small
//               zookeeper stand-in, txzookeeper, txaws) with the `host` source builder (dpkg-source
//               directly: no sbuild per trial), signed, dput to the local target, reprepro
//               processincoming: every part that matters for recovery is the product's own.
//   synthetic — the `soak-promote` run kind (kind.mjs): the same lifecycle over tiny fixtures with
//               real dput + reprepro; it proved the mechanics before promote existed, and is the
//               quick one.
// A driver says how to make a trial workspace, how to start the work, when it is complete, and
// what of its final state must equal a fault-free run's.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { StateStore } from '../../dist/pipeline/state/store.js';
import { listRuns } from '../../dist/pipeline/state/runner.js';
import { REPO, FIXTURE_SET, createSoakWorkspace, expectedUploads } from './fixture.mjs';
import { readSources, repreproList } from './kind.mjs';

const CLI = join(REPO, 'bin', 'pipeline.js');
const KIND_MODULE = join(REPO, 'test', 'soak', 'kind.mjs');
const CLEAN = ['PIPELINE_RETRY_BASE_MS', 'PIPELINE_STATE_DIR', 'PIPELINE_CONFIG', 'PIPELINE_FAULTS', 'PIPELINE_FAULT_POINTS', 'PIPELINE_FAULTS_LOG', 'PIPELINE_FAULTS_TRACE', 'PIPELINE_CACHE_DIR', 'PIPELINE_GNUPGHOME', 'PIPELINE_BUILDER'];

function baseEnv() {
  const env = { ...process.env };
  for (const k of CLEAN) delete env[k];
  return env;
}

/** Upload deliveries per .changes, from dput's own .upload records (dput appends on every upload). */
function dputDeliveries(dir) {
  const counts = new Map();
  const walk = (d) => {
    if (!existsSync(d)) return;
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.upload')) {
        for (const m of readFileSync(p, 'utf8').matchAll(/^Successfully uploaded (\S+_source\.changes) /gm)) counts.set(m[1], (counts.get(m[1]) ?? 0) + 1);
      }
    }
  };
  walk(dir);
  return counts;
}

// ---- promote: the real thing ----

export const promoteDriver = {
  name: 'promote',
  packages: ['zookeeper', 'txzookeeper', 'txaws'],
  setup(base) { return { base }; },
  workspace(dir) {
    mkdirSync(join(dir, 'packages'), { recursive: true });
    cpSync(join(REPO, 'pipeline.yaml'), join(dir, 'pipeline.yaml'));
    cpSync(join(REPO, 'schedules'), join(dir, 'schedules'), { recursive: true });
    cpSync(join(REPO, 'test', 'fixtures', 'stages', 'zookeeper'), join(dir, 'packages', 'zookeeper'), { recursive: true });
    for (const p of ['txzookeeper', 'txaws']) cpSync(join(REPO, 'packages', p), join(dir, 'packages', p), { recursive: true });
    const fixed = {
      PIPELINE_CACHE_DIR: join(dir, '.cache'), PIPELINE_GNUPGHOME: join(dir, '.pipeline', 'gnupg'),
      PIPELINE_UPSTREAM: 'generated', PIPELINE_BUILDER: 'host', PIPELINE_NOW: '2026-11-25T12:00:00Z', PIPELINE_USER: 'soak',
      // Backoff before a retry starts at 20 ms, not 1 s: the retries (and their journaling) are all
      // still made; only the waiting, sized for a flaky mirror, is cut (a trial retries dozens of times).
      PIPELINE_RETRY_BASE_MS: '20',
    };
    return { dir, env: (extra = {}) => ({ ...baseEnv(), ...fixed, ...extra }) };
  },
  start: () => [CLI, ['promote', '--all', '--to', 'backports']],
  archive: (ws) => join(ws.root, '.pipeline', 'archive'),
  complete(ws) {
    const store = new StateStore(ws.stateDir);
    return this.packages.every((p) => ws.config.stages.every((s) => store.read(p, s.name, 'publish')?.confirmed === true));
  },
  /** Versions, not hashes: the changelog entry carries the time of the build, so hashes differ between runs. */
  async snapshot(ws) {
    const store = new StateStore(ws.stateDir);
    const archive = this.archive(ws);
    const suites = {};
    for (const s of ws.config.stages) suites[s.target.suite] = await repreproList(archive, s.target.suite);
    return {
      suites,
      pool: listPool(join(archive, 'pool')),
      incoming: listPool(join(archive, 'incoming')),
      records: this.packages.map((p) => ({
        package: p,
        publish: ws.config.stages.map((s) => { const r = store.read(p, s.name, 'publish'); return r && { version: r.version, stage: r.stage, suite: r.suite, confirmed: r.confirmed }; }),
        history: store.publishHistory(p).map((r) => `${r.stage} ${r.version}`),
      })),
      runs: listRuns(ws).filter((r) => r.state === 'done').map((r) => `${r.package} ${r.args.stages.join(',')}`).sort(),
    };
  },
  async check(ws, reference) {
    const problems = [];
    let lost = 0;
    let unexpected = 0;
    let duplicated = 0;
    const archive = this.archive(ws);
    const store = new StateStore(ws.stateDir);
    for (const [suite, want] of Object.entries(reference.suites)) {
      const have = await repreproList(archive, suite);
      for (const w of want) if (!have.some((h) => h.package === w.package && h.version === w.version)) { lost++; problems.push(`lost: ${w.package} ${w.version} is not in ${suite}`); }
      for (const h of have) if (!want.some((w) => w.package === h.package && w.version === h.version)) { unexpected++; problems.push(`unexpected: ${h.package} ${h.version} in ${suite}`); }
      // Each landed .dsc is the one the run checked and recorded (hash consistency within the trial).
      const index = readSources(archive, suite);
      for (const s of ws.config.stages.filter((x) => x.target.suite === suite)) {
        for (const p of this.packages) {
          const rec = store.read(p, s.name, 'publish');
          if (rec && index[p]?.version === rec.version && index[p].dscSha256 !== rec.dscSha256) problems.push(`${suite} holds a ${p}_${rec.version}.dsc other than the recorded one`);
        }
      }
    }
    for (const [changes, n] of dputDeliveries(ws.stateDir)) if (n > 1) { duplicated += n - 1; problems.push(`duplicated upload: dput delivered ${changes} ${n} times`); }
    for (const [changes, n] of processedUploads(join(archive, 'log'))) if (n > 1) { duplicated += n - 1; problems.push(`duplicated upload: the archive processed ${changes} ${n} times`); }
    return { problems, lost, duplicated, unexpected };
  },
  cleanup(dir) {
    try { execFileSync('gpgconf', ['--homedir', join(dir, '.pipeline', 'gnupg'), '--kill', 'all'], { stdio: 'ignore' }); } catch { /* none running */ }
  },
};

/** reprepro's processincoming LogDir keeps NAME.0000000, NAME.0000001… per processed .changes. */
function processedUploads(logDir) {
  const counts = new Map();
  if (!existsSync(logDir)) return counts;
  for (const suite of readdirSync(logDir)) {
    for (const entry of readdirSync(join(logDir, suite))) {
      const name = entry.replace(/\.\d+$/, '');
      counts.set(`${suite}/${name}`, (counts.get(`${suite}/${name}`) ?? 0) + 1);
    }
  }
  return counts;
}

function listPool(dir, base = dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (e.isDirectory()) listPool(join(dir, e.name), base, out);
    else out.push(join(dir, e.name).slice(base.length + 1));
  }
  return out;
}

// ---- synthetic: the soak-promote run kind ----

export const syntheticDriver = {
  name: 'synthetic',
  setup(base) {
    const cacheDir = join(base, 'cache');
    return { base, cacheDir, fixtures: join(cacheDir, 'soak-fixtures') };
  },
  workspace(dir, shared) {
    createSoakWorkspace(dir, shared.fixtures);
    const fixed = { PIPELINE_CACHE_DIR: shared.cacheDir, SOAK_FIXTURES: shared.fixtures, PIPELINE_RUN_KINDS: KIND_MODULE };
    return { dir, env: (extra = {}) => ({ ...baseEnv(), ...fixed, ...extra }) };
  },
  start: () => [join(REPO, 'test', 'soak', 'start.mjs'), []],
  complete(ws) {
    const done = new Set(listRuns(ws).filter((x) => x.state === 'done').map((x) => `${x.package}/${x.args.stage}`));
    return done.size === FIXTURE_SET.length * ws.config.stages.length;
  },
  async snapshot(ws) {
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
      pool: listPool(join(ws.root, 'archive', 'pool')),
      incoming: listPool(join(ws.root, 'incoming')),
      records: FIXTURE_SET.map((p) => ({
        package: p.name,
        publish: ws.config.stages.map((s) => { const r = store.read(p.name, s.name, 'publish'); return r && strip(r); }),
        history: store.publishHistory(p.name).map(strip),
      })),
      runs: listRuns(ws).map((r) => `${r.package}/${r.args.stage}: ${r.state} ${r.progress}`).sort(),
    };
  },
  async check(ws) {
    const problems = [];
    let lost = 0;
    let unexpected = 0;
    const expected = expectedUploads(ws.config);
    for (const stage of ws.config.stages) {
      const suite = stage.target.suite;
      const have = await repreproList(join(ws.root, 'archive'), suite);
      const want = expected.filter((e) => e.suite === suite);
      for (const w of want) if (!have.some((h) => h.package === w.package && h.version === w.version)) { lost++; problems.push(`lost: ${w.package} ${w.version} is not in ${suite}`); }
      for (const h of have) if (!want.some((w) => w.package === h.package && w.version === h.version)) { unexpected++; problems.push(`unexpected: ${h.package} ${h.version} in ${suite}`); }
    }
    // The dput target's ledger (post_upload_command): a second upload of a .changes is a new file.
    let duplicated = 0;
    const file = join(ws.root, 'uploads.ledger');
    const uploads = new Map();
    if (existsSync(file)) {
      for (const line of readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
        const [path, mtime] = line.split('|');
        const name = path.split('/').pop();
        if (!uploads.has(name)) uploads.set(name, new Set());
        uploads.get(name).add(mtime);
      }
    }
    for (const [name, times] of uploads) if (times.size > 1) { duplicated += times.size - 1; problems.push(`duplicated upload: ${name} uploaded ${times.size} times`); }
    return { problems, lost, duplicated, unexpected };
  },
  cleanup() {},
};

export const DRIVERS = { promote: promoteDriver, synthetic: syntheticDriver };
