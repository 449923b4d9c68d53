import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { parseSbuildSummary, sbuildArgs, sbuildEnv, sectionTitle, type SbuildOptions } from './sbuild.js';

const LOGS = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'sbuild-logs');
const log = (name: string) => readFileSync(join(LOGS, name), 'utf8');

const base: SbuildOptions = {
  input: '/w/hello-1.0',
  chroot: '/c/bookworm-amd64-12345678.tar.zst',
  distribution: 'bookworm-backports',
  buildDir: '/out',
  source: true,
  archAny: false,
  archAll: false,
};

describe('sbuildArgs', () => {
  it('a second build for the reproducibility check: its own build path, and a build environment sbuild (Perl) reads back', async () => {
    expect(sbuildArgs({ ...base, buildPath: '/build/second/hello' }).slice(-2)).toEqual(['--build-path=/build/second/hello', '/w/hello-1.0']);
    const dir = mkdtempSync(join(tmpdir(), 'sbuild-conf-'));
    try {
      const env = sbuildEnv({ buildDir: dir, tmpDir: "/dev/shm/it's", buildEnvironment: { TZ: 'UTC-14', LC_ALL: 'C' } });
      const r = await execa('perl', ['-e', 'our ($build_environment, $unshare_tmpdir_template); do $ARGV[0] or die $@; print join("|", $build_environment->{TZ}, $build_environment->{LC_ALL}, $unshare_tmpdir_template)', env.SBUILD_CONFIG!]);
      expect(r.stdout).toBe("UTC-14|C|/dev/shm/it's/tmp.sbuild.XXXXXXXXXX");
      expect(sbuildEnv({ buildDir: dir })).toEqual({ LC_ALL: 'C.UTF-8' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('builds only the source package, in unshare mode, with the chroot tarball and distribution', () => {
    const args = sbuildArgs(base);
    expect(args).toEqual(expect.arrayContaining([
      '--chroot-mode=unshare', '--chroot=/c/bookworm-amd64-12345678.tar.zst', '--dist=bookworm-backports',
      '--source', '--no-arch-any', '--no-arch-all', '--build-dir=/out', '--no-run-lintian', '--no-clean-source',
    ]));
    expect(args.at(-1)).toBe('/w/hello-1.0');
  });

  it('maps includeOrig to -sa/-sd and changesSince to -v, and passes nothing when undecided', () => {
    expect(sbuildArgs({ ...base, includeOrig: true })).toContain('--force-orig-source');
    expect(sbuildArgs({ ...base, includeOrig: false })).toContain('--debbuildopt=-sd');
    expect(sbuildArgs({ ...base, changesSince: '1.0-1' })).toContain('--debbuildopt=-v1.0-1');
    const plain = sbuildArgs(base);
    expect(plain.some((a) => /force-orig|-sd|-v\d/.test(a))).toBe(false);
  });

  it('source without build dependencies: null resolver, no apt update/upgrade, dpkg-buildpackage -nc; never for a binary build', () => {
    const fast = ['--build-dep-resolver=null', '--no-apt-update', '--no-apt-upgrade', '--no-apt-distupgrade', '--debbuildopt=-nc'];
    expect(sbuildArgs({ ...base, withoutBuildDeps: true })).toEqual(expect.arrayContaining(fast));
    expect(sbuildArgs(base).some((a) => fast.includes(a))).toBe(false);
    const binary = sbuildArgs({ ...base, input: '/out/hello_1.0.dsc', source: false, archAny: true, archAll: true, withoutBuildDeps: true });
    expect(binary.some((a) => fast.includes(a))).toBe(false);
  });

  it('binary test-build in a layer holding every build dependency: the null resolver, apt update and dist-upgrade kept', () => {
    const bin = { ...base, input: '/out/hello_1.0.dsc', source: false, archAny: true, archAll: true };
    const inLayer = sbuildArgs({ ...bin, buildDepsInstalled: true });
    expect(inLayer).toContain('--build-dep-resolver=null');
    expect(inLayer.some((a) => ['--no-apt-update', '--no-apt-distupgrade', '--debbuildopt=-nc'].includes(a))).toBe(false);
    expect(sbuildArgs(bin)).not.toContain('--build-dep-resolver=null');
  });

  it('binary test-build: arch any + all from a .dsc, no source rebuild', () => {
    const args = sbuildArgs({ ...base, input: '/out/hello_1.0.dsc', source: false, archAny: true, archAll: true, includeOrig: true });
    expect(args).toEqual(expect.arrayContaining(['--no-source', '--arch-any', '--arch-all']));
    expect(args).not.toContain('--force-orig-source');
  });
});

describe('parseSbuildSummary', () => {
  it('reads a successful source build summary', () => {
    const s = parseSbuildSummary(log('hello-native-source.build'))!;
    expect(s.status).toBe('successful');
    expect(s.buildType).toBe('source');
    expect(s.failStage).toBeUndefined();
    expect(Number(s.installTime)).toBeGreaterThanOrEqual(0);
    expect(s.buildSpace).toMatch(/^\d+$/);
    expect(s.package).toBe('hello-native');
  });

  it('reads Fail-Stage and Status of failed builds', () => {
    expect(parseSbuildSummary(log('rules-fail-binary.build'))).toMatchObject({ status: 'attempted', failStage: 'build', buildType: 'binary' });
    expect(parseSbuildSummary(log('unsat-dep-binary.build'))).toMatchObject({ status: 'given-back', failStage: 'install-deps' });
  });

  it('returns undefined for a log cut off before the summary', () => {
    const text = log('hello-native-source.build');
    expect(parseSbuildSummary(text.slice(0, text.indexOf('| Summary')))).toBeUndefined();
  });
});

describe('sectionTitle', () => {
  it('recognises section banners only', () => {
    expect(sectionTitle('| Install package build dependencies                                           |')).toBe('Install package build dependencies');
    expect(sectionTitle('| hello-native 1.0 (amd64)                     Wed, 25 Nov 2026 20:00:02 +0000 |')).toBe('hello-native 1.0 (amd64)');
    expect(sectionTitle('Get:1 http://deb.debian.org/debian bookworm InRelease [151 kB]')).toBeUndefined();
  });
});

describe('sbuildEnv: the run\'s sbuild config file', () => {
  it('bind mounts and the unpack directory, as Perl sbuild reads (quotes escaped)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pipeline-sbuildconf-'));
    try {
      expect(sbuildEnv({ buildDir: dir }).SBUILD_CONFIG).toBeUndefined();
      const env = sbuildEnv({ buildDir: dir, tmpDir: '/dev/shm', bindMounts: [{ directory: "/w/it's/.stage-archive", mountpoint: '/srv/pipeline-stage-archive' }] });
      const r = await execa('perl', ['-e', 'our ($unshare_bind_mounts, $unshare_tmpdir_template); my $r = do $ARGV[0]; die $@ if $@; print join("|", $unshare_tmpdir_template, map { "$_->{directory}>$_->{mountpoint}" } @$unshare_bind_mounts)', env.SBUILD_CONFIG!]);
      expect(r.stdout).toBe("/dev/shm/tmp.sbuild.XXXXXXXXXX|/w/it's/.stage-archive>/srv/pipeline-stage-archive");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
