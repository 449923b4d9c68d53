/**
 * A package's new binaries offered to a testbed that tests another package: a flat apt repository
 * on the host (apt-ftparchive), bind-mounted into the testbed at the same path, with an apt
 * preferences file pinning each binary package to its new version (priority 1002, above the
 * suite's own version and even a downgrade). autopkgtest's own binaries argument cannot carry them
 * there: given any .deb it stops building the tested source, and a dependant with no binaries of
 * its own yet must be built in the testbed — against these new binaries.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { execa } from 'execa';
import { linkOrCopy } from '../build/input.js';

export interface NewBinariesRepository {
  dir: string;
  /** The apt source line (trusted: the files were checked by the stage's build, on this machine). */
  aptSource: string;
  /** The testbed command that installs the pins. */
  setupCommand: string;
  /** binary package → its new version. */
  versions: Map<string, string>;
}

export async function newBinariesRepository(debs: readonly string[], dir: string): Promise<NewBinariesRepository> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const versions = new Map<string, string>();
  for (const deb of debs) {
    linkOrCopy(deb, join(dir, basename(deb)));
    const { stdout } = await execa('dpkg-deb', ['--showformat=${Package} ${Version}', '--show', deb]);
    const [name, version] = stdout.trim().split(' ');
    if (name && version) versions.set(name, version);
  }
  const { stdout: packages } = await execa('apt-ftparchive', ['packages', '.'], { cwd: dir });
  writeFileSync(join(dir, 'Packages'), packages);
  // With a Release file naming the index, apt's file method takes it at once (without one it
  // retries "Method gave a blank filename" several times before settling).
  const { stdout: release } = await execa('apt-ftparchive', ['release', '.'], { cwd: dir });
  writeFileSync(join(dir, 'Release'), release);
  const prefs = join(dir, 'pipeline-new-binaries.pref');
  writeFileSync(prefs, [...versions].map(([name, version]) => `Package: ${name}\nPin: version ${version}\nPin-Priority: 1002\n`).join('\n'));
  return {
    dir, versions,
    aptSource: `deb [trusted=yes] file://${dir} ./`,
    setupCommand: `cp ${prefs} /etc/apt/preferences.d/90pipeline-new-binaries`,
  };
}
