/**
 * debian/changelog: parseable, the top version valid, the trailer's address and date sound, and
 * the distribution the one the target stage uploads to (`--stage backports` wants
 * `bookworm-backports`; a PPA wants the bare series). A misspelt distribution is caught here, on
 * the source — lintian only notices it on a .changes.
 */
import { readFileSync } from 'node:fs';
import { versionProblem } from '../../debian/version.js';
import { defineCheck } from '../check.js';
import type { LintContext } from '../context.js';
import { parseChangelog, parseChangelogDate, type ParsedChangelog } from './changelog-parse.js';

export const CHANGELOG = 'debian/changelog';

export function loadChangelog(ctx: LintContext): ParsedChangelog | undefined {
  return ctx.shared('changelog', () => {
    const text = ctx.text(CHANGELOG);
    return text === undefined ? undefined : parseChangelog(text);
  });
}

const SUFFIXES = ['', '-backports', '-backports-sloppy', '-security', '-updates', '-proposed', '-proposed-updates'];
const ALIASES = ['unstable', 'experimental', 'testing', 'stable', 'oldstable', 'sid', 'UNRELEASED', 'stable-security', 'testing-security', 'stable-updates', 'oldstable-security', 'stable-proposed-updates', 'oldstable-proposed-updates'];

let knownCache: Set<string> | undefined;
/**
 * Every distribution name the archives know: distro-info codenames with their pockets, plus
 * aliases, plus the series the profile declares (with pockets) that distro-info may not know yet.
 */
export function knownDistributions(dir = '/usr/share/distro-info', declared: readonly string[] = []): Set<string> {
  if (declared.length) {
    const known = new Set(knownDistributions(dir));
    for (const series of declared) for (const s of SUFFIXES) known.add(`${series}${s}`);
    return known;
  }
  if (knownCache) return knownCache;
  const known = new Set(ALIASES);
  for (const vendor of ['debian', 'ubuntu']) {
    let text = '';
    try {
      text = readFileSync(`${dir}/${vendor}.csv`, 'utf8');
    } catch {
      continue;
    }
    for (const row of text.split('\n').slice(1)) {
      const series = row.split(',')[2];
      if (series) for (const s of SUFFIXES) known.add(`${series}${s}`);
    }
  }
  return (knownCache = known);
}

/** The distribution a stage's upload must name in debian/changelog. */
export function expectedDistribution(stage: { target: { series: string; pocket?: string } }): string {
  return stage.target.pocket ? `${stage.target.series}-${stage.target.pocket}` : stage.target.series;
}

const BOGUS_HOST = /@(?:localhost(?:\.localdomain)?|[^.@]+|.*\.(?:localdomain|local|lan|invalid|example|test))$/i;

