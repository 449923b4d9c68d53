/**
 * Detection results cached by the sha256 of the header bytes read, on disk under
 * <cacheDir>/license-cache/: one JSON map per detector version, loaded once, written atomically
 * only when it grew. A ZooKeeper-sized tree then costs one hash per file. The stat index that
 * lets an unchanged file skip even that read is one file per tree (index/<hash of its path>.json):
 * a lint loads its own tree's entries, not those of every tree linted before (one shared index
 * had grown to 8 MB, 0.6 s of JSON parsing per lint).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DETECTOR_VERSION, type Detection } from './detect.js';

/** path → [size, mtimeMs, inode, content hash]: lets an unchanged file skip even the read (git's index trick). */
type StatEntry = [number, number, number, string];

export class LicenseCache {
  private readonly file?: string;
  private readonly indexFile?: string;
  private map = new Map<string, Detection | null>();
  private index = new Map<string, StatEntry>();
  private dirty = false;

  private readonly legacyIndex?: string;

  constructor(cacheDir?: string, root = '') {
    if (!cacheDir) return;
    this.file = join(cacheDir, 'license-cache', `detections-v${DETECTOR_VERSION}.json`);
    const tree = createHash('sha256').update(root).digest('hex').slice(0, 16);
    this.indexFile = join(cacheDir, 'license-cache', 'index', `${tree}.json`);
    this.legacyIndex = join(cacheDir, 'license-cache', 'stat-index.json');
    try {
      const raw = JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, Detection | null>;
      this.map = new Map(Object.entries(raw));
      this.index = new Map(Object.entries(JSON.parse(readFileSync(this.indexFile, 'utf8')) as Record<string, StatEntry>));
    } catch {
      // missing or damaged: start empty (it is only a cache)
    }
  }

  /** The content hash recorded for this path, if its size, mtime and inode are unchanged. */
  hashFor(path: string, size: number, mtimeMs: number, ino: number): string | undefined {
    const e = this.index.get(path);
    return e && e[0] === size && e[1] === mtimeMs && e[2] === ino ? e[3] : undefined;
  }

  remember(path: string, size: number, mtimeMs: number, ino: number, hash: string): void {
    this.index.set(path, [size, mtimeMs, ino, hash]);
    this.dirty = true;
  }

  get size(): number {
    return this.map.size;
  }

  has(hash: string): boolean {
    return this.map.has(hash);
  }

  get(hash: string): Detection | null | undefined {
    return this.map.get(hash);
  }

  set(hash: string, value: Detection | null): void {
    this.map.set(hash, value);
    this.dirty = true;
  }

  async save(): Promise<void> {
    if (!this.file || !this.dirty) return;
    mkdirSync(join(this.file, '..'), { recursive: true });
    // Renamed into place whole, not fsynced: a cache lost in a crash is only rebuilt (a damaged one reads as empty).
    writeWhole(this.file, JSON.stringify(Object.fromEntries(this.map)));
    // Bounded: the index only speeds up trees seen recently.
    const entries = [...this.index];
    if (entries.length === 0) return void (this.dirty = false);
    mkdirSync(join(this.indexFile!, '..'), { recursive: true });
    writeWhole(this.indexFile!, JSON.stringify(Object.fromEntries(entries.slice(-200_000))));
    rmSync(this.legacyIndex!, { force: true }); // the shared index of earlier versions
    this.dirty = false;
  }
}

/** Written beside, then renamed over: a reader sees the old file or the new one, never half of one. */
function writeWhole(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}
