/**
 * `pipeline new NAME`: a new package definition (packages/NAME/package.yaml and debian/) from
 * debian-templates/. Everything is written into a temporary directory beside packages/NAME,
 * checked (package.yaml against the schema, debian/control through the deb822 parser, the
 * changelog through dpkg-parsechangelog) and only then renamed into place: an error leaves
 * nothing behind, and an existing package is never overwritten.
 *
 * The changelog is created by `dch --create` with the template's text as its first entry.
 */
import { CURRENT_POLICY } from '../lint/metadata/policy.js';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { PipelineError } from '../errors.js';
import { parseDeb822 } from '../debian/deb822.js';
import { versionProblem } from '../debian/version.js';
import { PackageSchema } from '../config/schema.js';
import { packageNames, type Workspace } from '../config/workspace.js';
import { parseYamlFile } from '../config/yaml.js';
import { pythonModuleName } from '../source/generated.js';
import { assertLicense, dep5LicenseBody } from './licenses.js';

export interface NewPackageOptions {
  upstreamVersion?: string;
  homepage?: string;
  upstreamName?: string;
  /** Upstream tarball URL (default: PyPI's source URL for NAME-VERSION). */
  url?: string;
  license?: string;
  /** `YEARS HOLDER` of the upstream code (DEP-5 Copyright of `Files: *`). */
  copyright?: string;
  summary?: string;
  depends?: string[];
  /** Changelog distribution (default: the devel stage's series). */
  distribution?: string;
  /** Template directory (default: <root>/debian-templates, else the one shipped with pipeline). */
  templates?: string;
  now?: Date;
}

export interface NewPackageResult {
  name: string;
  dir: string;
  files: string[];
  version: string;
}

const NAME = /^[a-z0-9][a-z0-9.+-]+$/;

/** The templates shipped next to the compiled code (dist/pipeline/templates → <pkg>/debian-templates). */
function shippedTemplates(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i += 1, dir = dirname(dir)) if (existsSync(join(dir, 'debian-templates', 'control'))) return join(dir, 'debian-templates');
  throw new PipelineError('debian-templates/ not found');
}

/** `{{key}}` substitution; an unknown placeholder is an error naming the template file. */
export function renderTemplate(text: string, values: Record<string, string>, file: string): string {
  return text.replace(/\{\{([A-Za-z]+)\}\}/g, (_m, key: string) => {
    const v = values[key];
    if (v === undefined) throw new PipelineError(`unknown placeholder {{${key}}}`, { file });
    return v;
  });
}

function listFiles(dir: string, rel = ''): string[] {
  return readdirSync(join(dir, rel)).sort().flatMap((n) => {
    const r = rel ? `${rel}/${n}` : n;
    return statSync(join(dir, r)).isDirectory() ? listFiles(dir, r) : [r];
  });
}

