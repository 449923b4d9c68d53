#!/usr/bin/env node
// bench/lintian-agreement: how far our DEP-5 checks agree with lintian's copyright checks
// (debian/copyright, .../dep5, .../dep5/components, .../apache-notice of the installed lintian, and
// files/encoding for national-encoding of debian/copyright) on
// the tags both implement. Trees: our own cases (test/fixtures/copyright/malformed/* and the cases
// below, each built into a native source package with dpkg-source -b) and, unless --own-only, the
// real Debian sources bench/header-precision.mjs fetched into <cache>/header-corpus/<series>.
// One lintian run covers every .dsc (info and pedantic hints shown, as ours are). A hint matches when the tag is the same and, where lintian
// names a line, the line too. Prints every disagreement, then recall (lintian's hints we give)
// and precision (our hints lintian gives) — where lintian and the DEP-5 specification disagree we
// follow the specification (see each tag's explanation), so those cases count against us here.
// Usage: node bench/lintian-agreement.mjs [--own-only]   (`npm run build` first)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

const REPO = join(fileURLToPath(import.meta.url), '..', '..');
const { loadWorkspace } = await import(join(REPO, 'dist/pipeline/config/workspace.js'));
const { unpackDsc, lintTree } = await import(join(REPO, 'dist/pipeline/lint/index.js'));
const { parseLintianOutput } = await import(join(REPO, 'dist/pipeline/lint/lintian.js'));
const { DEP5_CHECKS, allTags } = await import(join(REPO, 'dist/pipeline/lint/registry.js'));
const say = (s) => process.stderr.write(`${s}\n`);
const CHECKS = 'debian/copyright,debian/copyright/dep5,debian/copyright/dep5/components,debian/copyright/apache-notice';
// lintian's copyright checks skip a debian/copyright that is not UTF-8 ("another check complains"):
// national-encoding comes from its files/encoding check, run too and counted for debian/copyright only.
const ENCODING = 'files/encoding';
const isCopyrightFile = (f) => /^debian\/(?:[^/]+\.)?copyright$/.test(f ?? '');
const FORMAT = 'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n';

const OWN = {
  good: `${FORMAT}\nFiles: *\nCopyright: 2024 X\nLicense: Expat\n text\n`,
  'http-format': `${FORMAT.replace('https', 'http')}\nFiles: *\nCopyright: 2024 X\nLicense: Expat\n text\n`,
  'missing-license-paragraph': `${FORMAT}\nFiles: *\nCopyright: 2024 X\nLicense: GPL-2+\n`,
  'unused-license-paragraph': `${FORMAT}\nFiles: *\nCopyright: 2024 X\nLicense: Expat\n text\n\nLicense: BSD-3-clause\n text\n`,
  'superfluous-pattern': `${FORMAT}\nFiles: *\nCopyright: 2024 X\nLicense: Expat\n text\n\nFiles: nothing/*\nCopyright: 2024 Y\nLicense: Expat\n text\n`,
  'comma-files': `${FORMAT}\nFiles: *\nCopyright: 2024 X\nLicense: Expat\n text\n\nFiles: hello.c, debian/*\nCopyright: 2024 Y\nLicense: Expat\n text\n`,
  'not-first-wildcard': `${FORMAT}\nFiles: hello.c\nCopyright: 2024 Y\nLicense: Expat\n text\n\nFiles: *\nCopyright: 2024 X\nLicense: Expat\n text\n`,
  uncovered: `${FORMAT}\nFiles: debian/*\nCopyright: 2024 X\nLicense: Expat\n text\n`,
  'missing-field': `${FORMAT}\nFiles: *\nLicense: Expat\n text\n`,
  'mit-short-name': `${FORMAT}\nFiles: *\nCopyright: 2024 X\nLicense: MIT\n text\n`,
  'pipe-disjunction': `${FORMAT}\nFiles: *\nCopyright: 2024 X\nLicense: GPL-2+ | Expat\n text\n`,
  'space-in-short-name': `${FORMAT}\nFiles: *\nCopyright: 2024 X\nLicense: GPL 2\n text\n`,
  'no-format': `Upstream-Name: x\n\nFiles: *\nCopyright: 2024 X\nLicense: Expat\n text\n`,
};

function nativePackage(root, name, copyright) {
  const dir = join(root, name);
  const src = join(dir, `${name}-1.0`);
  mkdirSync(join(src, 'debian', 'source'), { recursive: true });
  writeFileSync(join(src, 'debian', 'source', 'format'), '3.0 (native)\n');
  writeFileSync(join(src, 'debian', 'control'), `Source: ${name}\nMaintainer: Demo <demo@example.org>\nStandards-Version: 4.7.0\n\nPackage: ${name}\nArchitecture: all\nDescription: d\n d.\n`);
  writeFileSync(join(src, 'debian', 'changelog'), `${name} (1.0) unstable; urgency=medium\n\n  * x\n\n -- Demo <demo@example.org>  Wed, 25 Nov 2026 20:00:37 +0000\n`);
  writeFileSync(join(src, 'debian', 'copyright'), copyright);
  writeFileSync(join(src, 'hello.c'), '/* x */\n');
  execFileSync('dpkg-source', ['-b', `${name}-1.0`], { cwd: dir, stdio: 'ignore' });
  return join(dir, `${name}_1.0.dsc`);
}

