#!/usr/bin/env node
// CI step: build packages for a stage in the sbuild container (source + binary test-build) and
// copy the .changes, .dsc and .build logs to an artifacts directory.
//   node scripts/ci/build.mjs --stage ppa [--out artifacts] [PKG...]   exit 1 when a build fails
import { copyFileSync, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { buildRun } from 'debian-pipeline';
import { main, scriptArgs, workspaceAndPackages } from './args.mjs';

await main(async () => {
  const { values, positionals } = scriptArgs({ stage: { type: 'string' }, out: { type: 'string' } });
  const { ws, packages } = workspaceAndPackages(positionals);
  const stage = values.stage ?? ws.config.stages[0].name;
  let failed = 0;
  for (const pkg of packages) {
    // A journaled build run under the package's lock, as `pipeline build PKG` (a killed job resumes).
    const record = await buildRun(ws, { package: pkg, stage }, { wait: true });
    console.log(`${pkg} ${record.version} (${stage}): ${record.status}${record.failStage ? ` at ${record.failStage}` : ''}`);
    if (values.out) {
      const dir = join(values.out, `${pkg}_${stage}`);
      mkdirSync(dir, { recursive: true });
      const files = [record.dsc?.path, record.sourceChanges?.path, record.sourceLog, record.binaryLog].filter(Boolean);
      for (const f of files) copyFileSync(f, join(dir, basename(f)));
    }
    if (record.status !== 'successful') failed++;
  }
  return failed ? 1 : 0;
});
