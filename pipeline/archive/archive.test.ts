import { execa } from 'execa';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadWorkspace, type Workspace } from '../config/workspace.js';
import { dputConfigText, dputInvocation, parsePpa } from './dput.js';
import { distributionsConf, incomingConf, parseSources, repreproArchive } from './reprepro.js';
import { ensureSigningKey, exportPublicKey, findSigningKey, writePublicKey } from './signing.js';

const REPO = join(import.meta.dirname, '..', '..');

describe('reprepro configuration from pipeline.yaml', () => {
  const ws = loadWorkspace({ config: join(REPO, 'pipeline.yaml'), env: { PIPELINE_STATE_DIR: '/nonexistent/state' } });
  const archive = repreproArchive(ws, 'local');
  const key = { fingerprint: 'A'.repeat(24) + '0123456789ABCDEF', gnupgHome: '/x', uid: 'u', origin: 'local' as const, created: false };

  it('one signed codename per stage target, source included', () => {
    const text = distributionsConf(ws, archive, key);
    expect(text.match(/^Codename: .*$/gm)).toEqual(['Codename: ppa', 'Codename: trixie', 'Codename: bookworm-backports']);
    expect(text).toContain('Architectures: amd64 source');
    expect(text).toContain(`SignWith: ${key.fingerprint}`);
    expect(text).not.toMatch(/^Tracking:/m);
  });

  it('an incoming rule per suite; the PPA rule maps the series to its own codename', () => {
    const text = incomingConf(ws, archive);
    expect(text).toContain('Name: ppa\nIncomingDir: incoming/ppa\n');
    expect(text).toContain('Allow: trixie>ppa\n');
    expect(text).toMatch(/Name: trixie\n(.*\n)*?Allow: trixie\n/);
    expect(text).toContain('Allow: bookworm-backports\n');
  });

  it('dput.cf: a local host per suite, uploading into that suite\'s incoming directory', () => {
    const text = dputConfigText(ws);
    expect(text).toContain(`[pipeline-local-ppa]\nmethod = local\nincoming = ${join(archive.dir, 'incoming', 'ppa')}\nallow_unsigned_uploads = 0\nallowed_distributions = ^(trixie)$\n`);
    expect(text).toContain('allowed_distributions = ^(bookworm-backports)$');
    const inv = dputInvocation(ws, ws.config.stages[2]!, '/u/x_source.changes', { force: true });
    expect(inv.args).toEqual(['-c', '/nonexistent/state/dput.cf', '-f', 'pipeline-local-bookworm-backports', '/u/x_source.changes']);
  });

  it('parses ppa: targets and Sources indices', () => {
    expect(parsePpa('ppa:ensemble/ppa')).toEqual({ owner: 'ensemble', name: 'ppa' });
    expect(parsePpa('ubuntu')).toBeUndefined();
    const [e] = parseSources('Package: zookeeper\nVersion: 1.0-1\nDirectory: pool/main/z/zookeeper\nChecksums-Sha256:\n ' +
      `${'a'.repeat(64)} 12 zookeeper_1.0-1.dsc\n ${'b'.repeat(64)} 34 zookeeper_1.0.orig.tar.gz\n\n`);
    expect(e).toMatchObject({ package: 'zookeeper', version: '1.0-1', dsc: 'zookeeper_1.0-1.dsc', files: { 'zookeeper_1.0-1.dsc': { size: 12 } } });
  });
});

