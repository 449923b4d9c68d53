/**
 * Retries for transient failures, with exponential backoff, jitter and a cap on attempts, plus the
 * seed thread's crash-loop guard: more than `limit` failures at the same step, with no step
 * finished in between, within `intervalSeconds` halts the run, as upstart's `respawn limit 10 5`
 * stops respawning (then a human looks at it). Failures are counted across processes from the
 * journal (crashes included), so a restart that takes longer than the interval/limit still counts.
 *
 * Only failures known to be transient are retried: an error marked `transient`, or one whose message
 * or tool output matches a known transient pattern (mirror timeouts, the dpkg/apt lock, DNS, a dput
 * connection refused or reset). Anything marked `permanent` (FTBFS, a lint gate, a refused version)
 * and anything unrecognised is not: repeating an unknown failure is how uploads get duplicated.
 */
import type { PipelineConfig } from '../config/schema.js';
import type { JournalEntry } from './journal.js';

export type FailureKind = 'transient' | 'permanent';

export interface Classification {
  kind: FailureKind;
  /** Why: the matching pattern, the mark, or 'unrecognised'. */
  reason: string;
}

/** Output fragments of tools that mean "try again later". */
export const TRANSIENT_PATTERNS: readonly { name: string; re: RegExp }[] = [
  { name: 'dpkg/apt lock', re: /Could not get lock \/var\/lib\/(dpkg|apt)|Unable to acquire the dpkg frontend lock/ },
  { name: 'DNS', re: /Temporary failure (in name )?resolving|Temporary failure in name resolution|EAI_AGAIN/ },
  { name: 'mirror fetch', re: /^E: Failed to fetch |\bFailed to fetch http|Hash Sum mismatch|Some index files failed to download/m },
  { name: 'timeout', re: /\b(Connection|Operation|Read) timed out\b|ETIMEDOUT|socket\.timeout|timed out waiting/i },
  { name: 'connection refused', re: /Connection refused|ECONNREFUSED/ },
  { name: 'connection reset', re: /Connection reset by peer|ECONNRESET|BrokenPipeError|Broken pipe|EPIPE/ },
  { name: 'network unreachable', re: /Network is unreachable|ENETUNREACH|No route to host|EHOSTUNREACH/ },
  { name: 'archive lock busy', re: /Could not acquire lock|lock ?file .* already exists/i },
];

interface Marked { transient?: unknown; permanent?: unknown; stderr?: unknown; stdout?: unknown; shortMessage?: unknown; cause?: unknown }

/** Mark an error as transient (worth retrying). Returns it, for `throw transient(e)`. */
export function transient<E extends Error>(error: E): E {
  Object.assign(error, { transient: true, permanent: false });
  return error;
}

/** Mark an error as permanent (never retried: FTBFS, lint gate, version refused). */
export function permanent<E extends Error>(error: E): E {
  Object.assign(error, { permanent: true, transient: false });
  return error;
}

export function classifyError(error: unknown): Classification {
  const e = (error ?? {}) as Marked & Error;
  if (e.permanent === true) return { kind: 'permanent', reason: 'marked permanent' };
  if (e.transient === true) return { kind: 'transient', reason: 'marked transient' };
  const text = [e.message, e.shortMessage, e.stderr, e.stdout, (e.cause as Error | undefined)?.message]
    .filter((t): t is string => typeof t === 'string')
    .join('\n');
  for (const p of TRANSIENT_PATTERNS) if (p.re.test(text)) return { kind: 'transient', reason: p.name };
  return { kind: 'permanent', reason: 'unrecognised' };
}

export interface RetryPolicy {
  /** Total attempts per step (the first one included). */
  attempts: number;
  /** Crash-loop guard: more than `limit` failures within `intervalMs` stops retrying. */
  limit: number;
  intervalMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export function retryPolicy(config?: Pick<PipelineConfig, 'retry'>): RetryPolicy {
  const r = config?.retry;
  const env = process.env.PIPELINE_RETRY_BASE_MS;
  return {
    attempts: r?.attempts ?? 4,
    limit: r?.limit ?? 10,
    intervalMs: (r?.intervalSeconds ?? 3600) * 1000,
    baseDelayMs: env !== undefined && /^\d+$/.test(env) ? Number(env) : (r?.baseDelayMs ?? 1000),
    maxDelayMs: r?.maxDelayMs ?? 30_000,
  };
}

/**
 * Backoff before attempt `attempt + 1`: exponential (base·2^(attempt-1), capped) with "equal jitter"
 * (half fixed, half random), so concurrent retriers spread out but never retry immediately.
 */
export function backoffDelay(attempt: number, policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>, random = Math.random): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp / 2 + random() * (exp / 2));
}

