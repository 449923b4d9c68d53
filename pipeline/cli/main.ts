/**
 * The `pipeline` command. Each subcommand lives in pipeline/cli/commands/<name>.ts and only
 * parses arguments and renders results; the work is done by the library (pipeline/index.ts).
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { EXIT, isPipelineError, PipelineError } from '../errors.js';
import { isInjectedFault } from '../state/faults.js';
import { hideSensitive } from '../secrets.js';
import { commandsFor } from './commands/index.js';
import { cutLongLines } from './output.js';

/** The program with the subcommands argv needs (every one when it names none: `--help`). */
export async function buildProgram(argv: readonly string[] = []): Promise<Command> {
  const program = new Command('pipeline')
    .description('Carry Debian/Ubuntu source packages through PPA → development release → LTS backport.')
    .option('--json', 'machine-readable output on stdout, no progress')
    .option('-v, --verbose', 'stream tool logs (sbuild, lintian, dput)')
    .option('--config <file>', 'pipeline.yaml to use (default: the nearest one upwards; env PIPELINE_CONFIG)')
    .option('--at <date>', 'evaluate date-dependent gates at this date (env PIPELINE_NOW)')
    .version(packageVersion(), '-V, --version', 'print the version and exit')
    .showHelpAfterError('(run pipeline --help for usage)')
    .exitOverride();
  for (const register of await commandsFor(argv)) register(program);
  return program;
}

/** Runs the CLI; resolves to the process exit code. */
export async function main(rawArgv: string[]): Promise<number> {
  // `backport ... -v VERSION`: its module rewrites -v, and is loaded only when the word is there.
  const argv = rawArgv.includes('backport') ? (await import('./commands/backport.js')).backportArgv(rawArgv) : rawArgv;
  const program = await buildProgram(argv);
  let code = 0;
  program.hook('postAction', (_this, action) => {
    const r = (action as Command & { _exitCode?: number })._exitCode;
    if (typeof r === 'number') code = r;
  });
  const json = wantsJson(argv);
  if (json) program.configureOutput({ writeErr: () => {} }); // the JSON object below says it
  try {
    await program.parseAsync(argv);
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.exitCode === 0) return EXIT.ok;
      if (json) writeJsonError(new PipelineError(e.message.replace(/^error: /, ''), { exitCode: EXIT.usage }));
      return EXIT.usage;
    }
    const verbose = argv.includes('--verbose') || argv.includes('-v');
    const err = isPipelineError(e)
      ? e
      : isInjectedFault(e)
        // A transient failure by design (PIPELINE_FAULTS): the work is journaled, a resume goes on.
        ? new PipelineError(`${e.message}: stopped; nothing is lost`, { exitCode: EXIT.environment, hint: 'pipeline resume continues' })
        : new PipelineError(`internal error: ${e instanceof Error ? e.message : String(e)}`, { exitCode: EXIT.internal, hint: verbose ? undefined : 'run again with --verbose for the stack trace' });
    if (json) writeJsonError(err);
    process.stderr.write(hideSensitive(`${cutLongLines(`pipeline: ${err.oneLine()}`)}\n`));
    if (verbose && e instanceof Error && e.stack) process.stderr.write(hideSensitive(`${e.stack}\n`));
    return err.exitCode;
  }
}

/** `--json`, or `--format json`, anywhere on the command line: errors are one JSON object too. */
export function wantsJson(argv: string[]): boolean {
  return argv.some((a, i) => a === '--json' || a === '--format=json' || (a === '--format' && argv[i + 1] === 'json'));
}

function writeJsonError(e: PipelineError): void {
  process.stdout.write(hideSensitive(`${JSON.stringify(e.toJSON())}\n`));
}

/** package.json's version: two levels up from the source (pipeline/cli), three from dist/. */
function packageVersion(): string {
  for (const rel of ['../../../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'debian-pipeline' && pkg.version) return pkg.version;
    } catch { /* try the next */ }
  }
  return 'unknown';
}

/**
 * Wrap an action so that its returned number becomes the exit code. Usage:
 *   cmd.action(action(async (ctx, args, opts) => { ...; return 1; }))
 */
export { action } from './action.js';
