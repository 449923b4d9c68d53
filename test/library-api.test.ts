/**
 * The library API's four verbs (`import { lint, build, promote, report } from 'debian-pipeline'`)
 * are the very functions the CLI commands call, so a script and `pipeline lint` cannot disagree.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as api from '../pipeline/index.js';
import { buildPackage } from '../pipeline/build/index.js';
import { lintPackage } from '../pipeline/lint/index.js';
import { report } from '../pipeline/report/run.js';
import { promote } from '../pipeline/stages/promote.js';

const command = (name: string) => readFileSync(new URL(`../pipeline/cli/commands/${name}.ts`, import.meta.url), 'utf8');

describe('library API', () => {
  it('exports lint, build, promote and report as the functions behind the CLI', () => {
    expect(api.lint).toBe(lintPackage);
    expect(api.build).toBe(buildPackage);
    expect(api.promote).toBe(promote);
    expect(api.report).toBe(report);
    expect(command('lint')).toMatch(/\blintPackage\(/);
    expect(command('build')).toMatch(/\bbuildPackage\(/);
    expect(command('promote')).toMatch(/\bpromote(All)?\(/);
    expect(command('report')).toMatch(/\brunReport\(/);
  });

  it('resolves as the package itself (self-reference), the way the CI scripts import it', async () => {
    const self = await import('debian-pipeline' as string) as typeof api;
    expect(typeof self.lint).toBe('function');
    expect(typeof self.loadWorkspace).toBe('function');
  });
});
