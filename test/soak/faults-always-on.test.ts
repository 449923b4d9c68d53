// Faults always on (issue 17): every process of a promotion runs with PIPELINE_FAULTS set, kills and
// throws at every fault point. A fault decision depends on the process's generation too, so each
// restart draws afresh and the run makes progress and finishes — before, the same fault fired at
// the same point in every new process and the run looped at one spot forever. Every failing
// command says one line (no stack trace), and nothing is lost or uploaded twice.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { CLI, node, soakWorkspace, START, type Exit } from './helpers.js';
// @ts-expect-error plain ESM module without types
import { repreproList } from './kind.mjs';

vi.setConfig({ testTimeout: 300_000 });
const cache = mkdtempSync(join(tmpdir(), 'soak-cache-'));
afterAll(() => rmSync(cache, { recursive: true, force: true }));

type Run = { runId: string; state: string; halted: boolean; permanent: boolean };

describe('faults always on', () => {
  it('a promotion with PIPELINE_FAULTS on in every process finishes, once, each failure one line', async () => {
    const { dir, env } = soakWorkspace(cache);
    const faulty = { ...env, PIPELINE_FAULTS: '17:0.1:mix' };
    const runs = async (): Promise<Run[]> => JSON.parse((await node(CLI, ['runs', '--json'], dir, env)).stdout) as Run[];
    const rounds: string[] = [];
    let complete = false;
    for (let round = 0; round < 40 && !complete; round++) {
      const list = await runs();
      if (list.some((r) => r.state === 'done')) { complete = true; break; }
      const halted = list.find((r) => r.state === 'failed' && r.halted);
      const pending = list.some((r) => r.state === 'interrupted' || (r.state === 'failed' && !r.permanent));
      expect(list.filter((r) => r.state === 'failed' && r.permanent), rounds.join('\n')).toEqual([]);
      const [script, args] = halted ? [CLI, ['resume', halted.runId, '--force']] : pending ? [CLI, ['resume']] : [START, ['zookeeper', 'ppa']];
      const r: Exit = await node(script, args, dir, faulty);
      rounds.push(`${args.join(' ') || 'start'} → ${r.signal ?? r.code}: ${r.stderr.trim().split('\n').pop()}`);
      if (r.signal === null && r.code !== 0) {
        // A failure is one error line (fault notices before it), never a stack trace.
        expect(r.stderr, rounds.join('\n')).not.toMatch(/internal error|^\s+at /m);
        expect(r.stderr.trim().split('\n').filter((l) => !/^pipeline: fault injected at /.test(l) && !/^(took over|resuming|journal of run)/.test(l)).length, r.stderr).toBeLessThanOrEqual(1);
      }
    }
    expect(complete, rounds.join("\n")).toBe(true);
    if (process.env.SOAK_SHOW) console.log(rounds.join("\n"));
    const log = join(dir, '.pipeline', 'state', 'faults.log');
    const faults = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { generation: number });
    expect(faults.length, rounds.join('\n')).toBeGreaterThan(0);
    expect(Math.min(...faults.map((f) => f.generation))).toBeGreaterThanOrEqual(1); // counted per process
    // Once: one dput delivery, one version in the archive; every run done (empty ones pruned).
    const ledger = existsSync(join(dir, 'uploads.ledger')) ? readFileSync(join(dir, 'uploads.ledger'), 'utf8').trim().split('\n') : [];
    const deliveries = new Map<string, Set<string>>();
    for (const [path, mtime] of ledger.map((l) => l.split('|'))) deliveries.set(path!.split('/').pop()!, (deliveries.get(path!.split('/').pop()!) ?? new Set()).add(mtime!));
    expect(deliveries.size, ledger.join('\n')).toBeGreaterThan(0);
    expect([...deliveries.values()].every((times) => times.size === 1), ledger.join('\n')).toBe(true);
    expect(await repreproList(join(dir, 'archive'), 'ppa')).toEqual([{ package: 'zookeeper', version: '3.8.0-1~ppa1' }]);
    expect((await node(CLI, ['runs', 'prune'], dir, env)).code).toBe(0);
    expect((await runs()).map((r) => r.state)).toEqual(['done']);
  });
});
