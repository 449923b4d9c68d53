/**
 * The run journal: one append-only JSONL file per run, `<stateDir>/runs/<runId>/journal.jsonl`, the
 * on-disk queue of pending work that a restarted pipeline recovers from (the seed thread's design).
 *
 * Each line is `<checksum> <json>`: the checksum is the first 16 hex digits of the JSON's sha256, so
 * a line torn by a crash mid-write (or corrupted later) is detected. Reading stops at the first bad
 * line — everything after it is untrusted — and `repair` moves the damaged tail aside so the run can
 * resume from the last good entry. Every append is fsynced before it returns, i.e. before the step's
 * effect starts; a new journal's directory is fsynced too, so the file itself survives a power cut.
 *
 * Next to it, `run.json` is a small index (package, command, args, state, progress) written atomically
 * (write-file-atomic: write, fsync, rename) so `pipeline runs` can list runs cheaply. The journal stays
 * the truth: when the two disagree (a crash between them), the journal wins.
 */
import { createHash } from 'node:crypto';
import {
  closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, truncateSync, writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { PipelineError } from '../errors.js';
import { faultPoint } from './faults.js';
import { readJson, writeJsonAtomic } from './store.js';

/** `abandoned`: a human said this run must never be resumed (`pipeline runs abandon`); final. */
export type RunState = 'running' | 'interrupted' | 'failed' | 'done' | 'abandoned';

interface Base { seq: number; at: string }
export type JournalEntry = Base & (
  | { type: 'run-planned'; runId: string; package: string; command: string; args: unknown; steps: string[]; pid: number; standalone?: boolean }
  | { type: 'run-resumed'; pid: number; interrupted?: string; repaired?: string }
  | { type: 'step-start'; step: string; attempt: number; inputsHash?: string }
  | { type: 'step-end'; step: string; output: unknown; outputHash: string; reconciled?: boolean }
  | { type: 'step-failed'; step: string; attempt: number; error: string; transient: boolean }
  | { type: 'retry'; step: string; attempt: number; delayMs: number; reason: string }
  | { type: 'run-done'; state: 'done' | 'failed'; error?: string; step?: string; permanent?: boolean; halted?: boolean }
  | { type: 'run-abandoned'; pid: number; by: string; reason?: string; unfinishedPublish?: string[] }
);
export type JournalEntryType = JournalEntry['type'];
/** An entry as appended (seq and at are filled in). */
export type NewEntry = JournalEntry extends infer E ? E extends JournalEntry ? Omit<E, 'seq' | 'at'> : never : never;

/** Where and why a journal stops being trustworthy. */
export interface JournalDamage {
  /** 1-based line number of the first bad line. */
  line: number;
  /** Byte offset where the bad line starts (the file is good up to here). */
  offset: number;
  reason: 'truncated' | 'checksum mismatch' | 'not JSON' | 'out of sequence';
  /** Lines discarded from there on (the bad one included). */
  discarded: number;
}

export interface RunIndex {
  runId: string;
  package: string;
  command: string;
  args: unknown;
  /** Its kind publishes nothing (runner.ts RunKindOptions): written by the process that knew. */
  standalone?: boolean;
  state: RunState;
  steps: string[];
  stepsDone: number;
  startedAt: string;
  updatedAt: string;
  pid: number;
  error?: string;
}

export function runsDir(stateDir: string): string {
  return join(stateDir, 'runs');
}
export function runDir(stateDir: string, runId: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(runId)) throw new PipelineError(`not a run id: ${JSON.stringify(runId)}`, { hint: 'see pipeline runs' });
  return join(runsDir(stateDir), runId);
}
export function journalFile(stateDir: string, runId: string): string {
  return join(runDir(stateDir, runId), 'journal.jsonl');
}

/** sha256 of a value's canonical JSON (object keys sorted), for input and output hashes. */
export function hashValue(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value) ?? 'undefined').digest('hex');
}

export function canonicalJson(value: unknown): string | undefined {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v);
}

const checksum = (json: string) => createHash('sha256').update(json).digest('hex').slice(0, 16);

export function encodeLine(entry: JournalEntry): string {
  const json = JSON.stringify(entry);
  return `${checksum(json)} ${json}\n`;
}

export interface ReadResult {
  entries: JournalEntry[];
  damage?: JournalDamage;
  /** Bytes of the file that hold good entries. */
  goodBytes: number;
}

