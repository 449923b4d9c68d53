/**
 * The Ubuntu profile out of the box (issue #13): the development series distro-info-data does not
 * know yet comes from the profile's series table, `devel` resolves to its codename everywhere, a
 * series nobody knows is one error at its line, and Ubuntu uploads are judged by Ubuntu's rules.
 * Through the real CLI on a copy of the repository's profile, packages and schedules.
 */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, errorLines, REPO, type TempWorkspace } from './helpers/workspace.js';
import { scratchDir } from './helpers/scratch.js';

const TODAY = '2026-12-06';

function ubuntuWorkspace(): TempWorkspace {
  const root = scratchDir('pipeline-ubuntu-');
  mkdirSync(join(root, 'profiles'));
  cpSync(join(REPO, 'profiles', 'ubuntu.yaml'), join(root, 'profiles', 'ubuntu.yaml'));
  cpSync(join(REPO, 'schedules'), join(root, 'schedules'), { recursive: true });
  cpSync(join(REPO, 'packages'), join(root, 'packages'), { recursive: true });
  return {
    root,
    config: join(root, 'profiles', 'ubuntu.yaml'),
    env: {
      PIPELINE_STATE_DIR: join(root, '.pipeline', 'state'),
      PIPELINE_CACHE_DIR: join(root, '.cache'),
      PIPELINE_GNUPGHOME: join(root, '.pipeline', 'gnupg'),
      PIPELINE_NOW: TODAY,
    },
  };
}

function lineOf(file: string, pattern: RegExp, after = 0): number {
  const lines = readFileSync(file, 'utf8').split('\n');
  const i = lines.findIndex((l, n) => n >= after && pattern.test(l));
  if (i < 0) throw new Error(`${pattern} not in ${file}`);
  return i + 1;
}

describe('profiles/ubuntu.yaml out of the box', () => {
  it('promote --all --to backports --dry-run exits 0 with Ubuntu versions, devel resolved to the profile-declared 27.04', async () => {
    const ws = ubuntuWorkspace();
    const r = await cli(ws, ['promote', '--all', '--to', 'backports', '--dry-run']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    for (const [pkg, v] of [['zookeeper', '3.9.3-2'], ['txzookeeper', '0.9.8-1'], ['txaws', '0.2.3-1']]) {
      expect(r.stdout).toContain(`ppa: ${v}~ppa1 → ppa:ensemble/ppa (tbd2704), distribution tbd2704`);
      expect(r.stdout).toContain(`backports: ${v}~bpo26.04.1 → ubuntu (resolute), distribution resolute-backports`);
      expect(r.stdout, pkg).toContain(`${pkg} (${v}~bpo26.04.1) resolute-backports; urgency=medium`);
      // The entries dch wrote (--force-distribution: its distro-info does not know 27.04 either).
      expect(r.stdout, pkg).toContain(`${pkg} (${v}~ppa1) tbd2704; urgency=medium`);
      expect(r.stdout, pkg).toContain(`${pkg} (${v}) tbd2704; urgency=medium`);
    }
    expect(r.stdout).not.toMatch(/distribution devel\b/);
    // Debian's NMU rules are not Ubuntu's: no NMU tag blocks the backport.
    expect(r.stdout).not.toMatch(/no-nmu-in-changelog|source-nmu-has-incorrect-version-number|bad-distribution-in-changelog/);
    expect(r.stdout).toContain('freeze: pass — tbd2704 is open for development');
  });

  it('schedule: the development series comes from the profile\'s table, merged with distro-info', async () => {
    const ws = ubuntuWorkspace();
    const r = await cli(ws, ['schedule']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('tbd2704');
    expect(r.stdout).toContain("the series table of ubuntu's profile");
  });

  it('a stage naming a series nobody knows: one error naming the profile file and line', async () => {
    const ws = ubuntuWorkspace();
    const text = readFileSync(ws.config, 'utf8');
    writeFileSync(ws.config, text.replace('suite: resolute-backports, series: resolute,', 'suite: resolute-backports, series: resolutte,'));
    const r = await cli(ws, ['promote', 'zookeeper', '--to', 'backports', '--dry-run']);
    const lines = errorLines(r.stderr);
    expect(lines).toHaveLength(1);
    expect(r.exitCode).toBe(2);
    expect(lines[0]).toContain(`profiles/ubuntu.yaml:${lineOf(ws.config, /series: resolutte/)}`);
    expect(lines[0]).toContain('unknown series "resolutte"');
  });

  it('devel with no development series in distro-info nor the profile: one error at the stage\'s line', async () => {
    const ws = ubuntuWorkspace();
    const text = readFileSync(ws.config, 'utf8');
    writeFileSync(ws.config, text.replace('    created: "2026-10-15"\n', ''));
    const r = await cli(ws, ['promote', 'zookeeper', '--to', 'ppa', '--dry-run']);
    const lines = errorLines(r.stderr);
    expect(lines, r.stderr).toHaveLength(1);
    expect(r.exitCode).toBe(2);
    const stagesAt = lineOf(ws.config, /^stages:/);
    expect(lines[0]).toContain(`profiles/ubuntu.yaml:${lineOf(ws.config, /series: devel/, stagesAt)}`);
    expect(lines[0]).toContain('no Ubuntu development series known on 2026-12-06');
  });
});