const ws = loadWorkspace({ cwd: REPO });
const root = mkdtempSync(join(tmpdir(), 'lintian-agreement-'));
const cases = []; // { name, dsc }
const malformed = join(REPO, 'test/fixtures/copyright/malformed');
for (const f of readdirSync(malformed).sort()) cases.push({ name: `case-${f}`, dsc: nativePackage(root, `case-${f}`, readFileSync(join(malformed, f))) });
for (const [k, text] of Object.entries(OWN)) cases.push({ name: `own-${k}`, dsc: nativePackage(root, `own-${k}`, text) });
if (!process.argv.includes('--own-only')) {
  const corpus = join(ws.cacheDir, 'header-corpus', process.env.PIPELINE_CORPUS_SERIES ?? 'bookworm');
  for (const d of existsSync(corpus) ? readdirSync(corpus).sort() : []) {
    const dsc = readdirSync(join(corpus, d)).find((f) => f.endsWith('.dsc'));
    if (dsc) cases.push({ name: d.split('_')[0], dsc: join(corpus, d, dsc) });
  }
}

// Ours.
const ours = new Map();
for (const c of cases) {
  try {
    const tree = await unpackDsc(ws.cacheDir, c.dsc);
    ours.set(c.name, (await lintTree(tree, { checks: DEP5_CHECKS, detectLicenses: false })).findings);
  } catch (e) {
    say(`${c.name}: not linted (${e.message}); left out`);
    c.skip = true;
  }
}
const run = cases.filter((c) => !c.skip);
say(`lintian on ${run.length} source packages...`);
const r = await execa('lintian', ['--fail-on', 'none', '--display-info', '--pedantic', '-C', `${CHECKS},${ENCODING}`, ...run.map((c) => c.dsc)], { reject: false, env: { LC_ALL: 'C.UTF-8' } });
const theirs = new Map(run.map((c) => [c.name, []]));
for (const line of r.stdout.split('\n')) {
  const pkg = /^[EWIPXO]: (\S+?)(?: source)?: /.exec(line)?.[1];
  const f = parseLintianOutput(line)[0];
  if (f?.tag === 'national-encoding' && !isCopyrightFile(f.file)) continue;
  if (pkg && f && theirs.has(pkg)) theirs.get(pkg).push(f);
}

// Tags both implement: lintian's copyright tags that our registry declares with lintian's meaning.
const lintianTags = new Set(allTags().filter((t) => t.lintian).map((t) => t.name));
const inScope = (f) => lintianTags.has(f.tag) && DEP5_CHECKS.some((c) => c.tags.some((t) => t.name === f.tag));
let matched = 0;
let theirTotal = 0;
let ourTotal = 0;
for (const c of run) {
  const a = (ours.get(c.name) ?? []).filter(inScope);
  const b = (theirs.get(c.name) ?? []).filter(inScope);
  const used = new Set();
  const missed = [];
  for (const h of b) {
    const k = a.findIndex((f, i) => !used.has(i) && f.tag === h.tag && (!h.line || f.line === h.line));
    if (k >= 0) used.add(k);
    else missed.push(h);
  }
  const extra = a.filter((_, i) => !used.has(i));
  matched += used.size;
  theirTotal += b.length;
  ourTotal += a.length;
  for (const h of missed) console.log(`${c.name}: lintian only: ${h.tag} ${h.detail ?? ''} ${h.line ? `[line ${h.line}]` : ''}`);
  for (const f of extra) console.log(`${c.name}: ours only:    ${f.tag} ${f.detail ?? ''} ${f.line ? `[line ${f.line}]` : ''}`);
}
console.log('');
console.log(`${new Date().toISOString().slice(0, 16)}Z, load average (1 min) ${loadavg()[0].toFixed(1)}, ${execFileSync('lintian', ['--version'], { encoding: 'utf8' }).trim()}`);
console.log(`source packages: ${run.length} (${run.filter((c) => /^(case|own)-/.test(c.name)).length} own cases, ${run.filter((c) => !/^(case|own)-/.test(c.name)).length} real Debian sources)`);
console.log(`tags compared: ${[...lintianTags].filter((t) => DEP5_CHECKS.some((c) => c.tags.some((x) => x.name === t))).length}`);
console.log(`lintian hints ${theirTotal}, ours ${ourTotal}, matched ${matched}`);
console.log(`recall ${(matched / Math.max(1, theirTotal)).toFixed(2)}, precision ${(matched / Math.max(1, ourTotal)).toFixed(2)} (target >= 0.95 each)`);