export async function newPackage(ws: Workspace, name: string, opts: NewPackageOptions = {}): Promise<NewPackageResult> {
  if (!NAME.test(name)) throw new PipelineError(`invalid package name ${JSON.stringify(name)}: lower-case letters, digits, + - . (at least two characters, starting alphanumeric)`);
  const dir = join(ws.packagesDir, name);
  const shown = relative(process.cwd(), dir) || dir;
  if (existsSync(dir)) throw new PipelineError('already exists; not overwriting', { file: shown, hint: 'pick another name or remove it first' });

  const upstreamVersion = opts.upstreamVersion ?? '0.1.0';
  const revision = '1';
  const version = `${upstreamVersion}-${revision}`;
  const problem = versionProblem(version);
  if (problem || upstreamVersion.includes('-') || upstreamVersion.includes(':'))
    throw new PipelineError(`invalid --upstream-version ${JSON.stringify(upstreamVersion)}: ${problem?.reason ?? 'no "-" or ":" in an upstream version'}`);
  const homepage = opts.homepage ?? `https://pypi.org/project/${name}/`;
  try { new URL(homepage); } catch { throw new PipelineError(`invalid --homepage ${JSON.stringify(homepage)}: not a URL`); }
  const license = assertLicense(opts.license ?? 'Expat');
  const known = new Set(packageNames(ws));
  for (const d of opts.depends ?? []) if (!known.has(d)) throw new PipelineError(`unknown package ${JSON.stringify(d)} in --depends (known: ${[...known].join(', ')})`);
  const m = ws.config.maintainer;
  if (!m) throw new PipelineError('pipeline.yaml has no maintainer (name, email) for the new changelog', { file: relative(process.cwd(), ws.configFile), key: 'maintainer' });
  const devel = ws.config.stages.find((s) => s.kind === 'devel') ?? ws.config.stages[0]!;
  const distribution = opts.distribution ?? devel.target.series;
  const now = opts.now ?? ws.now;
  const year = String(now.getUTCFullYear());
  const upstreamName = opts.upstreamName ?? name;
  const values: Record<string, string> = {
    name,
    module: pythonModuleName(name),
    upstreamName,
    upstreamVersion,
    homepage,
    maintainer: `${m.name} <${m.email}>`,
    year,
    summary: opts.summary ?? `${upstreamName} Python 3 module`,
    license,
    licenseText: dep5LicenseBody(license),
    upstreamCopyright: opts.copyright ?? `${year} The ${upstreamName} authors`,
    sourceUrl: opts.url ?? `https://files.pythonhosted.org/packages/source/${name[0]}/${name}/${name}-${upstreamVersion}.tar.gz`,
    watchLine: `https://pypi.debian.net/${name}/ ${name}-@ANY_VERSION@@ARCHIVE_EXT@`,
    depends: JSON.stringify(opts.depends ?? []),
    // The Policy release the lint knows as current: a new package starts up to date.
    standardsVersion: CURRENT_POLICY,
  };
  const templates = opts.templates ?? (existsSync(join(ws.root, 'debian-templates', 'control')) ? join(ws.root, 'debian-templates') : shippedTemplates());

  mkdirSync(ws.packagesDir, { recursive: true });
  const tmp = mkdtempSync(join(ws.packagesDir, `.new-${name}-`));
  try {
    let changelogText = '';
    for (const rel of listFiles(templates)) {
      if (rel === 'README.md') continue;
      const rendered = renderTemplate(readFileSync(join(templates, rel), 'utf8'), values, join(templates, rel));
      if (rel === 'changelog') { changelogText = rendered.trim(); continue; }
      const target = rel === 'package.yaml' ? join(tmp, rel) : join(tmp, 'debian', rel);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, rendered);
      if (statSync(join(templates, rel)).mode & 0o111) chmodSync(target, 0o755);
    }
    if (!changelogText) throw new PipelineError('template has no changelog text', { file: join(templates, 'changelog') });
    // The changelog is dch's, not ours: dch --create writes the header, trailer and date.
    const dch = await execa('dch', ['--create', '--package', name, '--newversion', version, '--distribution', distribution,
      '--force-distribution', '--changelog', join(tmp, 'debian', 'changelog'), changelogText], {
      reject: false, cwd: tmp,
      env: { DEBFULLNAME: m.name, DEBEMAIL: m.email, LC_ALL: 'C.UTF-8' },
    });
    if (dch.exitCode !== 0) throw new PipelineError(`dch --create failed: ${String(dch.stderr).split('\n').find((l) => l && !/libdistro-info/.test(l)) ?? ''}`);

    // Check what was written before it becomes visible.
    parseYamlFile(join(tmp, 'package.yaml'), PackageSchema, `${shown}/package.yaml`);
    parseDeb822(readFileSync(join(tmp, 'debian', 'control'), 'utf8'), { file: `${shown}/debian/control`, strict: true });
    parseDeb822(readFileSync(join(tmp, 'debian', 'copyright'), 'utf8'), { file: `${shown}/debian/copyright`, strict: true });
    const parsed = await execa('dpkg-parsechangelog', ['-l', join(tmp, 'debian', 'changelog'), '-S', 'Version'], { reject: false });
    if (parsed.stdout.trim() !== version) throw new PipelineError(`new changelog reads as ${JSON.stringify(parsed.stdout.trim())}, expected ${version}`, { file: `${shown}/debian/changelog` });

    const files = listFiles(tmp);
    if (existsSync(dir)) throw new PipelineError('already exists; not overwriting', { file: shown });
    renameSync(tmp, dir);
    return { name, dir, files, version };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
