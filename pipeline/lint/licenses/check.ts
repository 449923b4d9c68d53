/**
 * Compares the license each file's header states with the license debian/copyright declares for
 * it (the last matching Files paragraph). Reads only headers, caches detections by content hash,
 * and skips the usual noise: debian/copyright itself, patches, bundled license texts (LICENSE,
 * COPYING, NOTICE...), generated autotools scripts, binary files and files stating no license.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import type { ScannedHeaders } from '../scan.js';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { defineCheck } from '../check.js';
import type { LintContext } from '../context.js';
import { computeCoverage } from '../dep5/coverage.js';
import { formatLicenseExpression, licenseKeys } from '../dep5/license-expression.js';
import { canonicalLicenseName } from '../dep5/spdx.js';
import { LicenseCache } from './cache.js';
import { isKnownLicenseKey, licensesAgree } from './compare.js';
import { detectLicense, HEADER_BYTES, type Detection } from './detect.js';

const NOISE = [
  /^debian\/(?:copyright|changelog|patches\/|upstream\/|source\/)/,
  /(?:^|\/)(?:LICEN[CS]E|COPYING|NOTICE|COPYRIGHT|AUTHORS|CONTRIBUTORS|README|CHANGELOG|CHANGES|NEWS|THANKS|PATENTS)[^/]*$/i,
  // bundled license texts named after what they license: jline-2.14.6.LICENSE.txt, foo_COPYING
  /(?:^|\/)[^/]*[._-](?:LICEN[CS]E|COPYING|NOTICE)(?:[._-][^/]*)?$/i,
  /(?:^|\/)licen[cs]es?\//i,
  /(?:^|\/)(?:configure|aclocal\.m4|ltmain\.sh|config\.(?:guess|sub|rpath)|install-sh|missing|depcomp|compile|ar-lib|test-driver|Makefile\.in|ylwrap|mkinstalldirs|py-compile|libtool\.m4|lt~obsolete\.m4|ltoptions\.m4|ltsugar\.m4|ltversion\.m4)$/,
];

export function isLicenseNoise(file: string): boolean {
  return NOISE.some((re) => re.test(file));
}

export interface HeaderDetection {
  file: string;
  detection: Detection;
}

/** Reads the header of each file and detects its license, through the cache. */
export async function detectHeaders(root: string, files: readonly string[], cacheDir?: string, given?: ScannedHeaders): Promise<{ found: HeaderDetection[]; cached: number; scanned: number }> {
  if (given) return detectScanned(given, files, cacheDir);
  const cache = new LicenseCache(cacheDir, root);
  const buf = Buffer.allocUnsafe(HEADER_BYTES);
  const found: HeaderDetection[] = [];
  let cached = 0;
  let scanned = 0;
  const pending = new Map<string, string>();
  const order: Array<[string, string]> = [];
  for (const [k, file] of files.entries()) {
    // A huge tree: let a pending signal be handled every few hundred files.
    if (k % 512 === 511) await new Promise((resolve) => setImmediate(resolve));
    const path = join(root, file);
    let st;
    try {
      st = statSync(path);
    } catch {
      continue;
    }
    let hash = cache.hashFor(path, st.size, st.mtimeMs, st.ino);
    if (hash === undefined || !cache.has(hash)) {
      let n = 0;
      let fd: number | undefined;
      try {
        fd = openSync(path, 'r');
        n = readSync(fd, buf, 0, HEADER_BYTES, 0);
      } catch {
        continue;
      } finally {
        if (fd !== undefined) closeSync(fd);
      }
      const bytes = buf.subarray(0, n);
      // Binary files are cached as "no license" under their hash like any other.
      hash = createHash('sha256').update(bytes).digest('base64url');
      cache.remember(path, st.size, st.mtimeMs, st.ino, hash);
      if (!cache.has(hash)) {
        if (bytes.subarray(0, 1024).includes(0)) cache.set(hash, null);
        else if (!pending.has(hash)) pending.set(hash, bytes.toString('utf8'));
        scanned++;
      } else cached++;
    } else cached++;
    order.push([file, hash]);
  }
  for (const [hash, detection] of await detectMany([...pending])) cache.set(hash, detection);
  for (const [file, hash] of order) {
    const detection = cache.get(hash);
    if (detection) found.push({ file, detection });
  }
  await cache.save();
  return { found, cached, scanned };
}

