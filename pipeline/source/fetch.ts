/**
 * Fetching a package's original source into the cache, verified.
 *
 *   fetchSource(ws, 'zookeeper', { progress }) → FetchedSource
 *     kind `apt`: `apt-get source --download-only PKG=VERSION` through a private apt configuration
 *       (pipeline/tools/apt.ts) into <cacheDir>/sources/<pkg>/<version>/; the .dsc must match
 *       package.yaml's dscSha256, then every file the .dsc lists must match its Checksums-Sha256.
 *     kind `url`: the upstream tarball, renamed <pkg>_<upstream>.orig.tar.<ext>, checked against
 *       package.yaml's sha256. Unreachable → PipelineError "upstream unreachable: URL (reason)",
 *       exit 1 — unless `fallback: generated` and the caller asks for it ({generated: true},
 *       `pipeline fetch --generated`, or PIPELINE_UPSTREAM=generated): then a small deterministic
 *       upstream tree (./generated.ts) is packed as the orig tarball, in <version>+generated/.
 *
 * Idempotent: a cache directory whose files verify is returned as is (`downloaded: false`); one
 * that does not is fetched again. Downloads land in a temporary sibling directory renamed into
 * place once verified, so a crash never leaves a half-fetched source that looks complete.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import type { Workspace } from '../config/workspace.js';
import { loadPackage, type LoadedPackage } from '../config/workspace.js';
import { EXIT, isPipelineError, PipelineError } from '../errors.js';
import { PackageSchema } from '../config/schema.js';
import { parseYamlFile } from '../config/yaml.js';
import { parseDsc, sha256File, type ListedFile } from '../debian/dsc.js';
import { privateApt } from '../tools/apt.js';
import { LICENSES } from '../templates/licenses.js';
import { generatedOrigTarball } from './generated.js';

/** Progress sink: the CLI passes its Output (ctx.out); library callers may pass nothing. */
export interface Progress {
  phase(name: string): { update(detail: string): void; done(detail?: string): void; fail(detail?: string): void };
}

export interface SourceFile {
  name: string;
  path: string;
  size: number;
  sha256: string;
}

export interface FetchedSource {
  package: string;
  /** apt: the Debian source version fetched; url/generated: the upstream version. */
  version: string;
  origin: 'apt' | 'url' | 'generated';
  /** The cache directory holding every file. */
  dir: string;
  /** The .dsc (apt sources only). */
  dsc?: SourceFile;
  /** `<pkg>_<upstream>.orig.tar.*` and `.orig-COMPONENT.tar.*` (no signatures). */
  origTarballs: SourceFile[];
  /** Every file verified (the .dsc first). */
  files: SourceFile[];
  verified: true;
  /** False when the cache already held a verified copy. */
  downloaded: boolean;
}

export interface FetchOptions {
  progress?: Progress;
  /** Use the generated upstream tree when the package allows it (`fallback: generated`). */
  generated?: boolean;
  /** Seconds to wait for an upstream URL before calling it unreachable. */
  timeoutSeconds?: number;
}

export { sha256File };

const noProgress: Progress = { phase: () => ({ update() {}, done() {}, fail() {} }) };

async function describe(path: string): Promise<SourceFile> {
  return { name: basename(path), path, size: statSync(path).size, sha256: await sha256File(path) };
}

/** Whether the caller (or the environment) asked for generated upstream trees. */
export function wantsGenerated(opts: FetchOptions = {}): boolean {
  return opts.generated ?? process.env.PIPELINE_UPSTREAM === 'generated';
}

export async function fetchSource(ws: Workspace, pkgName: string, opts: FetchOptions = {}): Promise<FetchedSource> {
  const pkg = loadPackage(ws, pkgName);
  const source = pkg.definition.source;
  const progress = opts.progress ?? noProgress;
  if (source.kind === 'apt') return fetchApt(ws, pkg, progress);
  if (wantsGenerated(opts) && source.fallback === 'generated') return fetchGenerated(ws, pkg, progress);
  return fetchUrl(ws, pkg, progress, opts);
}

/** Line of a key in the package's package.yaml, for error lines. */
function lineIn(pkg: LoadedPackage, path: (string | number)[]): number | undefined {
  return parseYamlFile(pkg.file, PackageSchema).lineOf(path);
}

function packageFile(pkg: LoadedPackage): string {
  return relative(process.cwd(), pkg.file) || pkg.file;
}

// ---------------------------------------------------------------------------------------- apt

function isOrigTarball(name: string): boolean {
  return /\.orig(-[A-Za-z0-9][A-Za-z0-9-]*)?\.tar\.[a-z0-9]+$/.test(name);
}

