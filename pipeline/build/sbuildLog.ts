/**
 * Reading sbuild's log: which of our progress phases a section banner starts, and — for a failed
 * build — the one line that says why (the unsatisfiable dependency, the compiler error, the
 * failing make target), so the record and the CLI can name it without the user opening the log.
 */
import { sectionTitle } from '../tools/sbuild.js';
import type { PhaseEstimates } from './estimate.js';
import type { ProgressPhase, ProgressSink } from './progress.js';

/** sbuild section banner → our phase name (sections not listed keep the current phase). */
const PHASES: Record<string, string> = {
  'Update chroot': 'chroot',
  'Fetch source files': 'chroot',
  'Install package build dependencies': 'install build-deps',
  'Check architectures': 'install build-deps',
  'Build environment': 'build',
  Build: 'build',
  Changes: 'summary',
  Buildinfo: 'summary',
  'Package contents': 'summary',
  'Post Build': 'summary',
  Cleanup: 'summary',
  Summary: 'summary',
};

/**
 * Turns sbuild's stream of log lines into progress phases: `<part>: chroot`, `<part>: install
 * build-deps`, `<part>: build`, `<part>: summary`, each with its elapsed time (and the previous
 * build's time for it, when `estimates` has one), and forwards
 * every line to the sink's log (shown with --verbose).
 */
export class SbuildPhases {
  private current?: { name: string; phase: ProgressPhase };

  constructor(private readonly progress: ProgressSink, private readonly part: string, private readonly estimates: PhaseEstimates = {}) {
    this.enter('chroot');
  }

  line(text: string): void {
    this.progress.log?.(text);
    const title = sectionTitle(text);
    const next = title ? PHASES[title] : undefined;
    if (next && next !== this.current?.name) this.enter(next);
    else if (this.current && /^(Unpacking \/|Get:\d+ |Setting up |Selecting previously|dpkg-buildpackage: info:|\s*(javac|gcc|cc|g\+\+|\[INFO\] Building )\b)/.test(text))
      this.current.phase.update(text.replace(/\s+/g, ' ').slice(0, 72));
  }

  private enter(name: string): void {
    this.current?.phase.done('');
    const last = this.estimates[name];
    this.current = { name, phase: this.progress.phase(`${this.part}: ${name}`, last === undefined ? undefined : { estimateSeconds: last }) };
  }

  finish(ok: boolean, detail?: string): void {
    if (!this.current) return;
    if (ok) this.current.phase.done(detail ?? '');
    else this.current.phase.fail(detail ?? '');
    this.current = undefined;
  }
}

/** The lines of one `| Title |` section of a .build log. */
export function logSection(log: string, title: string): string[] {
  const lines = log.split('\n');
  const out: string[] = [];
  let inside = false;
  for (let i = 0; i < lines.length; i++) {
    const t = sectionTitle(lines[i]!);
    if (t) {
      inside = t === title;
      i++; // the +---+ rule under the title
      continue;
    }
    if (inside) out.push(lines[i]!);
  }
  return out;
}

const clean = (l: string) => l.replace(/\x1b\[[0-9;]*m/g, '').replace(/\s+/g, ' ').trim();

/** Why the dependency installation failed: apt's unmet-dependency lines, first one first. */
function dependencyFailure(log: string): string | undefined {
  const lines = logSection(log, 'Install package build dependencies').map(clean);
  const unmet = lines.filter((l) => /(but it is not installable|but it is not going to be installed|but .* is to be installed|is not available|has no installation candidate|Unable to locate package)/.test(l));
  if (unmet.length) return `unsatisfiable build dependency: ${unmet[0]!.replace(/^sbuild-build-depends-[a-z-]+-dummy\s*:\s*/, '')}`;
  const e = lines.find((l) => /^E: /.test(l) && !/Package installation failed|held broken packages/.test(l));
  return e ?? lines.find((l) => /^E: /.test(l));
}

/** The first specific error of the build: a compiler diagnostic beats make's and dpkg's summary lines. */
function buildFailure(log: string): string | undefined {
  const lines = logSection(log, 'Build').map(clean);
  const specific = [
    /\[ERROR\] .*\.java:\[\d+,\d+\]/, // maven/javac
    /^\S+\.(c|cc|cpp|h|java|py|rs|go):\d+(:\d+)?: (fatal )?error/, // gcc-style
    /^(error|Error)(\[E\d+\])?: /,
    /^E: /,
  ];
  for (const re of specific) {
    const hit = lines.find((l) => re.test(l));
    if (hit) return hit;
  }
  // debhelper: its error line, with the warning that names what it is about (missing files...).
  const dh = lines.findIndex((l) => /^dh_[a-z_]+: error: /.test(l));
  if (dh >= 0) {
    const tool = lines[dh]!.split(':')[0];
    const detail = lines.slice(Math.max(0, dh - 3), dh).reverse().find((l) => l.startsWith(`${tool}: warning: `) && !/Cannot find \(any matches/.test(l));
    return detail ? `${lines[dh]} (${detail.slice(tool!.length + 2)})` : lines[dh];
  }
  return lines.find((l) => /^make(\[\d+\])?: \*\*\*/.test(l)) ?? lines.find((l) => /dpkg-buildpackage: error/.test(l)) ?? lines.filter((l) => l).slice(-1)[0];
}

/** One line naming why a build failed, given its log and sbuild's Fail-Stage. */
export function failureMessage(log: string, failStage?: string): string | undefined {
  const text = log.replace(/\r/g, '');
  const stage = failStage ?? '';
  if (/install-deps|explain-bd-uninstallable|install-core|apt-get-install/.test(stage)) return dependencyFailure(text) ?? `failed at ${stage}`;
  if (/^build$|^build-/.test(stage) || stage === '') return buildFailure(text) ?? (stage ? `failed at ${stage}` : undefined);
  return `failed at ${stage}`;
}
