// A generated workspace for readiness reports: pipeline.yaml (the Debian profile), the shipped
// schedules, package definitions with small debian/ trees, and state records (build, lint,
// publish, the promote step's gate record) per package and stage — the files the report reads.
// Records name an upload by its source identity (`sourceId`, pipeline/debian/sourceId.ts); here a
// made-up hash stands for both the .dsc's file sha256 and its identity.
// Used by bench/report.mjs (500 packages × 3 stages) and by pipeline/report tests.
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
export const STAGES = ['ppa', 'devel', 'backports'];
const SUITE = { ppa: 'ppa', devel: 'trixie', backports: 'bookworm-backports' };

const sha = (s) => createHash('sha256').update(s).digest('hex');
const json = (file, data) => {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
};

/** Stage version for a base version: ~ppa1 for the PPA, ~bpo12+1 for backports. */
export function stageVersion(base, stage) {
  return stage === 'ppa' ? `${base}~ppa1` : stage === 'backports' ? `${base}~bpo12+1` : base;
}

/**
 * @typedef {{ build?: 'ok'|'ftbfs'|'source-fail'|'source-only', lint?: 'clean'|'dirty'|'stale'|'uncovered', lintian?: boolean,
 *             lintianClean?: boolean, lintOn?: 'dsc'|'changes',
 *             publish?: boolean|string, versionPolicy?: 'pass'|'blocked', qa?: 'pass'|'blocked' }} StageState
 * @typedef {{ name: string, version: string, upstream?: string, depends?: string[], mir?: { required: boolean, team?: string },
 *             ffe?: string, watch?: boolean, tests?: boolean, sourceVersion?: string, stages?: Record<string, StageState> }} PackageSpec
 */

/** Write a workspace into `dir`; returns { dir, configFile, stateDir }. */
export function writeReportWorkspace(dir, specs) {
  mkdirSync(join(dir, 'schedules'), { recursive: true });
  copyFileSync(join(REPO, 'pipeline.yaml'), join(dir, 'pipeline.yaml'));
  for (const f of readdirSync(join(REPO, 'schedules'))) if (f.endsWith('.yaml')) copyFileSync(join(REPO, 'schedules', f), join(dir, 'schedules', f));
  const state = join(dir, '.pipeline', 'state', 'records');
  for (const p of specs) {
    const pdir = join(dir, 'packages', p.name);
    const deb = join(pdir, 'debian');
    mkdirSync(deb, { recursive: true });
    const upstream = p.upstream ?? p.version.replace(/-[^-]*$/, '');
    writeFileSync(join(pdir, 'package.yaml'), [
      `name: ${p.name}`,
      'upstream:',
      `  name: ${p.name}`,
      `  homepage: https://example.org/${p.name}`,
      `  version: "${upstream}"`,
      'source:',
      '  kind: apt',
      `  package: ${p.name}`,
      `  version: "${p.sourceVersion ?? `${upstream}-1`}"`,
      '  series: trixie',
      `  dscSha256: ${sha(`dsc ${p.name}`)}`,
      `depends: [${(p.depends ?? []).join(', ')}]`,
      ...(p.mir ? ['mir:', `  required: ${p.mir.required}`, ...(p.mir.team ? [`  team: ${p.mir.team}`] : [])] : []),
      ...(p.ffe ? [`ffe: "${p.ffe}"`] : []),
      '',
    ].join('\n'));
    writeFileSync(join(deb, 'changelog'), `${p.name} (${p.version}) trixie; urgency=medium\n\n  * Generated.\n\n -- Pipeline <pipeline@localhost>  Tue, 25 Nov 2026 12:00:00 +0000\n`);
    writeFileSync(join(deb, 'control'), `Source: ${p.name}\nMaintainer: Pipeline <pipeline@localhost>\nBuild-Depends: debhelper-compat (= 13)\n\nPackage: ${p.name}\nArchitecture: all\nDepends: \${misc:Depends}${(p.depends ?? []).map((d) => `, ${d}`).join('')}\nDescription: generated ${p.name}\n test package\n`);
    writeFileSync(join(deb, 'rules'), '#!/usr/bin/make -f\n%:\n\tdh $@\n');
    if (p.watch !== false) writeFileSync(join(deb, 'watch'), `version=4\nhttps://example.org/${p.name}/tags .*/v?(\\d\\S*)\\.tar\\.gz\n`);
    if (p.tests) { mkdirSync(join(deb, 'tests'), { recursive: true }); writeFileSync(join(deb, 'tests', 'control'), 'Test-Command: true\n'); }
    for (const [stage, s] of Object.entries(p.stages ?? {})) writeStageRecords(state, p, stage, s);
  }
  return { dir, configFile: join(dir, 'pipeline.yaml'), stateDir: join(dir, '.pipeline', 'state') };
}

