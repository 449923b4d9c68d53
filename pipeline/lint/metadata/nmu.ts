/**
 * Whose upload is it: lintian's `nmu` check on the top changelog entry. The entry's trailer names
 * the uploader; debian/control's Maintainer and Uploaders say who maintains the package; the first
 * bullet may call the upload a team upload, an NMU or a QA upload, and the version's revision
 * (`-1.1`, `+nmuN`) says whether it is numbered as an NMU. The three have to agree.
 *
 * Why we check it ourselves: every stage upload is signed by the workspace's maintainer, so adding
 * that team to Uploaders (or not) flips these tags, and lintian only says so after a 15-minute
 * build. Here the tree's lint says it at once. Same conditions and names as lintian 2.116's
 * Lintian::Check::Nmu, which the lintian comparison test keeps us to.
 *
 * Ubuntu has no NMUs: Ubuntu uploads are judged by Ubuntu's conventions (ubuntuN, ~ppaN,
 * ~bpoYY.MM.N; the Maintainer rule is metadata/ubuntuMaintainer.ts), so under an Ubuntu profile
 * the tags lintian's own Ubuntu profile disables (profiles/ubuntu/main.profile) are not emitted.
 */
import { defineCheck } from '../check.js';
import { CHANGELOG, loadChangelog } from './changelog.js';
import { loadControl } from './control.js';

/** lintian's canonical form: the mail domain is case-insensitive. */
function canonical(contact: string): string {
  return contact.trim().replace(/<([^>@]+@)([\w.-]+)>/, (_m, local: string, domain: string) => `<${local}${domain.toLowerCase()}>`);
}

/** 1: one NMU level (`-1.1`, `+nmu1`), 2: two (`-1.1.1`, `+b1` binNMU), 0: a maintainer revision. */
function nmuLevel(version: string): number {
  let level = 0;
  const m = /-[^.-]+(\.[^.-]+)?(\.[^.-]+)?$/.exec(version);
  if (m?.[1] !== undefined) level = 1;
  if (m?.[2] !== undefined) level = 2;
  if (/\+nmu\d+$/.test(version)) level = 1;
  if (/\+b\d+$/.test(version)) level = 2;
  return level;
}

/** The Disable-Tags of lintian's profiles/ubuntu/main.profile that belong to this check (held to the installed file by nmu.test.ts). */
export const UBUNTU_DISABLED_NMU_TAGS: ReadonlySet<string> = new Set([
  'maintainer-upload-has-incorrect-version-number', 'no-nmu-in-changelog', 'qa-upload-has-incorrect-version-number',
  'source-nmu-has-incorrect-version-number', 'team-upload-has-incorrect-version-number',
]);

export const nmuCheck = defineCheck({
  name: 'nmu',
  tags: [
    {
      name: 'unnecessary-team-upload', severity: 'warning', lintian: true,
      explanation: 'The top entry says "Team upload", but its uploader (the changelog trailer) is the Maintainer or one of the Uploaders: a plain maintainer upload. Drop the "Team upload" line, or the uploader from Uploaders.',
    },
    {
      name: 'no-nmu-in-changelog', severity: 'warning', lintian: true,
      explanation: 'The uploader (the changelog trailer) is neither the Maintainer nor one of the Uploaders, so this is a non-maintainer upload, but the first bullet does not say so ("Non-maintainer upload.", or "Team upload." for a team member). Add the uploader to Uploaders, or say what kind of upload it is.',
    },
    {
      name: 'nmu-in-changelog', severity: 'warning', lintian: true,
      explanation: 'The first bullet calls this a non-maintainer upload, but the uploader is the Maintainer or one of the Uploaders.',
    },
    {
      name: 'source-nmu-has-incorrect-version-number', severity: 'warning', lintian: true,
      explanation: 'A non-maintainer upload (the uploader is not in Maintainer/Uploaders) should have an NMU revision (`-1.1`, or `+nmu1` for a native package), unless it is a stable update or a backport.',
    },
    {
      name: 'maintainer-upload-has-incorrect-version-number', severity: 'warning', lintian: true,
      explanation: 'A maintainer upload has an NMU revision (`-1.1`, `+nmu1`, `+b1`).',
    },
    {
      name: 'team-upload-has-incorrect-version-number', severity: 'warning', lintian: true,
      explanation: 'A team upload is a maintainer upload: it should not have an NMU revision (`-1.1`, `+nmu1`).',
    },
    {
      name: 'no-qa-in-changelog', severity: 'warning', lintian: true,
      explanation: 'The package is orphaned (Maintainer: packages@qa.debian.org) but the first bullet does not say "QA upload".',
    },
    {
      name: 'qa-upload-has-incorrect-version-number', severity: 'warning', lintian: true,
      explanation: 'A QA upload is a maintainer upload: it should not have an NMU revision.',
    },
  ],
  run(ctx, emitAny) {
    const emit: typeof emitAny = (tag, ...rest) => {
      if (ctx.options.vendor === 'ubuntu' && UBUNTU_DISABLED_NMU_TAGS.has(tag)) return;
      emitAny(tag, ...rest);
    };
    const top = loadChangelog(ctx)?.entries[0];
    const source = loadControl(ctx)?.paragraphs[0];
    if (!top || !source) return;
    const at = { file: CHANGELOG, line: top.line };
    const uploader = top.trailer ? canonical(`${top.trailer.name} <${top.trailer.email}>`) : '';
    const maintainer = canonical(source.value('Maintainer') ?? '');
    const uploaders = (source.value('Uploaders') ?? '').split(/(?<=>)\s*,\s*/).map(canonical).filter(Boolean);
    // An entry without a trailer is work in progress: not an NMU.
    const isNmu = Boolean(uploader) && uploader !== maintainer && !uploaders.includes(uploader);

    const first = top.changes.find((l) => /^\s*\*/.test(l)) ?? '';
    const saysNmu = (/\bnmu\b/i.test(first) || /non-maintainer upload/i.test(first) || /LowThresholdNMU/i.test(first))
      && !/(?:ackno|\back\b|confir|incorporat).*(?:\bnmu\b|non-maintainer)/i.test(first);
    const saysLocal = /\blocal\s+package\b/i.test(first) || /local/i.test(top.version);
    const saysQa = /orphan/i.test(first) || /qa (?:group )?upload/i.test(first);
    const saysTeam = /team upload/i.test(first);
    const level = nmuLevel(top.version);

    if (/packages@qa\.debian\.org/.test(maintainer)) {
      if (level === 1) emit('qa-upload-has-incorrect-version-number', top.version, at);
      if (!saysQa) emit('no-qa-in-changelog', undefined, at);
    } else if (saysTeam) {
      if (level === 1) emit('team-upload-has-incorrect-version-number', top.version, at);
      if (!isNmu) emit('unnecessary-team-upload', `${uploader} is in ${uploader === maintainer ? 'Maintainer' : 'Uploaders'}`, at);
    } else {
      // A local package may be either an NMU or not.
      if (!saysLocal) {
        if (isNmu && !saysNmu) emit('no-nmu-in-changelog', `${uploader} is not in Maintainer/Uploaders`, at);
        const stableOrBackport = /~bpo\d+\+\d+$/.test(top.version) || /[~|+]deb\d+u\d+$/.test(top.version);
        if (isNmu && level !== 1 && !stableOrBackport) emit('source-nmu-has-incorrect-version-number', top.version, at);
      }
      if (saysNmu && !isNmu) emit('nmu-in-changelog', undefined, at);
      if (!isNmu && level) emit('maintainer-upload-has-incorrect-version-number', top.version, at);
    }
  },
});
