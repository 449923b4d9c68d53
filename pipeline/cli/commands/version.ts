import type { Command } from 'commander';
import { PipelineError } from '../../errors.js';
import { compareVersions, parseVersion, sortVersions, versionCompare, versionProblem } from '../../debian/version.js';
import { action } from '../action.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * `pipeline version compare A OP B` (dpkg --compare-versions: exit 0 when true, 1 when false) and
 * `pipeline version sort` (stdin, one version a line, printed in dpkg order). Invalid input is
 * one error line and exit 2, as dpkg's own errors are.
 */
export function register(program: Command): void {
  const version = program
    .command('version')
    .description('Debian versions in dpkg order: compare two, sort a list, split one');

  version
    .command('compare')
    .description('exit 0 when "A OP B" holds, 1 when not (dpkg --compare-versions); OP: lt le eq ne ge gt or << <= = >= >>')
    .argument('<a>', 'a Debian version')
    .argument('<op>', 'lt le eq ne ge gt (or << <= = >= >>)')
    .argument('<b>', 'a Debian version')
    .action(action((ctx, a: string, op: string, b: string) => {
      const result = versionCompare(a, op, b);
      const order = compareVersions(a, b);
      ctx.out.result({ a, op, b, result, order }, () => (ctx.options.verbose ? `${a} ${op} ${b}: ${result}` : ''));
      return result ? 0 : 1;
    }));

  version
    .command('sort')
    .description('read versions from standard input, one a line, and print them in dpkg order')
    .option('-r, --reverse', 'highest first')
    .action(action(async (ctx, opts: { reverse?: boolean }) => {
      const text = await readStdin();
      const versions: string[] = [];
      const lines = text.split('\n');
      for (let i = 0; i < lines.length; i++) {
        const v = lines[i]!.replace(/\r$/, '').trim();
        if (v === '') continue;
        const p = versionProblem(v);
        if (p) throw new PipelineError(`invalid Debian version '${v}': ${p.reason}`, { file: '<stdin>', line: i + 1 });
        versions.push(v);
      }
      const sorted = sortVersions(versions, { reverse: opts.reverse });
      ctx.out.result({ versions: sorted }, () => sorted.join('\n'));
      return 0;
    }));

  version
    .command('parse')
    .description('split a version into epoch, upstream version and Debian revision (error when invalid)')
    .argument('<version>', 'a Debian version')
    .action(action((ctx, v: string) => {
      const p = parseVersion(v);
      ctx.out.result({ version: v, ...p, native: p.revision === '' }, () =>
        `epoch:    ${p.epoch}\nupstream: ${p.upstream}\nrevision: ${p.revision === '' ? '(none: native)' : p.revision}`);
      return 0;
    }));
}
