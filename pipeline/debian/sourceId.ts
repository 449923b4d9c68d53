/**
 * The identity of a source package upload: sha256 of its .dsc's content with the OpenPGP
 * armor taken off (dash-escaping undone, trailing blanks dropped). The .dsc lists every file of
 * the source package with its size and sha256, so this one hash names the whole source package;
 * and it is the same before and after debsign, so the build sbuild made, the signed upload, a
 * lint of either and the copy in the archive all carry one identity. Every verdict is bound to it.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

const BEGIN_SIGNED = '-----BEGIN PGP SIGNED MESSAGE-----';
const BEGIN_SIGNATURE = '-----BEGIN PGP SIGNATURE-----';

/** The .dsc's fields as signed: the clear-signed body (RFC 4880 §7), or the whole text when unsigned. */
export function dscBody(text: string): string {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  let body = lines;
  if (lines[0]?.trimEnd() === BEGIN_SIGNED) {
    // Armor headers ("Hash: SHA512") run to the first empty line; the signature block ends the body.
    const start = lines.indexOf('', 1);
    const end = lines.findIndex((l, i) => i > start && l.trimEnd() === BEGIN_SIGNATURE);
    body = lines.slice(start + 1, end === -1 ? lines.length : end).map((l) => (l.startsWith('- ') ? l.slice(2) : l));
  }
  const out = body.map((l) => l.trimEnd());
  while (out.length && out[out.length - 1] === '') out.pop();
  while (out.length && out[0] === '') out.shift();
  return `${out.join('\n')}\n`;
}

/** sha256 (hex) of the .dsc's unarmored content. */
export function sourceIdOf(dscText: string): string {
  return createHash('sha256').update(dscBody(dscText)).digest('hex');
}

export function sourceIdOfFile(path: string): string {
  return sourceIdOf(readFileSync(path, 'utf8'));
}
