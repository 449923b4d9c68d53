/**
 * The run journal: one append-only JSONL file per run, `<stateDir>/runs/<runId>/journal.jsonl`, the
 * on-disk queue of pending work that a restarted pipeline recovers from (the seed thread's design).
 *
 * Each line is `<checksum> <json>`: the checksum is the first 16 hex digits of the JSON's sha256, so
 * a line torn by a crash mid-write (or corrupted later) is detected. Every line is checked on its
 * own: a damaged line (torn, checksum mismatch, not JSON, or a seq not above the previous good one)
 * is left out and the good lines after it still count, since each carries its own checksum and seq.
 * Opening a run for resuming sets the damaged lines aside (`journal.damaged-*`) and rewrites the
 * journal from the good ones; the runner then rebuilds what the lost lines said from the world (an
 * interrupted step is reconciled against the archive, the records and the files on disk). Every
 * append is fsynced before it returns, i.e. before the step's effect starts; a new journal's
 * directory is fsynced too, so the file itself survives a power cut.
 *
 * Next to it, `run.json` is a small index (package, command, args, state, progress) written atomically
 * (write-file-atomic: write, fsync, rename) so `pipeline runs` can list runs cheaply. The journal stays
 * the truth: when the two disagree (a crash between them), the journal wins.
 */
