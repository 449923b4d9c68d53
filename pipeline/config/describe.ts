/**
 * What `pipeline show PKG` prints: the package's definition, the version its debian/changelog
 * carries (dpkg-parsechangelog; a file lint calls unparseable is refused, lint/parseErrors.ts), the packages it needs first, and the version each stage would
 * get (stages/plan.ts: ppa ~ppaN, devel as is, backports ~bpoNN+M / ~bpoYY.MM.N).
 */
import { join, relative } from 'node:path';
import { parseControlFile } from '../debian/control.js';
import { readChangelogTop } from '../stages/changelog.js';
import { planStage } from '../stages/plan.js';
import { isPipelineError, PipelineError } from '../errors.js';
import { parseErrors } from '../lint/parseErrors.js';
import { dependenciesOf } from './packages.js';
import type { PackageDefinition } from './schema.js';
import { loadPackage, type Workspace } from './workspace.js';

export interface StageTargetVersion {
  stage: string;
  kind: string;
  /** Where the upload goes: `local:ppa`, `ppa:ensemble/ppa`... */
  target: string;
  distribution: string;
  /** The version this stage would upload now (undefined when it cannot be planned: see error). */
  version?: string;
  /** The version of this base already in the target, if the stage is reached. */
  landed?: string;
  error?: string;
}

export interface PackageDescription {
  name: string;
  file: string;
  definition: PackageDefinition;
  /** From debian/changelog. */
  source: string;
  version: string;
  distribution: string;
  /** Binary packages debian/control declares. */
  binaries: string[];
  /** Packages of the set needed first, transitively, in dependency order. */
  needs: string[];
  stages: StageTargetVersion[];
}

export async function describePackage(ws: Workspace, name: string): Promise<PackageDescription> {
  const pkg = loadPackage(ws, name);
  const control = parseControlFile(join(pkg.debianDir, 'control'), relative(process.cwd(), join(pkg.debianDir, 'control')));
  const top = await readChangelogTop(pkg.debianDir);
  // What lint calls a parse error (older changelog entries, copyright, control structure) is
  // refused here too: `show` and `lint` agree on every such file.
  const broken = (await parseErrors(pkg.dir)).find((f) => !f.overridden);
  if (broken) {
    throw new PipelineError(`${broken.tag}${broken.detail ? `: ${broken.detail}` : ''}`, {
      file: relative(process.cwd(), join(pkg.dir, broken.file ?? 'debian')) || broken.file, line: broken.line, hint: `pipeline lint ${name} lists every problem`,
    });
  }
  const needs = dependenciesOf(ws, name);
  const stages: StageTargetVersion[] = [];
  for (const st of ws.config.stages) {
    try {
      const plan = await planStage(ws, name, st.name);
      stages.push({
        stage: st.name, kind: st.kind, target: plan.target.upload, distribution: plan.distribution,
        version: plan.version, ...(plan.landed ? { landed: plan.landed } : {}),
      });
    } catch (e) {
      // One stage that cannot be planned (e.g. an unknown series version) does not hide the others.
      if (!isPipelineError(e)) throw e;
      stages.push({ stage: st.name, kind: st.kind, target: st.target.archive, distribution: st.target.series, error: e.oneLine() });
    }
  }
  return {
    name,
    file: relative(ws.root, pkg.file),
    definition: pkg.definition,
    source: top.source,
    version: top.version,
    distribution: top.distribution,
    binaries: control.packageNames,
    needs,
    stages,
  };
}
