/**
 * autopkgtest (DEP-8) with the unshare virtualisation server: run a source package's tests against
 * given binaries in a throw-away copy of a chroot tarball, and report what happened per test.
 *
 *   autopkgtest --output-dir OUT [--add-apt-source LINE]... --setup-commands 'apt-get update'
 *               SOURCE BINARY.deb... -- unshare -t TARBALL [-b HOSTDIR DIR]...
 *
 * SOURCE is a .dsc or an unpacked source tree. The binaries go into a local repository in the
 * testbed pinned above everything else (autopkgtest's own mechanism), so a test's Depends resolve
 * to them; when none of the source's own binaries are given, autopkgtest builds them in the testbed
 * first. The cached chroot tarballs carry no apt lists (mmdebstrap removes them), hence the update.
 * Exit codes (autopkgtest(1)): 0 all passed, 2 some skipped, 4 some failed, 6 failed and skipped,
 * 8 no tests, 12 erroneous package (build or test dependencies failed), 14 bad arguments, 16 the
 * testbed failed, 20 another unexpected failure.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { execaSupervised } from './supervised.js';

export interface AutopkgtestOptions {
  /** A .dsc or an unpacked source tree (a directory). */
  source: string;
  /** .deb files to test (installed on demand through the pinned local repository). */
  binaries: string[];
  /** The chroot tarball the testbed is unpacked from. */
  tarball: string;
  /** Created (emptied first): summary, log, per-test stdout/stderr/packages. */
  outputDir: string;
  /** apt source lines added in the testbed (the stage's extra repositories). */
  aptSources?: string[];
  /** Host directories bind-mounted into the testbed (file:// repositories, keyrings). */
  binds?: Array<{ directory: string; mountpoint: string }>;
  /** Where the testbed is unpacked (a directory; default the system's temporary directory). */
  unpackIn?: string;
  /** Shell commands run in the testbed before its apt update (e.g. an apt preferences file). */
  setupCommands?: string[];
  /** Only these tests (autopkgtest --test-name). */
  tests?: string[];
  onLine?: (line: string) => void;
  signal?: AbortSignal;
}

export type TestResult = 'PASS' | 'FAIL' | 'SKIP' | 'FLAKY' | 'NEUTRAL' | 'BAD';

export interface TestOutcome {
  name: string;
  result: TestResult;
  /** The rest of the summary line: "non-zero exit status 1", "stderr: ...", "(superficial)". */
  detail: string;
}

export interface AutopkgtestResult {
  exitCode: number;
  tests: TestOutcome[];
  outputDir: string;
  /** autopkgtest's own log of the whole run (OUT/log). */
  log: string;
  command: string[];
}

export function autopkgtestArgs(o: AutopkgtestOptions): string[] {
  const args = ['--output-dir', o.outputDir];
  for (const line of o.aptSources ?? []) args.push('--add-apt-source', line);
  for (const c of o.setupCommands ?? []) args.push('--setup-commands', c);
  // Translations are not needed to resolve dependencies; leaving them out saves a download per testbed.
  args.push('--setup-commands', 'apt-get update -q -o Acquire::Languages=none');
  for (const t of o.tests ?? []) args.push('--test-name', t);
  args.push(o.source, ...o.binaries, '--', 'unshare', '--tarball', o.tarball);
  if (o.unpackIn) args.push('--prefix', `${o.unpackIn}/autopkgtest-virt-unshare.`);
  for (const b of o.binds ?? []) args.push('--bind', b.directory, b.mountpoint);
  return args;
}

export async function autopkgtest(o: AutopkgtestOptions): Promise<AutopkgtestResult> {
  // autopkgtest refuses an output directory that exists and is not empty.
  rmSync(o.outputDir, { recursive: true, force: true });
  mkdirSync(join(o.outputDir, '..'), { recursive: true });
  const args = autopkgtestArgs(o);
  // Under a death signal (supervised.ts): a killed pipeline must not leave a testbed running.
  const sub = execaSupervised('autopkgtest', args, {
    reject: false, all: true, stdin: 'ignore', env: { LC_ALL: 'C.UTF-8' }, cancelSignal: o.signal,
  });
  if (o.onLine) for await (const line of sub.iterable({ from: 'all' })) o.onLine(String(line));
  const result = await sub;
  const summary = join(o.outputDir, 'summary');
  return {
    exitCode: result.exitCode ?? 20,
    tests: existsSync(summary) ? parseAutopkgtestSummary(readFileSync(summary, 'utf8')) : [],
    outputDir: o.outputDir,
    log: join(o.outputDir, 'log'),
    command: ['autopkgtest', ...args],
  };
}

/** OUT/summary: one `NAME RESULT [detail]` line per test (`client-binding FAIL non-zero exit status 1`). */
export function parseAutopkgtestSummary(text: string): TestOutcome[] {
  const out: TestOutcome[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\S+)\s+(PASS|FAIL|SKIP|FLAKY|NEUTRAL|BAD)\b\s*(.*)$/.exec(line.trim());
    if (m) out.push({ name: m[1]!, result: m[2] as TestResult, detail: m[3]!.trim() });
  }
  return out;
}

/** The last `lines` lines a test printed (its stderr, then its stdout), for a verdict to quote. */
export function testOutputTail(outputDir: string, test: string, lines = 12): string[] {
  const read = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter((l) => l.trim()) : []);
  const err = read(join(outputDir, `${test}-stderr`));
  const out = read(join(outputDir, `${test}-stdout`));
  return (err.length ? err : out).slice(-lines);
}

/** `pkg\tversion` lines autopkgtest records of what a test had installed (OUT/TEST-packages). */
export function testPackages(outputDir: string, test: string): Map<string, string> {
  const file = join(outputDir, `${test}-packages`);
  const map = new Map<string, string>();
  if (!existsSync(file)) return map;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const [name, version] = line.trim().split(/\s+/);
    if (name && version) map.set(name.replace(/:.*$/, ''), version);
  }
  return map;
}

/** The last lines of autopkgtest's own log: what it said when the testbed or a dependency failed. */
export function logTail(log: string, lines = 12): string[] {
  if (!existsSync(log)) return [];
  return readFileSync(log, 'utf8').split('\n').filter((l) => l.trim() && !l.includes('Reading database')).slice(-lines);
}
