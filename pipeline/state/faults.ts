/**
 * Seeded fault injection: `PIPELINE_FAULTS=SEED:RATE[:MODE]` (off by default) makes the tool throw or
 * die with SIGKILL at named fault points, so crash recovery can be proven by a soak test.
 *
 * Whether a point fires is decided by a PRNG seeded from (SEED, point name, occurrence of that point in
 * this process, generation): the generation is this process's number among the processes that ran
 * with faults on over the same state directory (`<stateDir>/faults.generation`, one line per
 * process). Without it a restarted process meets the very fault that killed its predecessor at the
 * same place, forever; with it, each restart draws afresh, so a run with faults always on still makes
 * progress and finishes. The same seed and the same sequence of commands over a fresh state directory
 * give the same faults, so every failure reproduces from the seed printed with it. MODE is `kill`
 * (SIGKILL only), `throw` (an exception only) or `mix` (the default: the PRNG picks one of the two).
 *
 * A fired fault is written to stderr as one line and appended (fsynced) to `<stateDir>/faults.log`
 * before it takes effect, so a soak can count the distinct points it hit even through SIGKILL.
 */
import { appendFileSync, closeSync, fsyncSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The fault points pipeline's own code calls; other modules may add their own names. */
export const FAULT_POINTS = [
  'journal.before-append',
  'journal.after-append',
  /** A half-written journal line, then SIGKILL: the crash-mid-write case the checksums detect. */
  'journal.torn-append',
  'state.write',
  'lock.after-acquire',
  'step.before-run',
  'step.after-run',
  'publish.after-dput-before-archive-update',
  /** The stage's binaries are in the suite, the confirm step has not recorded it (archive/stageBinaries.ts). */
  'confirm.after-binaries',
  'chroot.refresh',
] as const;

export type FaultMode = 'kill' | 'throw' | 'mix';

export interface FaultConfig {
  seed: number;
  /** Probability in [0, 1] that a point fires on a given occurrence. */
  rate: number;
  mode: FaultMode;
  /** Only these points may fire (all when empty). PIPELINE_FAULT_POINTS=a,b */
  only: string[];
}

/** The exception a `throw` fault raises; transient, so the retry machinery is exercised too. */
export class InjectedFault extends Error {
  readonly transient = true;
  constructor(readonly point: string, readonly seed: number) {
    super(`fault injected at ${point} (seed ${seed})`);
    this.name = 'InjectedFault';
  }
}

export const isInjectedFault = (e: unknown): e is InjectedFault => e instanceof InjectedFault;

/**
 * Run `fn` again when an injected `throw` fault stops it: such a fault is a transient failure by
 * design, and the places outside a step (journal appends, run.json, locks) retry it on the spot, as
 * a step retries its own. Each try is a new occurrence of the point, so a new decision. Anything
 * else, and the last try's fault, is rethrown.
 */
export function retryInjected<T>(fn: () => T, tries = 8): T {
  for (let i = 1; ; i++) {
    try {
      return fn();
    } catch (e) {
      if (!isInjectedFault(e) || i >= tries) throw e;
    }
  }
}

export async function retryInjectedAsync<T>(fn: () => Promise<T>, tries = 8): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (e) {
      if (!isInjectedFault(e) || i >= tries) throw e;
    }
  }
}

export function parseFaultSpec(spec: string | undefined, only?: string): FaultConfig | undefined {
  if (!spec) return undefined;
  const m = /^(\d+):(0(?:\.\d+)?|1(?:\.0+)?|\.\d+)(?::(kill|throw|mix))?$/.exec(spec.trim());
  if (!m) throw new Error(`PIPELINE_FAULTS: expected SEED:RATE[:kill|throw|mix] (e.g. 42:0.05), got ${JSON.stringify(spec)}`);
  return {
    seed: Number(m[1]),
    rate: Number(m[2]),
    mode: (m[3] as FaultMode | undefined) ?? 'mix',
    only: (only ?? '').split(',').map((s) => s.trim()).filter(Boolean),
  };
}

let config: FaultConfig | undefined | null = null; // null: not read from the environment yet
let logFile: string | undefined;
const occurrences = new Map<string, number>();
/** This process's generation (0 until the state directory is known), and the file it was counted in. */
let generation = 0;
let generationFile: string | undefined;

function current(): FaultConfig | undefined {
  if (config === null) config = parseFaultSpec(process.env.PIPELINE_FAULTS, process.env.PIPELINE_FAULT_POINTS);
  return config;
}

