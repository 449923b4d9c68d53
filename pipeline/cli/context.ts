import type { Command } from 'commander';
import { join } from 'node:path';
import { loadWorkspace, type Workspace } from '../config/workspace.js';
import { setFaultLog } from '../state/faults.js';
import { createOutput, type Output } from './output.js';

/** Global options every command accepts. */
export interface GlobalOptions {
  json?: boolean;
  verbose?: boolean;
  config?: string;
  at?: string;
}

/** What a command action gets: its output channel and the (lazily loaded) workspace. */
export interface CommandContext {
  out: Output;
  options: GlobalOptions;
  workspace(): Workspace;
}

export function contextFor(command: Command): CommandContext {
  const all = command.optsWithGlobals() as GlobalOptions & { format?: string };
  // One rule in every command: `--json` and `--format json` are the same request.
  const options: GlobalOptions = { ...all, json: Boolean(all.json) || all.format === 'json' };
  const out = createOutput({ json: options.json, verbose: options.verbose });
  let ws: Workspace | undefined;
  return {
    out,
    options,
    workspace: () => {
      if (!ws) {
        ws = loadWorkspace({ config: options.config, at: options.at });
        // As soon as the state dir is known: every fault from here on is logged (and counted).
        setFaultLog(join(ws.stateDir, 'faults.log'));
      }
      return ws;
    },
  };
}

/**
 * Command actions return an exit code (0 by default); main() sets it. Throwing a PipelineError
 * prints its one line and exits with its code.
 */
export type CommandResult = number | void;
