/**
 * A throw-away workspace for the stage tests: the repository's pipeline.yaml and schedules, the
 * small zookeeper stand-in (test/fixtures/stages/zookeeper) and the real txzookeeper and txaws
 * definitions, all with generated upstream trees and the `host` source builder, so a promotion
 * through ppa → devel → backports into a real reprepro archive takes seconds. Its own state,
 * cache, GnuPG home and archive; `use()` points process.env at it for in-process library calls.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { loadWorkspace, type Workspace } from '../../pipeline/config/workspace.js';
import { REPO } from './workspace.js';

export interface StagesWorkspace {
  root: string;
  config: string;
  env: Record<string, string>;
  /** Set process.env for in-process calls; returns a restore function. */
  use(): () => void;
  ws(): Workspace;
  cleanup(): Promise<void>;
}

export const FIXED_NOW = '2026-11-25T12:00:00Z';

export function stagesWorkspace(options: { packages?: string[]; config?: string } = {}): StagesWorkspace {
  const root = mkdtempSync(join(tmpdir(), 'pipeline-stages-'));
  const config = join(root, 'pipeline.yaml');
  if (options.config) writeFileSync(config, options.config);
  else cpSync(join(REPO, 'pipeline.yaml'), config);
  cpSync(join(REPO, 'schedules'), join(root, 'schedules'), { recursive: true });
  mkdirSync(join(root, 'packages'));
  for (const p of options.packages ?? ['zookeeper', 'txzookeeper', 'txaws']) {
    const from = p === 'zookeeper' ? join(REPO, 'test', 'fixtures', 'stages', 'zookeeper') : join(REPO, 'packages', p);
    cpSync(from, join(root, 'packages', p), { recursive: true });
  }
  const env = {
    PIPELINE_STATE_DIR: join(root, '.pipeline', 'state'),
    PIPELINE_CACHE_DIR: join(root, '.cache'),
    PIPELINE_GNUPGHOME: join(root, '.pipeline', 'gnupg'),
    PIPELINE_UPSTREAM: 'generated',
    PIPELINE_BUILDER: 'host',
    PIPELINE_NOW: FIXED_NOW,
    PIPELINE_USER: 'tester',
  };
  return {
    root, config, env,
    use() {
      const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
      Object.assign(process.env, env);
      return () => { for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v; };
    },
    ws: () => loadWorkspace({ cwd: root, config, env: { ...process.env, ...env } }),
    async cleanup() {
      await execa('gpgconf', ['--homedir', env.PIPELINE_GNUPGHOME, '--kill', 'all'], { reject: false });
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** sha256 of every file under `dir` (path → hash): byte-for-byte comparison of a tree. */
export function treeHashes(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    let names: string[];
    try { names = readdirSync(join(dir, rel)).sort(); } catch { return; }
    for (const name of names) {
      const r = rel ? `${rel}/${name}` : name;
      // dpkg-parsechangelog's answers, kept by content (pipeline/tools/changelogCache.ts): a dry run
      // may fill that cache, as it reads the changelogs a real run reads; nothing decides by it.
      if (r === '.cache/changelog-parse') continue;
      const st = statSync(join(dir, r));
      if (st.isDirectory()) { out[`${r}/`] = 'dir'; walk(r); } else if (st.isFile()) out[r] = createHash('sha256').update(readFileSync(join(dir, r))).digest('hex');
      else out[r] = 'special'; // gpg-agent's sockets
    }
  };
  walk('');
  return out;
}

/**
 * apt-get's options for a private apt configuration under `d` reading only `lines` (its own
 * sources, lists, cache and an empty dpkg status: /etc/apt and the host's packages play no part).
 */
export function privateApt(d: string, lines: string[]): string[] {
  for (const sub of ['etc/sources.list.d', 'etc/preferences.d', 'state/lists/partial', 'cache/archives/partial']) mkdirSync(join(d, sub), { recursive: true });
  writeFileSync(join(d, 'etc', 'sources.list'), lines.map((l) => `${l}\n`).join(''));
  writeFileSync(join(d, 'status'), '');
  return [
    `Dir::Etc::sourcelist=${join(d, 'etc', 'sources.list')}`, `Dir::Etc::sourceparts=${join(d, 'etc', 'sources.list.d')}`,
    `Dir::Etc::preferencesparts=${join(d, 'etc', 'preferences.d')}`, `Dir::State=${join(d, 'state')}`, `Dir::State::status=${join(d, 'status')}`,
    `Dir::Cache=${join(d, 'cache')}`, 'Acquire::Languages=none', ...(process.getuid?.() === 0 ? ['APT::Sandbox::User=root'] : []),
  ].flatMap((x) => ['-o', x]);
}

/**
 * `apt-get update` with a private configuration reading `lines` (throws on any W:/E: line: a
 * repository apt does not trust, or cannot read), then `apt-get ARGS`; its result.
 */
export async function aptWith(d: string, lines: string[], args: string[]) {
  const o = privateApt(d, lines);
  const update = await execa('apt-get', [...o, 'update'], { env: { LC_ALL: 'C.UTF-8' }, all: true, reject: false });
  if (update.exitCode !== 0 || /^(W|E):/m.test(String(update.all))) throw new Error(`apt-get update: ${update.all}`);
  return execa('apt-get', [...o, ...args], { env: { LC_ALL: 'C.UTF-8' }, all: true, reject: false });
}

/**
 * `apt-get source --download-only PKG=VERSION` from the local archive with a private apt
 * configuration (file:// source, signed-by the archive's exported key). Returns the directory
 * holding what apt fetched.
 */
export async function aptGetSource(archiveDir: string, suites: string[], pkg: string, version: string, into: string): Promise<string> {
  const d = mkdtempSync(join(tmpdir(), 'pipeline-apt-'));
  const keyring = join(archiveDir, 'pipeline-archive-keyring.gpg');
  const o = privateApt(d, suites.map((s) => `deb-src [signed-by=${keyring}] file://${archiveDir} ${s} main`));
  await execa('apt-get', [...o, 'update', '-qq'], { env: { LC_ALL: 'C.UTF-8' } });
  mkdirSync(into, { recursive: true });
  await execa('apt-get', [...o, 'source', '--download-only', '-qq', `${pkg}=${version}`], { cwd: into, env: { LC_ALL: 'C.UTF-8' } });
  rmSync(d, { recursive: true, force: true });
  return into;
}