/** Parse a journal, stopping at the first torn, corrupted or out-of-sequence line. */
export function parseJournal(text: string): ReadResult {
  const entries: JournalEntry[] = [];
  let offset = 0;
  let line = 0;
  const all = text.length === 0 ? [] : text.split(/(?<=\n)/); // keeps each line's newline
  for (const raw of all) {
    line++;
    const fail = (reason: JournalDamage['reason']): ReadResult =>
      ({ entries, goodBytes: offset, damage: { line, offset, reason, discarded: all.length - line + 1 } });
    if (!raw.endsWith('\n')) return fail('truncated');
    const m = /^([0-9a-f]{16}) (.*)\n$/s.exec(raw);
    if (!m || checksum(m[2]!) !== m[1]) return fail('checksum mismatch');
    let entry: JournalEntry;
    try {
      entry = JSON.parse(m[2]!) as JournalEntry;
    } catch {
      return fail('not JSON');
    }
    if (entry.seq !== entries.length + 1) return fail('out of sequence');
    entries.push(entry);
    offset += Buffer.byteLength(raw);
  }
  return { entries, goodBytes: offset };
}

export function readJournal(file: string): ReadResult {
  if (!existsSync(file)) return { entries: [], goodBytes: 0 };
  // Good lines are valid UTF-8 (only a torn or corrupted line can hold a broken character), so
  // their byte lengths, summed while parsing, are exact file offsets.
  return parseJournal(readFileSync(file).toString('utf8'));
}

function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try { fsyncSync(fd); } finally { closeSync(fd); }
}

/** One run's journal, open for appending. */
export class Journal {
  private seq: number;

  private constructor(readonly stateDir: string, readonly runId: string, readonly entries: JournalEntry[]) {
    this.seq = entries.length;
  }

  get file(): string {
    return journalFile(this.stateDir, this.runId);
  }

  /** Start a new run's journal; fails if the run already exists. */
  static create(stateDir: string, runId: string): Journal {
    const dir = runDir(stateDir, runId);
    if (existsSync(join(dir, 'journal.jsonl'))) throw new PipelineError(`run ${runId} already exists`, { file: dir });
    mkdirSync(dir, { recursive: true });
    closeSync(openSync(join(dir, 'journal.jsonl'), 'wx'));
    fsyncDir(dir);
    fsyncDir(runsDir(stateDir));
    return new Journal(stateDir, runId, []);
  }

  /**
   * Open an existing run's journal for resuming. A damaged tail is moved aside into
   * `journal.damaged-<time>` (kept for inspection) and the file truncated to its last good entry.
   */
  static open(stateDir: string, runId: string): { journal: Journal; damage?: JournalDamage } {
    const file = journalFile(stateDir, runId);
    if (!existsSync(file)) throw new PipelineError(`no such run: ${runId}`, { file, hint: 'see pipeline runs' });
    const { entries, damage, goodBytes } = readJournal(file);
    if (damage) {
      const tail = readFileSync(file).subarray(goodBytes);
      const aside = `${file.replace(/\.jsonl$/, '')}.damaged-${Date.now()}`;
      const fd = openSync(aside, 'wx');
      try { writeSync(fd, tail); fsyncSync(fd); } finally { closeSync(fd); }
      truncateSync(file, goodBytes);
      const jfd = openSync(file, 'r+');
      try { fsyncSync(jfd); } finally { closeSync(jfd); }
    }
    return { journal: new Journal(stateDir, runId, entries), damage };
  }