/** detectHeaders over a scanned source: hashes from its manifest, bytes from its headers file when not cached. */
async function detectScanned(given: ScannedHeaders, files: readonly string[], cacheDir?: string): Promise<{ found: HeaderDetection[]; cached: number; scanned: number }> {
  const cache = new LicenseCache(cacheDir);
  const found: HeaderDetection[] = [];
  const pending = new Map<string, string>();
  let cached = 0;
  let fd: number | undefined;
  try {
    for (const [k, file] of files.entries()) {
      if (k % 512 === 511) await new Promise((resolve) => setImmediate(resolve));
      const e = given.entries.get(file);
      if (!e) continue;
      const [hash, offset, length] = e;
      if (cache.has(hash) || pending.has(hash)) {
        cached++;
        continue;
      }
      fd ??= openSync(given.blob, 'r');
      const bytes = Buffer.allocUnsafe(length);
      readSync(fd, bytes, 0, length, offset);
      if (bytes.subarray(0, 1024).includes(0)) cache.set(hash, null);
      else pending.set(hash, bytes.toString('utf8'));
    }
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  for (const [hash, detection] of await detectMany([...pending])) cache.set(hash, detection);
  for (const file of files) {
    const detection = cache.get(given.entries.get(file)?.[0] ?? '');
    if (detection) found.push({ file, detection });
  }
  await cache.save();
  return { found, cached, scanned: pending.size };
}

/**
 * Below this many uncached headers, or on fewer than 4 cores, worker threads cost more than they
 * save (measured on the 2-core CI machine: a worker's start-up and message copying outweigh
 * half of ZooKeeper's 1,500 headers). PIPELINE_LINT_THREADS=1 forces one thread.
 */
const PARALLEL_MIN = 1000;
const PARALLEL_MIN_CORES = 4;

/**
 * Detects many headers: in this thread for a few, split with worker threads (one per extra core)
 * for many. Workers load the compiled dist/ module; from sources (tests) everything stays here.
 */
async function detectMany(items: Array<[hash: string, text: string]>): Promise<Array<[string, Detection | null]>> {
  const workerUrl = new URL('./worker.js', import.meta.url);
  const cores = availableParallelism();
  if (items.length < PARALLEL_MIN || cores < PARALLEL_MIN_CORES || process.env.PIPELINE_LINT_THREADS === '1' || !existsSync(fileURLToPath(workerUrl))) {
    return items.map(([h, t]) => [h, detectLicense(t) ?? null]);
  }
  const parts = Math.min(cores, 4);
  const size = Math.ceil(items.length / parts);
  const chunks = Array.from({ length: parts }, (_, i) => items.slice(i * size, (i + 1) * size));
  const inWorkers = chunks.slice(1).map(
    (chunk) =>
      new Promise<Array<[string, Detection | null]>>((resolve, reject) => {
        const w = new Worker(workerUrl);
        w.once('message', (res: Array<Detection | null>) => {
          void w.terminate();
          resolve(chunk.map(([h], i) => [h, res[i]]));
        });
        w.once('error', reject);
        w.postMessage(chunk.map(([, t]) => t));
      }),
  );
  const here = chunks[0].map(([h, t]): [string, Detection | null] => [h, detectLicense(t) ?? null]);
  return [...here, ...(await Promise.all(inWorkers)).flat()];
}

/** licensecheck's verdicts for some files (one process for all of them). */
export async function licensecheckOpinions(root: string, files: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (files.length === 0) return out;
  const { execa } = await import('execa');
  const r = await execa('licensecheck', ['--machine', '--lines', '0', '--shortname-scheme=debian,spdx', '--', ...files], { cwd: root, reject: false });
  for (const line of r.stdout.split('\n')) {
    const [file, license] = line.split('\t');
    if (file && license) out.set(file.replace(/^\.\//, ''), license);
  }
  return out;
}

export const licenseHeaderCheck = defineCheck({
  name: 'debian/copyright/license-headers',
  tags: [
    {
      name: 'license-header-mismatch',
      severity: 'warning',
      explanation:
        'The license stated in this file\'s header is not the one debian/copyright declares for it (its last matching Files paragraph). Either the file needs its own Files paragraph, or the declaration is wrong. Names are compared leniently (MIT = Expat, `.0` folded, a header granting "or later" accepts a later declared version); a paragraph naming a license of its own (not a DEP-5 or SPDX short name, e.g. `PD`, `BSD-3-clause-Cambridge`) is not compared, its meaning being its text. A license only mentioned by name ("released under the MIT license", "LGPLv2", "in the public domain") counts in a comment line near the top of the file, not in prose. With --licensecheck, licensecheck gives a second opinion and a mismatch it does not confirm is dropped. (pipeline tag; lintian does not compare headers.)',
    },
  ],
  async run(ctx: LintContext, emit) {
    if (ctx.options.detectLicenses === false) return;
    const cov = computeCoverage(ctx);
    if (!cov) return;
    const candidates = [...cov.winner.keys()].filter((f) => !isLicenseNoise(f));
    const { found } = await detectHeaders(ctx.root, candidates, ctx.options.cacheDir ? join(ctx.options.cacheDir) : undefined, ctx.options.scanned?.headers);
    const mismatches: Array<{ file: string; detected: string[]; declared: string; line: number }> = [];
    for (const { file, detection } of found) {
      const paragraph = cov.winner.get(file)!;
      const expr = paragraph.license?.parsed.expression;
      if (!expr) continue;
      const declared = licenseKeys(expr);
      // A name of the package's own (any in the expression) may mean what the header says.
      if (![...declared].every(isKnownLicenseKey)) continue;
      if (licensesAgree(declared, detection.keys)) continue;
      mismatches.push({ file, detected: detection.keys, declared: formatLicenseExpression(expr), line: paragraph.license!.field.line });
    }
    let opinions: Map<string, string> | undefined;
    if (ctx.options.licensecheck && mismatches.length > 0) opinions = await licensecheckOpinions(ctx.root, mismatches.map((m) => m.file));
    for (const m of mismatches) {
      let note = '';
      if (opinions) {
        const lc = opinions.get(m.file);
        const keys = lc ? lc.split(/\s+(?:or|and)\s+|\s*\/\s*/i).map((s) => canonicalLicenseName(s.replace(/\s*\(.*\)$/, ''))) : [];
        const paragraph = cov.winner.get(m.file)!;
        if (keys.length && licensesAgree(licenseKeys(paragraph.license!.parsed.expression), keys)) continue;
        note = ` (licensecheck: ${lc ?? 'no opinion'})`;
      }
      emit('license-header-mismatch', `header says ${m.detected.join(' or ')}, debian/copyright:${m.line} says ${m.declared}${note}`, { file: m.file });
    }
  },
});
