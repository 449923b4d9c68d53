/**
 * debian/control: required fields, contacts, Standards-Version against current Policy, Homepage,
 * Vcs-*, Rules-Requires-Root, the debhelper compat level, and relation-field syntax.
 */
import { controlStructureProblems } from '../../debian/control.js';
import { parseDeb822, type Deb822Document, type Deb822Field, type Deb822Paragraph } from '../../debian/deb822.js';
import { parseFieldRelations } from '../../debian/relations.js';
import { defineCheck, type Emit } from '../check.js';
import type { LintContext } from '../context.js';
import { parseChangelogDate } from './changelog-parse.js';
import { loadChangelog } from './changelog.js';
import { CURRENT_POLICY, compareDotted, newerReleases, releaseDate } from './policy.js';

export const CONTROL = 'debian/control';

export function loadControl(ctx: LintContext): Deb822Document | undefined {
  return ctx.shared('control', () => {
    const text = ctx.text(CONTROL);
    return text === undefined ? undefined : parseDeb822(text, { file: CONTROL });
  });
}

const VCS = ['arch', 'bzr', 'cvs', 'darcs', 'git', 'hg', 'mtn', 'svn'];
const RELATION_FIELDS = ['build-depends', 'build-depends-indep', 'build-depends-arch', 'build-conflicts', 'build-conflicts-indep', 'build-conflicts-arch'];
/** Oldest debhelper compat level that is not deprecated, and the recommended one. */
const DH_DEPRECATED_BELOW = 10;
const DH_RECOMMENDED = 13;

const at = (line?: number) => ({ file: CONTROL, line });

/** `Name <address>` — Policy 5.6.2. */
export function parseContact(text: string): { name: string; email: string } | undefined {
  const m = /^\s*([^<>]*?)\s*<([^<>\s]+)>\s*$/.exec(text);
  return m ? { name: m[1], email: m[2] } : undefined;
}

const BOGUS_HOST = /@(?:localhost(?:\.localdomain)?|[^.@]+|.*\.(?:localdomain|local|lan|invalid|example|test))$/i;

function checkContact(emit: Emit, field: Deb822Field, text: string) {
  const c = parseContact(text);
  if (!c || !c.email.includes('@')) {
    emit('malformed-contact', `${field.name}: ${text.trim()}`, at(field.line));
    return;
  }
  if (!c.name) emit('no-phrase', `${field.name}: ${text.trim()}`, at(field.line));
  if (BOGUS_HOST.test(c.email)) emit('bogus-mail-host', `${field.name}: ${c.email}`, at(field.line));
}

