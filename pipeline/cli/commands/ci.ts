import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { PipelineError } from '../../errors.js';
import { loadWorkspace } from '../../config/workspace.js';
import type { Command } from 'commander';
import { githubWorkflows, workflowOptions } from '../../ci/github.js';
import { action } from '../action.js';

/** `pipeline ci github` — print (or --write) the GitHub Actions workflows for the package set. */
export function register(program: Command): void {
  const ci = program.command('ci').description('CI integration');
  ci.command('github')
    .description('print the GitHub Actions workflows (ci.yml, ppa-upload.yml) for this package set')
    .option('--write', 'write them under .github/workflows/ instead of printing')
    .option('--upload-config <file>', 'profile whose ppa stage targets the Launchpad PPA', 'profiles/ubuntu.yaml')
    .action(action(async (ctx, opts: { write?: boolean; uploadConfig: string }) => {
      const ws = ctx.workspace();
      // The upload profile is named in the generated workflow: it must exist and load.
      const uploadFile = resolve(ws.root, opts.uploadConfig);
      if (!existsSync(uploadFile)) throw new PipelineError('no such profile (--upload-config)', { file: opts.uploadConfig, key: '--upload-config' });
      loadWorkspace({ config: uploadFile, cwd: ws.root });
      const files = githubWorkflows(workflowOptions(ws, opts.uploadConfig));
      if (opts.write) {
        for (const f of files) {
          const path = join(ws.root, f.path);
          mkdirSync(dirname(path), { recursive: true });
          writeFileSync(path, f.content);
        }
      }
      ctx.out.result(opts.write ? files.map((f) => ({ path: f.path, written: true })) : files, () =>
        opts.write ? files.map((f) => `wrote ${f.path}`).join('\n') : files.map((f) => `# ---- ${f.path}\n${f.content}`).join('\n'));
    }));
}
