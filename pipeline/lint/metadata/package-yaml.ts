/**
 * packages/<name>/package.yaml against the packaging it describes: valid, naming the same source
 * package and upstream version as debian/, and complete enough for a Main Inclusion request.
 */
import { relative } from 'node:path';
import { PackageSchema, type PackageDefinition } from '../../config/schema.js';
import { parseYamlFile, type LoadedYaml } from '../../config/yaml.js';
import { isPipelineError } from '../../errors.js';
import { defineCheck } from '../check.js';
import { loadChangelog } from './changelog.js';
import { loadControl } from './control.js';

const REPACK = /^(?:[+~.](?:dfsg|ds|repack)\d*)*$/;

export const packageYamlCheck = defineCheck({
  name: 'pipeline/package-yaml',
  tags: [
    { name: 'package-yaml-invalid', severity: 'error', explanation: 'package.yaml is not valid YAML or does not fit the schema (pipeline/config/schema.ts); the detail names the key.' },
    { name: 'package-yaml-name-mismatch', severity: 'error', explanation: 'package.yaml\'s name is not debian/control\'s Source: the pipeline would track one package and build another.' },
    {
      name: 'package-yaml-upstream-version-mismatch',
      severity: 'error',
      explanation: 'upstream.version in package.yaml is not the upstream part of debian/changelog\'s version (a repack suffix such as +dfsg is allowed). Update one of them.',
    },
    { name: 'package-yaml-upstream-outside-supports', severity: 'warning', explanation: 'upstream.version is outside the upstream.supports range (semver) the packaging claims to support.' },
    { name: 'package-yaml-homepage-mismatch', severity: 'info', explanation: 'upstream.homepage differs from debian/control\'s Homepage.' },
    { name: 'mir-without-watch-file', severity: 'warning', explanation: 'mir.required is set but there is no debian/watch; a Main Inclusion request needs one.' },
    { name: 'mir-without-owning-team', severity: 'warning', explanation: 'mir.required is set but mir.team names no committed owning team, which a Main Inclusion request needs.' },
  ],
  async run(ctx, emit) {
    const path = ctx.options.packageYaml;
    if (!path) return;
    const file = relative(process.cwd(), path) || path;
    let loaded: LoadedYaml<PackageDefinition>;
    try {
      loaded = parseYamlFile(path, PackageSchema, file);
    } catch (e) {
      if (!isPipelineError(e)) throw e;
      emit('package-yaml-invalid', `${e.key ? `${e.key}: ` : ''}${e.message}`, { file, line: e.line ?? 1 });
      return;
    }
    const def = loaded.value;
    const at = (key: string[]) => ({ file, line: loaded.lineOf(key) });
    const source = loadControl(ctx)?.paragraphs[0];
    const sourceName = source?.value('Source')?.trim();
    if (sourceName && sourceName !== def.name) emit('package-yaml-name-mismatch', `${def.name} vs Source: ${sourceName}`, at(['name']));

    const version = loadChangelog(ctx)?.entries[0]?.version;
    if (version) {
      const noEpoch = version.replace(/^\d+:/, '');
      const upstream = noEpoch.includes('-') ? noEpoch.slice(0, noEpoch.lastIndexOf('-')) : noEpoch;
      const ok = upstream === def.upstream.version || (upstream.startsWith(def.upstream.version) && REPACK.test(upstream.slice(def.upstream.version.length)));
      if (!ok) emit('package-yaml-upstream-version-mismatch', `${def.upstream.version} vs debian/changelog ${version}`, at(['upstream', 'version']));
    }
    if (def.upstream.supports) {
      // Loaded here: only a package of the workspace has a package.yaml (semver is ~50 modules).
      const { default: semver } = await import('semver');
      const v = semver.coerce(def.upstream.version, { includePrerelease: true });
      if (v && !semver.satisfies(v, def.upstream.supports, { includePrerelease: true }))
        emit('package-yaml-upstream-outside-supports', `${def.upstream.version} not in ${def.upstream.supports}`, at(['upstream', 'supports']));
    }
    const homepage = source?.value('Homepage')?.trim();
    const norm = (u: string) => u.replace(/^https?:\/\//, '').replace(/\/+$/, '').toLowerCase();
    if (homepage && norm(homepage) !== norm(def.upstream.homepage)) emit('package-yaml-homepage-mismatch', `${def.upstream.homepage} vs ${homepage}`, at(['upstream', 'homepage']));
    if (def.mir.required) {
      if (!ctx.exists('debian/watch')) emit('mir-without-watch-file', undefined, at(['mir', 'required']));
      if (!def.mir.team) emit('mir-without-owning-team', undefined, at(['mir']));
    }
  },
});