  /**
   * Append one entry and fsync it. Fault points before and after, and a torn-write point that
   * leaves half a line behind before dying — exactly what a crash mid-write leaves.
   */
  append(entry: NewEntry): JournalEntry {
    const full = { seq: this.seq + 1, at: new Date().toISOString(), ...entry } as JournalEntry;
    const line = encodeLine(full);
    faultPoint('journal.before-append');
    const fd = openSync(this.file, 'a');
    try {
      faultPoint('journal.torn-append', {
        kind: 'kill',
        beforeKill: () => { writeSync(fd, line.slice(0, Math.max(1, Math.floor(line.length / 2)))); fsyncSync(fd); },
      });
      writeSync(fd, line);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.seq++;
    this.entries.push(full);
    faultPoint('journal.after-append');
    return full;
  }
}

// ---- The run index (run.json) and summaries ----

export function runIndexFile(stateDir: string, runId: string): string {
  return join(runDir(stateDir, runId), 'run.json');
}

export function writeRunIndex(stateDir: string, index: RunIndex): void {
  writeJsonAtomic(runIndexFile(stateDir, index.runId), index);
}

export function readRunIndex(stateDir: string, runId: string): RunIndex | undefined {
  try {
    return readJson<RunIndex>(runIndexFile(stateDir, runId));
  } catch {
    return undefined; // the journal can rebuild it
  }
}

export interface RunSummary {
  runId: string;
  package: string;
  command: string;
  args: unknown;
  /** Its kind publishes nothing: other runs of the package do not resume it first. */
  standalone?: boolean;
  /** From the journal alone: 'running' here means "not finished" (the caller checks the lock). */
  state: RunState;
  steps: string[];
  done: string[];
  /** A step started and never ended (crash) — reconciled before it runs again. */
  interrupted?: string;
  startedAt: string;
  updatedAt: string;
  retries: number;
  resumes: number;
  error?: string;
  /** The failure was permanent (FTBFS, gate, refused version): resuming cannot help. */
  permanent?: boolean;
  /** Stopped by the crash-loop guard: resumed only by a human (`pipeline resume RUN --force`). */
  halted?: boolean;
  damage?: JournalDamage;
  /** Set by `pipeline runs abandon`: who, when, why, and publish steps it left unfinished. */
  abandoned?: { at: string; by: string; reason?: string; unfinishedPublish?: string[] };
}

/** Step names that upload (`publish`, or `STAGE:publish` in a promote): abandoning mid-way is risky. */
export const isPublishStep = (step: string) => /(^|:)publish$/.test(step);

/** Publish steps that were started and never ended (the upload may or may not have happened). */
export function unfinishedPublishSteps(entries: JournalEntry[]): string[] {
  const open = new Set<string>();
  for (const e of entries) {
    if (e.type === 'step-start' && isPublishStep(e.step)) open.add(e.step);
    else if (e.type === 'step-end') open.delete(e.step);
  }
  return [...open];
}

/** What the journal says about a run. */
export function summarize(entries: JournalEntry[], damage?: JournalDamage): RunSummary | undefined {
  const plan = entries[0];
  if (!plan || plan.type !== 'run-planned') return undefined;
  const done = new Set<string>();
  const open = new Set<string>();
  let state: RunState = 'interrupted';
  let error: string | undefined;
  let permanent: boolean | undefined;
  let halted: boolean | undefined;
  let retries = 0;
  let resumes = 0;
  let abandoned: RunSummary['abandoned'];
  for (const e of entries) {
    if (e.type === 'step-start') open.add(e.step);
    else if (e.type === 'step-end') { open.delete(e.step); done.add(e.step); }
    else if (e.type === 'step-failed') { open.delete(e.step); error = e.error; }
    else if (e.type === 'retry') retries++;
    else if (e.type === 'run-resumed') { resumes++; state = 'interrupted'; permanent = halted = undefined; }
    else if (e.type === 'run-done') { state = e.state; error = e.error; permanent = e.permanent; halted = e.halted; }
    else if (e.type === 'run-abandoned') abandoned = { at: e.at, by: e.by, reason: e.reason, unfinishedPublish: e.unfinishedPublish };
  }
  if (abandoned) state = 'abandoned'; // final, whatever a stray later entry says
  return {
    runId: plan.runId,
    package: plan.package,
    command: plan.command,
    args: plan.args,
    ...(plan.standalone ? { standalone: true } : {}),
    state,
    steps: plan.steps,
    done: plan.steps.filter((s) => done.has(s)),
    interrupted: [...open][0],
    startedAt: plan.at,
    updatedAt: entries[entries.length - 1]!.at,
    retries,
    resumes,
    error: state === 'done' ? undefined : error,
    permanent,
    halted,
    damage,
    ...(abandoned ? { abandoned } : {}),
  };
}

/** Every run id under the state dir, oldest first (ids start with a UTC timestamp). */
export function listRunIds(stateDir: string): string[] {
  const dir = runsDir(stateDir);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'journal.jsonl')))
    .map((d) => d.name)
    .sort();
}

/** Read-only summary of one run (a damaged tail is reported, not repaired). */
export function readRun(stateDir: string, runId: string): RunSummary | undefined {
  const { entries, damage } = readJournal(journalFile(stateDir, runId));
  return summarize(entries, damage);
}

/** Rename helper used when a whole run directory must be set aside (e.g. an empty, unplanned journal). */
export function setRunAside(stateDir: string, runId: string): void {
  const dir = runDir(stateDir, runId);
  renameSync(dir, `${dir}.abandoned-${Date.now()}`);
}
