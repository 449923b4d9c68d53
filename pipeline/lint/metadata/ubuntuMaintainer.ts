/**
 * Ubuntu's Maintainer rule (https://wiki.ubuntu.com/DebianMaintainerField): a version that says
 * Ubuntu changed a Debian package (`-2ubuntu1`) needs an Ubuntu Maintainer, the Debian one kept in
 * XSBC-Original-Maintainer — what `update-maintainer` (ubuntu-dev-tools) writes and what
 * dpkg-source warns about when dpkg's vendor is Ubuntu (Dpkg::Vendor::Ubuntu, the same tests:
 * Version =~ /ubuntu/, Maintainer !~ /ubuntu|canonical/i, no Original-Maintainer). Only for
 * Ubuntu profiles; a ~ppaN or ~bpoYY.MM.N no-change rebuild keeps the Debian Maintainer.
 */
import { defineCheck } from '../check.js';
import { loadChangelog } from './changelog.js';
import { loadControl } from './control.js';

export const UBUNTU_MAINTAINER = 'Ubuntu Developers <ubuntu-devel-discuss@lists.ubuntu.com>';

export const ubuntuMaintainerCheck = defineCheck({
  name: 'ubuntu-maintainer',
  tags: [
    {
      name: 'ubuntu-version-without-ubuntu-maintainer', severity: 'warning',
      explanation: `The version says Ubuntu changed this Debian package (ubuntuN), but Maintainer is not an Ubuntu address. Run update-maintainer: it sets Maintainer to ${UBUNTU_MAINTAINER} and keeps the Debian maintainer in XSBC-Original-Maintainer. (dpkg-source's Ubuntu warning; pipeline tag.)`,
    },
    {
      name: 'ubuntu-version-without-original-maintainer', severity: 'warning',
      explanation: 'The version says Ubuntu changed this Debian package (ubuntuN), but debian/control has no XSBC-Original-Maintainer naming the Debian maintainer. Run update-maintainer. (dpkg-source\'s Ubuntu warning; pipeline tag.)',
    },
  ],
  run(ctx, emit) {
    if (ctx.options.vendor !== 'ubuntu') return;
    const control = loadControl(ctx);
    const source = control?.paragraphs[0];
    if (!source) return;
    // The version debian/changelog gives the upload (dpkg-source reads it from there too).
    const version = loadChangelog(ctx)?.entries[0]?.version;
    if (!version || !/ubuntu/.test(version)) return;
    const at = { file: 'debian/control', line: source.get('Maintainer')?.line ?? source.line };
    const maintainer = source.value('Maintainer') ?? '';
    if (!/(?:ubuntu|canonical)/i.test(maintainer)) emit('ubuntu-version-without-ubuntu-maintainer', `${version}: Maintainer is ${maintainer}`, at);
    if (!source.value('XSBC-Original-Maintainer') && !source.value('Original-Maintainer')) emit('ubuntu-version-without-original-maintainer', version, at);
  },
});
