/**
 * dpkg as the oracle for our own version ordering: tests and bench/versions.mjs check
 * pipeline/debian/version.ts against `dpkg --compare-versions` on thousands of pairs.
 *
 * dpkg compares one pair per process, so the batch runs one long-lived `sh` loop per CPU that
 * reads `A OP B` lines on stdin and runs dpkg once per line (the versions travel as data on stdin,
 * never pasted into a command string). Also reads the Version: fields of this machine's apt lists
 * (compressed or not, through apt-helper) as a corpus of real-world versions.
 */
import { availableParallelism } from 'node:os';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { PipelineError } from '../errors.js';

export interface Relation {
  a: string;
  op: string;
  b: string;
}

// One dpkg call per input line; prints 1 (true), 0 (false) or E (dpkg refused the input).
const LOOP = 'while read -r a o b; do dpkg --compare-versions "$a" "$o" "$b" 2>/dev/null; r=$?; ' +
  'if [ $r -eq 0 ]; then echo 1; elif [ $r -eq 1 ]; then echo 0; else echo E; fi; done';

/** The answers dpkg gives for `relations` (true/false, or 'error' when dpkg refused the input). */
export async function dpkgCompareBatch(relations: readonly Relation[], options: { parallel?: number } = {}): Promise<(boolean | 'error')[]> {
  for (const r of relations) {
    if (/\s/.test(r.a) || /\s/.test(r.op) || /\s/.test(r.b) || r.a === '' || r.b === '') {
      throw new PipelineError(`dpkg oracle: cannot batch '${r.a} ${r.op} ${r.b}' (empty or whitespace)`);
    }
  }
  const workers = Math.max(1, Math.min(options.parallel ?? availableParallelism(), relations.length));
  const size = Math.ceil(relations.length / workers);
  const chunks: Relation[][] = [];
  for (let i = 0; i < relations.length; i += size) chunks.push(relations.slice(i, i + size));
  const outputs = await Promise.all(chunks.map(async (chunk) => {
    const input = chunk.map((r) => `${r.a} ${r.op} ${r.b}\n`).join('');
    const { stdout } = await execa('sh', ['-c', LOOP], { input, stripFinalNewline: true, env: { LC_ALL: 'C' } });
    const lines = stdout === '' ? [] : stdout.split('\n');
    if (lines.length !== chunk.length) {
      throw new PipelineError(`dpkg oracle: ${lines.length} answers for ${chunk.length} questions`);
    }
    return lines.map((l) => (l === '1' ? true : l === '0' ? false : ('error' as const)));
  }));
  return outputs.flat();
}

/** One `dpkg --compare-versions a op b`: true/false, 'error' when dpkg refuses the input. */
export async function dpkgCompareVersions(a: string, op: string, b: string): Promise<boolean | 'error'> {
  const r = await execa('dpkg', ['--compare-versions', a, op, b], { reject: false, env: { LC_ALL: 'C' } });
  return r.exitCode === 0 ? true : r.exitCode === 1 ? false : 'error';
}

export interface AptVersion {
  package: string;
  version: string;
}

/**
 * Every (package, version) in /var/lib/apt/lists/*_Packages* and *_Sources* (Version: fields, plus
 * the `Source: name (version)` of binaries built from a differently-versioned source).
 */
export async function aptListVersions(listsDir = '/var/lib/apt/lists'): Promise<AptVersion[]> {
  let files: string[];
  try {
    files = readdirSync(listsDir).filter((f) => /_(Packages|Sources)(\.(lz4|gz|xz|bz2|zst))?$/.test(f));
  } catch (e) {
    throw new PipelineError(`cannot read apt lists: ${(e as Error).message}`, { file: listsDir, cause: e });
  }
  const out: AptVersion[] = [];
  for (const f of files) {
    const { stdout } = await execa('/usr/lib/apt/apt-helper', ['cat-file', join(listsDir, f)], { maxBuffer: 1 << 30 });
    let pkg = '';
    for (const line of stdout.split('\n')) {
      if (line.startsWith('Package: ')) pkg = line.slice(9).trim();
      else if (line.startsWith('Version: ')) out.push({ package: pkg, version: line.slice(9).trim() });
      else if (line.startsWith('Source: ')) {
        const m = /^Source: (\S+) \((\S+)\)$/.exec(line);
        if (m) out.push({ package: m[1]!, version: m[2]! });
      }
    }
  }
  return out;
}

// Dpkg::Control::HashCore (dpkg-dev's own deb822 parser) over whole files: the oracle for
// pipeline/debian/deb822.ts. Prints one JSON object: file → paragraphs (each an array of
// [name, value] in file order) or {error} when dpkg refuses the file.
const DPKG_PARSE = `
use strict; use warnings;
use Dpkg::Control::HashCore; use JSON::PP;
my %out;
for my $file (@ARGV) {
  my @paras;
  my $ok = eval {
    open(my $fh, '<:encoding(UTF-8)', $file) or die "$file: $!\\n";
    while (1) {
      my $c = Dpkg::Control::HashCore->new(allow_pgp => 1);
      last unless $c->parse($fh, $file);
      push @paras, [ map { [ $_, $c->{$_} ] } keys %$c ];
    }
    1;
  };
  $out{$file} = $ok ? \\@paras : { error => "$@" };
}
print JSON::PP->new->utf8->encode(\\%out);
`;

export type DpkgParsed = [string, string][][] | { error: string };

/** Paragraphs of each file as dpkg-dev's parser reads them ([[name, value], ...] per paragraph), one perl run. */
export async function dpkgParseControlFiles(files: readonly string[]): Promise<Record<string, DpkgParsed>> {
  const { stdout } = await execa('perl', ['-e', DPKG_PARSE, ...files], { maxBuffer: 1 << 30, env: { LC_ALL: 'C.UTF-8' } });
  return JSON.parse(stdout) as Record<string, DpkgParsed>;
}
