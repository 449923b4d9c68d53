/**
 * Seeded fault injection: `PIPELINE_FAULTS=SEED:RATE[:MODE]` (off by default) makes the tool throw or
 * die with SIGKILL at named fault points, so crash recovery can be proven by a soak test.
 *
 * Whether a point fires is decided by a PRNG seeded from (SEED, point name, occurrence of that point in
 * this process): the same seed and the same sequence of points give the same faults, so every failure
 * reproduces from the seed printed with it. MODE is `kill` (SIGKILL only), `throw` (an exception only)
 * or `mix` (the default: the PRNG picks one of the two).
 *
 * A fired fault is written to stderr as one line and appended (fsynced) to `<stateDir>/faults.log`
 * before it takes effect, so a soak can count the distinct points it hit even through SIGKILL.
 */
import { appendFileSync, closeSync, fsyncSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';

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

function current(): FaultConfig | undefined {
  if (config === null) config = parseFaultSpec(process.env.PIPELINE_FAULTS, process.env.PIPELINE_FAULT_POINTS);
  return config;
}

/** Set (or clear, with undefined) the configuration in-process, e.g. from tests. Resets counters. */
export function configureFaults(next: FaultConfig | undefined, options: { logFile?: string } = {}): void {
  config = next;
  occurrences.clear();
  if (options.logFile !== undefined) logFile = options.logFile;
}

/** Where fired faults are logged (the runner sets <stateDir>/faults.log). */
export function setFaultLog(file: string): void {
  logFile = process.env.PIPELINE_FAULTS_LOG ?? file;
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

/** FNV-1a over the text, mixed with the seed: a stable 32-bit seed per (seed, point, occurrence). */
export function seedFor(seed: number, point: string, occurrence: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (const ch of `${point}#${occurrence}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return h;
}

export interface FaultDecision {
  fire: boolean;
  kind: 'kill' | 'throw';
  occurrence: number;
}

/** The pure decision for one occurrence of a point (exported for tests and the soak's bookkeeping). */
export function decide(cfg: FaultConfig, point: string, occurrence: number): FaultDecision {
  const rnd = mulberry32(seedFor(cfg.seed, point, occurrence));
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
  const d = decide(cfg, point, occurrence);
  if (!d.fire) return;
  const kind = options.kind ?? d.kind;
  process.stderr.write(`pipeline: fault injected at ${point} (seed ${cfg.seed}) [${kind}, occurrence ${occurrence}]\n`);
  logFault({ point, seed: cfg.seed, occurrence, kind, pid: process.pid, at: new Date().toISOString() });
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
