/**
 * Which apt repositories a stage's QA sees: the stage's target series with its update pockets
 * (pipeline.yaml `series.<name>.pockets`, as tools/apt.ts seriesSuites reads them), for a backport
 * also the series' backports suite (what a user of the LTS enables to install a backport), and the
 * stage builder's extraRepositories (what the build saw). Installability resolves against exactly
 * these, and the upgrade path's chroot gets exactly these in its sources.list.
 *
 * One function on purpose: the stage's own archive suite (issue #16 item 4) joins here, and every
 * check sees it at once.
 */
import type { StageConfig } from '../config/schema.js';
import { builderSuite, type Workspace } from '../config/workspace.js';
import { PipelineError } from '../errors.js';
import { seriesSuites } from '../tools/apt.js';
import { stageRepository } from '../archive/stageRepository.js';
import { existsSync } from 'node:fs';
import { packagesFile } from '../archive/packagesIndex.js';

export interface QaRepository {
  /** What it is, for reasons and the README: `release`, `update`, `backports`, `extra`. */
  role: 'release' | 'update' | 'backports' | 'extra';
  mirror: string;
  suite: string;
  components: string[];
  keyring?: string;
  /** The apt source line (`deb [signed-by=K] MIRROR SUITE COMPONENTS`). */
  line: string;
}

function sourceLine(r: Omit<QaRepository, 'line' | 'role'>, extraOptions: string[] = []): string {
  const opts = [...(r.keyring ? [`signed-by=${r.keyring}`] : []), ...extraOptions];
  return `deb ${opts.length ? `[${opts.join(' ')}] ` : ''}${r.mirror} ${r.suite} ${r.components.join(' ')}`;
}

/** `deb [opts] URL suite comp...` (the config schema's aptSourceLine) → its parts. */
export function parseSourceLine(line: string): Omit<QaRepository, 'role'> {
  const m = /^deb (?:\[([^\]]*)\] )?(\S+) (\S+)((?: \S+)*)$/.exec(line.trim());
  if (!m) throw new PipelineError(`not an apt source line: ${JSON.stringify(line)}`, { key: 'builder.extraRepositories' });
  const keyring = /(?:^|\s)signed-by=(\S+)/.exec(m[1] ?? '')?.[1];
  return { mirror: m[2]!, suite: m[3]!, components: (m[4] ?? '').trim().split(/\s+/).filter(Boolean), ...(keyring ? { keyring } : {}), line: line.trim() };
}

export function qaRepositories(ws: Workspace, stage: StageConfig): QaRepository[] {
  // A stage built in another vendor's chroot (builder.standIn: Ubuntu's archive is out of reach)
  // is judged against that chroot's series as well: its verdicts name the stand-in (the build does).
  const series = stage.builder.standIn ? builderSuite(stage) : stage.target.series;
  const conf = ws.config.series[series];
  if (!conf) throw new PipelineError(`stage ${stage.name}: unknown series ${JSON.stringify(series)} (series: ${Object.keys(ws.config.series).join(', ')})`, { file: ws.configFile, key: 'series' });
  const repos: QaRepository[] = seriesSuites(series, conf).map((s) => {
    const r = { mirror: s.mirror, suite: s.suite, components: s.components, ...(s.keyring ? { keyring: s.keyring } : {}) };
    return { role: s.pocket, ...r, line: sourceLine(r) };
  });
  if (stage.kind === 'backports') {
    const r = { mirror: conf.mirror, suite: `${series}-backports`, components: conf.components, ...(conf.keyring ? { keyring: conf.keyring } : {}) };
    repos.push({ role: 'backports', ...r, line: sourceLine(r) });
  }
  for (const line of stage.builder.extraRepositories.filter((l) => l.startsWith('deb '))) {
    repos.push({ role: 'extra', ...parseSourceLine(line) });
  }
  return repos;
}

/**
 * The stage's own suite of the local archive (what the set already put there: txzookeeper's
 * python3-zookeeper), as Packages files read straight from the archive (reprepro exports them
 * uncompressed) — never a cached list: the suite changes with every upload. For checks that
 * resolve on the host (installability); a chroot sees the suite through
 * archive/stageRepository.ts chrootRepository instead.
 */
export function stageSuitePackages(ws: Workspace, stage: StageConfig, architecture: string): { line: string; files: string[] } | undefined {
  const r = stageRepository(ws, stage.name);
  if (!r || r.kind !== 'local' || !r.available || !r.archiveDir) return undefined;
  const files = r.components.map((c) => packagesFile(r.archiveDir!, r.suite, architecture, c)).filter((f) => existsSync(f));
  return { line: r.line, files };
}
