/**
 * The release-upgrade check of the backports stage, with the real tools: the
 * qa-sysuser fixture (its postinst creates a system user, its postrm removes it on purge, as
 * ZooKeeper's do) built with dpkg-buildpackage as the backport (1.0-1~bpo12+1) and as the devel
 * stage's versions, which are put in the local archive's trixie suite with reprepro. piuparts runs
 * in the shared cached bookworm chroot of the slow project (test/setup/chroots.ts) and
 * dist-upgrades it to trixie — checkReleaseUpgrade, the function the backports stage's qa step runs.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureArchive, reprepro } from '../pipeline/archive/reprepro.js';
import { ensureSigningKey, type SigningKey } from '../pipeline/archive/signing.js';
import type { Workspace } from '../pipeline/config/workspace.js';
import type { QaContext } from '../pipeline/qa/check.js';
import { checkReleaseUpgrade } from '../pipeline/qa/upgradePath.js';
import { sha256File } from '../pipeline/source/fetch.js';
import type { StagePlan } from '../pipeline/stages/plan.js';
import type { UploadSet } from '../pipeline/stages/upload.js';
import { stagesWorkspace, type StagesWorkspace } from './helpers/stagesWorkspace.js';
import { REPO } from './helpers/workspace.js';

const FIXTURE = join(REPO, 'test', 'fixtures', 'packages', 'qa-sysuser');
const BACKPORT = '1.0-1~bpo12+1';

describe('QA upgrade path: the backport upgraded to the devel stage\'s version (piuparts distupgrade, bookworm → trixie)', () => {
  let t: StagesWorkspace;
  let restore: () => void;
  let ws: Workspace;
  let key: SigningKey;
  let scratch: string;
  let backport: string;

  /** qa-sysuser at `version`, its postinst given `extra` lines before #DEBHELPER#. */
  async function build(version: string, extra = ''): Promise<string> {
    const dir = join(scratch, `src-${version}`);
    cpSync(FIXTURE, dir, { recursive: true });
    writeFileSync(join(dir, 'debian', 'changelog'), `qa-sysuser (${version}) unstable; urgency=medium\n\n  * ${version}.\n\n -- Pipeline Maintainers <pipeline@example.org>  Mon, 07 Dec 2026 06:00:00 +0000\n`);
    const postinst = join(dir, 'debian', 'postinst');
    writeFileSync(postinst, readFileSync(postinst, 'utf8').replace('#DEBHELPER#', `${extra}#DEBHELPER#`));
    await execa('dpkg-buildpackage', ['-b', '-uc', '-us'], { cwd: dir });
    return join(scratch, `qa-sysuser_${version}_all.deb`);
  }

  beforeAll(async () => {
    t = stagesWorkspace({ packages: [], config: readFileSync(join(REPO, 'pipeline.yaml'), 'utf8') });
    t.env.PIPELINE_CACHE_DIR = inject('chrootCacheDir');
    restore = t.use();
    ws = t.ws();
    key = await ensureSigningKey(ws, { create: true });
    await ensureArchive(ws, 'local', key);
    scratch = mkdtempSync(join(tmpdir(), 'qa-release-upgrade-'));
    backport = await build(BACKPORT);
  });
  afterAll(async () => { restore(); await t.cleanup(); rmSync(scratch, { recursive: true, force: true }); });

  async function backportCtx(deb: string): Promise<QaContext> {
    const stage = ws.config.stages.find((s) => s.name === 'backports')!;
    return {
      ws, pkg: 'qa-sysuser', stage, plan: { version: BACKPORT } as StagePlan,
      build: {
        package: 'qa-sysuser', version: BACKPORT, stage: 'backports', status: 'successful', outDir: scratch, inputsHash: 'test', finishedAt: new Date().toISOString(),
        artifacts: [{ path: deb, sha256: await sha256File(deb), size: statSync(deb).size }],
      },
      upload: { dir: join(scratch, 'upload') } as UploadSet,
      sourceId: 'test', workDir: join(scratch, 'qa', 'release-upgrade'),
    };
  }

  it('passes the path bookworm (none) → the backport → the devel stage\'s 1.0-1, naming every version', async () => {
    await reprepro(await ensureArchive(ws, 'local', key), key, ['includedeb', 'trixie', await build('1.0-1')]);
    const o = await checkReleaseUpgrade(await backportCtx(backport));
    expect(o.verdict, o.reason).toBe('pass');
    expect(o.reason).toContain('piuparts: bookworm → trixie with the devel stage\'s suite (apt-get dist-upgrade, then purge; systemd-sysv in the base, as on a system being upgraded) passed in');
    expect(o.reason).toContain('qa-sysuser none (bookworm ships none) → 1.0-1~bpo12+1 (this backport) → 1.0-1 (trixie)');
    expect(o.details?.releaseUpgrade).toMatchObject({ from: 'bookworm', to: 'trixie', path: { 'qa-sysuser': [BACKPORT, '1.0-1'] } });
    const log = readFileSync(join(scratch, 'qa', 'release-upgrade', 'piuparts-release-upgrade.log'), 'utf8');
    expect(log).toContain('PASS: Upgrading between Debian distributions.');
    // The first check of the process dist-upgrades a reference chroot (kept for the next one).
    expect(log).toContain('meta data from target distro saved');
  });

  it('blocks when the devel version\'s postinst fails on the upgrade from the backport, naming that script', async () => {
    const broken = await build('1.0-2', [
      'if [ "$1" = configure ] && [ -n "$2" ] && dpkg --compare-versions "$2" lt 1.0-2; then',
      '    echo "qa-sysuser: cannot migrate /var/lib/qa-sysuser from $2" >&2',
      '    exit 4',
      'fi',
      '',
    ].join('\n'));
    await reprepro(await ensureArchive(ws, 'local', key), key, ['includedeb', 'trixie', broken]);
    const ctx = await backportCtx(backport);
    const o = await checkReleaseUpgrade(ctx);
    expect(o.verdict, o.reason).toBe('blocked');
    expect(o.reason).toContain('piuparts release upgrade bookworm → trixie (qa-sysuser none (bookworm ships none) → 1.0-1~bpo12+1 (this backport) → 1.0-2 (trixie)): ');
    expect(o.reason).toContain("qa-sysuser's postinst failed");
    expect(o.reason).toContain('cannot migrate /var/lib/qa-sysuser from 1.0-1~bpo12+1');
    expect(o.todo).toContain('debian/qa-sysuser.postinst');
    expect(o.log).toBe(join(ctx.workDir, 'piuparts-release-upgrade.log'));
    // Same chroot and apt lines as the first case's, in the same process: its reference is reused
    // (the packages differ; the reference installs none of them).
    expect(readFileSync(o.log!, 'utf8')).not.toContain('meta data from target distro saved');
  });
});