function writeStageRecords(state, p, stage, s) {
  const version = typeof s.publish === 'string' ? s.publish : stageVersion(p.version, stage);
  const dscSha = sha(`${p.name} ${version} ${stage}`);
  const rec = (kind) => join(state, p.name, `${stage}.${kind}.json`);
  if (s.build) {
    const dsc = { path: `/out/${p.name}_${version}.dsc`, sha256: dscSha, size: 1234, sourceId: dscSha };
    const ok = s.build === 'ok';
    json(rec('build'), {
      package: p.name, version, stage, status: ok || s.build === 'source-only' ? 'successful' : 'failed',
      ...(s.build === 'ftbfs' ? { failedPart: 'binary', failStage: 'build', message: 'make: *** [debian/rules:7: binary] Error 2' } : {}),
      ...(s.build === 'source-fail' ? { failedPart: 'source', failStage: 'unpack' } : {}),
      outDir: `/out/${p.name}`, dsc: s.build === 'source-fail' ? undefined : dsc, artifacts: [dsc],
      sourceChanges: { path: `/out/${p.name}_${version}_source.changes`, sha256: sha(`changes ${version}`), size: 900 },
      sourceSummary: { status: 'successful', buildTime: '4s' },
      ...(ok ? { binarySummary: { status: 'successful', buildTime: '31s' } } : {}),
      ...(s.build === 'ftbfs' ? { binarySummary: { status: 'failed', failStage: 'build' }, binaryLog: `/out/${p.name}/${p.name}_${version}_amd64.build` } : {}),
      inputsHash: sha(`inputs ${p.name} ${stage}`), finishedAt: '2026-11-20T10:00:00Z',
    });
  }
  if (s.lint) {
    const findings = [];
    if (s.lint === 'dirty') findings.push({ tag: 'missing-license-paragraph-in-dep5-copyright', severity: 'warning', file: 'debian/copyright', line: 12, detail: 'expat', source: 'pipeline' });
    if (s.lint === 'uncovered') findings.push({ tag: 'file-without-copyright-information', severity: 'warning', file: 'vendor/lib.js', source: 'pipeline' });
    findings.push({ tag: 'out-of-date-standards-version', severity: 'info', file: 'debian/control', line: 5, source: 'pipeline' });
    if (s.lintian) findings.push({ tag: 'no-manual-page', severity: 'info', detail: `usr/bin/${p.name}`, source: 'lintian' });
    const blocked = s.lint === 'dirty' || s.lint === 'uncovered';
    json(rec('lint'), {
      package: p.name, stage, findings, filesChecked: 42,
      gate: blocked ? { gate: 'lint:warning', verdict: 'blocked', reason: '1 finding at warning or worse' } : { gate: 'lint:warning', verdict: 'pass' },
      artifactSha256: s.lint === 'stale' ? sha('an older build') : dscSha,
      ...(s.lintian ? { lintian: { ran: true, version: '2.116.3' } } : {}),
      ...(s.lintianClean ? { lintian: { ran: true, version: '2.116.3' } } : {}),
    });
  }
  if (s.publish) {
    json(rec('publish'), { package: p.name, version, stage, target: 'local', suite: SUITE[stage], dscSha256: dscSha, sourceId: dscSha, publishedAt: '2026-11-21T09:00:00Z' });
  }
  if (s.versionPolicy) {
    json(rec('gates'), {
      package: p.name, stage, version, dscSha256: dscSha, sourceId: dscSha, changesSha256: sha(`changes ${version}`), at: '2026-11-20T10:00:00Z',
      verdicts: [s.versionPolicy === 'pass'
        ? { gate: 'version-policy', verdict: 'pass', reason: `${version} sorts above everything ${SUITE[stage]} has`, artifactSha256: dscSha }
        : { gate: 'version-policy', verdict: 'blocked', reason: `${version} is already in ${SUITE[stage]}`, fix: `pipeline promote ${p.name} --to ${stage}`, artifactSha256: dscSha },
      // The qa step's verdicts (pipeline/qa), appended to the same record.
      ...(s.qa === 'pass' ? [
        { gate: 'installability', verdict: 'pass', reason: `1 binary package installable against ${stage === 'backports' ? 'bookworm' : 'trixie'} (dose-debcheck)`, artifactSha256: dscSha },
        { gate: 'upgrade-path', verdict: 'pass', reason: 'piuparts: fresh install and purge passed', artifactSha256: dscSha },
        { gate: 'autopkgtest', verdict: 'pass', reason: 'not applicable: no debian/tests', artifactSha256: dscSha },
        { gate: 'reverse-dependencies', verdict: 'pass', reason: 'not applicable: no reverse dependency in the set', artifactSha256: dscSha },
        { gate: 'debdiff', verdict: 'pass', reason: 'no previous upload to compare with', artifactSha256: dscSha },
        ...(stage === 'backports' ? [{ gate: 'release-upgrade', verdict: 'pass', reason: 'piuparts: bookworm\'s version, this backport, then the dist-upgrade to trixie with the devel stage\'s version passed', artifactSha256: dscSha }] : []),
      ] : []),
      ...(s.qa === 'blocked' ? [
        { gate: 'installability', verdict: 'pass', reason: '1 binary package installable (dose-debcheck)', artifactSha256: dscSha },
        { gate: 'upgrade-path', verdict: 'blocked', reason: `piuparts: ${p.name}'s postinst failed — exit 3`, artifactSha256: dscSha },
      ] : [])],
    });
  }
}

/** `count` packages, each built, linted and published in all three stages (a chain of dependencies every 10). */
export function generatedSpecs(count) {
  const specs = [];
  for (let i = 0; i < count; i++) {
    const name = `pkg${String(i).padStart(4, '0')}`;
    const full = { build: 'ok', lint: 'clean', lintian: true, publish: true, versionPolicy: 'pass', qa: 'pass' };
    specs.push({
      name, version: `1.${i % 7}.${i % 3}-1`,
      depends: i % 10 ? [`pkg${String(i - 1).padStart(4, '0')}`] : [],
      mir: i % 25 === 0 ? { required: true, team: 'bench-team' } : undefined,
      tests: i % 2 === 0,
      stages: { ppa: full, devel: i % 5 === 4 ? { build: 'ftbfs', lint: 'dirty' } : full, backports: i % 3 ? full : {} },
    });
  }
  return specs;
}
