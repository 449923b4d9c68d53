/**
 * pbuilder, the second builder `pipeline backport --builder pbuilder` offers (backportpackage's
 * default): a base tarball per (suite, architecture, mirror, keyring, components), created once
 * with `pbuilder create` and cached under <cacheDir>/pbuilder/ like the sbuild chroots
 * (chroots.ts): written under a temporary name, renamed when complete, metadata last, creation
 * serialised per key with a lock. `pbuilder build` then builds a .dsc's binaries in it.
 *
 * pbuilder reads /etc/pbuilderrc and ~/.pbuilderrc; every setting that decides where a build runs
 * and from which archive is passed on the command line, so a user's configuration cannot point a
 * build at another base or mirror. pbuilder needs root (it chroots): the error says so.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import lockfile from 'proper-lockfile';
import type { Workspace } from '../config/workspace.js';
import { EXIT, PipelineError } from '../errors.js';
import { readJson, writeJsonAtomic } from '../state/store.js';
import { execaSupervised } from '../tools/supervised.js';
import type { ChrootSpec } from './chroots.js';
import { requireTools } from './preflight.js';
import { silentProgress, type ProgressSink } from './progress.js';

export interface PbuilderBase {
  suite: string;
  architecture: string;
  basetgz: string;
  key: string;
  createdAt: string;
  sizeBytes: number;
}

const DAY = 86_400_000;

export function pbuilderDir(ws: Workspace): string {
  return join(ws.cacheDir, 'pbuilder');
}

export function pbuilderKey(spec: ChrootSpec): string {
  return createHash('sha256').update(JSON.stringify(['pbuilder', spec.suite, spec.architecture, spec.mirror, spec.keyring ?? null, spec.components])).digest('hex');
}

export function pbuilderPaths(ws: Workspace, spec: ChrootSpec): { basetgz: string; metaFile: string; key: string } {
  const key = pbuilderKey(spec);
  const base = `${spec.suite}-${spec.architecture}-${key.slice(0, 8)}`;
  return { key, basetgz: join(pbuilderDir(ws), `${base}.tgz`), metaFile: join(pbuilderDir(ws), `${base}.json`) };
}

/** The cached base for a spec, if complete and younger than chroots.maxAgeDays. */
export function findPbuilderBase(ws: Workspace, spec: ChrootSpec, now = Date.now()): (PbuilderBase & { stale: boolean }) | undefined {
  const { basetgz, metaFile } = pbuilderPaths(ws, spec);
  if (!existsSync(basetgz) || !existsSync(metaFile)) return undefined;
  const meta = readJson<PbuilderBase>(metaFile);
  if (!meta) return undefined;
  return { ...meta, basetgz, stale: (now - Date.parse(meta.createdAt)) / DAY > ws.config.chroots.maxAgeDays };
}

/** Options every pbuilder call gets, so /etc/pbuilderrc and ~/.pbuilderrc cannot redirect it. */
function commonOptions(spec: ChrootSpec, basetgz: string, buildplace: string): string[] {
  return [
    '--basetgz', basetgz,
    '--buildplace', buildplace,
    '--distribution', spec.suite,
    '--architecture', spec.architecture,
    '--mirror', spec.mirror,
    '--components', spec.components.join(' '),
    '--othermirror', '',
    '--aptcache', '',
    '--hookdir', '',
    ...(spec.keyring ? ['--debootstrapopts', `--keyring=${spec.keyring}`, '--keyring', spec.keyring] : []),
  ];
}

function requireRoot(what: string): void {
  if (process.getuid?.() !== 0) {
    throw new PipelineError(`pbuilder needs root to ${what}`, { exitCode: EXIT.environment, hint: 'run as root (sudo -E), or use --builder sbuild (unshare, no root)' });
  }
}

async function runPbuilder(args: string[], progress: { update(detail: string): void }, log?: (line: string) => void): Promise<{ ok: boolean; tail: string[] }> {
  const tail: string[] = [];
  const sub = execaSupervised('pbuilder', args, { reject: false, all: true, stdin: 'ignore', env: { LC_ALL: 'C.UTF-8', DEBIAN_FRONTEND: 'noninteractive' } });
  for await (const line of sub.iterable({ from: 'all' })) {
    const text = String(line);
    tail.push(text);
    if (tail.length > 30) tail.shift();
    log?.(text);
    const m = /^(?:I|W): (.*)$/.exec(text);
    if (m) progress.update(m[1]!.slice(0, 70));
  }
  const r = await sub;
  return { ok: r.exitCode === 0, tail };
}

