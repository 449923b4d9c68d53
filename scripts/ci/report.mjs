#!/usr/bin/env node
// CI step: the release-readiness report — Markdown to the job summary, HTML, Markdown and JSON
// into an output directory. Exit 1 when not ready (as `pipeline report`).
//   node scripts/ci/report.mjs [--release SERIES] [--out DIR] [--summary FILE] [--offline]
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderReport, report } from 'debian-pipeline';
import { main, scriptArgs, workspaceAndPackages } from './args.mjs';

await main(async () => {
  const { values } = scriptArgs({
    release: { type: 'string' }, out: { type: 'string' }, summary: { type: 'string' },
    offline: { type: 'boolean' }, records: { type: 'string' },
  });
  if (values.records) process.env.PIPELINE_STATE_DIR ??= values.records;
  const { ws } = workspaceAndPackages([]);
  const result = await report(ws, { release: values.release, format: 'md', offline: values.offline });
  if (values.summary) appendFileSync(values.summary, result.text);
  if (values.out) {
    mkdirSync(values.out, { recursive: true });
    writeFileSync(join(values.out, 'readiness.md'), result.text);
    writeFileSync(join(values.out, 'readiness.html'), renderReport(result.report, 'html'));
    writeFileSync(join(values.out, 'readiness.json'), renderReport(result.report, 'json'));
  }
  console.log(`${result.report.overall.verdict}: ${result.report.overall.summary}`);
  return result.ready ? 0 : 1;
});
