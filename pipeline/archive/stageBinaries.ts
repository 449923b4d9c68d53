/**
 * The local archive as a PPA: once a stage's source-only upload has landed, the binaries of that
 * stage's own test-build are published beside it in the same suite, as a PPA's builders publish
 * theirs (`reprepro includedeb SUITE *.deb`) — so the next package of the set builds against them
 * (build/stageArchive.ts) and apt installs them.
 *
 * Only binaries that are true beside the source: each .deb still hashes to what the build
 * recorded (what QA judged), and was built from exactly this source version (its `Source:` field,
 * else its Version). A stage whose test-build verdict was lent by another stage's build has none of
 * its own (the lent .debs carry the other stage's version): it publishes none and says why.
 *
 * Idempotent, under the archive lock: a binary the suite already lists with the same sha256 is
 * left as it is, a missing one is included, one listed with other bytes is an error. A kill
 * anywhere (even inside reprepro: recoverArchive first) is finished by running it again; the
 * promote's confirm step, which calls it, has no side effect but this one.
 */
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { execa } from 'execa';
import type { StageConfig } from '../config/schema.js';
import type { Workspace } from '../config/workspace.js';
import { sha256File } from '../debian/dsc.js';
import { compareVersions } from '../debian/version.js';
import { PipelineError } from '../errors.js';
import { faultPoint } from '../state/faults.js';
import { archiveLockName, withLock } from '../state/lock.js';
import type { BuildRecord, PublishRecord } from '../state/records.js';
import { readPackagesIndex } from './packagesIndex.js';
import { recoverArchive, reprepro, repreproArchive } from './reprepro.js';
import { ensureSigningKey } from './signing.js';

export type StageBinaries = Pick<PublishRecord, 'binaries' | 'binariesNote'>;

interface Deb { path: string; sha256: string; package: string; version: string; architecture: string; sourceVersion: string }

/** The build's own .debs (its binary/ directory), or why the stage has none to publish. */
export function ownDebs(build: BuildRecord): { debs: Array<{ path: string; sha256: string }> } | { none: string } {
  if (build.sourceSummary?.builder === 'host') return { none: 'source-only host build: no binaries' };
  if (build.noOwnBinaries || build.binaryFrom) return { none: build.noOwnBinaries ?? `the binary test-build verdict is lent by the ${build.binaryFrom!.stage} build: no binaries of its own` };
  if (build.status !== 'successful') return { none: 'the binary test-build failed: no binaries' };
  const debs = build.artifacts.filter((a) => a.path.endsWith('.deb') && basename(join(a.path, '..')) === 'binary');
  return debs.length ? { debs } : { none: 'the build made no .deb (build.binary: false, or no binary test-build)' };
}

async function debFields(path: string, sha256: string): Promise<Deb> {
  const r = await execa('dpkg-deb', ['--field', path, 'Package', 'Version', 'Architecture', 'Source'], { reject: false, env: { LC_ALL: 'C.UTF-8' } });
  if (r.exitCode !== 0) throw new PipelineError(`dpkg-deb cannot read it: ${String(r.stderr).trim().split('\n').pop()}`, { file: path, exitCode: 1 });
  const f = new Map(String(r.stdout).split('\n').map((l) => /^([^:]+):\s*(.*)$/.exec(l)).filter((m): m is RegExpExecArray => Boolean(m)).map((m) => [m[1]!, m[2]!]));
  const version = f.get('Version') ?? '';
  return {
    path, sha256, package: f.get('Package') ?? '', version, architecture: f.get('Architecture') ?? '',
    sourceVersion: /\(([^)]+)\)/.exec(f.get('Source') ?? '')?.[1] ?? version,
  };
}

/**
 * Publish the stage's own binaries beside `version`'s source in the stage's suite of the local
 * archive (see above). Returns what the suite lists for them, or why there are none.
 */
export async function publishStageBinaries(ws: Workspace, st: StageConfig, version: string, build: BuildRecord): Promise<StageBinaries> {
  const own = ownDebs(build);
  if ('none' in own) return { binaries: [], binariesNote: own.none };
  const debs: Deb[] = [];
  for (const a of own.debs) {
    if (!existsSync(a.path) || (await sha256File(a.path)) !== a.sha256) {
      throw Object.assign(new PipelineError(`${basename(a.path)} is not the file the build recorded (sha256 ${a.sha256.slice(0, 12)}…): its checks must run again`, { file: a.path, exitCode: 1, hint: `pipeline promote ${build.package} --to ${st.name} --rebuild` }), { permanent: true });
    }
    const d = await debFields(a.path, a.sha256);
    if (compareVersions(d.sourceVersion, version, { lenient: true }) !== 0) {
      throw Object.assign(new PipelineError(`${basename(a.path)} was built from source version ${d.sourceVersion}, not ${version}: not published beside it`, { file: a.path, exitCode: 1 }), { permanent: true });
    }
    debs.push(d);
  }
  const key = await ensureSigningKey(ws, { create: true });
  const archive = repreproArchive(ws, st.target.archive);
  const suite = st.target.suite;
  const listed = () => readPackagesIndex(archive.dir, suite, archive.config.architectures);
  return withLock(ws.stateDir, archiveLockName(st.target.archive), { wait: true, command: `publish binaries of ${build.package} ${version}` }, async () => {
    await recoverArchive(archive, key); // a reprepro killed after its commit, before its export
    const find = (d: Deb) => listed().find((e) => e.package === d.package && e.architecture === d.architecture && compareVersions(e.version, d.version, { lenient: true }) === 0);
    const missing: Deb[] = [];
    for (const d of debs) {
      const e = find(d);
      if (!e) missing.push(d);
      else if (e.sha256 !== d.sha256) {
        throw Object.assign(new PipelineError(`${suite} already lists ${d.package} ${d.version} (${d.architecture}) with other bytes (sha256 ${e.sha256.slice(0, 12)}…, built ${d.sha256.slice(0, 12)}…)`, { file: archive.dir, exitCode: 1 }), { permanent: true });
      }
    }
    if (missing.length) await reprepro(archive, key, ['includedeb', suite, ...missing.map((d) => d.path)]);
    faultPoint('confirm.after-binaries');
    const binaries = debs.map((d) => {
      const e = find(d);
      if (!e || e.sha256 !== d.sha256) throw new PipelineError(`${d.package} ${d.version} is not in ${suite}'s Packages index after includedeb`, { file: join(archive.dir, 'dists', suite), exitCode: 1 });
      return { package: d.package, version: d.version, architecture: d.architecture, sha256: d.sha256 };
    });
    return { binaries };
  });
}

/** "liba 2.0-1 (all), liba-dev 2.0-1 (amd64)" or the reason there are none: for status and the report. */
export function describeStageBinaries(p: StageBinaries): string {
  if (p.binaries?.length) return `binaries ${p.binaries.map((b) => `${b.package} ${b.version} (${b.architecture})`).join(', ')}`;
  return p.binariesNote ? `source only: ${p.binariesNote}` : '';
}
