// Shared argument handling for the CI scripts: `--flag value` pairs and positional packages,
// the workspace (pipeline.yaml nearest upwards, or PIPELINE_CONFIG) and the package list.
import { parseArgs } from 'node:util';
import { loadWorkspace, packagesInOrder } from 'debian-pipeline';

export function scriptArgs(options) {
  const { values, positionals } = parseArgs({ options, allowPositionals: true, strict: true });
  return { values, positionals };
}

/** The named packages, or the whole set in dependency order. */
export function workspaceAndPackages(positionals) {
  const ws = loadWorkspace();
  const packages = positionals.length ? positionals : packagesInOrder(ws).map((p) => p.definition.name);
  return { ws, packages };
}

/** Run a script body; a PipelineError prints its one line, anything else its stack. */
export async function main(body) {
  try {
    process.exitCode = (await body()) ?? 0;
  } catch (e) {
    console.error(typeof e?.oneLine === 'function' ? `pipeline: ${e.oneLine()}` : e);
    process.exitCode = e?.exitCode ?? 2;
  }
}
