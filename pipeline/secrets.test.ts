import { describe, expect, it } from 'vitest';
import { makeHideSensitive, secretValues } from './secrets.js';

describe('hideSensitive', () => {
  const env = {
    PPA_SIGNING_KEY: 'ABCDEF0123456789',
    GITHUB_TOKEN: 'ghp_supersecretvalue',
    PIPELINE_SIGNING_KEY: '0123456789ABCDEF0123456789ABCDEF01234567',
    HOME: '/root',
    SHORT_TOKEN: 'abc',
  };
  const hide = makeHideSensitive(env);

  it('masks the values of secret-looking variables wherever they appear', () => {
    expect(hide('gpg --default-key 0123456789ABCDEF0123456789ABCDEF01234567 ok')).toBe('gpg --default-key [secure] ok');
    expect(hide('url=https://x:ghp_supersecretvalue@host')).toBe('url=https://x:[secure]@host');
  });

  it('leaves ordinary variables and too-short values alone', () => {
    expect(hide('home is /root, abc')).toBe('home is /root, abc');
    expect(secretValues(env)).not.toContain('abc');
  });

  it('masks armored private key blocks even when no variable holds them', () => {
    const block = '-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQVYBGX...\n-----END PGP PRIVATE KEY BLOCK-----';
    expect(makeHideSensitive({})(`key: ${block} done`)).toBe('key: [secure] done');
  });

  it('masks a secret that contains another secret as a whole', () => {
    const h = makeHideSensitive({ A_TOKEN: 'secret-outer-value', B_TOKEN: 'outer' });
    expect(h('x secret-outer-value y outer')).toBe('x [secure] y [secure]');
  });
});
