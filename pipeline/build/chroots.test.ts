import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadWorkspace, type Workspace } from '../config/workspace.js';
import { PipelineError } from '../errors.js';
import { mmdebstrapArgs } from '../tools/mmdebstrap.js';
import { chrootKey, chrootPaths, chrootSpecForSuite, ensureChroot, findChroot, listChroots, stageChrootSpecs, type ChrootSpec } from './chroots.js';
import { requireSubids, subidRange } from './preflight.js';

const REPO = join(import.meta.dirname, '..', '..');
let root: string;
let ws: Workspace;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'pipeline-chroots-'));
  cpSync(join(REPO, 'pipeline.yaml'), join(root, 'pipeline.yaml'));
  ws = loadWorkspace({ config: join(root, 'pipeline.yaml'), env: { PIPELINE_CACHE_DIR: join(root, 'cache'), PIPELINE_STATE_DIR: join(root, 'state') } });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A complete cache entry as ensureChroot leaves it (tarball content is irrelevant here). */
function fakeEntry(spec: ChrootSpec, createdAt: Date): { tarball: string; metaFile: string } {
  const p = chrootPaths(ws, spec);
  mkdirSync(join(ws.cacheDir, 'chroots'), { recursive: true });
  writeFileSync(p.tarball, 'tarball');
  writeFileSync(p.metaFile, JSON.stringify({ spec, key: p.key, tarball: p.tarball, createdAt: createdAt.toISOString(), sizeBytes: 7 }));
  return p;
}

describe('chroot keys and paths', () => {
  it('key changes with every input that changes the chroot, and only with those', () => {
    const a = chrootSpecForSuite(ws, 'bookworm');
    expect(chrootKey(a)).toBe(chrootKey({ ...a }));
    expect(chrootKey({ ...a, extraPackages: ['eatmydata', 'ccache'] })).toBe(chrootKey({ ...a, extraPackages: ['ccache', 'eatmydata'] }));
    for (const change of [{ suite: 'trixie' }, { architecture: 'arm64' }, { mirror: 'http://example.org/debian' }, { keyring: '/k.gpg' }, { components: ['main', 'contrib'] }, { extraPackages: ['ccache'] }, { aptOptions: ['Acquire::Check-Valid-Until=false'] }]) {
      expect(chrootKey({ ...a, ...change })).not.toBe(chrootKey(a));
    }
  });

  it('names the tarball <suite>-<arch>-<key8>.tar.zst under <cacheDir>/chroots', () => {
    const spec = chrootSpecForSuite(ws, 'bookworm');
    const p = chrootPaths(ws, spec);
    expect(p.tarball).toBe(join(root, 'cache', 'chroots', `bookworm-amd64-${chrootKey(spec).slice(0, 8)}.tar.zst`));
    expect(p.metaFile.endsWith('.json')).toBe(true);
  });

  it('the default profile\'s stages need a trixie and a bookworm chroot', () => {
    expect(stageChrootSpecs(ws).map((s) => s.suite).sort()).toEqual(['bookworm', 'trixie']);
    expect(stageChrootSpecs(ws, 'bookworm')).toHaveLength(1);
  });

  it('an unknown series is one clear error naming pipeline.yaml', () => {
    expect(() => chrootSpecForSuite(ws, 'sid')).toThrow(/unknown series "sid"/);
  });
});

describe('mmdebstrap arguments', () => {
  it('buildd variant, unshare mode, tar output, suite target mirror last', () => {
    const args = mmdebstrapArgs({ suite: 'bookworm', target: '/c/x.tar.zst', mirror: 'http://deb.debian.org/debian', architecture: 'amd64', components: ['main', 'contrib'], keyring: '/k.gpg', include: ['ccache'], aptOptions: ['Acquire::Check-Valid-Until=false'] });
    expect(args.slice(0, 3)).toEqual(['--variant=buildd', '--mode=unshare', '--format=tar']);
    expect(args).toEqual(expect.arrayContaining(['--architectures=amd64', '--components=main,contrib', '--keyring=/k.gpg', '--include=ccache', '--aptopt=Acquire::Check-Valid-Until "false"']));
    expect(args.slice(-3)).toEqual(['bookworm', '/c/x.tar.zst', 'http://deb.debian.org/debian']);
    // dpkg in the throwaway chroot skips its fsyncs (written to /etc/dpkg/dpkg.cfg.d/99mmdebstrap).
    expect(args).toContain('--dpkgopt=force-unsafe-io');
  });
});

