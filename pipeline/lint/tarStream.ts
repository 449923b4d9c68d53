/**
 * Reads a (compressed) tarball as a stream and returns its regular files with the first bytes of
 * each — nothing is written. gzip is inflated here (zlib); xz, lzma, bzip2 and zstd by their own
 * tools. The tar format as GNU tar writes it: ustar names with their prefix, GNU long names and
 * long link names (L/K), pax extended headers (path, linkpath, size), base-256 sizes. Hard links
 * are files (with their target's bytes); directories, symbolic links and devices are not.
 */
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

export interface TarMember {
  /** Path inside the tarball, `./` prefixes dropped. */
  name: string;
  /** The file's first headBytes bytes. */
  head: Buffer;
  /** The whole file, for the names `whole` selects. */
  whole?: Buffer;
}

export interface TarStreamOptions {
  headBytes: number;
  whole?: (name: string) => boolean;
}

const BLOCK = 512;
const ZERO_BLOCK = Buffer.alloc(BLOCK);

export async function readTarStream(path: string, opts: TarStreamOptions): Promise<TarMember[]> {
  const { stream, done } = await decompressed(path);
  const parser = new TarParser(opts);
  for await (const chunk of stream) parser.push(chunk as Buffer);
  await done;
  return parser.finish();
}

async function decompressed(path: string): Promise<{ stream: Readable; done: Promise<void> }> {
  if (/\.tar$/.test(path)) return { stream: createReadStream(path, { highWaterMark: 1 << 20 }), done: Promise.resolve() };
  if (/\.tar\.gz$/.test(path)) return { stream: createReadStream(path, { highWaterMark: 1 << 20 }).pipe(createGunzip({ chunkSize: 1 << 18 })), done: Promise.resolve() };
  const tool = /\.tar\.(?:xz|lzma)$/.test(path) ? 'xz' : /\.tar\.bz2$/.test(path) ? 'bzip2' : /\.tar\.zst$/.test(path) ? 'zstd' : undefined;
  if (!tool) throw new Error('not a tarball');
  // Loaded here: a warm lint spawns nothing.
  const { execa } = await import('execa');
  const child = execa(tool, ['-dc', '--', path], { buffer: { stdout: false }, stderr: 'pipe', reject: false, env: { LC_ALL: 'C.UTF-8' } });
  const done = child.then((r) => {
    if (r.exitCode !== 0) throw new Error(`${tool} -dc failed: ${String(r.stderr).trim().split('\n').pop() ?? `exit ${r.exitCode}`}`);
  });
  return { stream: child.stdout!, done };
}

class TarParser {
  private readonly carry = Buffer.alloc(BLOCK);
  private carryBytes = 0;
  private readonly members: TarMember[] = [];
  private readonly byName = new Map<string, TarMember>();
  private readonly links: Array<[name: string, target: string]> = [];
  /** The member being read: bytes left (with padding), and what to keep. */
  private current?: { name: string; left: number; pad: number; head: Buffer[]; headLeft: number; whole?: Buffer[]; meta?: Buffer[]; kind: 'file' | 'meta' | 'skip'; type: string };
  private paxPath?: string;
  private paxLink?: string;
  private paxSize?: number;
  private longName?: string;
  private longLink?: string;
  private ended = false;

  constructor(private readonly opts: TarStreamOptions) {}

  /**
   * Consumes a chunk in place: only a header block split between two chunks is copied; file
   * contents are never gathered, beyond each file's head (copied out, so the chunk can be freed).
   */
  push(chunk: Buffer): void {
    let off = 0;
    while (off < chunk.length && !this.ended) {
      if (!this.current) {
        const need = BLOCK - this.carryBytes;
        const piece = chunk.subarray(off, off + need);
        off += piece.length;
        if (this.carryBytes === 0 && piece.length === BLOCK) {
          this.header(piece);
          continue;
        }
        piece.copy(this.carry, this.carryBytes);
        this.carryBytes += piece.length;
        if (this.carryBytes === BLOCK) {
          this.carryBytes = 0;
          this.header(this.carry);
        }
        continue;
      }
      const c = this.current;
      if (c.left > 0) {
        const piece = chunk.subarray(off, off + Math.min(c.left, chunk.length - off));
        off += piece.length;
        c.left -= piece.length;
        if (c.kind === 'file') {
          if (c.headLeft > 0) {
            const h = Buffer.from(piece.subarray(0, c.headLeft));
            c.head.push(h);
            c.headLeft -= h.length;
          }
          if (c.whole) c.whole.push(Buffer.from(piece));
        } else if (c.kind === 'meta') c.meta!.push(Buffer.from(piece));
        continue;
      }
      if (c.pad > 0) {
        const n = Math.min(c.pad, chunk.length - off);
        off += n;
        c.pad -= n;
        continue;
      }
      this.complete(c);
      this.current = undefined;
    }
    // A member that ends exactly at the chunk's end is complete now.
    if (this.current && this.current.left === 0 && this.current.pad === 0) {
      this.complete(this.current);
      this.current = undefined;
    }
  }

