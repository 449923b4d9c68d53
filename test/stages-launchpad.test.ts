/**
 * The Launchpad PPA path, exercised for real up to the wire: `pipeline promote` with the Ubuntu
 * progression's `ppa:ensemble/ppa` target builds and debsigns the _source.changes, then runs the
 * real `dput -c <generated dput.cf> ppa:ensemble/ppa X_source.changes` — its `ftp` method talking
 * to a local FTP server in place of ppa.launchpad.net (the archive's `fqdn` set to it). Confirm
 * then waits for Launchpad to publish and build the upload, asking a local stand-in of
 * Launchpad's REST API (test/helpers/launchpadApi.ts, the archive's `api` set to it).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

// Promotions run dpkg-source, debsign, dput and reprepro for real: allow for a loaded CI machine.
vi.setConfig({ testTimeout: 300_000, hookTimeout: 120_000 });
import { loadWorkspace } from '../pipeline/config/workspace.js';
import { dputConfigText, dputInvocation } from '../pipeline/archive/dput.js';
import { promote } from '../pipeline/stages/promote.js';
import { planStage } from '../pipeline/stages/plan.js';
import { startFtpServer, type FtpServer } from './helpers/ftpServer.js';
import { startLaunchpadApi, type LaunchpadApi } from './helpers/launchpadApi.js';
import { stagesWorkspace, type StagesWorkspace } from './helpers/stagesWorkspace.js';
import { REPO } from './helpers/workspace.js';

const ubuntuConfig = (fqdn: string, api: string) => `
profile: ubuntu-test
vendor: ubuntu
maintainer: { name: Ensemble Packagers, email: ensemble@lists.ubuntu.com }
series:
  stonking: { mirror: http://archive.ubuntu.com/ubuntu, components: [main, universe], version: "26.10" }
  resolute: { mirror: http://archive.ubuntu.com/ubuntu, components: [main, universe], version: "26.04" }
archives:
  launchpad-ppa:
    kind: dput
    host: ppa:ensemble/ppa
    fqdn: ${fqdn}
    api: ${api}
    wait: { timeoutMinutes: 1, intervalSeconds: 0.05 }
  ubuntu: { kind: dput, host: ubuntu }
stages:
  - name: ppa
    kind: ppa
    target: { archive: launchpad-ppa, suite: stonking, series: stonking }
    gates: { lint: error }
  - name: devel
    kind: devel
    target: { archive: ubuntu, suite: stonking, series: stonking }
    gates: { lint: warning, schedule: true }
  - name: backports
    kind: backports
    target: { archive: ubuntu, suite: resolute-backports, series: resolute, pocket: backports }
    gates: { lint: warning }
`;

describe('Launchpad PPA upload (ppa:ensemble/ppa) against a local ftp target', () => {
  let t: StagesWorkspace;
  let ftp: FtpServer;
  let lp: LaunchpadApi;
  let restore: () => void;
  beforeAll(async () => {
    t = stagesWorkspace({ packages: ['zookeeper'] });
    ftp = await startFtpServer(join(t.root, 'ftp'));
    const { writeFileSync, mkdirSync } = await import('node:fs');
    mkdirSync(join(t.root, 'ftp'), { recursive: true });
    lp = await startLaunchpadApi('ensemble', 'ppa', 'zookeeper', '3.9.3-2~ppa1', [
      {}, // still in Launchpad's upload queue
      { source: 'Published', builds: [{ arch: 'amd64', state: 'Currently building' }] },
      { source: 'Published', builds: [{ arch: 'amd64', state: 'Successfully built', log: true }] },
    ]);
    writeFileSync(t.config, ubuntuConfig(`127.0.0.1:${ftp.port}`, lp.api));
    restore = t.use();
  });
  afterAll(async () => { restore(); await ftp.close(); await lp.close(); await t.cleanup(); });

  it('the real profile targets ppa.launchpad.net by ftp, incoming ~ensemble/ppa/ubuntu', () => {
    const ws = loadWorkspace({ config: join(REPO, 'profiles', 'ubuntu.yaml'), env: { ...process.env, PIPELINE_STATE_DIR: join(t.root, 'unused-state') } });
    const text = dputConfigText(ws);
    expect(text).toContain('[ppa:ensemble/ppa]\nfqdn = ppa.launchpad.net\nmethod = ftp\nlogin = anonymous\nallow_unsigned_uploads = 0\n');
    expect(text).toMatch(/\[ppa:ensemble\/ppa\][^[]*incoming = ~ensemble\/ppa\/ubuntu\n/);
    expect(text).toContain('[ppa]\n'); // Ubuntu dput's ppa:ARG template
    const inv = dputInvocation(ws, ws.config.stages[0]!, '/x/zookeeper_3.9.3-2~ppa1_source.changes');
    expect(inv.args).toEqual(['-c', join(t.root, 'unused-state', 'dput.cf'), 'ppa:ensemble/ppa', '/x/zookeeper_3.9.3-2~ppa1_source.changes']);
  });

  it('promote --to ppa: a debsigned _source.changes that gpg --verify accepts, uploaded by dput ppa:ensemble/ppa', async () => {
    const ws = t.ws();
    const r = await promote(ws, 'zookeeper', { to: 'ppa' });
    expect(r.state, r.message).toBe('done');
    const report = r.reports[0]!;
    expect(report.version).toBe('3.9.3-2~ppa1');
    expect(report.distribution).toBe('stonking'); // PPAs have no pockets: the bare series
    const changes = report.upload!.command.at(-1)!;
    expect(report.upload!.command).toEqual(['dput', '-c', join(ws.stateDir, 'dput.cf'), 'ppa:ensemble/ppa', changes]);

    // The signature: gpg --verify with the pipeline's key accepts the .changes, and the .dsc inside.
    const verify = await execa('gpg', ['--batch', '--verify', changes], { env: { GNUPGHOME: t.env.PIPELINE_GNUPGHOME }, reject: false });
    expect(verify.exitCode, verify.stderr).toBe(0);
    expect(verify.stderr).toContain('Good signature');
    expect(readFileSync(changes, 'utf8')).toMatch(/^-----BEGIN PGP SIGNED MESSAGE-----/);

    // What dput sent over ftp: logged in anonymously, went to Launchpad's incoming, stored every file.
    expect(ftp.log).toContain('USER anonymous');
    expect(ftp.log).toContain('CWD ~ensemble/ppa/ubuntu');
    const name = changes.split('/').pop()!;
    expect(ftp.stored).toContain(`~ensemble/ppa/ubuntu/${name}`);
    expect(ftp.stored.some((f) => f.endsWith('.dsc'))).toBe(true);
    expect(ftp.stored.some((f) => f.endsWith('.orig.tar.gz'))).toBe(true); // first upload of 3.9.3: -sa
    expect(readFileSync(join(t.root, 'ftp', '~ensemble/ppa/ubuntu', name))).toEqual(readFileSync(changes));

    // dput's .upload record is kept; confirm waited for Launchpad (queue → building → built).
    expect(existsSync(report.published!.uploadRecord!)).toBe(true);
    expect(readFileSync(report.published!.uploadRecord!, 'utf8')).toContain(`Successfully uploaded ${name}`);
    expect(report.published!.confirmed).toBe(true);
    expect(report.published!.note).toBe('zookeeper 3.9.3-2~ppa1 in ppa:ensemble/ppa: published and built — amd64: Successfully built (log https://launchpad.net/~ensemble/+archive/ubuntu/ppa/+build/900/+files/buildlog_ubuntu-tbd2704-amd64.zookeeper_3.9.3-2~ppa1_BUILDING.txt.gz)');
    expect(lp.requests.filter((u) => u.includes('getPublishedSources'))).toHaveLength(3);

    // The PPA now holds this base (from the publish history: Launchpad's index is not readable here),
    // and a re-upload of the same base would take ~ppa2.
    const again = await promote(ws, 'zookeeper', { to: 'ppa', dryRun: true });
    expect(again.state).toBe('nothing-to-do');
    expect((await planStage(ws, 'zookeeper', 'ppa')).version).toBe('3.9.3-2~ppa2');
  });
});
