/**
 * Every printed fix is a real fix: for each kind of blocked or unknown verdict the report (and so
 * `status`) can print with a `fix:`, set up that state in a real workspace (host source builds, a
 * real reprepro archive), run the printed command exactly as printed through the CLI, and check
 * that the verdict changed — to pass, or to another, more precise verdict. A verdict whose remedy
 * is an edit says so as a `todo` and offers no command (checked over every report made here).
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cli } from './helpers/workspace.js';
import { stagesWorkspace, type StagesWorkspace } from './helpers/stagesWorkspace.js';
import { collectReadiness } from '../pipeline/report/collect.js';
import type { CheckResult, ReadinessReport } from '../pipeline/report/model.js';
import { promoteSteps } from '../pipeline/stages/lifecycle.js';
import { uploadDir } from '../pipeline/stages/upload.js';
import { StateStore } from '../pipeline/state/store.js';
import type { StepContext } from '../pipeline/state/steps.js';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 120_000 });

let t: StagesWorkspace;
let restore: () => void;
const seen: ReadinessReport[] = [];

async function judge(pkg: string, stage: string, check: string): Promise<CheckResult> {
  const r = await collectReadiness(t.ws(), {});
  seen.push(r);
  const c = r.packages.find((p) => p.package === pkg)!.stages.find((s) => s.stage === stage)!.checks.find((x) => x.check === check);
  if (!c) throw new Error(`no check ${check} for ${pkg} → ${stage}`);
  return c;
}

/** Run a printed fix as printed: `pipeline A B C` (and `&&` chains), through the real CLI. */
async function runFix(fix: string): Promise<void> {
  for (const part of fix.split(' && ')) {
    const argv = part.trim().split(/\s+/);
    expect(argv[0], `a fix is a pipeline command: ${fix}`).toBe('pipeline');
    const r = await cli({ root: t.root, config: t.config, env: t.env }, argv.slice(1));
    // A fix may itself end in a verdict (exit 1); it must not be bad usage or a crash.
    expect([0, 1], `${part}\n${r.stdout}\n${r.stderr}`).toContain(r.exitCode);
  }
}

/** Run the library's promote steps up to (not including) `stop`: a state the CLI leaves only on a crash. */
async function stepsUntil(pkg: string, stage: string, stop: string): Promise<void> {
  const table = promoteSteps(t.ws(), { package: pkg, stages: [stage] });
  const ctx: StepContext = { runId: 'fix-test', outputs: {}, dryRun: false, note: () => {} };
  for (const step of table.steps) {
    if (step.name === `${stage}:${stop}`) break;
    ctx.outputs[step.name] = await step.run(ctx);
  }
}

beforeAll(() => { t = stagesWorkspace({ packages: ['zookeeper', 'txzookeeper', 'txaws'] }); restore = t.use(); });
afterAll(async () => { restore(); await t.cleanup(); });

describe('every printed fix changes the verdict it stands beside', () => {
  // Each row: the state, the check that is blocked/unknown with a fix, and what it must become.
  const rows: { kind: string; pkg: string; stage: string; check: string; before: 'blocked' | 'unknown'; setup?: () => Promise<void> }[] = [
    { kind: 'not reached', pkg: 'zookeeper', stage: 'ppa', check: 'reached', before: 'blocked' },
    { kind: 'a dependency not in the stage', pkg: 'txzookeeper', stage: 'devel', check: 'dependencies', before: 'blocked' },
    { kind: 'no build yet (source)', pkg: 'txaws', stage: 'ppa', check: 'source-build', before: 'unknown' },
    { kind: 'nothing built to lint', pkg: 'txzookeeper', stage: 'ppa', check: 'copyright-lint', before: 'unknown' },
    {
      kind: 'version policy not checked (a build the promote never signed)', pkg: 'txaws', stage: 'devel', check: 'version-policy', before: 'unknown',
      setup: () => stepsUntil('txaws', 'devel', 'sign'),
    },
    {
      kind: 'lint on record is of another artifact (the packages/ tree)', pkg: 'zookeeper', stage: 'ppa', check: 'metadata-lint', before: 'unknown',
      setup: async () => {
        const store = new StateStore(t.ws().stateDir);
        const lint = store.read('zookeeper', 'ppa', 'lint')!;
        store.write('lint', { ...lint, artifactSha256: undefined });
        rmSync(join(uploadDir(t.ws(), 'zookeeper', 'ppa', '3.9.3-2~ppa1'), 'lint.json'));
      },
    },
    {
      kind: 'lintian has not run on the upload', pkg: 'zookeeper', stage: 'ppa', check: 'lintian', before: 'unknown',
      setup: async () => {
        const store = new StateStore(t.ws().stateDir);
        const lint = store.read('zookeeper', 'ppa', 'lint')!;
        const { lintian: _drop, ...rest } = lint;
        store.write('lint', rest);
        writeFileSync(join(uploadDir(t.ws(), 'zookeeper', 'ppa', '3.9.3-2~ppa1'), 'lint.json'), JSON.stringify(rest));
      },
    },
  ];

  for (const row of rows) {
    it(`${row.kind}: ${row.pkg} → ${row.stage} ${row.check}`, async () => {
      await row.setup?.();
      const before = await judge(row.pkg, row.stage, row.check);
      expect(before.verdict, JSON.stringify(before)).toBe(row.before);
      expect(before.fix, JSON.stringify(before)).toMatch(/^pipeline /);
      await runFix(before.fix!);
      const after = await judge(row.pkg, row.stage, row.check);
      expect(after.verdict === before.verdict && after.reason === before.reason, `${JSON.stringify(before)}\n→ ${JSON.stringify(after)}`).toBe(false);
      expect(after.verdict).not.toBe('unknown');
    });
  }

  it('every open verdict in every report above has a fix (a pipeline command) or a to-do (an edit), never neither', () => {
    const open = seen.flatMap((r) => r.packages.flatMap((p) => p.stages.flatMap((s) => s.checks))).filter((c) => c.verdict === 'blocked' || c.verdict === 'unknown');
    expect(open.length).toBeGreaterThan(10);
    for (const c of open) {
      expect(Boolean(c.fix) || Boolean(c.todo), JSON.stringify(c)).toBe(true);
      if (c.fix) expect(c.fix, JSON.stringify(c)).toMatch(/^pipeline [a-z]/);
      expect(c.fix ?? '', JSON.stringify(c)).not.toContain('--dry-run'); // a preview changes nothing
    }
    const kinds = new Set(open.filter((c) => c.fix).map((c) => `${c.check}:${c.verdict}`));
    // The kinds the rows above ran: each printed fix was run at least once.
    for (const k of ['reached:blocked', 'dependencies:blocked', 'source-build:unknown', 'copyright-lint:unknown', 'metadata-lint:unknown', 'lintian:unknown', 'version-policy:unknown']) expect(kinds).toContain(k);
  });
});