  finish(): TarMember[] {
    if (this.current || this.carryBytes > 0) throw new Error('the tarball ends inside a member');
    for (const [name, target] of this.links) {
      const t = this.byName.get(target);
      if (t) this.add({ name, head: t.head, whole: t.whole });
    }
    return this.members;
  }

  private header(block: Buffer): void {
    if (block[0] === 0 && block.equals(ZERO_BLOCK)) {
      // Two zero blocks end the archive; one is tolerated (GNU tar does too).
      this.ended = this.sawZero === true;
      this.sawZero = true;
      return;
    }
    this.sawZero = false;
    if (!checksumOk(block)) throw new Error('a tar header has a bad checksum');
    const type = String.fromCharCode(block[156] || 0x30);
    const ustar = block.subarray(257, 262).toString('latin1') === 'ustar';
    const rawName = str(block, 0, 100);
    const prefix = ustar ? str(block, 345, 155) : '';
    let size = this.paxSize ?? octal(block.subarray(124, 136));
    const name = this.paxPath ?? this.longName ?? (prefix ? `${prefix}/${rawName}` : rawName);
    const link = this.paxLink ?? this.longLink ?? str(block, 157, 100);
    if (type === 'L' || type === 'K' || type === 'x' || type === 'g') {
      this.current = { name: type, left: size, pad: padding(size), head: [], headLeft: 0, meta: [], kind: 'meta', type };
      return;
    }
    this.paxPath = this.paxLink = this.paxSize = this.longName = this.longLink = undefined;
    const clean = normalise(name);
    if (type === '1') {
      this.links.push([clean, normalise(link)]);
      size = 0;
    }
    const isFile = type === '0' || type === '7' || type === '\0';
    const whole = isFile && this.opts.whole?.(clean) ? [] : undefined;
    this.current = { name: clean, left: size, pad: padding(size), head: [], headLeft: isFile ? this.opts.headBytes : 0, whole, kind: isFile ? 'file' : 'skip', type };
  }

  private sawZero = false;

  private complete(c: NonNullable<TarParser['current']>): void {
    if (c.kind === 'meta') {
      const data = Buffer.concat(c.meta!);
      if (c.type === 'L') this.longName = str(data, 0, data.length);
      else if (c.type === 'K') this.longLink = str(data, 0, data.length);
      else if (c.type === 'x') {
        const pax = parsePax(data);
        if (pax.path !== undefined) this.paxPath = pax.path;
        if (pax.linkpath !== undefined) this.paxLink = pax.linkpath;
        if (pax.size !== undefined) this.paxSize = Number(pax.size);
      }
      return;
    }
    if (c.kind !== 'file' || !c.name) return;
    this.add({ name: c.name, head: Buffer.concat(c.head), whole: c.whole ? Buffer.concat(c.whole) : undefined });
  }

  private add(m: TarMember): void {
    const known = this.byName.get(m.name);
    if (known) this.members.splice(this.members.indexOf(known), 1); // a later member replaces an earlier one, as tar -x does
    this.members.push(m);
    this.byName.set(m.name, m);
  }
}

function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

function str(b: Buffer, at: number, len: number): string {
  const s = b.subarray(at, at + len);
  const nul = s.indexOf(0);
  return (nul >= 0 ? s.subarray(0, nul) : s).toString('utf8');
}

/** An octal size field, or GNU's base-256 form (high bit set) for large files. */
function octal(field: Buffer): number {
  if (field[0] & 0x80) {
    let n = 0;
    for (let i = 1; i < field.length; i++) n = n * 256 + field[i];
    return n;
  }
  const s = str(field, 0, field.length).trim();
  return s ? parseInt(s, 8) : 0;
}

function checksumOk(block: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i];
  const want = octal(block.subarray(148, 156));
  return sum === want;
}

/** `./a/b` → `a/b`; a directory's trailing slash dropped. */
function normalise(name: string): string {
  return name.replace(/^(?:\.\/)+/, '').replace(/\/+$/, '');
}

/** pax records: "LEN key=value\n". */
function parsePax(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < data.length) {
    const sp = data.indexOf(0x20, i);
    if (sp < 0) break;
    const len = Number(data.subarray(i, sp).toString('latin1'));
    if (!Number.isFinite(len) || len <= 0) break;
    const rec = data.subarray(sp + 1, i + len - 1).toString('utf8');
    const eq = rec.indexOf('=');
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    i += len;
  }
  return out;
}
