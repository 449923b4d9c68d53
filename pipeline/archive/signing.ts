/**
 * The signing key: one GnuPG home for everything pipeline signs (the local archive's Release
 * files, debsign of uploads), at $PIPELINE_GNUPGHOME or <root>/.pipeline/gnupg.
 *
 * The key is the one pipeline.yaml's `signing.key` names (a fingerprint/key id, or `env:VAR`; a
 * VAR holding an armored private key is imported, which is how CI hands a secret over), else the
 * pipeline's own local key (ed25519, no passphrase), created on first use. Key material and the
 * value of a named variable are never printed: errors name the variable, not its content.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { execa } from 'execa';
import writeFileAtomic from 'write-file-atomic';
import type { Workspace } from '../config/workspace.js';
import { PipelineError } from '../errors.js';

export interface SigningKey {
  fingerprint: string;
  gnupgHome: string;
  /** The key's first user id (shown in plans; not secret). */
  uid: string;
  /**
   * Where the key came from: pipeline.yaml, an environment variable, the pipeline's own key, or
   * a key of the GnuPG home for the maintainer's address (a user's own, e.g. their Launchpad key).
   */
  origin: 'config' | 'env' | 'local' | 'maintainer';
  /** True when this call generated the key. */
  created: boolean;
}

export interface EnsureKeyOptions {
  /** Generate the local key when there is none (false in --dry-run: nothing is written). */
  create?: boolean;
  env?: NodeJS.ProcessEnv;
}

const PRIVATE_BLOCK = '-----BEGIN PGP PRIVATE KEY BLOCK-----';

export function gnupgHome(ws: Workspace, env: NodeJS.ProcessEnv = process.env): string {
  return env.PIPELINE_GNUPGHOME ? resolve(env.PIPELINE_GNUPGHOME) : join(ws.root, '.pipeline', 'gnupg');
}

/** The uid of the pipeline's own key for this workspace. */
export function localKeyUid(ws: Workspace): string {
  const m = ws.config.maintainer;
  return m ? `${m.name} (pipeline local archive) <${m.email}>` : 'Pipeline local archive <pipeline@localhost>';
}

async function gpg(home: string, args: string[], input?: string) {
  return execa('gpg', ['--batch', '--no-tty', '--homedir', home, ...args], {
    reject: false, input, env: { LC_ALL: 'C.UTF-8', GNUPGHOME: home }, stripFinalNewline: false,
  });
}

interface SecretKeyRow { fingerprint: string; uid: string }

/** Secret keys in `home` (gpg --with-colons), optionally only those matching `id`. */
async function secretKeys(home: string, id?: string): Promise<SecretKeyRow[]> {
  if (!existsSync(home)) return [];
  const r = await gpg(home, ['--with-colons', '--list-secret-keys', ...(id ? [id] : [])]);
  if (r.exitCode !== 0) return [];
  const rows: SecretKeyRow[] = [];
  let inKey = false;
  for (const line of String(r.stdout).split('\n')) {
    const f = line.split(':');
    if (f[0] === 'sec') { inKey = true; rows.push({ fingerprint: '', uid: '' }); continue; }
    if (f[0] === 'ssb') { inKey = false; continue; }
    const cur = rows[rows.length - 1];
    if (!cur) continue;
    if (f[0] === 'fpr' && inKey && !cur.fingerprint) cur.fingerprint = f[9] ?? '';
    if (f[0] === 'uid' && !cur.uid) cur.uid = (f[9] ?? '').replace(/\\x3a/g, ':');
  }
  return rows.filter((k) => k.fingerprint);
}

function prepareHome(home: string): void {
  mkdirSync(home, { recursive: true, mode: 0o700 });
  chmodSync(home, 0o700); // gpg warns about (and agents refuse) group/world-readable homes
}

