/**
 * Scrub secrets from every line pipeline prints or logs, as semantic-release's hide-sensitive
 * does: the values of environment variables whose names look secret (TOKEN, PASSWORD, SECRET,
 * PASSPHRASE, KEY...) are replaced by [secure] wherever they appear, plus armored private key
 * blocks. Short values are left alone: masking "1" everywhere would garble output.
 */
const SECRET_NAME = /token|password|passwd|passphrase|secret|private|signing_key|_key$|^key$|credential|auth/i;
const MIN_LENGTH = 5;
const PRIVATE_BLOCK = /-----BEGIN PGP PRIVATE KEY BLOCK-----[\s\S]*?(-----END PGP PRIVATE KEY BLOCK-----|$)/g;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function secretValues(env: NodeJS.ProcessEnv = process.env): string[] {
  return Object.entries(env)
    .filter(([name, value]) => SECRET_NAME.test(name) && typeof value === 'string' && value.trim().length >= MIN_LENGTH)
    .map(([, value]) => value as string)
    .sort((a, b) => b.length - a.length); // longest first, so a secret containing another is masked whole
}

export function makeHideSensitive(env: NodeJS.ProcessEnv = process.env): (text: string) => string {
  const values = secretValues(env);
  const pattern = values.length ? new RegExp(values.map(escapeRegExp).join('|'), 'g') : undefined;
  return (text) => {
    const blocked = text.replace(PRIVATE_BLOCK, '[secure]');
    return pattern ? blocked.replace(pattern, '[secure]') : blocked;
  };
}

export const hideSensitive = (text: string): string => makeHideSensitive()(text);