export const controlCheck = defineCheck({
  name: 'debian/control',
  tags: [
    { name: 'no-debian-control', severity: 'error', explanation: 'The source has no debian/control. (pipeline tag.)' },
    {
      name: 'syntax-error-in-debian-control',
      severity: 'error',
      explanation:
        'debian/control does not parse as dpkg-source needs it at the line shown: bad deb822 (bad continuation, missing colon, duplicate field...), no source paragraph, no binary paragraph, an invalid or duplicate package name. dpkg-source refuses such a file and so does `pipeline show`. (pipeline tag; lintian aborts instead.)',
    },
    {
      name: 'required-field',
      severity: 'error',
      lintian: true,
      explanation: 'A field Policy 5.2 requires is missing: Source, Maintainer and Standards-Version in the source paragraph; Package, Architecture and Description in each binary paragraph.',
    },
    { name: 'debian-control-has-empty-field', severity: 'info', lintian: true, explanation: 'A field of debian/control has an empty value; remove it or fill it in.' },
    { name: 'malformed-contact', severity: 'error', lintian: true, explanation: 'A Maintainer or Uploaders entry is not `Full Name <address>` (Policy 5.6.2).' },
    { name: 'no-phrase', severity: 'error', lintian: true, explanation: 'A Maintainer or Uploaders entry has an address but no name in front of it.' },
    { name: 'bogus-mail-host', severity: 'error', lintian: true, explanation: 'A Maintainer or Uploaders address has no real mail domain (localhost, a bare host name, .local, .invalid...).' },
    {
      name: 'invalid-standards-version',
      severity: 'error',
      lintian: true,
      explanation: 'Standards-Version is not a Policy version (`4.7.2`, three or four numbers) or names one that does not exist.',
    },
    {
      name: 'out-of-date-standards-version',
      severity: 'info',
      lintian: true,
      explanation:
        'A newer normative Policy version than Standards-Version had been released when the latest changelog entry was written. Review the upgrading checklist (/usr/share/doc/debian-policy/upgrading-checklist.txt) and update the field.',
    },
    {
      name: 'newer-standards-version',
      severity: 'warning',
      lintian: true,
      explanation: 'Standards-Version names a Policy version newer than the newest one pipeline knows. A typo, or the table in pipeline/lint/metadata/policy.ts needs the new release (lintian 2.116 says this about 4.7.x, which it predates).',
    },
    { name: 'no-homepage-field', severity: 'pedantic', lintian: true, explanation: 'The source paragraph has no Homepage field pointing at the upstream project.' },
    { name: 'bad-homepage', severity: 'warning', lintian: true, explanation: 'Homepage is not an http(s) URL.' },
    { name: 'homepage-field-uses-insecure-uri', severity: 'pedantic', lintian: true, explanation: 'Homepage uses http:// where the site very likely serves https:// too.' },
    { name: 'vcs-field-uses-insecure-uri', severity: 'info', lintian: true, explanation: 'A Vcs-* field uses an unauthenticated protocol (http://, git://); use https://.' },
    { name: 'vcs-field-uses-unknown-uri-format', severity: 'warning', lintian: true, explanation: 'A Vcs-* field is not a URL (or a URL followed by `-b BRANCH` for Vcs-Git).' },
    { name: 'vcs-fields-use-more-than-one-vcs', severity: 'info', lintian: true, explanation: 'Vcs-* fields name more than one kind of version control system; the packaging lives in one.' },
    { name: 'missing-vcs-browser-field', severity: 'info', lintian: true, explanation: 'There is a Vcs-<type> field but no Vcs-Browser for a human-readable view.' },
    {
      name: 'silent-on-rules-requiring-root',
      severity: 'pedantic',
      lintian: true,
      explanation: 'The source paragraph does not say whether debian/rules needs root (`Rules-Requires-Root: no` for almost every package).',
    },
    {
      name: 'invalid-rules-requires-root-value',
      severity: 'error',
      explanation: 'Rules-Requires-Root must be `no`, `binary-targets`, or space-separated keywords of the form `namespace/case`. (pipeline tag.)',
    },
    {
      name: 'declares-possibly-conflicting-debhelper-compat-versions',
      severity: 'error',
      lintian: true,
      explanation: 'The compat level is declared twice: by a `debhelper-compat (= N)` build dependency and by debian/compat. Keep the build dependency and delete debian/compat.',
    },
    {
      name: 'debhelper-compat-file-is-missing',
      severity: 'warning',
      lintian: true,
      explanation: 'The package builds with debhelper but declares no compat level: add `debhelper-compat (= 13)` to Build-Depends.',
    },
    { name: 'debhelper-compat-not-a-number', severity: 'error', lintian: true, explanation: 'The debhelper compat level (debian/compat or debhelper-compat (= N)) is not a number.' },
    { name: 'uses-debhelper-compat-file', severity: 'pedantic', lintian: true, explanation: 'debian/compat is the old way to declare the compat level; use a `debhelper-compat (= N)` build dependency.' },
    {
      name: 'package-uses-deprecated-debhelper-compat-version',
      severity: 'warning',
      lintian: true,
      explanation: `The debhelper compat level is below ${DH_DEPRECATED_BELOW}, which debhelper deprecates and will remove.`,
    },
    { name: 'package-uses-old-debhelper-compat-version', severity: 'pedantic', lintian: true, explanation: `The debhelper compat level is below the recommended ${DH_RECOMMENDED}.` },
    {
      name: 'bad-relation',
      severity: 'error',
      lintian: true,
      explanation: 'An entry of a Build-Depends/Build-Conflicts field does not parse (dpkg-dev\'s rules): missing comma, bad version constraint, unbalanced brackets...',
    },
    { name: 'obsolete-relation-form-in-source', severity: 'error', lintian: true, explanation: 'A relation uses `<` or `>`, which mean `<=` and `>=` and are forbidden; write `<<`/`<=` or `>>`/`>=`.' },
  ],
  run(ctx, emit) {
    const doc = loadControl(ctx);
    if (!doc) {
      emit('no-debian-control');
      return;
    }
    const syntax = doc.problems.filter((p) => p.severity !== 'warning');
    for (const p of syntax) emit('syntax-error-in-debian-control', p.message, at(p.line));
    // The structure dpkg-source needs: the same test `pipeline show` and the stages refuse a file by.
    if (syntax.length === 0) for (const p of controlStructureProblems(doc)) emit('syntax-error-in-debian-control', p.message, at(p.line));
    const [source, ...binaries] = doc.paragraphs;
    if (!source) return;

    for (const f of ['Source', 'Maintainer', 'Standards-Version']) if (!source.get(f)) emit('required-field', `(in section for source) ${f}`, at(source.line));
    for (const b of binaries) {
      const name = b.value('Package') ?? '?';
      for (const f of ['Package', 'Architecture', 'Description']) if (!b.get(f)) emit('required-field', `(in section for ${name}) ${f}`, at(b.line));
    }
    for (const p of doc.paragraphs) for (const f of p.fields) if (f.value.trim() === '') emit('debian-control-has-empty-field', f.name, at(f.line));

    const maint = source.get('Maintainer');
    if (maint && maint.value.trim()) checkContact(emit, maint, maint.value);
    const uploaders = source.get('Uploaders');
    if (uploaders) for (const u of splitContacts(uploaders.value)) checkContact(emit, uploaders, u);

    standardsVersion(ctx, source, emit);
    homepage(source, emit);
    vcs(source, emit);

    const rrr = source.get('Rules-Requires-Root');
    if (!rrr) emit('silent-on-rules-requiring-root', undefined, at(source.line));
    else {
      const v = rrr.value.trim();
      if (v !== 'no' && v !== 'binary-targets' && !v.split(/\s+/).every((k) => /^[^\s/]+\/\S+$/.test(k))) emit('invalid-rules-requires-root-value', v, at(rrr.line));
    }

    for (const name of RELATION_FIELDS) {
      const f = source.get(name);
      if (!f) continue;
      for (const pr of parseFieldRelations(f).problems) {
        if (pr.severity === 'error') emit('bad-relation', `${f.name}: ${pr.text} (${pr.message})`, at(pr.line ?? f.line));
        else if (/obsolete|[<>] means/i.test(pr.message)) emit('obsolete-relation-form-in-source', `${f.name}: ${pr.text}`, at(pr.line ?? f.line));
      }
    }
    debhelperCompat(ctx, source, emit);
  },
});

