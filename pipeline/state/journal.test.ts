import { appendFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeLine, hashValue, Journal, journalFile, listRunIds, parseJournal, readJournal, readRun, summarize } from './journal.js';
import { scratchDir } from '../../test/helpers/scratch.js';

const tmp = () => scratchDir('journal-');

function plannedRun(stateDir: string, runId = '20260101T000000-pkg-abcd') {
  const j = Journal.create(stateDir, runId);
  j.append({ type: 'run-planned', runId, package: 'pkg', command: 'test', args: { to: 'ppa' }, steps: ['a', 'b', 'c'], pid: process.pid });
  return j;
}

describe('journal', () => {
  it('appends checksummed lines that read back in order', () => {
    const dir = tmp();
    const j = plannedRun(dir);
    j.append({ type: 'step-start', step: 'a', attempt: 1, inputsHash: hashValue({ x: 1 }) });
    j.append({ type: 'step-end', step: 'a', output: { v: '1.0-1' }, outputHash: hashValue({ v: '1.0-1' }) });
    const text = readFileSync(j.file, 'utf8');
    expect(text.split('\n').filter(Boolean).every((l) => /^[0-9a-f]{16} \{/.test(l))).toBe(true);
    const { entries, damage } = readJournal(j.file);
    expect(damage).toBeUndefined();
    expect(entries.map((e) => `${e.seq}:${e.type}`)).toEqual(['1:run-planned', '2:step-start', '3:step-end']);
    const s = summarize(entries)!;
    expect(s).toMatchObject({ state: 'interrupted', done: ['a'], steps: ['a', 'b', 'c'], package: 'pkg' });
    expect(listRunIds(dir)).toEqual(['20260101T000000-pkg-abcd']);
  });

  it('refuses to create a run twice', () => {
    const dir = tmp();
    plannedRun(dir);
    expect(() => plannedRun(dir)).toThrow(/already exists/);
  });

  it('detects a line torn by a crash mid-write and resumes from the last good entry', () => {
    const dir = tmp();
    const j = plannedRun(dir);
    j.append({ type: 'step-start', step: 'a', attempt: 1 });
    const half = encodeLine({ seq: 3, at: 'x', type: 'step-end', step: 'a', output: 1, outputHash: 'h' });
    appendFileSync(j.file, half.slice(0, 30));
    const r = readJournal(j.file);
    expect(r.damage).toMatchObject({ line: 3, reason: 'truncated', discarded: 1 });
    expect(r.entries).toHaveLength(2);
    // opening for resume moves the tail aside and truncates to the good entries
    const { journal, damage } = Journal.open(dir, j.runId);
    expect(damage?.reason).toBe('truncated');
    expect(readdirSync(join(dir, 'runs', j.runId)).some((f) => f.startsWith('journal.damaged-'))).toBe(true);
    journal.append({ type: 'step-end', step: 'a', output: 1, outputHash: hashValue(1) });
    const again = readJournal(j.file);
    expect(again.damage).toBeUndefined();
    expect(again.entries.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(summarize(again.entries)?.done).toEqual(['a']);
  });

  it('detects a corrupted byte in the middle and sets aside that line only', () => {
    const dir = tmp();
    const j = plannedRun(dir);
    j.append({ type: 'step-start', step: 'a', attempt: 1 });
    j.append({ type: 'step-end', step: 'a', output: 'out', outputHash: hashValue('out') });
    j.append({ type: 'step-start', step: 'b', attempt: 1 });
    const lines = readFileSync(j.file, 'utf8').split('\n');
    lines[2] = lines[2]!.replace('"out"', '"OUT"'); // same length, wrong checksum
    writeFileSync(j.file, lines.join('\n'));
    const r = readJournal(j.file);
    expect(r.damage).toMatchObject({ line: 3, reason: 'checksum mismatch', discarded: 1, lines: [3] });
    expect(r.entries.map((e) => e.seq)).toEqual([1, 2, 4]); // the line after it still counts
    expect(readRun(dir, j.runId)?.done).toEqual([]);
    expect(readRun(dir, j.runId)?.interrupted).toBe('a');
    // Repair keeps the good lines, sets the damaged one aside; appends go on after the last seq.
    const { journal } = Journal.open(dir, j.runId);
    const aside = readdirSync(join(dir, 'runs', j.runId)).find((f) => f.startsWith('journal.damaged-'))!;
    expect(readFileSync(join(dir, 'runs', j.runId, aside), 'utf8')).toBe(`# line 3\n${lines[2]}\n`);
    expect(journal.append({ type: 'step-end', step: 'b', output: 1, outputHash: hashValue(1) }).seq).toBe(5);
    expect(readJournal(j.file)).toMatchObject({ damage: undefined });
    expect(readJournal(j.file).entries.map((e) => e.seq)).toEqual([1, 2, 4, 5]);
  });

  it('detects lines out of sequence (a duplicated or moved line); a gap is where a damaged line was', () => {
    const e1 = encodeLine({ seq: 1, at: 't', type: 'run-done', state: 'done' });
    const e3 = encodeLine({ seq: 3, at: 't', type: 'run-done', state: 'done' });
    expect(parseJournal(e1 + e3).damage).toBeUndefined();
    expect(parseJournal(e3 + e1).damage).toMatchObject({ line: 2, reason: 'out of sequence' });
    expect(parseJournal(e1 + e1).damage?.reason).toBe('out of sequence');
  });

  it('summarizes failed, retried, resumed and finished runs', () => {
    const dir = tmp();
    const j = plannedRun(dir);
    j.append({ type: 'step-start', step: 'a', attempt: 1 });
    j.append({ type: 'step-failed', step: 'a', attempt: 1, error: 'Temporary failure resolving', transient: true });
    j.append({ type: 'retry', step: 'a', attempt: 2, delayMs: 10, reason: 'transient' });
    j.append({ type: 'step-start', step: 'a', attempt: 2 });
    j.append({ type: 'step-failed', step: 'a', attempt: 2, error: 'FTBFS', transient: false });
    j.append({ type: 'run-done', state: 'failed', error: 'FTBFS', step: 'a', permanent: true });
    expect(summarize(j.entries)).toMatchObject({ state: 'failed', retries: 1, error: 'FTBFS', permanent: true, done: [] });
    j.append({ type: 'run-resumed', pid: 1 });
    for (const s of ['a', 'b', 'c']) {
      j.append({ type: 'step-start', step: s, attempt: 1 });
      j.append({ type: 'step-end', step: s, output: s, outputHash: hashValue(s) });
    }
    j.append({ type: 'run-done', state: 'done' });
    expect(summarize(j.entries)).toMatchObject({ state: 'done', resumes: 1, done: ['a', 'b', 'c'], error: undefined });
  });

  it('hashes values canonically (key order does not matter)', () => {
    expect(hashValue({ a: 1, b: [1, { d: 2, c: 3 }] })).toBe(hashValue({ b: [1, { c: 3, d: 2 }], a: 1 }));
    expect(hashValue({ a: 1 })).not.toBe(hashValue({ a: 2 }));
  });

  it('rejects run ids that could escape the runs directory', () => {
    expect(() => journalFile('/tmp', '../etc')).toThrow(/not a run id/);
    expect(existsSync('/tmp/etc/journal.jsonl')).toBe(false);
  });
});
