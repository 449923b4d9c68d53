/**
 * A .dsc or .changes given to any command is verified as dscverify does before anything is
 * unpacked or copied: it parses (one paragraph, the checksum lists consistent), its OpenPGP
 * signature block is whole (armor checksum and packet lengths; a truncated signature is refused),
 * and every file it lists is present beside it with the listed size, sha256, sha1 and md5. The
 * first problem is one PipelineError naming the .dsc/.changes and the line of the entry.
 * (Whose key signed it is gpg's question, asked where an upload is accepted; not here.)
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PipelineError } from '../errors.js';
import { parseSourceControl, type SourceControl } from './dsc.js';

export async function verifySourceControlFile(path: string, display = path): Promise<SourceControl> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new PipelineError(`cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file: display });
  }
  const sc = parseSourceControl(text, display, path.endsWith('.changes') ? 'changes' : path.endsWith('.dsc') ? 'dsc' : undefined);
  if (sc.signed) checkSignatureBlock(text, display);
  const dir = dirname(path);
  for (const f of sc.files) {
    const file = join(dir, f.name);
    let size: number;
    try {
      size = statSync(file).size;
    } catch {
      throw new PipelineError(`lists ${f.name}, which is not beside it`, { file: display, line: f.lines.sha256, key: 'Checksums-Sha256' });
    }
    if (size !== f.size) throw new PipelineError(`${f.name} is ${size} bytes, the listing says ${f.size}`, { file: display, line: f.lines.sha256, key: 'Checksums-Sha256' });
    const got = hashes(file);
    if (got.sha256 !== f.sha256) throw new PipelineError(`${f.name} has sha256 ${got.sha256}, the listing says ${f.sha256}`, { file: display, line: f.lines.sha256, key: 'Checksums-Sha256' });
    if (f.sha1 && got.sha1 !== f.sha1) throw new PipelineError(`${f.name} has sha1 ${got.sha1}, the listing says ${f.sha1}`, { file: display, line: f.lines.sha1, key: 'Checksums-Sha1' });
    if (f.md5 && got.md5 !== f.md5) throw new PipelineError(`${f.name} has md5 ${got.md5}, the listing says ${f.md5}`, { file: display, line: f.lines.md5, key: 'Files' });
  }
  return sc;
}

/** The three digests in one pass, read in 1 MiB blocks (no stream machinery: this runs before every lint). */
function hashes(path: string): { sha256: string; sha1: string; md5: string } {
  const [a, b, c] = [createHash('sha256'), createHash('sha1'), createHash('md5')];
  const buf = Buffer.allocUnsafe(1 << 20);
  const fd = openSync(path, 'r');
  try {
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) {
      const chunk = buf.subarray(0, n);
      a.update(chunk);
      b.update(chunk);
      c.update(chunk);
    }
  } finally {
    closeSync(fd);
  }
  return { sha256: a.digest('hex'), sha1: b.digest('hex'), md5: c.digest('hex') };
}

/**
 * The armored signature is whole: base64 that decodes, the `=XXXX` armor checksum (CRC-24) matching,
 * and OpenPGP packets whose lengths add up to exactly the decoded bytes. (The deb822 reader already
 * refuses a missing BEGIN/END line.)
 */
export function checkSignatureBlock(text: string, file: string): void {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  const begin = lines.findIndex((l) => l.trimEnd() === '-----BEGIN PGP SIGNATURE-----');
  const end = lines.findIndex((l, i) => i > begin && l.trimEnd() === '-----END PGP SIGNATURE-----');
  const bad = (why: string, line = begin + 1) => new PipelineError(`truncated or damaged OpenPGP signature: ${why}`, { file, line });
  if (begin < 0 || end < 0) throw bad('no complete signature block');
  let i = begin + 1;
  while (i < end && lines[i].trim() !== '' && /^[A-Za-z][A-Za-z0-9-]*: /.test(lines[i])) i++; // armor headers
  if (i < end && lines[i].trim() === '') i++;
  let body = '';
  let crc: string | undefined;
  for (; i < end; i++) {
    const l = lines[i].trim();
    if (l.startsWith('=')) crc = l.slice(1);
    else if (/^[A-Za-z0-9+/]*={0,2}$/.test(l)) body += l;
    else throw bad('a line of the signature is not base64', i + 1);
  }
  if (body.length === 0 || body.length % 4 !== 0) throw bad('its base64 is cut short', end);
  const bytes = Buffer.from(body, 'base64');
  if (crc !== undefined && Buffer.from(crc, 'base64').readUIntBE(0, 3) !== crc24(bytes)) throw bad('the armor checksum does not match', end);
  if (!packetsFit(bytes)) throw bad('its packets are cut short', end);
}

function crc24(data: Buffer): number {
  let crc = 0xb704ce;
  for (const byte of data) {
    crc ^= byte << 16;
    for (let k = 0; k < 8; k++) {
      crc <<= 1;
      if (crc & 0x1000000) crc ^= 0x1864cfb;
    }
  }
  return crc & 0xffffff;
}

/** Walks the OpenPGP packet headers (RFC 4880 4.2): every length must fit the data exactly. */
function packetsFit(b: Buffer): boolean {
  let at = 0;
  while (at < b.length) {
    const tag = b[at];
    if (!(tag & 0x80)) return false;
    let len: number;
    if (tag & 0x40) {
      const o = b[at + 1];
      if (o === undefined) return false;
      if (o < 192) [len, at] = [o, at + 2];
      else if (o < 224) {
        if (at + 2 >= b.length) return false;
        [len, at] = [((o - 192) << 8) + b[at + 2] + 192, at + 3];
      } else if (o === 255) {
        if (at + 6 > b.length) return false;
        [len, at] = [b.readUInt32BE(at + 2), at + 6];
      } else return false; // partial lengths: not used in signatures
    } else {
      const type = tag & 3;
      const n = type === 0 ? 1 : type === 1 ? 2 : type === 2 ? 4 : 0;
      if (n === 0 || at + 1 + n > b.length) return false;
      len = b.readUIntBE(at + 1, n);
      at += 1 + n;
    }
    at += len;
    if (at > b.length) return false;
  }
  return true;
}
