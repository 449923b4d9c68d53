#!/usr/bin/env node
// CI step: lint packages (DEP-5 copyright and metadata) against a stage's gate.
//   node scripts/ci/lint.mjs [--stage ppa] [PKG...]      exit 1 when a gate is hit
import { formatLintHuman, lint } from 'debian-pipeline';
import { main, scriptArgs, workspaceAndPackages } from './args.mjs';

await main(async () => {
  const { values, positionals } = scriptArgs({ stage: { type: 'string' } });
  const { ws, packages } = workspaceAndPackages(positionals);
  let blocked = 0;
  for (const pkg of packages) {
    const record = await lint(ws, pkg, { stage: values.stage });
    console.log(`## ${pkg}: ${record.gate.verdict} (${record.filesChecked} files checked)`);
    const text = formatLintHuman(record);
    if (text.trim()) console.log(text);
    if (record.gate.verdict === 'blocked') blocked++;
  }
  return blocked ? 1 : 0;
});