describe('signing key', () => {
  let root: string;
  const env = (extra: Record<string, string> = {}) => ({ ...process.env, PIPELINE_GNUPGHOME: join(root, 'gnupg'), ...extra });
  let ws: Workspace;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'pipeline-signing-'));
    ws = loadWorkspace({ config: join(REPO, 'pipeline.yaml') });
  });
  afterAll(async () => {
    for (const h of ['gnupg', 'gnupg2', 'gnupg-lf']) await execa('gpgconf', ['--homedir', join(root, h), '--kill', 'all'], { reject: false });
    rmSync(root, { recursive: true, force: true });
  });

  it('creates the local ed25519 key once, without a passphrase, and finds it again', async () => {
    expect(await findSigningKey(ws, env())).toBeUndefined();
    const made = await ensureSigningKey(ws, { create: true, env: env() });
    expect(made).toMatchObject({ created: true, origin: 'local' });
    expect(made.fingerprint).toMatch(/^[0-9A-F]{40}$/);
    const again = await ensureSigningKey(ws, { create: true, env: env() });
    expect(again).toMatchObject({ created: false, fingerprint: made.fingerprint });
    const list = await execa('gpg', ['--homedir', made.gnupgHome, '--with-colons', '--list-secret-keys'], { env: { GNUPGHOME: made.gnupgHome } });
    expect(list.stdout).toMatch(/^sec:u:255:22:/m); // algorithm 22 = EdDSA (ed25519)
  });

  it('signing.key: env:VAR — missing variable named, armored private key imported, material never printed', async () => {
    const configured = { ...ws, config: { ...ws.config, signing: { key: 'env:TEST_SIGNING_KEY' } } };
    await expect(ensureSigningKey(configured, { env: env({ TEST_SIGNING_KEY: '' }) })).rejects.toThrow(/TEST_SIGNING_KEY, which is not set/);
    const local = (await findSigningKey(ws, env()))!;
    const secret = await execa('gpg', ['--homedir', local.gnupgHome, '--batch', '--pinentry-mode', 'loopback', '--passphrase', '', '--armor', '--export-secret-keys', local.fingerprint], { env: { GNUPGHOME: local.gnupgHome } });
    const other = { PIPELINE_GNUPGHOME: join(root, 'gnupg2'), TEST_SIGNING_KEY: secret.stdout };
    const imported = await ensureSigningKey(configured, { env: env(other) });
    expect(imported).toMatchObject({ origin: 'env', fingerprint: local.fingerprint });
    expect(JSON.stringify(imported)).not.toContain('PRIVATE KEY');
    // A key id that the home does not hold: the error names the variable, not its value.
    const missing = ensureSigningKey(configured, { env: env({ TEST_SIGNING_KEY: 'DEADBEEFDEADBEEF' }) });
    await expect(missing).rejects.toThrow(/the key named by env:TEST_SIGNING_KEY has no secret key/);
    await expect(missing).rejects.not.toThrow(/DEADBEEF/);
    expect((await exportPublicKey(imported)).length).toBeGreaterThan(0);
  });

  it('exports a key whose binary form ends in 0x0A whole: the keyring verifies a signature with gpgv', async () => {
    // The fixture is a throw-away test key chosen because its export's last byte is a newline,
    // which execa's default stripFinalNewline used to cut off (one generated key in 256).
    const home = join(root, 'gnupg-lf');
    const armored = readFileSync(join(REPO, 'test', 'fixtures', 'keys', 'export-ends-in-lf.sec.asc'), 'utf8');
    const key = await ensureSigningKey({ ...ws, config: { ...ws.config, signing: { key: 'env:LF_KEY' } } },
      { env: env({ PIPELINE_GNUPGHOME: home, LF_KEY: armored }) });
    const own = join(root, 'by-gpg.gpg');
    await execa('gpg', ['--batch', '--homedir', home, '--output', own, '--export', key.fingerprint]);
    expect(readFileSync(own).at(-1)).toBe(0x0a);
    const keyring = join(root, 'lf-keyring.gpg');
    // A keyring truncated by an earlier version is repaired; an intact one is left alone.
    writeFileSync(keyring, readFileSync(own).subarray(0, -1));
    expect(await writePublicKey(key, keyring)).toBe(true);
    expect(readFileSync(keyring).equals(readFileSync(own))).toBe(true);
    expect(await writePublicKey(key, keyring)).toBe(false);
    const signed = join(root, 'InRelease');
    await execa('gpg', ['--batch', '--homedir', home, '--local-user', key.fingerprint, '--output', signed, '--clearsign'], { input: 'Origin: test\n' });
    const v = await execa('gpgv', ['--keyring', keyring, signed], { reject: false });
    expect(v.exitCode, v.stderr).toBe(0);
  });

  it('writes nothing when asked not to create', async () => {
    const empty = join(root, 'never');
    writeFileSync(join(root, 'marker'), '');
    expect(await findSigningKey(ws, env({ PIPELINE_GNUPGHOME: empty }))).toBeUndefined();
    const { existsSync } = await import('node:fs');
    expect(existsSync(empty)).toBe(false);
  });
});