describe('cache entries', () => {
  it('lists complete entries with their age, and marks those older than maxAgeDays stale', () => {
    const now = Date.parse('2026-11-25T12:00:00Z');
    fakeEntry(chrootSpecForSuite(ws, 'bookworm'), new Date(now - 2 * 86_400_000));
    fakeEntry(chrootSpecForSuite(ws, 'trixie'), new Date(now - 9 * 86_400_000));
    const list = listChroots(ws, now);
    expect(list.map((e) => [e.spec.suite, Math.round(e.ageDays), e.stale])).toEqual([['bookworm', 2, false], ['trixie', 9, true]]);
  });

  it('ignores a partial tarball left by an interrupted refresh: the old entry stays usable', () => {
    const spec = chrootSpecForSuite(ws, 'bookworm');
    const p = fakeEntry(spec, new Date());
    writeFileSync(p.tarball.replace(/\.tar\.zst$/, '.partial-999.tar.zst'), 'half');
    expect(findChroot(ws, spec)?.tarball).toBe(p.tarball);
    expect(listChroots(ws)).toHaveLength(1);
  });

  it('an entry without metadata (tarball only) is not complete', () => {
    const spec = chrootSpecForSuite(ws, 'bookworm');
    const p = fakeEntry(spec, new Date());
    rmSync(p.metaFile);
    expect(findChroot(ws, spec)).toBeUndefined();
  });

  it('returns a fresh cached entry without touching mmdebstrap (even with no tools on PATH)', async () => {
    const spec = chrootSpecForSuite(ws, 'bookworm');
    const p = fakeEntry(spec, new Date());
    const old = process.env.PATH;
    process.env.PATH = join(root, 'empty-bin');
    try {
      expect((await ensureChroot(ws, spec)).tarball).toBe(p.tarball);
    } finally {
      process.env.PATH = old;
    }
  });

  it('missing mmdebstrap: one error naming `pipeline doctor --fix`, and no cache entry written', async () => {
    const spec = chrootSpecForSuite(ws, 'bookworm');
    const old = process.env.PATH;
    process.env.PATH = join(root, 'empty-bin');
    try {
      const err = await ensureChroot(ws, spec).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PipelineError);
      expect((err as PipelineError).oneLine()).toMatch(/missing tools?: mmdebstrap.*\(run pipeline doctor --fix\)$/);
      expect((err as PipelineError).oneLine()).not.toContain('\n');
    } finally {
      process.env.PATH = old;
    }
    const dir = join(ws.cacheDir, 'chroots');
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
  });

  /** A bin directory whose mmdebstrap writes `content` to its target, then exits with `code`. */
  function fakeTools(content: string, code: number): string {
    const bin = join(root, `bin-${code}`);
    mkdirSync(bin, { recursive: true });
    for (const t of ['newuidmap', 'newgidmap', 'zstd']) writeFileSync(join(bin, t), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    writeFileSync(join(bin, 'mmdebstrap'), [
      '#!/bin/sh',
      'if [ "$1" = --version ]; then echo "mmdebstrap 0.0-test"; exit 0; fi',
      '# arguments end with SUITE TARGET MIRROR',
      'i=0; for a; do i=$((i+1)); if [ $i -eq $(($# - 1)) ]; then target=$a; fi; done',
      `printf '%s' '${content}' > "$target"`,
      `echo "I: pretending"; ${code ? 'echo "E: cannot download packages from http://deb.debian.org/debian" >&2' : ''}`,
      `exit ${code}`,
    ].join('\n'), { mode: 0o755 });
    return bin;
  }

  async function withPath<T>(dir: string, fn: () => Promise<T>): Promise<T> {
    const old = process.env.PATH;
    process.env.PATH = `${dir}:/usr/bin:/bin`;
    try {
      return await fn();
    } finally {
      process.env.PATH = old;
    }
  }

  it('a failed refresh keeps the old entry and leaves no partial file; the error is one line', async () => {
    const spec = chrootSpecForSuite(ws, 'bookworm');
    const p = fakeEntry(spec, new Date(Date.now() - 30 * 86_400_000));
    const err = await withPath(fakeTools('half-written', 1), () => ensureChroot(ws, spec)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PipelineError);
    expect((err as PipelineError).oneLine()).toMatch(/^mmdebstrap could not create the bookworm chroot: E: cannot download packages .*pipeline doctor --fix/);
    expect(readFileSync(p.tarball, 'utf8')).toBe('tarball');
    expect(findChroot(ws, spec)?.stale).toBe(true);
    expect(readdirSync(join(ws.cacheDir, 'chroots')).filter((n) => !n.endsWith('.lock')).sort()).toEqual([basename(p.metaFile), basename(p.tarball)]);
  });

  it('a stale entry is re-created; a fresh one only with refresh', async () => {
    const spec = chrootSpecForSuite(ws, 'bookworm');
    const p = fakeEntry(spec, new Date(Date.now() - 30 * 86_400_000));
    const bin = fakeTools('new tarball', 0);
    const first = await withPath(bin, () => ensureChroot(ws, spec));
    expect(readFileSync(p.tarball, 'utf8')).toBe('new tarball');
    expect(first.stale).toBe(false);
    expect(first.mmdebstrapVersion).toBe('0.0-test');
    writeFileSync(p.tarball, 'kept');
    expect((await withPath(bin, () => ensureChroot(ws, spec))).createdAt).toBe(first.createdAt);
    expect(readFileSync(p.tarball, 'utf8')).toBe('kept');
    const refreshed = await withPath(bin, () => ensureChroot(ws, spec, { refresh: true }));
    expect(readFileSync(p.tarball, 'utf8')).toBe('new tarball');
    expect(refreshed.createdAt >= first.createdAt).toBe(true);
  });
});

describe('subordinate id ranges', () => {
  it('finds a user\'s range by name or uid, needing 65536 ids', () => {
    const file = join(root, 'subuid');
    writeFileSync(file, 'alice:100000:65536\n1001:300000:65536\nbob:400000:1000\n');
    expect(subidRange(file, 'alice', 1000)).toEqual({ start: 100000, count: 65536 });
    expect(subidRange(file, 'carol', 1001)).toEqual({ start: 300000, count: 65536 });
    expect(subidRange(file, 'bob', 1002)).toBeUndefined();
    expect(subidRange(join(root, 'missing'), 'alice', 1000)).toBeUndefined();
  });

  it('a missing range is one error naming the file and `pipeline doctor --fix`', () => {
    const empty = join(root, 'subuid-empty');
    writeFileSync(empty, '');
    expect(() => requireSubids({ subuid: empty, subgid: empty })).toThrow(PipelineError);
    try {
      requireSubids({ subuid: empty, subgid: empty });
    } catch (e) {
      expect((e as PipelineError).oneLine()).toMatch(new RegExp(`^${empty}: no subuid range of 65536 ids for user .*\\(run pipeline doctor --fix\\)$`));
    }
  });
});