/**
 * The pbuilder base for a spec: created when missing or older than chroots.maxAgeDays (or with
 * `refresh`). `pbuilder create` bootstraps with debootstrap: minutes, once per suite.
 */
export async function ensurePbuilderBase(ws: Workspace, spec: ChrootSpec, options: { refresh?: boolean; progress?: ProgressSink } = {}): Promise<PbuilderBase> {
  const existing = findPbuilderBase(ws, spec);
  if (existing && !existing.stale && !options.refresh) return existing;
  requireTools(['pbuilder', 'debootstrap']);
  requireRoot('create its base tarball');
  const { basetgz, metaFile, key } = pbuilderPaths(ws, spec);
  mkdirSync(dirname(basetgz), { recursive: true });
  const release = await lockfile.lock(basetgz, {
    realpath: false, lockfilePath: `${basetgz}.lock`, stale: 30_000,
    retries: { retries: 1800, minTimeout: 1000, maxTimeout: 1000, factor: 1 },
  });
  try {
    const after = findPbuilderBase(ws, spec);
    if (after && !after.stale && (!options.refresh || (existing && after.createdAt !== existing.createdAt))) return after;
    const progress = options.progress ?? silentProgress;
    const phase = progress.phase(`pbuilder base ${spec.suite}-${spec.architecture} (create)`);
    const stem = basename(basetgz, '.tgz');
    for (const n of readdirSync(dirname(basetgz))) if (n.startsWith(`${stem}.partial-`)) rmSync(join(dirname(basetgz), n), { recursive: true, force: true });
    const partial = join(dirname(basetgz), `${stem}.partial-${process.pid}.tgz`);
    const place = join(dirname(basetgz), `${stem}.partial-${process.pid}.build`);
    mkdirSync(place, { recursive: true });
    try {
      const r = await runPbuilder(['create', ...commonOptions(spec, partial, place)], phase, progress.log);
      if (!r.ok || !existsSync(partial)) {
        const reason = r.tail.filter((l) => /^E:|error|fail/i.test(l)).slice(-2).join('; ') || r.tail.slice(-2).join('; ');
        throw new PipelineError(`pbuilder could not create the ${spec.suite} base: ${reason}`, { exitCode: EXIT.environment, hint: 'check the mirror and keyring of the series in pipeline.yaml' });
      }
      renameSync(partial, basetgz);
      const meta: PbuilderBase = { suite: spec.suite, architecture: spec.architecture, basetgz, key, createdAt: new Date().toISOString(), sizeBytes: statSync(basetgz).size };
      writeJsonAtomic(metaFile, meta);
      phase.done(`${(meta.sizeBytes / 1048576).toFixed(0)} MiB`);
      return meta;
    } catch (e) {
      phase.fail();
      throw e;
    } finally {
      rmSync(partial, { force: true });
      rmSync(place, { recursive: true, force: true });
    }
  } finally {
    await release();
  }
}

export interface PbuilderBuildResult {
  ok: boolean;
  /** pbuilder's log (--logfile), kept in the result directory. */
  log: string;
  /** The failing lines, when it failed. */
  message?: string;
  command: string[];
}

/** `pbuilder build` of a .dsc in the base, results (debs, .changes, .buildinfo) into `outDir`. */
export async function pbuilderBuild(spec: ChrootSpec, base: PbuilderBase, dsc: string, outDir: string, progress: ProgressSink = silentProgress): Promise<PbuilderBuildResult> {
  requireRoot('build');
  mkdirSync(outDir, { recursive: true });
  const place = join(outDir, '.buildplace');
  mkdirSync(place, { recursive: true });
  const log = join(outDir, `${basename(dsc, '.dsc')}_${spec.architecture}.pbuilder.log`);
  const args = ['build', ...commonOptions(spec, base.basetgz, place), '--buildresult', outDir, '--logfile', log, dsc];
  const phase = progress.phase(`pbuilder build ${basename(dsc)} (${spec.suite}-${spec.architecture})`);
  try {
    const r = await runPbuilder(args, phase, progress.log);
    const debs = readdirSync(outDir).filter((n) => n.endsWith('.deb'));
    const ok = r.ok && debs.length > 0;
    if (ok) phase.done(`${debs.length} .deb`);
    else phase.fail();
    const message = ok ? undefined : r.tail.filter((l) => /^E:|error|fail/i.test(l)).slice(-2).join('; ') || r.tail.slice(-1).join('');
    return { ok, log, command: ['pbuilder', ...args], ...(message ? { message } : {}) };
  } finally {
    rmSync(place, { recursive: true, force: true });
  }
}