/** upstart's respawn limit: trips when more than `limit` failures fall within `intervalMs`. */
export class CrashLoopGuard {
  private readonly times: number[] = [];

  constructor(readonly limit: number, readonly intervalMs: number, previous: number[] = []) {
    for (const t of previous) this.record(t);
  }

  /** Record a failure; true when the guard has tripped. */
  record(at = Date.now()): boolean {
    this.times.push(at);
    this.times.sort((a, b) => a - b);
    return this.tripped(at);
  }

  tripped(now = Date.now()): boolean {
    const recent = this.times.filter((t) => t > now - this.intervalMs && t <= now);
    return recent.length > this.limit;
  }

  get recent(): number {
    const now = Date.now();
    return this.times.filter((t) => t > now - this.intervalMs).length;
  }
}

export class CrashLoopError extends Error {
  readonly permanent = true;
  constructor(readonly failures: number, readonly limit: number, readonly intervalMs: number, readonly last?: unknown, readonly step?: string) {
    super(`crash-loop guard: ${failures} failures${step ? ` at step ${step}` : ''} without progress within ${intervalMs / 1000}s (limit ${limit}); stopped, manual intervention required`);
    this.name = 'CrashLoopError';
  }
}

/**
 * The crash-loop guard's memory, from the journal, across processes: the times of the failures at
 * the step a run is stuck on since it last made progress (a step ended) or a human forced it on
 * (`resume --force`). A failure is a journaled `step-failed`, or a crash: a `run-resumed` after a
 * process that never journaled its `run-done` (killed, power cut). `step` is where it is stuck.
 */
export function failuresWithoutProgress(entries: readonly JournalEntry[]): { step?: string; times: number[] } {
  let times: number[] = [];
  let step: string | undefined;
  let ended = true;
  for (const e of entries) {
    if (e.type === 'step-end') { times = []; step = undefined; }
    else if (e.type === 'step-start') step = e.step;
    else if (e.type === 'step-failed') { times.push(Date.parse(e.at)); step = e.step; }
    else if (e.type === 'run-done') ended = true;
    else if (e.type === 'run-planned') ended = false;
    else if (e.type === 'run-resumed') {
      if (e.forced) times = [];
      else if (!ended) times.push(Date.parse(e.at));
      ended = false;
    }
  }
  return { step, times };
}

export interface RetryHooks {
  /** Called after every failed attempt with its classification (journal it). */
  onFailure?(error: unknown, info: { attempt: number; classification: Classification }): void;
  /** Called before sleeping for the next attempt (journal it). */
  onRetry?(info: { attempt: number; delayMs: number; reason: string }): void;
  guard?: CrashLoopGuard;
  /** The step retried, named in the crash-loop guard's message. */
  step?: string;
  /** May this failure be retried at all, transient or not (a step not declared retryable: no). */
  retryable?: boolean | ((error: unknown) => boolean);
  sleep?(ms: number): Promise<void>;
  random?(): number;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Run `fn` until it succeeds, a failure is permanent, the attempts are used up or the crash-loop
 * guard trips. The error that stops it is rethrown (a CrashLoopError when the guard tripped).
 */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, policy: RetryPolicy, hooks: RetryHooks = {}): Promise<T> {
  const guard = hooks.guard ?? new CrashLoopGuard(policy.limit, policy.intervalMs);
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      const classification = classifyError(error);
      hooks.onFailure?.(error, { attempt, classification });
      if (guard.record()) throw new CrashLoopError(guard.recent, policy.limit, policy.intervalMs, error, hooks.step);
      const allowed = typeof hooks.retryable === 'function' ? hooks.retryable(error) : hooks.retryable !== false;
      if (classification.kind === 'permanent' || !allowed || attempt >= policy.attempts) throw error;
      const delayMs = backoffDelay(attempt, policy, hooks.random);
      hooks.onRetry?.({ attempt: attempt + 1, delayMs, reason: classification.reason });
      await (hooks.sleep ?? sleep)(delayMs);
    }
  }
}
