/**
 * The binary Packages lists of the repositories a stage's QA sees (qa/repositories.ts), fetched with
 * apt-get under a PRIVATE configuration as tools/apt.ts does for source lists: one directory per
 * distinct set of repositories and architecture under <cacheDir>/apt-binary/<key>/, never /etc/apt.
 * Lists younger than a day are reused; `apt-get update` refreshes them otherwise. The lists are
 * given as plain files (apt keeps them compressed as it likes; apt-helper cat-file reads them), which
 * dose-debcheck reads.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import lockfile from 'proper-lockfile';
import type { Workspace } from '../config/workspace.js';
import { EXIT, PipelineError } from '../errors.js';
import { privateAptOptions } from '../tools/apt.js';
import { execaSupervised } from '../tools/supervised.js';
import type { QaRepository } from './repositories.js';

const LISTS_MAX_AGE_MS = 24 * 3600 * 1000;
const APT_HELPER = '/usr/lib/apt/apt-helper';

export interface BinaryLists {
  dir: string;
  /** Plain Packages files, one per (repository, component). */
  files: string[];
  /** Repositories whose lists did not come (their mirror was not reached): unchecked. */
  missing: string[];
}

export async function binaryLists(ws: Workspace, repos: QaRepository[], architecture: string, opts: { force?: boolean } = {}): Promise<BinaryLists> {
  const sources = repos.map((r) => `${r.line}\n`).join('');
  const key = createHash('sha256').update(`${architecture}\n${sources}`).digest('hex').slice(0, 12);
  const dir = join(ws.cacheDir, 'apt-binary', `${architecture}-${key}`);
  const p = (...parts: string[]) => join(dir, ...parts);
  for (const d of ['etc/sources.list.d', 'etc/preferences.d', 'state/lists/partial', 'cache/archives/partial', 'plain']) mkdirSync(p(d), { recursive: true });
  writeFileSync(p('etc', 'sources.list'), sources);
  // No dpkg status of the host's: an empty one, and only the stage's architecture.
  const options = privateAptOptions(dir, [`Dir::State::status=${p('state', 'status')}`, `APT::Architecture=${architecture}`, `APT::Architectures::=${architecture}`]);
  if (!existsSync(p('state', 'status'))) writeFileSync(p('state', 'status'), '');

  const release = await lockfile.lock(dir, { retries: { retries: 600, minTimeout: 200, maxTimeout: 1000 }, stale: 10 * 60_000 });
  try {
    const stamp = p('plain', '.updated');
    const fresh = !opts.force && existsSync(stamp) && Date.now() - statSync(stamp).mtimeMs < LISTS_MAX_AGE_MS;
    const targets = async () => {
      const r = await execa('apt-get', [...options, 'indextargets', '--format', '$(FILENAME)\t$(SITE) $(RELEASE) $(COMPONENT)', 'Identifier: Packages'], { env: { LC_ALL: 'C.UTF-8' } });
      return String(r.stdout).split('\n').filter(Boolean).map((l) => { const [file = '', what = ''] = l.split('\t'); return { file, what }; });
    };
    if (!fresh) {
      const r = await execaSupervised('apt-get', [...options, 'update', '-qq'], { reject: false, all: true, env: { LC_ALL: 'C.UTF-8' } });
      if (r.exitCode !== 0) {
        const first = String(r.all ?? '').split('\n').find((l) => l.startsWith('E:')) ?? String(r.all ?? '').trim().split('\n').pop() ?? '';
        throw new PipelineError(`apt-get update of the QA repositories failed: ${first.replace(/^E:\s*/, '')}`, { exitCode: EXIT.environment, hint: `private apt configuration in ${dir}` });
      }
      rmSync(p('plain'), { recursive: true, force: true });
      mkdirSync(p('plain'), { recursive: true });
      for (const [i, t] of (await targets()).entries()) {
        if (!existsSync(t.file)) continue;
        // apt-helper cat-file decompresses whatever apt chose (lz4, zstd, gz...).
        const out = p('plain', `${i}_Packages`);
        await execa(APT_HELPER, ['cat-file', t.file], { stdout: { file: out } });
        writeFileSync(`${out}.from`, t.what);
      }
      writeFileSync(stamp, new Date().toISOString());
    }
    const all = await targets();
    const files: string[] = [];
    const missing: string[] = [];
    for (const [i, t] of all.entries()) {
      const plain = p('plain', `${i}_Packages`);
      if (existsSync(plain) && existsSync(`${plain}.from`) && readFileSync(`${plain}.from`, 'utf8') === t.what) files.push(plain);
      else missing.push(t.what);
    }
    return { dir, files, missing };
  } finally {
    await release();
  }
}
