import type { Command } from 'commander';

type Registrar = { register(program: Command): void };

/**
 * Subcommands in the order `pipeline --help` lists them (the order of the work), each loaded only
 * when needed: a command's module pulls in its part of the library (sbuild, reprepro, the report,
 * the stage machinery...), and loading all of them cost every run ~0.3 s of CPU before it began.
 */
export const COMMANDS: ReadonlyArray<readonly [name: string, load: () => Promise<Registrar>]> = [
  ['packages', () => import('./packages.js')],
  ['show', () => import('./show.js')],
  ['fetch', () => import('./fetch.js')],
  ['new', () => import('./new.js')],
  ['doctor', () => import('./doctor.js')],
  ['version', () => import('./version.js')],
  ['chroot', () => import('./chroot.js')],
  ['build', () => import('./build.js')],
  ['lint', () => import('./lint.js')],
  ['qa', () => import('./qa.js')],
  ['promote', () => import('./promote.js')],
  ['backport', () => import('./backport.js')],
  ['status', () => import('./status.js')],
  ['changelog', () => import('./changelog.js')],
  ['resume', () => import('./resume.js')],
  ['runs', () => import('./runs.js')],
  ['schedule', () => import('./schedule.js')],
  ['report', () => import('./report.js')],
  ['ci', () => import('./ci.js')],
];

/** Global options that take a value (the word after them is not the subcommand). */
const GLOBAL_WITH_VALUE = new Set(['--config', '--at']);

/**
 * The registrars a command line needs: only its subcommand's when the first word that is not a
 * global option names one; every one otherwise (help, a misspelt command: commander lists them).
 */
export async function commandsFor(argv: readonly string[]): Promise<Array<(program: Command) => void>> {
  let name: string | undefined;
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i];
    if (GLOBAL_WITH_VALUE.has(a)) i++;
    else if (!a.startsWith('-')) {
      name = a;
      break;
    }
  }
  const chosen = COMMANDS.filter(([n]) => n === name);
  const modules = await Promise.all((chosen.length ? chosen : COMMANDS).map(([, load]) => load()));
  return modules.map((m) => m.register);
}
