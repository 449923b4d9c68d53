// The soak's run kind, `soak-promote` {package, stage}: the promote lifecycle (verify, prepare, build,
// lint, publish, confirm) over the soak fixtures, with REAL side effects where recovery matters —
// dput to a local target, reprepro include into the archive, state records, the journal — and a
// build step that runs dpkg-buildpackage -S once per input hash (cached), so trials stay fast.
//
// It stands in for pipeline/stages' promote until that lands; `pipeline resume` finds it through
// PIPELINE_RUN_KINDS=test/soak/kind.mjs.
import { createHash } from 'node:crypto';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync, cpSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { execa } from 'execa';
import { archiveLockName, withLock } from '../../dist/pipeline/state/lock.js';
import { faultPoint } from '../../dist/pipeline/state/faults.js';
import { hashValue } from '../../dist/pipeline/state/journal.js';
import { permanent, transient } from '../../dist/pipeline/state/retry.js';
import { registerRunKind } from '../../dist/pipeline/state/runner.js';
import { StateStore } from '../../dist/pipeline/state/store.js';
import { FIXTURE_SET, STAGE_RULES, expectedVersion, fixtureTree } from './fixture.mjs';

export const KIND = 'soak-promote';
const sha256 = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');
const fixturesDir = (ws) => process.env.SOAK_FIXTURES ?? join(ws.cacheDir, 'soak-fixtures');

export function soakPaths(ws) {
  return {
    archive: join(ws.root, 'archive'),
    incoming: join(ws.root, 'incoming'),
    dputCf: join(ws.root, 'dput.cf'),
    uploads: join(ws.stateDir, 'uploads'),
    builds: join(ws.cacheDir, 'soak-builds'),
  };
}

/** Parse a Sources(.gz) index into {Package: {Version, dscSha256}} — the archive as apt sees it. */
export function readSources(archive, suite) {
  const file = join(archive, 'dists', suite, 'main', 'source', 'Sources.gz');
  if (!existsSync(file)) return {};
  const out = {};
  for (const para of gunzipSync(readFileSync(file)).toString('utf8').split(/\n\n+/)) {
    const pkg = /^Package: (.+)$/m.exec(para)?.[1];
    if (!pkg) continue;
    const version = /^Version: (.+)$/m.exec(para)[1];
    const sums = /^Checksums-Sha256:[ \t]*\n((?:[ \t].+\n?)+)/m.exec(para)?.[1] ?? '';
    const dsc = sums.split('\n').map((l) => l.trim().split(/\s+/)).find((f) => f[2]?.endsWith('.dsc'));
    if (out[pkg]) throw new Error(`${suite}: ${pkg} listed twice in Sources`);
    out[pkg] = { version, dscSha256: dsc?.[0] };
  }
  return out;
}

/** reprepro's own view: `list SUITE` → [{package, version}]. */
export async function repreproList(archive, suite) {
  const { stdout } = await execa('reprepro', ['-b', archive, 'list', suite]);
  return stdout.split('\n').filter(Boolean).map((l) => { const [, rest] = l.split(': '); const [pkg, version] = rest.split(' '); return { package: pkg, version }; });
}

/**
 * reprepro leaves db/lockfile behind when killed. We hold the archive lock, so no other pipeline
 * process is writing; if no reprepro process is alive either, the lockfile is stale.
 */
function clearStaleRepreproLock(archive) {
  const lockfile = join(archive, 'db', 'lockfile');
  if (!existsSync(lockfile)) return false;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmd.includes('reprepro') && cmd.includes(archive)) return false;
    } catch { /* gone */ }
  }
  unlinkSync(lockfile);
  return true;
}

function stageOf(ws, name) {
  const stage = ws.config.stages.find((s) => s.name === name);
  if (!stage) throw permanent(new Error(`unknown stage ${name}`));
  return stage;
}