/** Set (or clear, with undefined) the configuration in-process, e.g. from tests. Resets counters. */
export function configureFaults(next: FaultConfig | undefined, options: { logFile?: string; generation?: number } = {}): void {
  config = next;
  occurrences.clear();
  if (options.logFile !== undefined) logFile = options.logFile;
  generation = options.generation ?? 0;
  generationFile = undefined;
}

/**
 * Where fired faults are logged (the CLI and the runner set <stateDir>/faults.log). With faults on,
 * the first call for a state directory also counts this process in `faults.generation` beside it.
 */
export function setFaultLog(file: string): void {
  logFile = process.env.PIPELINE_FAULTS_LOG ?? file;
  if (!current()) return;
  const counter = join(dirname(logFile), 'faults.generation');
  if (generationFile === counter) return;
  try {
    mkdirSync(dirname(counter), { recursive: true });
    // One line per process, appended (O_APPEND): two processes starting together still differ.
    appendFileSync(counter, `${process.pid}\n`);
    generation = readFileSync(counter, 'utf8').split('\n').filter(Boolean).length;
    generationFile = counter;
  } catch {
    // Cannot count: decisions stay those of generation 0, as before the state dir was known.
  }
}

/** This process's fault generation (0 when not counted). */
export function faultGeneration(): number {
  return generation;
}

export function faultsEnabled(): boolean {
  return current() !== undefined;
}

/** mulberry32: a tiny, well-distributed 32-bit PRNG; enough for choosing faults. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * FNV-1a over the text, mixed with the seed: a stable 32-bit seed per (seed, point, occurrence,
 * generation). Generation 0 (not counted) hashes as before generations existed.
 */
export function seedFor(seed: number, point: string, occurrence: number, gen = 0): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (const ch of `${point}#${occurrence}${gen ? `@${gen}` : ''}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return h;
}

export interface FaultDecision {
  fire: boolean;
  kind: 'kill' | 'throw';
  occurrence: number;
}

/** The pure decision for one occurrence of a point in a generation (exported for tests and the soak). */
export function decide(cfg: FaultConfig, point: string, occurrence: number, gen = 0): FaultDecision {
  const rnd = mulberry32(seedFor(cfg.seed, point, occurrence, gen));
  const allowed = cfg.only.length === 0 || cfg.only.includes(point);
  const fire = allowed && rnd() < cfg.rate;
  const kind = cfg.mode === 'mix' ? (rnd() < 0.5 ? 'kill' : 'throw') : cfg.mode;
  return { fire, kind, occurrence };
}

/**
 * A named place where a crash is worth testing. Does nothing unless PIPELINE_FAULTS is set. `kill`
 * faults never return; `throw` faults raise an InjectedFault. `beforeKill` lets a caller leave
 * the world in the state a crash at that moment would (the journal uses it to write half a line).
 */
export function faultPoint(point: string, options: { beforeKill?: () => void; kind?: 'kill' | 'throw' } = {}): void {
  // PIPELINE_FAULTS_TRACE=FILE: list every point passed, to see where a command can be faulted.
  if (process.env.PIPELINE_FAULTS_TRACE) appendFileSync(process.env.PIPELINE_FAULTS_TRACE, `${point}\n`);
  const cfg = current();
  if (!cfg) return;
  const occurrence = (occurrences.get(point) ?? 0) + 1;
  occurrences.set(point, occurrence);
  const d = decide(cfg, point, occurrence, generation);
  if (!d.fire) return;
  const kind = options.kind ?? d.kind;
  process.stderr.write(`pipeline: fault injected at ${point} (seed ${cfg.seed}) [${kind}, occurrence ${occurrence}, generation ${generation}]\n`);
  logFault({ point, seed: cfg.seed, occurrence, generation, kind, pid: process.pid, at: new Date().toISOString() });
  if (kind === 'throw') throw new InjectedFault(point, cfg.seed);
  options.beforeKill?.();
  process.kill(process.pid, 'SIGKILL');
  // SIGKILL is not deliverable late, but keep the type checker and any odd platform honest.
  throw new InjectedFault(point, cfg.seed);
}

function logFault(entry: Record<string, unknown>): void {
  const file = logFile ?? process.env.PIPELINE_FAULTS_LOG;
  if (!file) return;
  try {
    mkdirSync(dirname(file), { recursive: true });
    appendFileSync(file, `${JSON.stringify(entry)}\n`);
    const fd = openSync(file, 'r');
    try { fsyncSync(fd); } finally { closeSync(fd); }
  } catch {
    // The log is bookkeeping for the soak; a failure to write it must not change the fault.
  }
}
