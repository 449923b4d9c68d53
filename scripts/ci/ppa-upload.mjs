#!/usr/bin/env node
// CI step: promote a package to the PPA stage (with the Ubuntu profile: Launchpad's
// ppa:OWNER/NAME through dput, the .changes signed by debsign). The package comes from a tag
// `PKG/VERSION` (whose VERSION must be the package's current changelog version) or from the
// workflow_dispatch input.
//   INPUT_PACKAGE=zookeeper node scripts/ci/ppa-upload.mjs [--dry-run] [--out DIR]
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { PipelineError, StateStore, loadPackage, promote, readChangelog, uploadDir } from 'debian-pipeline';
import { main, scriptArgs, workspaceAndPackages } from './args.mjs';

/** The package (and the version the tag names) from the environment GitHub sets. */
export function uploadRequest(env) {
  if (env.REF_TYPE === 'tag') {
    const m = /^([a-z0-9][a-z0-9.+-]*)\/(.+)$/.exec(env.REF_NAME ?? '');
    if (!m) throw new PipelineError(`tag ${JSON.stringify(env.REF_NAME)} is not PKG/VERSION`);
    return { pkg: m[1], version: m[2].replace(/_/g, '~').replace(/%/g, ':') };
  }
  if (!env.INPUT_PACKAGE) throw new PipelineError('no package: push a tag PKG/VERSION or dispatch with a package input');
  return { pkg: env.INPUT_PACKAGE };
}

await main(async () => {
  const { values } = scriptArgs({ 'dry-run': { type: 'boolean' }, out: { type: 'string' } });
  const request = uploadRequest(process.env);
  const { ws } = workspaceAndPackages([request.pkg]);
  const ppa = ws.config.stages.find((s) => s.kind === 'ppa');
  if (!ppa) throw new PipelineError('the profile has no ppa stage', { file: ws.configFile });
  if (request.version) {
    const { version: current } = await readChangelog(join(loadPackage(ws, request.pkg).debianDir, 'changelog'));
    if (current !== request.version)
      throw new PipelineError(`tag names ${request.version} but packages/${request.pkg}/debian/changelog is at ${current}`);
  }
  const result = await promote(ws, request.pkg, { to: ppa.name, dryRun: values['dry-run'] ?? false });
  for (const r of result.reports) {
    console.log(`${request.pkg} ${r.version} → ${r.target}: ${r.published ? 'uploaded' : r.done.join(', ')}`);
    if (r.upload) console.log(`  ${r.upload.command.join(' ')}`);
  }
  if (result.message) console.log(result.message);
  if (values.out) {
    mkdirSync(values.out, { recursive: true });
    // The exact signed upload that was checked and sent, and the build logs when sbuild built it.
    for (const r of result.reports) {
      const upload = uploadDir(ws, request.pkg, r.stage, r.version);
      const files = existsSync(upload) ? readdirSync(upload, { withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(upload, e.name)) : [];
      const record = new StateStore(ws.stateDir).read(request.pkg, r.stage, 'build');
      if (record?.version === r.version) files.push(...[record.sourceLog, record.binaryLog].filter(Boolean));
      for (const f of files) copyFileSync(f, join(values.out, basename(f)));
    }
  }
  return result.exitCode;
});
