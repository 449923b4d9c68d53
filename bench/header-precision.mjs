#!/usr/bin/env node
// bench/header-precision: precision of `license-header-mismatch` on real Debian source packages of
// different languages, fetched from Debian's Sources through pipeline's private apt configuration
// (apt-get source --download-only; the .dsc verified as dscverify, unpacked as shipped). The series
// is bookworm (PIPELINE_CORPUS_SERIES to change it): the archive mirror here serves bookworm's
// source files whole, where most of trixie's newer uploads are missing (404).
// Every hint is looked up in bench/header-precision.json, where each was judged by reading the
// file's header: "true" (the header really states another license than debian/copyright gives the
// file) or "false" (prose, a license list, a license text, a wrong detection...). Prints each
// hint with its verdict, the per-package counts, and precision = true / judged (target >= 0.95);
// hints nobody has judged yet are printed and counted apart, never guessed.
// Usage: node bench/header-precision.mjs [PKG...]   (`npm run build` first)
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = join(fileURLToPath(import.meta.url), '..', '..');
const { loadWorkspace } = await import(join(REPO, 'dist/pipeline/config/workspace.js'));
const { privateApt } = await import(join(REPO, 'dist/pipeline/tools/apt.js'));
const { unpackDsc, lintTree } = await import(join(REPO, 'dist/pipeline/lint/index.js'));
const { licenseHeaderCheck } = await import(join(REPO, 'dist/pipeline/lint/licenses/check.js'));

/**
 * Source packages, by language: small ones, and ones whose files carry licenses other than the
 * package's main one (BSD files in a GPL tree, public-domain or Expat files in C libraries), where
 * the check has something to say.
 */
const CORPUS = [
  ['jq', 'C'], ['curl', 'C'], ['lintian', 'Perl'], ['golang-github-spf13-cobra', 'Go'], ['zookeeper', 'Java'],
  ['requests', 'Python'], ['ruby-rack', 'Ruby'], ['rust-itoa', 'Rust'], ['node-semver', 'JavaScript'], ['lua-cjson', 'Lua/C'],
  ['php-psr-log', 'PHP'], ['haskell-split', 'Haskell'], ['libyaml', 'C'], ['zlib', 'C'], ['six', 'Python'],
  ['libtext-csv-perl', 'Perl'], ['ruby-rainbow', 'Ruby'], ['node-inherits', 'JavaScript'], ['rust-cfg-if', 'Rust'],
  ['golang-github-pkg-errors', 'Go'], ['python-click', 'Python'], ['libjsoncpp', 'C++'],
  ['busybox', 'C'], ['libarchive', 'C'], ['zstd', 'C'], ['xz-utils', 'C'], ['tmux', 'C'], ['libevent', 'C'],
  ['pcre2', 'C'], ['expat', 'C'], ['sqlite3', 'C/Tcl'], ['fmtlib', 'C++'], ['yaml-cpp', 'C++'], ['pugixml', 'C++'],
  ['pyyaml', 'Python'], ['paramiko', 'Python'], ['jinja2', 'Python'], ['libwww-perl', 'Perl'],
  ['golang-github-stretchr-testify', 'Go'], ['rust-regex', 'Rust'], ['node-uglify-js', 'JavaScript'], ['commons-io', 'Java'],
];
const wanted = process.argv.slice(2);
const corpus = wanted.length ? CORPUS.filter(([p]) => wanted.includes(p)) : CORPUS;
const judgements = JSON.parse(readFileSync(join(REPO, 'bench', 'header-precision.json'), 'utf8'));
const say = (s) => process.stderr.write(`${s}\n`);

const { verifySourceControlFile } = await import(join(REPO, 'dist/pipeline/debian/verifyDsc.js'));
const verifies = (dsc) => verifySourceControlFile(dsc).then(() => true, () => false);

const ws = loadWorkspace({ cwd: REPO });
const series = process.env.PIPELINE_CORPUS_SERIES ?? 'bookworm';
const apt = privateApt(ws, series);
await apt.update();
const totals = { hints: 0, true: 0, false: 0, unjudged: 0 };
const rows = [];
for (const [pkg, language] of corpus) {
  // The newest version the mirror serves (a snapshot mirror may lack an update pocket's files).
  const versions = [...new Set((await apt.sourceVersions(pkg)).flatMap((s) => s.versions))];
  let dsc;
  let version;
  for (const v of versions) {
    const dir = join(ws.cacheDir, 'header-corpus', series, `${pkg}_${v}`);
    const dscName = `${pkg}_${v.replace(/^\d+:/, '')}.dsc`;
    // A .dsc left without its tarballs (an interrupted fetch) is fetched again.
    if (existsSync(join(dir, dscName)) && !(await verifies(join(dir, dscName)))) rmSync(dir, { recursive: true, force: true });
    if (!existsSync(join(dir, dscName))) {
      mkdirSync(dir, { recursive: true });
      say(`fetching ${pkg} ${v} (${series})`);
      try {
        await apt.sourceDownload(pkg, v, dir);
      } catch (e) {
        say(`${pkg}: cannot fetch ${v}: ${e.message.slice(0, 120)}`);
        rmSync(dir, { recursive: true, force: true }); // a .dsc without its tarballs is no source
        continue;
      }
    }
    [dsc, version] = [join(dir, dscName), v];
    break;
  }
  if (!dsc) {
    rows.push({ pkg, language, version: versions.join(' ') || '-', files: 0, hints: 0, true: 0, false: 0, unjudged: 0, unavailable: true });
    continue;
  }
  let tree;
  try {
    tree = await unpackDsc(ws.cacheDir, dsc);
  } catch (e) {
    say(`${pkg}: ${e.oneLine?.() ?? e.message}`);
    rows.push({ pkg, language, version, files: 0, hints: 0, true: 0, false: 0, unjudged: 0, unavailable: true });
    continue;
  }
  const record = await lintTree(tree, { checks: [licenseHeaderCheck], cacheDir: ws.cacheDir });
  const hints = record.findings.filter((f) => f.tag === 'license-header-mismatch');
  const counts = { true: 0, false: 0, unjudged: 0 };
  for (const h of hints) {
    const key = `${pkg}/${h.file}`;
    const j = judgements[key];
    const verdict = j ? String(j.verdict) : 'unjudged';
    counts[verdict]++;
    console.log(`${verdict.padEnd(8)} ${key}: ${h.detail}${j?.why ? `  — ${j.why}` : ''}`);
  }
  rows.push({ pkg, language, version, files: record.filesChecked, hints: hints.length, ...counts });
  totals.hints += hints.length;
  for (const k of ['true', 'false', 'unjudged']) totals[k] += counts[k];
}
console.log('');
console.log(`${new Date().toISOString().slice(0, 16)}Z, load average (1 min) ${loadavg()[0].toFixed(1)}`);
for (const r of rows) console.log(`${r.pkg.padEnd(28)} ${r.language.padEnd(11)} ${r.unavailable ? 'not fetched or not verified (the mirror lacks a file)' : `${String(r.files).padStart(6)} files  ${r.hints} hints: ${r.true} true, ${r.false} false, ${r.unjudged} unjudged`}`);
const judged = totals.true + totals.false;
console.log(`series ${series}; packages: ${rows.filter((r) => !r.unavailable).length} of ${rows.length} fetched, ${new Set(rows.filter((r) => !r.unavailable).map((r) => r.language)).size} languages, hints: ${totals.hints}, judged: ${judged}, unjudged: ${totals.unjudged}`);
console.log(`precision (true / judged): ${judged ? (totals.true / judged).toFixed(2) : 'n/a'} (target >= 0.95)`);