function splitContacts(value: string): string[] {
  // Commas inside quotes or before the address belong to the name ("Doe, John" <j@x>).
  return value.replace(/\n/g, ' ').split(/(?<=>)\s*,\s*/).map((s) => s.trim().replace(/^,\s*/, '')).filter(Boolean);
}

function standardsVersion(ctx: LintContext, source: Deb822Paragraph, emit: Emit) {
  const f = source.get('Standards-Version');
  if (!f) return;
  const v = f.value.trim();
  const current = ctx.options.policyVersion ?? CURRENT_POLICY;
  if (!/^\d+\.\d+\.\d+(?:\.\d+)?$/.test(v)) {
    emit('invalid-standards-version', v, at(f.line));
    return;
  }
  if (compareDotted(v.split('.').slice(0, 3).join('.'), current) > 0) {
    const top = loadChangelog(ctx)?.entries[0];
    if (!top?.distributions.some((d) => /backports/.test(d))) emit('newer-standards-version', `${v} (current is ${current})`, at(f.line));
    return;
  }
  const released = releaseDate(v);
  if (!released && compareDotted(v, '3.9.0') >= 0) {
    emit('invalid-standards-version', v, at(f.line));
    return;
  }
  const trailer = loadChangelog(ctx)?.entries[0]?.trailer;
  const when = (trailer && parseChangelogDate(trailer.date).date) ?? new Date();
  if (!released || newerReleases(v, when, current).length > 0) emit('out-of-date-standards-version', `${v}${released ? ` (released ${released})` : ''} (current is ${current})`, at(f.line));
}

