/**
 * doctor's tool checks for what sbuild's unshare mode and the chroot cache really run (zstd,
 * newuidmap/newgidmap, setpriv --pdeathsig), a capability probe, and `--fix` installing a missing
 * Debian package for real with apt-get (as root; GNU hello stands in for a missing tool and is
 * removed again). scripts/setup.sh must install every package doctor requires.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { runDoctor, TOOLS, whichTool, type ToolCheck } from './checks.js';
import { scratchDir } from '../../test/helpers/scratch.js';

const REPO = join(import.meta.dirname, '..', '..');
const isRoot = process.getuid?.() === 0;

/** Scratch subuid/subgid files that already hold a range, so --fix never touches /etc. */
function scratchSubids(): { user: string; subuidFile: string; subgidFile: string } {
  const dir = scratchDir('doctor-');
  const user = userInfo().username;
  for (const f of ['subuid', 'subgid']) writeFileSync(join(dir, f), `${user}:200000:65536\n`);
  return { user, subuidFile: join(dir, 'subuid'), subgidFile: join(dir, 'subgid') };
}

const installed = async (pkg: string) =>
  (await execa('dpkg-query', ['-W', '-f', '${db:Status-Abbrev}', pkg], { reject: false })).stdout.startsWith('ii');

describe('doctor: what unshare-mode sbuild and the chroot cache run', () => {
  it('checks zstd, newuidmap, newgidmap and setpriv, each with the package that fixes it', () => {
    const by = Object.fromEntries(TOOLS.map((t) => [t.tool, t.pkg]));
    expect(by).toMatchObject({ zstd: 'zstd', newuidmap: 'uidmap', newgidmap: 'uidmap', setpriv: 'util-linux' });
    expect(TOOLS.find((t) => t.tool === 'setpriv')?.probe?.args).toEqual(['--help']);
  });

  it('finds them on this machine, setpriv with --pdeathsig (setpriv --help is the oracle)', async () => {
    const r = await runDoctor(scratchSubids());
    for (const tool of ['zstd', 'newuidmap', 'newgidmap', 'setpriv']) {
      const row = r.rows.find((x) => x.name === tool);
      expect(row?.status, `${tool}: ${row?.detail}`).toBe('ok');
      expect(row?.detail).toContain(whichTool(tool)!);
    }
    const help = await execa('setpriv', ['--help'], { reject: false });
    expect(String(help.stdout)).toContain('--pdeathsig');
  });

  it('a tool without the capability its check probes for is missing, naming what is needed', async () => {
    const tools: ToolCheck[] = [{ tool: 'setpriv', pkg: 'util-linux', purpose: 'a test', probe: { args: ['--help'], expect: /--no-such-capability/, need: 'a setpriv that knows --no-such-capability' } }];
    const r = await runDoctor({ ...scratchSubids(), tools, canWriteSystem: false });
    expect(r.rows[0]).toMatchObject({ name: 'setpriv', status: 'missing', required: true });
    expect(r.rows[0]!.detail).toMatch(/lacks what a test needs: a setpriv that knows --no-such-capability/);
    expect(r.ok).toBe(false);
  });

  it('without root, --fix says how to install a missing tool and installs nothing', async () => {
    const tools: ToolCheck[] = [{ tool: 'hello', pkg: 'hello', purpose: 'a test' }];
    const before = await installed('hello');
    const r = await runDoctor({ ...scratchSubids(), tools, fix: true, canWriteSystem: false });
    if (before) expect(r.rows[0]!.status).toBe('ok');
    else {
      expect(r.rows[0]).toMatchObject({ name: 'hello', status: 'missing', fix: 'sudo pipeline doctor --fix (apt-get install hello; or bash scripts/setup.sh)' });
      expect(await installed('hello')).toBe(false);
    }
  });

  it.skipIf(!isRoot)('as root, --fix installs the missing package with apt-get and reports it fixed', async () => {
    const tools: ToolCheck[] = [{ tool: 'hello', pkg: 'hello', purpose: 'a test' }];
    const remove = () => execa('dpkg', ['--remove', 'hello'], { reject: false, env: { DEBIAN_FRONTEND: 'noninteractive' } });
    await remove();
    expect(whichTool('hello')).toBeUndefined();
    try {
      const r = await runDoctor({ ...scratchSubids(), tools, fix: true, canWriteSystem: true });
      expect(r.rows[0]!.status, r.rows[0]!.detail).toBe('fixed');
      expect(r.rows[0]!.detail).toMatch(/^installed hello: \/usr\/bin\/hello \(hello \S+\)$/);
      expect(await installed('hello')).toBe(true);
      const again = await runDoctor({ ...scratchSubids(), tools });
      expect(again.rows[0]!.status).toBe('ok');
    } finally {
      await remove();
    }
  }, 600_000);

  it.skipIf(!isRoot)('as root, a package apt cannot install stays missing with apt\'s reason', async () => {
    const tools: ToolCheck[] = [{ tool: 'no-such-tool-here', pkg: 'no-such-package-here', purpose: 'a test' }];
    const r = await runDoctor({ ...scratchSubids(), tools, fix: true, canWriteSystem: true });
    expect(r.rows[0]!.status).toBe('missing');
    expect(r.rows[0]!.detail).toMatch(/apt-get install no-such-package-here failed: Unable to locate package no-such-package-here/);
  }, 600_000);

  it('scripts/setup.sh installs every package doctor requires', () => {
    const setup = readFileSync(join(REPO, 'scripts', 'setup.sh'), 'utf8');
    const list = /DEBIAN_PACKAGES=\(([\s\S]*?)\n\)/.exec(setup)?.[1] ?? '';
    const pkgs = new Set(list.split('\n').flatMap((l) => l.replace(/#.*/, '').trim().split(/\s+/)).filter(Boolean));
    for (const t of TOOLS) expect(pkgs.has(t.pkg), `${t.pkg} (for ${t.tool})`).toBe(true);
  });
});
