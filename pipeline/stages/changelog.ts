/**
 * The top entry of a package's debian/changelog, read with dpkg-parsechangelog (Debian's own
 * parser: the version a build will get is the version dpkg sees).
 */
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { execa } from 'execa';
import { PipelineError } from '../errors.js';
import type { SourcePlan } from './plan.js';

export interface ChangelogTop {
  source: string;
  version: string;
  distribution: string;
  /** The entry's text without the header line (bullets), trimmed. */
  changes: string;
}

export async function readChangelogTop(debianDir: string): Promise<ChangelogTop> {
  const file = join(debianDir, 'changelog');
  const display = relative(process.cwd(), file) || file;
  if (!existsSync(file)) throw new PipelineError('no debian/changelog', { file: display });
  const r = await execa('dpkg-parsechangelog', ['-l', file, '--count', '1'], { reject: false, env: { LC_ALL: 'C.UTF-8' } });
  if (r.exitCode !== 0) {
    const why = String(r.stderr).split('\n').find((l) => l.trim()) ?? `exit ${r.exitCode}`;
    throw new PipelineError(`dpkg-parsechangelog cannot read it: ${why.replace(/^dpkg-parsechangelog:\s*/, '')}`, { file: display });
  }
  const fields = new Map<string, string>();
  let last = '';
  for (const line of String(r.stdout).split('\n')) {
    const m = /^([A-Za-z-]+):\s?(.*)$/.exec(line);
    if (m) { last = m[1]!.toLowerCase(); fields.set(last, m[2]!); } else if (last) fields.set(last, `${fields.get(last)}\n${line}`);
  }
  const source = fields.get('source');
  const version = fields.get('version');
  if (!source || !version) throw new PipelineError('changelog has no Source/Version in its top entry', { file: display });
  // Changes: starts with an empty first line and the entry's header line; keep the bullets.
  const lines = (fields.get('changes') ?? '').split('\n').slice(1);
  if (lines[0] && /^ \S.*\(.*\)/.test(lines[0])) lines.shift();
  const changes = lines.map((l) => l.replace(/^ \.?$/, '').replace(/^ /, '')).join('\n').trim();
  return { source, version, distribution: fields.get('distribution') ?? '', changes };
}

/** dch arguments applying a plan to a tree's debian/changelog. Empty when nothing changes. */
export function dchArguments(plan: SourcePlan, currentDistribution: string): string[][] {
  if (plan.newEntry) {
    return [['--newversion', plan.version, '--distribution', plan.distribution, '--force-distribution', '--force-bad-version', '--', plan.message]];
  }
  if (currentDistribution === plan.distribution) return [];
  return [['--release', '--distribution', plan.distribution, '--force-distribution', '--', '']];
}

/** Run dch in `tree` as the workspace's maintainer (never the invoking user's ~/.devscripts). */
export async function applyPlanToTree(tree: string, plan: SourcePlan, currentDistribution: string, maintainer?: { name: string; email: string }): Promise<void> {
  for (const args of dchArguments(plan, currentDistribution)) {
    const r = await execa('dch', ['--no-conf', ...args], {
      cwd: tree, reject: false, all: true,
      env: {
        LC_ALL: 'C.UTF-8', EDITOR: 'true', VISUAL: 'true',
        ...(maintainer ? { DEBFULLNAME: maintainer.name, DEBEMAIL: maintainer.email } : {}),
      },
    });
    if (r.exitCode !== 0) throw new PipelineError(`dch failed: ${String(r.all).trim().split('\n').pop()}`, { file: join(tree, 'debian/changelog'), exitCode: 1 });
  }
}

