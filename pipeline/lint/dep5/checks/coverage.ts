/**
 * Does debian/copyright describe the tree? Walks every file of the unpacked source (orig plus
 * debian/, minus what Files-Excluded removes) against the Files patterns, last match winning.
 */
import { defineCheck } from '../../check.js';
import { computeCoverage, NOTICE_FILE } from '../coverage.js';
import { COPYRIGHT, loadCopyright } from '../load.js';

export const dep5CoverageCheck = defineCheck({
  name: 'debian/copyright/dep5/coverage',
  tags: [
    {
      name: 'file-without-copyright-information',
      severity: 'warning',
      lintian: true,
      explanation:
        'No Files paragraph matches this file, so debian/copyright says nothing about its copyright or license. Add a pattern that covers it (a `Files: *` paragraph first covers everything not described later). License and COPYING files need no entry.',
    },
    {
      name: 'superfluous-file-pattern',
      severity: 'warning',
      lintian: true,
      explanation:
        'This Files pattern matches no file of the source tree: a typo, a file upstream removed, or a directory name without `/*`. Only patterns matching nothing at all are reported — a pattern whose files a later paragraph takes over still matches them (lintian 2.116 wrongly reports such shadowed patterns as matching nothing; the ordering problem is globbing-patterns-out-of-order).',
    },
    {
      name: 'globbing-patterns-out-of-order',
      severity: 'warning',
      lintian: true,
      explanation:
        'A more specific pattern (deeper path) comes before a broader one that also matches its files; the last match wins, so the specific paragraph never applies to them. Move the specific paragraph after the broad one. Detail: the losing pattern, the winning pattern and an example file.',
    },
    {
      name: 'redundant-globbing-patterns',
      severity: 'pedantic',
      lintian: true,
      explanation: 'Two patterns of the same Files paragraph match the same file; one of them is redundant.',
    },
    {
      name: 'source-ships-excluded-file',
      severity: 'error',
      lintian: true,
      explanation:
        'The source tree contains a file that Files-Excluded says is removed from the upstream tarball. The orig tarball was not repacked with uscan (or the pattern is wrong). The file is left out of the coverage checks.',
    },
    {
      name: 'license-file-listed-in-debian-copyright',
      severity: 'info',
      lintian: true,
      explanation: 'A license or COPYING file is named in a Files pattern. Such files need no entry of their own; the pattern can go.',
    },
  ],
  run(ctx, emit) {
    const cov = computeCoverage(ctx);
    if (!cov) return;
    const at = (line?: number) => ({ file: COPYRIGHT, line });
    for (const f of cov.uncovered) emit('file-without-copyright-information', f, at());
    for (const u of cov.uses) {
      if (u.matched === 0 && u.pattern.errors.length === 0) emit('superfluous-file-pattern', u.pattern.pattern, at(u.pattern.line));
    }
    for (const o of cov.outOfOrder)
      emit('globbing-patterns-out-of-order', `${o.loser.pattern.pattern} ${o.winner.pattern.pattern} ${o.file}`, at(o.winner.pattern.line));
    for (const r of cov.redundant) emit('redundant-globbing-patterns', `(${[...r.patterns].sort().join(' ')}) for ${r.file}`, at(r.paragraph.files.line));
    if (repacked(ctx)) for (const f of cov.excludedPresent) if (!/^(debian|\.pc)\//.test(f)) emit('source-ships-excluded-file', f, at(loadCopyright(ctx)?.doc?.header?.paragraph.get('Files-Excluded')?.line));
    for (const u of cov.uses) if (!u.pattern.wildcard && NOTICE_FILE.test(u.pattern.pattern)) emit('license-file-listed-in-debian-copyright', u.pattern.pattern, at(u.pattern.line));
  },
});

/**
 * Is this tree an unpacked source package whose orig tarball should already be repacked? Only then
 * is an excluded file's presence an error (a plain upstream checkout still has them, by design).
 */
function repacked(ctx: { options: { repackedOrig?: boolean }; text(rel: string): string | undefined }): boolean {
  if (ctx.options.repackedOrig !== undefined) return ctx.options.repackedOrig;
  const head = ctx.text('debian/changelog')?.split('\n', 1)[0] ?? '';
  return /\((?:\d+:)?[^)\s]*(?:[+~.](?:dfsg|ds|repack)\d*)[^)\s]*-[^)\s]+\)/i.test(head);
}
