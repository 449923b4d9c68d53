import type { Command } from 'commander';
import { describePackage } from '../../config/describe.js';
import { action } from '../action.js';

/** `pipeline show PKG` — definition, current Debian version, and the version each stage would get. */
export function register(program: Command): void {
  program
    .command('show')
    .description('show a package: definition, Debian version from debian/changelog, target version per stage')
    .argument('<pkg>', 'package name')
    .action(action(async (ctx, name: string) => {
      const d = await describePackage(ctx.workspace(), name);
      ctx.out.result(d, () => {
        const def = d.definition;
        const src = def.source.kind === 'apt'
          ? `apt-get source ${def.source.package}=${def.source.version} (${def.source.series})`
          : `${def.source.url}${def.source.fallback ? ` (fallback: ${def.source.fallback})` : ''}`;
        const lines = [
          `${d.name} — ${def.upstream.name} ${def.upstream.version} <${def.upstream.homepage}>`,
          `  definition  ${d.file}`,
          `  source      ${src}`,
          `  debian      ${d.source} ${d.version} (${d.distribution})`,
          `  binaries    ${d.binaries.join(', ')}`,
          `  needs       ${d.needs.join(', ') || '-'}`,
          `  MIR         ${def.mir.required ? `required${def.mir.team ? `, team ${def.mir.team}` : ''}` : 'not required'}`,
          '  stages:',
          ...d.stages.map((s) => s.error
            ? `    ${s.stage.padEnd(10)} ${s.error}`
            : `    ${s.stage.padEnd(10)} ${s.version!.padEnd(22)} → ${s.target} (${s.distribution})${s.landed ? `, has ${s.landed}` : ''}`),
        ];
        return lines.join('\n');
      });
      return 0;
    }));
}
