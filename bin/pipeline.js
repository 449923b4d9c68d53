#!/usr/bin/env node
// Thin launcher: the CLI is compiled by `npm install` (prepare) / `npm run build` into dist/.
import { main } from '../dist/pipeline/cli/main.js';

// `pipeline lint zookeeper | head`: a reader that stops early is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}
main(process.argv).then((code) => { process.exitCode = code; });