import { createHash } from 'node:crypto';
import {
  closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { PipelineError } from '../errors.js';
import { faultPoint } from './faults.js';
import { readJson, writeJsonAtomic } from './store.js';

/**
 * `abandoned`: a human said this run must never be resumed (`pipeline runs abandon`); final.
 * `empty`: a run directory with no plan anywhere (killed while it was being created): nothing ran;
 * `pipeline runs` lists it, `pipeline runs prune` removes it.
 */
export type RunState = 'running' | 'interrupted' | 'failed' | 'done' | 'abandoned' | 'empty';

interface Base { seq: number; at: string }
export type JournalEntry = Base & (
  | { type: 'run-planned'; runId: string; package: string; command: string; args: unknown; steps: string[]; pid: number; standalone?: boolean; replanned?: boolean }
  | { type: 'run-resumed'; pid: number; interrupted?: string; repaired?: string; forced?: boolean }
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

/** Which lines of a journal are damaged, and why (the first one's details kept for messages). */
export interface JournalDamage {
  /** 1-based line number of the first bad line. */
  line: number;
  /** Byte offset where the first bad line starts. */
  offset: number;
  reason: 'truncated' | 'checksum mismatch' | 'not JSON' | 'out of sequence';
  /** How many lines are damaged (set aside on repair). */
  discarded: number;
  /** Every damaged line number. */
  lines: number[];
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
  /** The good lines, as written (a repair rewrites the journal from them). */
  goodLines: string[];
  /** The damaged lines, as found, with their line numbers. */
  badLines: { line: number; raw: string }[];
}

/**
 * Parse a journal line by line. A torn, corrupted or out-of-sequence line is left out; the good
 * lines around it still count (seq only has to rise: a gap is where a damaged line was).
 */
export function parseJournal(text: string): ReadResult {
  const entries: JournalEntry[] = [];
  const goodLines: string[] = [];
  const badLines: ReadResult['badLines'] = [];
  let damage: JournalDamage | undefined;
  let offset = 0;
  let line = 0;
  const all = text.length === 0 ? [] : text.split(/(?<=\n)/); // keeps each line's newline
  for (const raw of all) {
    line++;
    const reason = checkLine(raw, entries.at(-1)?.seq ?? 0);
    if (typeof reason === 'string') {
      badLines.push({ line, raw });
      damage ??= { line, offset, reason, discarded: 0, lines: [] };
      damage.discarded++;
      damage.lines.push(line);
    } else {
      entries.push(reason);
      goodLines.push(raw);
    }
    offset += Buffer.byteLength(raw);
  }
  return { entries, damage, goodLines, badLines };
}

/** The entry a line holds, or why it is damaged. */
function checkLine(raw: string, lastSeq: number): JournalEntry | JournalDamage['reason'] {
  if (!raw.endsWith('\n')) return 'truncated';
  const m = /^([0-9a-f]{16}) (.*)\n$/s.exec(raw);
  if (!m || checksum(m[2]!) !== m[1]) return 'checksum mismatch';
  let entry: JournalEntry;
  try {
    entry = JSON.parse(m[2]!) as JournalEntry;
  } catch {
    return 'not JSON';
  }
  if (typeof entry?.seq !== 'number' || entry.seq <= lastSeq) return 'out of sequence';
  return entry;
}

export function readJournal(file: string): ReadResult {
  if (!existsSync(file)) return { entries: [], goodLines: [], badLines: [] };
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
    this.seq = entries.at(-1)?.seq ?? 0;
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
   * Open an existing run's journal for resuming. Damaged lines are copied into
   * `journal.damaged-<time>` (each after a `# line N` header, kept for inspection) and the journal
   * is rewritten from its good lines (write, fsync, rename): only what is damaged is set aside.
   */
  static open(stateDir: string, runId: string): { journal: Journal; damage?: JournalDamage } {
    const file = journalFile(stateDir, runId);
    if (!existsSync(file)) throw new PipelineError(`no such run: ${runId}`, { file, hint: 'see pipeline runs' });
    const { entries, damage, goodLines, badLines } = readJournal(file);
    if (damage) {
      const aside = `${file.replace(/\.jsonl$/, '')}.damaged-${Date.now()}`;
      const fd = openSync(aside, 'wx');
      try {
        for (const b of badLines) writeSync(fd, `# line ${b.line}\n${b.raw}${b.raw.endsWith('\n') ? '' : '\n'}`);
        fsyncSync(fd);
      } finally { closeSync(fd); }
      const tmp = `${file}.repair-${process.pid}`;
      const tfd = openSync(tmp, 'w');
      try { writeSync(tfd, goodLines.join('')); fsyncSync(tfd); } finally { closeSync(tfd); }
      renameSync(tmp, file);
      fsyncDir(runDir(stateDir, runId));
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
/** The run's plan: its journal entry, or (the plan line lost) what run.json says. */
type Plan = Pick<Extract<JournalEntry, { type: 'run-planned' }>, 'runId' | 'package' | 'command' | 'args' | 'steps' | 'standalone' | 'at'>;

export function findPlan(entries: JournalEntry[], index?: RunIndex): Plan | undefined {
  const planned = entries.find((e): e is Extract<JournalEntry, { type: 'run-planned' }> => e.type === 'run-planned');
  if (planned) return planned;
  return index && { runId: index.runId, package: index.package, command: index.command, args: index.args, steps: index.steps, standalone: index.standalone, at: index.startedAt };
}

/**
 * What the journal says about a run (`index`, run.json, stands in for a lost plan line). A run that
 * journaled `run-done` as done had every step done, whatever lines were lost since.
 */
export function summarize(entries: JournalEntry[], damage?: JournalDamage, index?: RunIndex): RunSummary | undefined {
  const plan = findPlan(entries, index);
  if (!plan) return undefined;
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
    done: plan.steps.filter((s) => done.has(s) || state === 'done'),
    interrupted: state === 'done' ? undefined : [...open][0],
    startedAt: plan.at,
    updatedAt: entries.at(-1)?.at ?? plan.at,
    retries,
    resumes,
    error: state === 'done' ? undefined : error,
    permanent,
    halted,
    damage,
    ...(abandoned ? { abandoned } : {}),
  };
}

/** Every run directory under the state dir (journal or not), oldest first (ids start with a UTC timestamp). */
export function listRunIds(stateDir: string): string[] {
  const dir = runsDir(stateDir);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(d.name))
    .map((d) => d.name)
    .sort();
}

/** Read-only summary of one run (damage is reported, not repaired). */
export function readRun(stateDir: string, runId: string): RunSummary | undefined {
  const { entries, damage } = readJournal(journalFile(stateDir, runId));
  return summarize(entries, damage, findPlan(entries) ? undefined : readRunIndex(stateDir, runId));
}

/** The package a run id names (`<stamp>-<package>-<6 hex>`), for runs whose plan was never written. */
export function packageOfRunId(runId: string): string | undefined {
  return /^\d{8}T\d{9}Z-(.+)-[0-9a-f]{6}$/.exec(runId)?.[1];
}

/** Remove a run directory with no plan (state `empty`): `pipeline runs prune`. */
export function removeEmptyRun(stateDir: string, runId: string): void {
  if (readRun(stateDir, runId)) throw new PipelineError(`run ${runId} is not empty`, { hint: 'see pipeline runs' });
  rmSync(runDir(stateDir, runId), { recursive: true, force: true });
}
