#!/usr/bin/env node
// Thin launcher: the CLI is compiled by `npm install` (prepare) / `npm run build` into dist/.
import { main } from '../dist/pipeline/cli/main.js';
main(process.argv).then((code) => { process.exitCode = code; });