export const changelogCheck = defineCheck({
  name: 'debian/changelog',
  tags: [
    { name: 'no-debian-changelog', severity: 'error', explanation: 'The source has no debian/changelog: dpkg-source cannot even name the version. (pipeline tag.)' },
    {
      name: 'syntax-error-in-debian-changelog',
      severity: 'error',
      lintian: true,
      explanation:
        'A line of debian/changelog that dpkg-parsechangelog warns about (bad header, options, trailer, spacing or date; a first line that is not an entry header): dpkg goes on with "unknown" values, so every tool after it may misread the entry. An error whatever lintian\'s severity (a warning there): `pipeline show` and the stages refuse the same file.',
    },
    { name: 'malformed-debian-changelog-version', severity: 'error', lintian: true, explanation: 'The version of the latest entry is not a valid Debian version (dpkg refuses or warns about it).' },
    { name: 'debian-revision-is-zero', severity: 'error', lintian: true, explanation: 'The Debian revision is 0; revisions start at 1 (0 is reserved for derivatives\' sorting tricks and confuses tools).' },
    {
      name: 'invalid-date-in-debian-changelog',
      severity: 'error',
      lintian: true,
      explanation: 'The trailer date is not an RFC 5322 date (`Day, DD Mon YYYY HH:MM:SS +zzzz`), e.g. a misspelt month or an impossible day. Use `date -R` (dch does).',
    },
    { name: 'debian-changelog-has-wrong-day-of-week', severity: 'warning', lintian: true, explanation: 'The trailer\'s day name does not match its date.' },
    {
      name: 'bogus-mail-host-in-debian-changelog',
      severity: 'error',
      lintian: true,
      explanation: 'The trailer\'s address has no real mail domain (localhost, a bare host name, .local, .invalid...). The uploader must be reachable at it.',
    },
    {
      name: 'bad-distribution-in-changelog',
      severity: 'error',
      explanation:
        'The distribution of the latest entry is no suite the archives know (no distro-info codename with a pocket, nor an alias such as unstable): a typo that would be rejected on upload. (pipeline tag; lintian reports bad-distribution-in-changes-file only on a .changes, too late for a source-only check.)',
    },
    {
      name: 'distribution-does-not-fit-stage',
      severity: 'error',
      explanation:
        'The distribution of the latest entry is not the one the target stage uploads to (e.g. the backports stage wants `bookworm-backports`, a PPA stage the bare series, and no upload may say UNRELEASED). Fix it with `dch -r -D DIST` or the stage\'s version command. (pipeline tag.)',
    },
    {
      name: 'unreleased-changelog-distribution',
      severity: 'info',
      lintian: true,
      explanation: 'The latest entry is UNRELEASED: work in progress. Fine while editing; it blocks any stage through distribution-does-not-fit-stage.',
    },
    {
      name: 'backports-upload-has-incorrect-version-number',
      severity: 'error',
      lintian: true,
      explanation:
        'An upload to a backports suite needs a backports version: `~bpoNN+M` for Debian (e.g. 1.2-3~bpo12+1), `~bpoYY.MM.N` for Ubuntu (e.g. 1.2-3~bpo24.04.1), so that it sorts below the development release\'s version.',
    },
    {
      name: 'upload-has-backports-version-number',
      severity: 'error',
      lintian: true,
      explanation: 'The version carries a backports suffix (`~bpo`) but the distribution is not a backports suite.',
    },
  ],
  run(ctx, emit) {
    const at = (line?: number) => ({ file: CHANGELOG, line });
    const cl = loadChangelog(ctx);
    if (!cl) {
      emit('no-debian-changelog');
      return;
    }
    const top = cl.entries[0];
    // The top version's own problem is lintian's malformed-debian-changelog-version below.
    for (const p of cl.problems) if (!(top && p.line === top.line && p.message.startsWith('version '))) emit('syntax-error-in-debian-changelog', p.message, at(p.line));
    if (!top) return;
    const problem = versionProblem(top.version);
    if (problem) emit('malformed-debian-changelog-version', `${top.version} (${problem.reason})`, at(top.line));
    else if (/-0$/.test(top.version)) emit('debian-revision-is-zero', top.version, at(top.line));

    if (top.trailer) {
      const t = top.trailer;
      const d = parseChangelogDate(t.date);
      if (d.error) emit('invalid-date-in-debian-changelog', d.error, at(t.line));
      else if (d.wrongDay) emit('debian-changelog-has-wrong-day-of-week', `${t.date} was a ${d.wrongDay.actual}`, at(t.line));
      if (BOGUS_HOST.test(t.email) || !t.email.includes('@')) emit('bogus-mail-host-in-debian-changelog', t.email, at(t.line));
    }

    const dist = top.distributions.join(' ');
    const known = knownDistributions(undefined, ctx.options.declaredSeries);
    if (dist === 'UNRELEASED') emit('unreleased-changelog-distribution', undefined, at(top.line));
    else for (const d of top.distributions) if (!known.has(d)) emit('bad-distribution-in-changelog', d, at(top.line));

    const stage = ctx.options.stage;
    if (stage) {
      const want = expectedDistribution(stage);
      const ok = new Set([want, stage.target.suite]);
      if (top.distributions.length !== 1 || !ok.has(top.distributions[0]))
        emit('distribution-does-not-fit-stage', `${dist} (stage ${stage.name} uploads to ${want})`, at(top.line));
    }

    const backports = top.distributions.some((d) => /-backports(?:-sloppy)?$/.test(d));
    const bpoVersion = /~bpo\d/.test(top.version);
    if (backports) {
      const vendor = ctx.options.vendor ?? (top.distributions.some((d) => /^(?:bookworm|bullseye|trixie|buster|forky|duke)/.test(d)) ? 'debian' : 'ubuntu');
      const ok = vendor === 'debian' ? /~bpo\d+\+\d+$/.test(top.version) : /~bpo\d{2}\.\d{2}\.\d+(?:~ppa\d+)?$/.test(top.version);
      if (!ok) emit('backports-upload-has-incorrect-version-number', `${top.version} (${vendor === 'debian' ? '~bpoNN+M' : '~bpoYY.MM.N'} expected)`, at(top.line));
    } else if (bpoVersion && dist !== 'UNRELEASED') {
      emit('upload-has-backports-version-number', `${top.version} ${dist}`, at(top.line));
    }
  },
});
