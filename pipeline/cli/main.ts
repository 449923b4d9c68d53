/**
 * The `pipeline` command. Each subcommand lives in pipeline/cli/commands/<name>.ts and only
 * parses arguments and renders results; the work is done by the library (pipeline/index.ts).
 */
import { Command, CommanderError } from 'commander';
import { isPipelineError } from '../errors.js';
import { hideSensitive } from '../secrets.js';
import { commands } from './commands/index.js';

export function buildProgram(): Command {
  const program = new Command('pipeline')
    .description('Carry Debian/Ubuntu source packages through PPA → development release → LTS backport.')
    .option('--json', 'machine-readable output on stdout, no progress')
    .option('-v, --verbose', 'stream tool logs (sbuild, lintian, dput)')
    .option('--config <file>', 'pipeline.yaml to use (default: the nearest one upwards; env PIPELINE_CONFIG)')
    .option('--at <date>', 'evaluate date-dependent gates at this date (env PIPELINE_NOW)')
    .showHelpAfterError('(run pipeline --help for usage)')
    .exitOverride();
  for (const register of commands) register(program);
  return program;
}

/** Runs the CLI; resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  let code = 0;
  program.hook('postAction', (_this, action) => {
    const r = (action as Command & { _exitCode?: number })._exitCode;
    if (typeof r === 'number') code = r;
  });
  try {
    await program.parseAsync(argv);
    return code;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (isPipelineError(e)) {
      process.stderr.write(hideSensitive(`pipeline: ${e.oneLine()}\n`));
      return e.exitCode;
    }
    process.stderr.write(hideSensitive(`pipeline: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`));
    return 70;
  }
}

/**
 * Wrap an action so that its returned number becomes the exit code. Usage:
 *   cmd.action(action(async (ctx, args, opts) => { ...; return 1; }))
 */
export { action } from './action.js';
