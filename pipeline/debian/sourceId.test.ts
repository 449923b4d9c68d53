import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { dscBody, sourceIdOf } from './sourceId.js';
import { scratchDir } from '../../test/helpers/scratch.js';

const DSC = `Format: 3.0 (quilt)
Source: hello
Binary: hello
Version: 2.10-3
Maintainer: Santiago Vila <sanvila@debian.org>
Checksums-Sha256:
 31e066137a962676e89f69d1b65382de95a7ef7d914b8cb956f41ea72e0f516b 725946 hello_2.10.orig.tar.gz
 4ee6f9c7a4d8d1d2e0d0ad1b5b2a8f45c6b3b7b4d2f5ad3e3c2f0c1b9e1d7a6f 12688 hello_2.10-3.debian.tar.xz
Files:
 6cd0ffea3884a4e79330338dcc2987d6 725946 hello_2.10.orig.tar.gz
 27b4d4f2fd3b9b4b37c2ff0e5bb8b3d4 12688 hello_2.10-3.debian.tar.xz
`;

describe('sourceId: one identity for the unsigned and the signed .dsc', () => {
  it('the armor, its headers, dash-escaping, CRLF and trailing blanks do not change it', () => {
    const signed = `-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n${DSC.replace('Format:', 'Format:')}\n-----BEGIN PGP SIGNATURE-----\n\niQIzBAEBCgAdFiEE\n=abcd\n-----END PGP SIGNATURE-----\n`;
    expect(dscBody(signed)).toBe(DSC);
    expect(sourceIdOf(signed)).toBe(sourceIdOf(DSC));
    expect(sourceIdOf(DSC.replace(/\n/g, '\r\n'))).toBe(sourceIdOf(DSC));
    expect(sourceIdOf(`${DSC}\n\n`)).toBe(sourceIdOf(DSC));
    expect(sourceIdOf(`-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n- -leading dash\n${DSC}-----BEGIN PGP SIGNATURE-----\nx\n-----END PGP SIGNATURE-----\n`))
      .toBe(sourceIdOf(`-leading dash\n${DSC}`));
  });

  it('any change to a field or a listed file\'s checksum changes it', () => {
    expect(sourceIdOf(DSC.replace('2.10-3\n', '2.10-4\n'))).not.toBe(sourceIdOf(DSC));
    expect(sourceIdOf(DSC.replace('12688 hello_2.10-3.debian', '12689 hello_2.10-3.debian'))).not.toBe(sourceIdOf(DSC));
  });

  it('a real gpg --clearsign keeps the identity (the oracle: gpg itself)', async () => {
    const home = scratchDir('sourceid-gpg-');
    const gpg = (args: string[], input?: string) => execa('gpg', ['--homedir', home, '--batch', '--pinentry-mode', 'loopback', '--passphrase', '', ...args], { input });
    await gpg(['--quick-gen-key', 'Source Id Test <sourceid@example.org>', 'ed25519', 'sign', 'never']);
    const file = join(home, 'hello_2.10-3.dsc');
    writeFileSync(file, `-not a field, but dash-escaped by gpg\n${DSC}`);
    await gpg(['--clearsign', '--output', `${file}.asc`, file]);
    const signed = readFileSync(`${file}.asc`, 'utf8');
    expect(signed).toContain('- -not a field');
    expect(sourceIdOf(signed)).toBe(sourceIdOf(readFileSync(file, 'utf8')));
    await execa('gpgconf', ['--homedir', home, '--kill', 'all'], { reject: false });
  });
});
