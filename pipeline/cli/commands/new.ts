import type { Command } from 'commander';
import { relative } from 'node:path';
import { newPackage } from '../../templates/newPackage.js';
import { action } from '../action.js';

/** `pipeline new NAME` — a new package definition from debian-templates/. */
export function register(program: Command): void {
  program
    .command('new')
    .description('start a new package definition (packages/NAME/package.yaml and debian/) from debian-templates/')
    .argument('<name>', 'source package name')
    .option('--upstream-version <v>', 'upstream version', '0.1.0')
    .option('--homepage <url>', 'upstream homepage')
    .option('--upstream-name <name>', 'upstream project name (default: NAME)')
    .option('--url <url>', 'upstream tarball URL (default: PyPI source URL)')
    .option('--license <name>', 'DEP-5 license of the upstream code: Expat, Apache-2.0, GPL-2+, GPL-3+, LGPL-2.1+, LGPL-3+', 'Expat')
    .option('--copyright <text>', 'upstream copyright, "YEARS HOLDER"')
    .option('--summary <text>', 'one-line package description')
    .option('--depends <pkgs>', 'comma-separated packages of the set this one needs first')
    .option('--distribution <series>', 'changelog distribution (default: the devel stage series)')
    .action(action(async (ctx, name: string, o: Record<string, string | undefined>) => {
      const ws = ctx.workspace();
      const result = await newPackage(ws, name, {
        upstreamVersion: o.upstreamVersion, homepage: o.homepage, upstreamName: o.upstreamName, url: o.url,
        license: o.license, copyright: o.copyright, summary: o.summary, distribution: o.distribution,
        depends: o.depends ? o.depends.split(',').map((s) => s.trim()).filter(Boolean) : [],
      });
      ctx.out.result(result, () => [
        `created ${relative(process.cwd(), result.dir) || result.dir} (${name} ${result.version}):`,
        ...result.files.map((f) => `  ${f}`),
        `next: edit debian/control's description, pin source.sha256, then pipeline lint ${name}`,
      ].join('\n'));
      return 0;
    }));
}