/**
 * The key uploads and the local archive are signed with. Resolves pipeline.yaml's `signing.key`,
 * else the local key, creating it when `create` is set. Throws a one-line PipelineError naming the
 * fix when a named key is missing.
 */
export async function ensureSigningKey(ws: Workspace, options: EnsureKeyOptions = {}): Promise<SigningKey> {
  const env = options.env ?? process.env;
  const home = gnupgHome(ws, env);
  const configured = ws.config.signing.key;
  const file = relative(process.cwd(), ws.configFile) || ws.configFile;
  if (configured) {
    let id = configured;
    let origin: SigningKey['origin'] = 'config';
    if (configured.startsWith('env:')) {
      const name = configured.slice(4);
      const value = env[name];
      origin = 'env';
      if (!value || !value.trim()) {
        throw new PipelineError(`signing.key names the environment variable ${name}, which is not set`, {
          file, key: 'signing.key', hint: `export ${name}=<key fingerprint or armored private key>`,
        });
      }
      if (value.includes(PRIVATE_BLOCK)) {
        prepareHome(home);
        const r = await gpg(home, ['--import', '--import-options', 'import-show', '--with-colons'], value);
        const fpr = String(r.stdout).split('\n').find((l) => l.startsWith('fpr:'))?.split(':')[9];
        if (r.exitCode !== 0 || !fpr) {
          throw new PipelineError(`the private key in ${name} could not be imported into ${home}`, { file, key: 'signing.key' });
        }
        id = fpr;
      } else {
        id = value.trim();
      }
    }
    const [key] = await secretKeys(home, id);
    if (!key) {
      const what = origin === 'env' ? `the key named by ${configured}` : `signing key ${configured}`;
      throw new PipelineError(`${what} has no secret key in ${home}`, {
        file, key: 'signing.key', hint: 'import it there (gpg --homedir DIR --import) or set PIPELINE_GNUPGHOME',
      });
    }
    return { ...key, gnupgHome: home, origin, created: false };
  }
  const uid = localKeyUid(ws);
  const [existing] = await secretKeys(home, `=${uid}`);
  if (existing) return { ...existing, gnupgHome: home, origin: 'local', created: false };
  // A key of the home for the address uploads are signed as (debsign and Launchpad go by it).
  const email = ws.config.maintainer?.email;
  const [mine] = email ? await secretKeys(home, `<${email}>`) : [];
  if (mine) return { ...mine, gnupgHome: home, origin: 'maintainer', created: false };
  if (!options.create) {
    throw new PipelineError(`no signing key in ${home}`, { hint: 'run pipeline doctor --fix (or promote without --dry-run) to create the local key' });
  }
  prepareHome(home);
  const gen = await gpg(home, ['--pinentry-mode', 'loopback', '--passphrase', '', '--quick-generate-key', uid, 'ed25519', 'sign', 'never']);
  const [made] = await secretKeys(home, `=${uid}`);
  if (gen.exitCode !== 0 || !made) {
    throw new PipelineError(`gpg could not create the local signing key in ${home}: ${String(gen.stderr).trim().split('\n').pop()}`);
  }
  return { ...made, gnupgHome: home, origin: 'local', created: true };
}

/** Every secret key in the workspace's GnuPG home (uid and fingerprint; for doctor's message). */
export async function listSecretKeys(ws: Workspace, env: NodeJS.ProcessEnv = process.env): Promise<Array<{ fingerprint: string; uid: string }>> {
  return secretKeys(gnupgHome(ws, env));
}

/** Like ensureSigningKey without creating anything: undefined when there is no usable key yet. */
export async function findSigningKey(ws: Workspace, env: NodeJS.ProcessEnv = process.env): Promise<SigningKey | undefined> {
  try {
    return await ensureSigningKey(ws, { create: false, env });
  } catch (e) {
    if (e instanceof PipelineError && /^no signing key/.test(e.message)) return undefined;
    throw e;
  }
}

