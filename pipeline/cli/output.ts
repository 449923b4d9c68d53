/**
 * How commands talk to the user. With --json, stdout carries exactly one JSON document and
 * nothing else (progress and notes are silent); otherwise text goes to stdout and live progress
 * to stderr (a rewritten line on a terminal, one line per phase elsewhere).
 */
export interface Phase {
  /** Update the phase's detail text (shown after its name). */
  update(detail: string): void;
  done(detail?: string): void;
  fail(detail?: string): void;
}

export interface Output {
  readonly json: boolean;
  readonly verbose: boolean;
  /** The command's result: JSON document with --json, else the text rendering. */
  result(data: unknown, text: () => string): void;
  /** A note for humans (stderr); silent with --json. */
  note(line: string): void;
  /** A raw log line, shown only with --verbose (and never with --json). */
  log(line: string): void;
  /** Start a progress phase with elapsed time (and, given one, the estimate: `(3m10s of ~13m46s)`). */
  phase(name: string, options?: { estimateSeconds?: number }): Phase;
}

export interface OutputOptions {
  json?: boolean;
  verbose?: boolean;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WriteStream | NodeJS.WritableStream;
}

import { formatSeconds } from '../build/seconds.js';
import { makeHideSensitive } from '../secrets.js';

const seconds = (start: number) => `${((Date.now() - start) / 1000).toFixed(1)}s`;
const estimate = (s?: number) => (s === undefined ? '' : ` of ~${formatSeconds(s)}`);

export function createOutput(options: OutputOptions = {}): Output {
  const json = options.json ?? false;
  const verbose = options.verbose ?? false;
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const tty = !json && Boolean((stderr as NodeJS.WriteStream).isTTY);
  // Every line leaves through the scrubber: no secret reaches a terminal or a CI log.
  const hide = makeHideSensitive();
  const write = (stream: NodeJS.WritableStream, text: string) => stream.write(hide(text));
  return {
    json,
    verbose,
    result(data, text) {
      write(stdout, json ? `${JSON.stringify(data, null, 2)}\n` : ensureNewline(cutLongLines(text())));
    },
    note(line) {
      if (!json) write(stderr, `${cutLongLines(line)}\n`);
    },
    log(line) {
      if (verbose && !json) write(stderr, `${line}\n`);
    },
    phase(name, options) {
      const start = Date.now();
      let detail = '';
      let timer: NodeJS.Timeout | undefined;
      const last = options?.estimateSeconds;
      // Running: elapsed of the estimate; finished: the time it took.
      const draw = (mark: string) => `${mark} ${name}${detail ? ` — ${detail}` : ''} (${seconds(start)}${mark === '…' ? estimate(last) : ''})`;
      if (json) return { update() {}, done() {}, fail() {} };
      if (tty) {
        timer = setInterval(() => write(stderr, `\r\x1b[2K${draw('…')}`), 250);
        timer.unref();
        write(stderr, draw('…'));
      } else {
        write(stderr, `… ${name}${last === undefined ? '' : ` (last time ${formatSeconds(last)})`}\n`);
      }
      const end = (mark: string, d?: string) => {
        if (timer) clearInterval(timer);
        if (d !== undefined) detail = d;
        write(stderr, `${tty ? '\r\x1b[2K' : ''}${draw(mark)}\n`);
      };
      return {
        update(d) { detail = d; },
        done(d) { end('✓', d); },
        fail(d) { end('✗', d); },
      };
    },
  };
}

function ensureNewline(s: string): string {
  return s.length === 0 || s.endsWith('\n') ? s : `${s}\n`;
}

/** No text line longer than this reaches the user: a hostile value cannot flood a terminal or a CI log. */
export const LINE_MAX = 1000;

/** Cuts each line past LINE_MAX characters, saying how much was cut. */
export function cutLongLines(text: string, max = LINE_MAX): string {
  if (text.length <= max) return text;
  return text
    .split('\n')
    .map((l) => (l.length <= max ? l : `${l.slice(0, max - 40)}… [${l.length - (max - 40)} characters cut]`))
    .join('\n');
}