/** Verify a fetched apt source directory: the pinned .dsc, then every file it lists. */
async function verifyAptDir(dir: string, dscName: string, expectedDsc: string): Promise<{ ok: true; files: SourceFile[] } | { ok: false; reason: string }> {
  const dscPath = join(dir, dscName);
  if (!existsSync(dscPath)) return { ok: false, reason: `${dscName} missing` };
  const dsc = await describe(dscPath);
  if (dsc.sha256 !== expectedDsc) return { ok: false, reason: `${dscName} has sha256 ${dsc.sha256}, package.yaml pins ${expectedDsc}` };
  let listed: ListedFile[];
  try {
    listed = parseDsc(readFileSync(dscPath, 'utf8'), dscPath).files;
  } catch (e) {
    if (!isPipelineError(e)) throw e;
    return { ok: false, reason: e.oneLine() };
  }
  const files: SourceFile[] = [dsc];
  for (const { name, ...want } of listed) {
    const path = join(dir, name);
    if (!existsSync(path)) return { ok: false, reason: `${name} missing` };
    const got = await describe(path);
    if (got.size !== want.size || got.sha256 !== want.sha256)
      return { ok: false, reason: `${name}: sha256 ${got.sha256} (${got.size} bytes), ${dscName} says ${want.sha256} (${want.size} bytes)` };
    files.push(got);
  }
  return { ok: true, files };
}

function dscFileName(pkg: string, version: string): string {
  // The .dsc name never carries the epoch.
  return `${pkg}_${version.replace(/^\d+:/, '')}.dsc`;
}