export function soakSteps(ws, args) {
  const { package: pkg, stage: stageName } = args;
  const stage = stageOf(ws, stageName);
  const suite = stage.target.suite;
  const version = expectedVersion(pkg, stageName);
  const fx = fixtureTree(fixturesDir(ws), pkg);
  const store = new StateStore(ws.stateDir);
  const paths = soakPaths(ws);
  const uploadDir = join(paths.uploads, `${pkg}_${version}_${stageName}`);
  const changesName = `${pkg}_${version}_source.changes`;

  /** The queue is drained once the archive holds the upload (also after a crash right after include). */
  const drainIncoming = () => {
    for (const f of readdirSync(uploadDir).filter((n) => !n.endsWith('.upload'))) rmSync(join(paths.incoming, f), { force: true });
  };
  const publishedRecord = () => {
    drainIncoming();
    const rec = { package: pkg, version, stage: stageName, target: stage.target.archive, suite, dscSha256: sha256(join(uploadDir, `${pkg}_${version}.dsc`)), changesSha256: sha256(join(uploadDir, changesName)), publishedAt: new Date().toISOString() };
    const prev = store.read(pkg, stageName, 'publish');
    if (!prev || prev.version !== version) store.write('publish', rec);
    store.appendPublishHistory(prev?.version === version ? prev : rec);
    return { version, suite, dscSha256: rec.dscSha256 };
  };
  // Called under the archive lock only: a reprepro lockfile left by a killed run is stale then.
  const inArchive = async () => {
    clearStaleRepreproLock(paths.archive);
    return (await repreproList(paths.archive, suite)).some((e) => e.package === pkg && e.version === version);
  };
  /** dput already delivered this upload: its .upload record says so, or the queue holds the identical .changes. */
  const uploadDelivered = () => {
    const record = join(uploadDir, changesName.replace(/\.changes$/, '.local.upload'));
    if (existsSync(record) && readFileSync(record, 'utf8').includes(`Successfully uploaded ${changesName}`)) return 'upload record';
    const queued = join(paths.incoming, changesName);
    if (existsSync(queued) && sha256(queued) === sha256(join(uploadDir, changesName))) return 'incoming queue';
    return undefined;
  };

  return [
    {
      name: 'verify', dryRun: true, check: 'dependencies reached the stage; the previous stage holds the package',
      async run() {
        const p = FIXTURE_SET.find((x) => x.name === pkg);
        for (const dep of p.depends)
          if (store.read(dep, stageName, 'publish')?.version !== expectedVersion(dep, stageName)) throw permanent(new Error(`${pkg} needs ${dep} in ${stageName} first`));
        return { version, suite, distribution: STAGE_RULES[stageName].distribution };
      },
    },
    {
      name: 'prepare', dryRun: false,
      inputs: () => ({ pkg, version }),
      async run(ctx) {
        const tree = join(ws.stateDir, 'work', ctx.runId, basename(fx.tree));
        rmSync(tree, { recursive: true, force: true });
        cpSync(fx.tree, tree, { recursive: true });
        writeFileSync(join(tree, 'debian', 'changelog'), `${pkg} (${version}) ${STAGE_RULES[stageName].distribution}; urgency=medium\n\n  * Soak upload to ${stageName}.\n\n -- Pipeline Maintainers <pipeline@localhost>  Wed, 25 Nov 2026 12:00:00 +0000\n`);
        return { tree };
      },
    },
    {
      name: 'build', dryRun: false, check: 'dpkg-buildpackage -S, cached by input hash',
      inputs: (ctx) => ({ tree: treeHash(ctx.outputs.prepare.tree), orig: sha256(fx.orig) }),
      async run(ctx) {
        const key = hashValue({ tree: treeHash(ctx.outputs.prepare.tree), orig: sha256(fx.orig) }).slice(0, 24);
        const cached = join(paths.builds, key);
        if (!existsSync(join(cached, 'done'))) {
          // Build aside and rename into place: an interrupted build never leaves a half cache entry.
          const tmp = `${cached}.tmp-${process.pid}`;
          rmSync(tmp, { recursive: true, force: true });
          mkdirSync(tmp, { recursive: true });
          cpSync(ctx.outputs.prepare.tree, join(tmp, basename(fx.tree)), { recursive: true });
          copyFileSync(fx.orig, join(tmp, basename(fx.orig)));
          await execa('dpkg-buildpackage', ['-S', '-us', '-uc', '-d', '-nc', '-sa'], { cwd: join(tmp, basename(fx.tree)) });
          rmSync(join(tmp, basename(fx.tree)), { recursive: true });
          writeFileSync(join(tmp, 'done'), key);
          try { renameSync(tmp, cached); } catch { rmSync(tmp, { recursive: true, force: true }); }
        }
        // The upload copy lives in this state dir (dput writes its .upload record next to it).
        mkdirSync(uploadDir, { recursive: true });
        for (const f of readdirSync(cached).filter((n) => n !== 'done')) {
          const dest = join(uploadDir, f);
          if (!existsSync(dest) || sha256(dest) !== sha256(join(cached, f))) copyFileSync(join(cached, f), dest);
        }
        return { dsc: `${pkg}_${version}.dsc`, changes: changesName, dscSha256: sha256(join(uploadDir, `${pkg}_${version}.dsc`)) };
      },
    },
    {
      name: 'lint', dryRun: false, check: 'the .changes carries the built .dsc',
      async run(ctx) {
        const changes = readFileSync(join(uploadDir, changesName), 'utf8');
        if (!changes.includes(ctx.outputs.build.dscSha256)) throw permanent(new Error(`lint gate: ${changesName} does not list the checked .dsc`));
        return { gate: 'pass', artifactSha256: ctx.outputs.build.dscSha256 };
      },
    },
    {
      name: 'publish', dryRun: false, retryable: true, check: 'dput to the local target, then reprepro include',
      async reconcile() {
        return withLock(ws.stateDir, archiveLockName('local'), { wait: 120_000 }, async () => (await inArchive() ? publishedRecord() : undefined));
      },
      async run(ctx) {
        return withLock(ws.stateDir, archiveLockName('local'), { wait: 120_000 }, async () => {
          if (await inArchive()) return publishedRecord();
          // Tests of concurrent promotions widen the window in which the archive lock is held, and log it.
          if (process.env.SOAK_PUBLISH_DELAY_MS) {
            const t0 = Date.now();
            await new Promise((r) => setTimeout(r, Number(process.env.SOAK_PUBLISH_DELAY_MS)));
            appendFileSync(join(ws.root, 'archive-writes.log'), `${pkg} ${t0} ${Date.now()}\n`);
          }
          const delivered = uploadDelivered();
          if (delivered) ctx.note(`${changesName} already delivered (${delivered}): not uploading again`);
          else await execa('dput', ['-c', paths.dputCf, '-u', 'local', join(uploadDir, changesName)], { env: { USER: 'pipeline' } });
          faultPoint('publish.after-dput-before-archive-update');
          if (clearStaleRepreproLock(paths.archive)) ctx.note('removed a stale reprepro db/lockfile');
          await execa('reprepro', ['-b', paths.archive, '--ignore=wrongdistribution', 'include', suite, join(paths.incoming, changesName)]);
          return publishedRecord();
        });
      },
    },
    {
      name: 'confirm', dryRun: false, retryable: true, check: 'the suite\'s Sources index lists the version',
      async run(ctx) {
        const entry = readSources(paths.archive, suite)[pkg];
        if (entry?.version !== version) throw transient(new Error(`${pkg} ${version} not (yet) in ${suite}'s Sources index`));
        if (entry.dscSha256 !== ctx.outputs.build.dscSha256) throw permanent(new Error(`${suite} holds a different ${pkg}_${version}.dsc`));
        return { landed: version, suite };
      },
    },
  ];
}

/** Content hash of a source tree (relative paths and bytes), for the build cache key. */
function treeHash(dir) {
  const h = createHash('sha256');
  const walk = (d, rel) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p, `${rel}${name}/`);
      else h.update(`${rel}${name}\0${st.mode & 0o111 ? 'x' : '-'}\0`).update(readFileSync(p));
    }
  };
  walk(dir, '');
  return h.digest('hex');
}

registerRunKind(KIND, soakSteps);