/**
 * The public key, binary (for apt's signed-by) or armored. stripFinalNewline is off because execa
 * strips a final 0x0A from binary output too: a key whose last signature byte happens to be 0x0A
 * (one key in 256) would lose it, and apt and gpgv would reject the keyring as an invalid packet.
 */
export async function exportPublicKey(key: SigningKey, options: { armor?: boolean } = {}): Promise<Buffer> {
  const r = await execa('gpg', ['--batch', '--homedir', key.gnupgHome, ...(options.armor ? ['--armor'] : []), '--export', key.fingerprint], {
    encoding: 'buffer', stripFinalNewline: false, reject: false, env: { GNUPGHOME: key.gnupgHome },
  });
  if (r.exitCode !== 0 || r.stdout.length === 0) throw new PipelineError(`gpg could not export the public key ${key.fingerprint}`);
  return Buffer.from(r.stdout);
}

/**
 * Write the public key next to the archive (`<file>` binary, `<file>.asc` armored), atomically,
 * and only where a file differs from gpg's export: so a keyring written wrong earlier (truncated,
 * or of another key) is repaired on the next run, and an unchanged one keeps its mtime.
 * Returns true when it wrote something.
 */
export async function writePublicKey(key: SigningKey, file: string): Promise<boolean> {
  let wrote = false;
  for (const [path, armor] of [[file, false], [`${file.replace(/\.gpg$/, '')}.asc`, true]] as const) {
    const bytes = await exportPublicKey(key, { armor });
    if (existsSync(path) && readFileSync(path).equals(bytes)) continue;
    writeFileAtomic.sync(path, bytes);
    wrote = true;
  }
  return wrote;
}

/**
 * debsign a .changes (and the .dsc it lists) with the key. `--re-sign` so a copy signed
 * earlier (a retry after a crash) is signed again instead of prompting.
 */
export async function debsign(key: SigningKey, changesFile: string): Promise<void> {
  const r = await execa('debsign', ['--no-conf', '--re-sign', '-k', key.fingerprint, changesFile], {
    reject: false, all: true, env: { GNUPGHOME: key.gnupgHome, LC_ALL: 'C.UTF-8' }, input: '',
  });
  if (r.exitCode !== 0) {
    const last = String(r.all ?? '').trim().split('\n').filter(Boolean).pop() ?? `exit ${r.exitCode}`;
    throw new PipelineError(`debsign failed: ${last}`, { file: changesFile, exitCode: 1 });
  }
}

export interface SignatureCheck {
  valid: boolean;
  /** Fingerprint of the key that made a good signature. */
  fingerprint?: string;
  /** gpg's status lines, for the record. */
  status: string[];
}

/** `gpg --verify` of a clearsigned file against the keys in `home` (the pipeline's or another). */
export async function verifySignature(file: string, home: string): Promise<SignatureCheck> {
  const r = await gpg(home, ['--status-fd', '1', '--verify', file]);
  const status = String(r.stdout).split('\n').filter((l) => l.startsWith('[GNUPG:]'));
  const valid = status.find((l) => l.startsWith('[GNUPG:] VALIDSIG '));
  return { valid: r.exitCode === 0 && Boolean(valid), fingerprint: valid?.split(' ')[2], status };
}

/**
 * A named key (`-k KEYID`, a fingerprint or key id) of the workspace's GnuPG home; one error
 * line naming the home when it holds no secret key of that name.
 */
export async function namedSigningKey(ws: Workspace, id: string, env: NodeJS.ProcessEnv = process.env): Promise<SigningKey> {
  const home = gnupgHome(ws, env);
  const [key] = await secretKeys(home, id);
  if (!key) throw new PipelineError(`-k ${id}: no secret key of that name in ${home}`, { hint: 'import it there (gpg --homedir DIR --import) or set PIPELINE_GNUPGHOME' });
  return { ...key, gnupgHome: home, origin: 'config', created: false };
}