function homepage(source: Deb822Paragraph, emit: Emit) {
  const f = source.get('Homepage');
  if (!f) {
    emit('no-homepage-field', undefined, at(source.line));
    return;
  }
  const v = f.value.trim();
  if (!/^https?:\/\/[^\s/]+\.[^\s]*$/.test(v.replace(/^<|>$/g, ''))) emit('bad-homepage', v, at(f.line));
  else if (v.startsWith('http://')) emit('homepage-field-uses-insecure-uri', v, at(f.line));
}

function vcs(source: Deb822Paragraph, emit: Emit) {
  const kinds = new Set<string>();
  for (const f of source.fields) {
    const m = /^vcs-(\w+)$/i.exec(f.name);
    if (!m) continue;
    const kind = m[1].toLowerCase();
    const v = f.value.trim();
    if (kind !== 'browser') kinds.add(kind);
    if (kind !== 'browser' && !VCS.includes(kind)) continue;
    const uri = kind === 'git' ? v.replace(/\s+-b\s+\S+$/, '').replace(/\s+\[[^\]]*\]$/, '') : v;
    if (!/^[a-z][a-z0-9+.-]*:\/\/\S+$|^[^@\s]+@[^:\s]+:\S+$/i.test(uri)) emit('vcs-field-uses-unknown-uri-format', `${f.name} ${v}`, at(f.line));
    else if (/^(?:http|git|svn|bzr|cvs):\/\//i.test(uri) || /^:pserver:/.test(uri)) emit('vcs-field-uses-insecure-uri', `${f.name} ${v}`, at(f.line));
  }
  if (kinds.size > 1) emit('vcs-fields-use-more-than-one-vcs', [...kinds].sort().join(' '), at(source.line));
  if (kinds.size > 0 && !source.get('Vcs-Browser')) emit('missing-vcs-browser-field', undefined, at(source.line));
}

function debhelperCompat(ctx: LintContext, source: Deb822Paragraph, emit: Emit) {
  const groups = RELATION_FIELDS.slice(0, 3).flatMap((n) => {
    const f = source.get(n);
    return f ? parseFieldRelations(f).groups.flat().map((r) => ({ r, f })) : [];
  });
  const compatDep = groups.find((g) => g.r.name === 'debhelper-compat');
  const debhelper = groups.find((g) => g.r.name === 'debhelper');
  const compatText = ctx.text('debian/compat');
  let level: number | undefined;
  if (compatDep) {
    const v = compatDep.r.version;
    if (!v || v.op !== '=' || !/^\d+$/.test(v.version)) emit('debhelper-compat-not-a-number', `${compatDep.r.text}`, at(compatDep.r.line ?? compatDep.f.line));
    else level = Number(v.version);
    if (compatText !== undefined) emit('declares-possibly-conflicting-debhelper-compat-versions', `debian/compat ${compatText.trim()} vs ${compatDep.r.text}`, at(compatDep.r.line ?? compatDep.f.line));
  } else if (compatText !== undefined) {
    emit('uses-debhelper-compat-file', undefined, { file: 'debian/compat' });
    const t = compatText.trim();
    if (!/^\d+$/.test(t)) emit('debhelper-compat-not-a-number', t, { file: 'debian/compat', line: 1 });
    else level = Number(t);
  } else if (debhelper) {
    emit('debhelper-compat-file-is-missing', undefined, at(debhelper.r.line ?? debhelper.f.line));
  }
  if (level !== undefined) {
    if (level < DH_DEPRECATED_BELOW) emit('package-uses-deprecated-debhelper-compat-version', String(level), at(compatDep?.r.line ?? source.line));
    else if (level < DH_RECOMMENDED) emit('package-uses-old-debhelper-compat-version', String(level), at(compatDep?.r.line ?? source.line));
  }
}
