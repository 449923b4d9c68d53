/**
 * doctor's signing-key row under the Ubuntu profile (issue #13): it used to say "no signing key"
 * while the GnuPG home held one. Now it names the keys it holds and the address the profile signs
 * as, finds a user's own key for that address, and warns that Launchpad rejects the pipeline's own
 * key. Real gpg in a scratch home.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadWorkspace } from '../config/workspace.js';
import { signingKeyRow } from './checks.js';

const REPO = join(import.meta.dirname, '..', '..');
let home: string;
let saved: string | undefined;

async function makeKey(uid: string): Promise<void> {
  const r = await execa('gpg', ['--batch', '--homedir', home, '--pinentry-mode', 'loopback', '--passphrase', '', '--quick-generate-key', uid, 'ed25519', 'sign', 'never'], { reject: false });
  expect(r.exitCode, r.stderr).toBe(0);
}
const ubuntu = () => loadWorkspace({ config: join(REPO, 'profiles', 'ubuntu.yaml'), at: '2026-12-06' });

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'doctor-gpg-'));
  saved = process.env.PIPELINE_GNUPGHOME;
  process.env.PIPELINE_GNUPGHOME = home;
});
afterEach(async () => {
  await execa('gpgconf', ['--homedir', home, '--kill', 'all'], { reject: false });
  rmSync(home, { recursive: true, force: true });
  if (saved === undefined) delete process.env.PIPELINE_GNUPGHOME; else process.env.PIPELINE_GNUPGHOME = saved;
});

describe('doctor: the signing key under profiles/ubuntu.yaml', () => {
  it('a home holding only the Debian profile\'s key: names that key and the address the profile signs as', async () => {
    await makeKey('Pipeline Maintainers (pipeline local archive) <pipeline@example.org>');
    const row = await signingKeyRow(ubuntu(), false);
    expect(row.status).toBe('missing');
    expect(row.detail).toContain('no key for ensemble@lists.ubuntu.com');
    expect(row.detail).toContain('which holds Pipeline Maintainers (pipeline local archive) <pipeline@example.org>');
    expect(row.fix).toContain('signing.key: FINGERPRINT in');
  });

  it('a user\'s own key for the maintainer address is found; the pipeline\'s own key is a warning (Launchpad would reject it)', async () => {
    await makeKey('Ensemble Packagers <ensemble@lists.ubuntu.com>');
    const mine = await signingKeyRow(ubuntu(), false);
    expect(mine).toMatchObject({ status: 'ok' });
    expect(mine.detail).toContain('(maintainer,');
    expect(mine.detail).toContain('ppa:ensemble/ppa accepts it if it is registered');

    await execa('gpgconf', ['--homedir', home, '--kill', 'all'], { reject: false });
    rmSync(home, { recursive: true, force: true });
    home = mkdtempSync(join(tmpdir(), 'doctor-gpg-'));
    process.env.PIPELINE_GNUPGHOME = home;
    await makeKey('Ensemble Packagers (pipeline local archive) <ensemble@lists.ubuntu.com>');
    const local = await signingKeyRow(ubuntu(), false);
    expect(local).toMatchObject({ status: 'warning', required: false });
    expect(local.detail).toContain('ppa:ensemble/ppa will reject');
  });
});
