/**
 * The workspace: the repository root, its pipeline.yaml, the package definitions under
 * packages/, and the directories pipeline writes (state, cache, local archive).
 */
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { PipelineError } from '../errors.js';
import { resolveStageSeries, type AliasResolution } from '../schedule/seriesTable.js';
import { ConfigSchema, PackageSchema, type PackageDefinition, type PipelineConfig, type StageConfig } from './schema.js';
import { parseYamlFile, type LoadedYaml } from './yaml.js';

export interface Workspace {
  root: string;
  configFile: string;
  config: PipelineConfig;
  /** Where runs, journals, build records and locks live (PIPELINE_STATE_DIR, else <root>/.pipeline/state). */
  stateDir: string;
  /** Chroot tarballs and fetched sources (PIPELINE_CACHE_DIR, else $XDG_CACHE_HOME/pipeline). */
  cacheDir: string;
  packagesDir: string;
  /** "Now" for every date-dependent gate: --at, else PIPELINE_NOW, else the clock. */
  now: Date;
  lineOf(path: readonly (string | number)[]): number | undefined;
  /** Stages whose `devel` was resolved to the development codename at load (schedule/seriesTable.ts). */
  aliases?: AliasResolution[];
}

export interface WorkspaceOptions {
  /** Start directory for finding pipeline.yaml (default: cwd). */
  cwd?: string;
  /** Explicit config file (--config or PIPELINE_CONFIG). */
  config?: string;
  /** Evaluate gates at this date (--at). */
  at?: string;
  env?: NodeJS.ProcessEnv;
}

export function findConfigFile(options: WorkspaceOptions = {}): string {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const explicit = options.config ?? env.PIPELINE_CONFIG;
  if (explicit) {
    const file = resolve(cwd, explicit);
    if (!existsSync(file)) throw new PipelineError('config file not found', { file: explicit });
    return file;
  }
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const file = join(dir, 'pipeline.yaml');
    if (existsSync(file)) return file;
    if (dirname(dir) === dir) break;
  }
  throw new PipelineError('no pipeline.yaml here or in any parent directory', {
    file: join(cwd, 'pipeline.yaml'),
    hint: 'run pipeline from a checkout, or pass --config FILE',
  });
}

export function parseDate(text: string, what = '--at'): Date {
  const d = /^\d{4}-\d{2}-\d{2}$/.test(text) ? new Date(`${text}T12:00:00Z`) : new Date(text);
  if (Number.isNaN(d.getTime())) throw new PipelineError(`${what}: not a date: ${JSON.stringify(text)}`);
  return d;
}

export function loadWorkspace(options: WorkspaceOptions = {}): Workspace {
  const env = options.env ?? process.env;
  const configFile = findConfigFile(options);
  const display = relative(process.cwd(), configFile) || configFile;
  const loaded = parseYamlFile(configFile, ConfigSchema, display);
  const at = options.at ?? env.PIPELINE_NOW;
  const now = at ? parseDate(at, options.at ? '--at' : 'PIPELINE_NOW') : new Date();
  const aliases = resolveStageSeries(loaded.value, now, { file: display, lineOf: loaded.lineOf });
  checkReferences(loaded, display);
  const config = loaded.value;
  const root = resolve(dirname(configFile), config.root);
  const xdgCache = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return {
    root,
    configFile,
    config,
    stateDir: resolve(root, env.PIPELINE_STATE_DIR ?? '.pipeline/state'),
    cacheDir: resolve(env.PIPELINE_CACHE_DIR ?? join(xdgCache, 'pipeline')),
    packagesDir: resolve(root, config.packages),
    now,
    lineOf: loaded.lineOf,
    aliases,
  };
}

/** Cross-references the schema cannot see: archives and series named by stages must exist. */
function checkReferences(loaded: LoadedYaml<PipelineConfig>, file: string): void {
  const { value: config, lineOf } = loaded;
  const seen = new Set<string>();
  config.stages.forEach((stage, i) => {
    const at = (key: string[]) => ({ file, line: lineOf(['stages', i, ...key]), key: ['stages', i, ...key].join('.') });
    if (seen.has(stage.name)) throw new PipelineError(`duplicate stage name ${JSON.stringify(stage.name)}`, at(['name']));
    seen.add(stage.name);
    if (!config.archives[stage.target.archive])
      throw new PipelineError(`unknown archive ${JSON.stringify(stage.target.archive)} (archives: ${Object.keys(config.archives).join(', ')})`, at(['target', 'archive']));
    const suite = stage.builder.suite ?? stage.target.series;
    if (!config.series[suite])
      throw new PipelineError(`unknown series ${JSON.stringify(suite)} (series: ${Object.keys(config.series).join(', ')})`, at(['builder', 'suite']));
  });
  // A series' pockets are suites of their own: apt would read a repeated one twice.
  for (const [name, series] of Object.entries(config.series)) {
    const suites = new Set([name]);
    series.pockets.forEach((p, i) => {
      if (suites.has(p.suite)) {
        throw new PipelineError(`pocket ${JSON.stringify(p.suite)} repeats a suite of series ${name}`, { file, line: lineOf(['series', name, 'pockets', i, 'suite']), key: `series.${name}.pockets.${i}.suite` });
      }
      suites.add(p.suite);
    });
  }
}

export function stage(ws: Workspace, name: string): StageConfig {
  const s = ws.config.stages.find((st) => st.name === name);
  if (!s) throw new PipelineError(`unknown stage ${JSON.stringify(name)} (stages: ${ws.config.stages.map((st) => st.name).join(', ')})`, { file: relative(process.cwd(), ws.configFile) });
  return s;
}

/** The chroot suite a stage builds in. */
export function builderSuite(s: StageConfig): string {
  return s.builder.suite ?? s.target.series;
}

export interface LoadedPackage {
  definition: PackageDefinition;
  /** packages/<name> */
  dir: string;
  /** packages/<name>/debian */
  debianDir: string;
  file: string;
}

export function packageNames(ws: Workspace): string[] {
  if (!existsSync(ws.packagesDir)) return [];
  return readdirSync(ws.packagesDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(ws.packagesDir, d.name, 'package.yaml')))
    .map((d) => d.name)
    .sort();
}

export function loadPackage(ws: Workspace, name: string): LoadedPackage {
  const dir = join(ws.packagesDir, name);
  const file = join(dir, 'package.yaml');
  if (!/^[a-z0-9][a-z0-9.+-]*$/.test(name) || !existsSync(file)) {
    throw new PipelineError(`unknown package ${JSON.stringify(name)} (known: ${packageNames(ws).join(', ') || 'none'})`, {
      file: relative(process.cwd(), ws.packagesDir) || ws.packagesDir,
    });
  }
  const display = relative(process.cwd(), file);
  const loaded = parseYamlFile(file, PackageSchema, isAbsolute(display) ? file : display);
  if (loaded.value.name !== name)
    throw new PipelineError(`name ${JSON.stringify(loaded.value.name)} does not match its folder ${JSON.stringify(name)}`, { file: display, line: loaded.lineOf(['name']), key: 'name' });
  return { definition: loaded.value, dir, debianDir: join(dir, 'debian'), file };
}