async function fetchApt(ws: Workspace, pkg: LoadedPackage, progress: Progress): Promise<FetchedSource> {
  const source = pkg.definition.source;
  if (source.kind !== 'apt') throw new Error('unreachable');
  const parent = join(ws.cacheDir, 'sources', pkg.definition.name);
  const dir = join(parent, source.version);
  const dscName = dscFileName(source.package, source.version);
  const result = (files: SourceFile[], downloaded: boolean): FetchedSource => ({
    package: pkg.definition.name,
    version: source.version,
    origin: 'apt',
    dir,
    dsc: files[0],
    origTarballs: files.filter((f) => isOrigTarball(f.name)),
    files,
    verified: true,
    downloaded,
  });

  const cached = progress.phase(`check cache ${relative(ws.cacheDir, dir)}`);
  if (existsSync(dir)) {
    const v = await verifyAptDir(dir, dscName, source.dscSha256);
    if (v.ok) {
      cached.done('verified, nothing to download');
      return result(v.files, false);
    }
    cached.done(`cached copy rejected (${v.reason}); fetching again`);
  } else cached.done('not cached');

  mkdirSync(parent, { recursive: true });
  const tmp = mkdtempSync(join(parent, `.fetch-${source.version}-`));
  try {
    const apt = privateApt(ws, source.series);
    const upd = progress.phase(`apt-get update (${source.series}, private lists)`);
    try { await apt.update(); upd.done(); } catch (e) { upd.fail(); throw e; }
    const dl = progress.phase(`apt-get source ${source.package}=${source.version}`);
    try { await apt.sourceDownload(source.package, source.version, tmp); dl.done(); } catch (e) { dl.fail(); throw e; }
    const check = progress.phase('verify checksums');
    const v = await verifyAptDir(tmp, dscName, source.dscSha256);
    if (!v.ok) {
      check.fail(v.reason);
      throw new PipelineError(`fetched source failed verification: ${v.reason}`, {
        file: packageFile(pkg), line: lineIn(pkg, ['source', 'dscSha256']), key: 'source.dscSha256', exitCode: 1,
      });
    }
    check.done(`${v.files.length} files`);
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
    return result(v.files.map((f) => ({ ...f, path: join(dir, f.name) })), true);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------- url

function origExtension(url: string): string {
  const m = /\.tar\.(gz|bz2|xz|lzma|zst)$|\.(tgz)$/.exec(new URL(url).pathname);
  if (!m) return 'gz';
  return m[1] ?? 'gz';
}

async function fetchUrl(ws: Workspace, pkg: LoadedPackage, progress: Progress, opts: FetchOptions): Promise<FetchedSource> {
  const source = pkg.definition.source;
  if (source.kind !== 'url') throw new Error('unreachable');
  const { name } = pkg.definition;
  const version = pkg.definition.upstream.version;
  const parent = join(ws.cacheDir, 'sources', name);
  const dir = join(parent, version);
  const origName = `${name}_${version}.orig.tar.${origExtension(source.url)}`;
  const result = (file: SourceFile, downloaded: boolean): FetchedSource => ({
    package: name, version, origin: 'url', dir, origTarballs: [file], files: [file], verified: true, downloaded,
  });

  if (source.sha256 && existsSync(join(dir, origName))) {
    const got = await describe(join(dir, origName));
    if (got.sha256 === source.sha256) {
      progress.phase(`check cache ${relative(ws.cacheDir, dir)}`).done('verified, nothing to download');
      return result(got, false);
    }
  }

  const phase = progress.phase(`download ${source.url}`);
  let body: Buffer;
  try {
    const response = await fetch(source.url, { signal: AbortSignal.timeout((opts.timeoutSeconds ?? 20) * 1000), redirect: 'follow' });
    if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`);
    body = Buffer.from(await response.arrayBuffer());
  } catch (e) {
    phase.fail('unreachable');
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    const reason = cause?.message ?? cause?.code ?? (e as Error).message;
    throw new PipelineError(`upstream unreachable: ${source.url} (${reason})`, {
      file: packageFile(pkg),
      exitCode: EXIT.environment,
      hint: source.fallback === 'generated' ? 'pass --generated to use a generated upstream tree for tests' : undefined,
    });
  }
  const sha256 = createHash('sha256').update(body).digest('hex');
  if (!source.sha256) {
    phase.fail('not pinned');
    throw new PipelineError(`no source.sha256 to verify ${source.url} against (it measures ${sha256})`, {
      file: packageFile(pkg), key: 'source.sha256', hint: `add "sha256: ${sha256}" under source`,
    });
  }
  if (sha256 !== source.sha256) {
    phase.fail('checksum mismatch');
    throw new PipelineError(`${source.url} has sha256 ${sha256}, package.yaml pins ${source.sha256}`, {
      file: packageFile(pkg), line: lineIn(pkg, ['source', 'sha256']), key: 'source.sha256', exitCode: 1,
    });
  }
  mkdirSync(dir, { recursive: true });
  const tmpFile = join(dir, `.${origName}.part`);
  writeFileSync(tmpFile, body);
  renameSync(tmpFile, join(dir, origName));
  phase.done(`${body.length} bytes, sha256 verified`);
  return result(await describe(join(dir, origName)), true);
}

// ---------------------------------------------------------------------------------- generated

/**
 * License and copyright of `Files: *` in the package's debian/copyright, so a generated tree of a
 * package without a built-in flavour carries the headers its copyright file declares.
 */
function generatedLicense(pkg: LoadedPackage): { license?: string; copyright?: string; homepage?: string } {
  const file = join(pkg.debianDir, 'copyright');
  const homepage = pkg.definition.upstream.homepage;
  if (!existsSync(file)) return { homepage };
  const para = readFileSync(file, 'utf8').split(/\n\s*\n/).find((p) => /^Files:\s*\*\s*$/m.test(p));
  const named = para && /^License:\s*(\S+)/m.exec(para)?.[1];
  const license = named && (LICENSES as readonly string[]).includes(named) ? named : undefined;
  const copyright = para && /^Copyright:\s*(.+)$/m.exec(para)?.[1]?.trim();
  return { homepage, ...(license ? { license } : {}), ...(copyright ? { copyright } : {}) };
}

async function fetchGenerated(ws: Workspace, pkg: LoadedPackage, progress: Progress): Promise<FetchedSource> {
  const { name } = pkg.definition;
  const version = pkg.definition.upstream.version;
  const dir = join(ws.cacheDir, 'sources', name, `${version}+generated`);
  const origName = `${name}_${version}.orig.tar.gz`;
  const phase = progress.phase(`generate upstream tree ${name} ${version}`);
  // Generation is deterministic (fixed mtimes, sorted, gzip without timestamp): the tarball's
  // sha256 is the same on every machine, so regenerating is equivalent to verifying.
  const bytes = await generatedOrigTarball(name, version, generatedLicense(pkg));
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const target = join(dir, origName);
  let downloaded = true;
  if (existsSync(target) && (await sha256File(target)) === sha256) downloaded = false;
  else {
    mkdirSync(dir, { recursive: true });
    for (const f of readdirSync(dir)) rmSync(join(dir, f), { recursive: true, force: true });
    writeFileSync(`${target}.part`, bytes);
    renameSync(`${target}.part`, target);
  }
  phase.done(downloaded ? `${bytes.length} bytes` : 'cached');
  const file = { name: origName, path: target, size: bytes.length, sha256 };
  return { package: name, version, origin: 'generated', dir, origTarballs: [file], files: [file], verified: true, downloaded };
}
