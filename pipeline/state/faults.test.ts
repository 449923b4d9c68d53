import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { configureFaults, decide, faultGeneration, faultPoint, InjectedFault, parseFaultSpec, setFaultLog } from './faults.js';
import { scratchDir } from '../../test/helpers/scratch.js';

afterEach(() => configureFaults(undefined));

describe('fault injection', () => {
  it('parses SEED:RATE[:MODE] and refuses anything else', () => {
    expect(parseFaultSpec('42:0.25')).toEqual({ seed: 42, rate: 0.25, mode: 'mix', only: [] });
    expect(parseFaultSpec('7:1:kill', 'a, b')).toEqual({ seed: 7, rate: 1, mode: 'kill', only: ['a', 'b'] });
    expect(parseFaultSpec(undefined)).toBeUndefined();
    expect(() => parseFaultSpec('x:0.1')).toThrow(/SEED:RATE/);
    expect(() => parseFaultSpec('1:2')).toThrow(/SEED:RATE/);
  });

  it('is off by default and reproducible from the seed', () => {
    configureFaults(undefined);
    expect(() => faultPoint('journal.before-append')).not.toThrow();
    const cfg = parseFaultSpec('1234:0.3')!;
    const seq = (c = cfg) => Array.from({ length: 200 }, (_, i) => decide(c, `p${i % 7}`, i).fire);
    expect(seq()).toEqual(seq());
    const fired = seq().filter(Boolean).length;
    expect(fired).toBeGreaterThan(30); // about 60 expected at rate 0.3
    expect(fired).toBeLessThan(100);
    expect(seq(parseFaultSpec('1235:0.3')!)).not.toEqual(seq());
  });

  it('throws an InjectedFault at the chosen occurrence and logs it', () => {
    const log = join(scratchDir('faults-'), 'faults.log');
    const cfg = parseFaultSpec('99:0.5:throw')!;
    const expected = Array.from({ length: 20 }, (_, i) => decide(cfg, 'state.write', i + 1).fire);
    configureFaults(cfg, { logFile: log });
    const got = Array.from({ length: 20 }, () => {
      try { faultPoint('state.write'); return false; } catch (e) { expect(e).toBeInstanceOf(InjectedFault); return true; }
    });
    expect(got).toEqual(expected);
    const lines = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(expected.filter(Boolean).length);
    expect(lines[0]).toMatchObject({ point: 'state.write', seed: 99, kind: 'throw' });
  });

  it('kills the process with SIGKILL in kill mode and says so on stderr', () => {
    const dir = scratchDir('faults-');
    const mod = fileURLToPath(new URL('../../dist/pipeline/state/faults.js', import.meta.url));
    if (!existsSync(mod)) throw new Error('build first (npx tsc -p .)');
    const r = spawnSync(process.execPath, ['-e', `import(${JSON.stringify(mod)}).then(m => { m.faultPoint('chroot.refresh'); console.log('survived'); })`], {
      env: { ...process.env, PIPELINE_FAULTS: '5:1:kill', PIPELINE_FAULTS_LOG: join(dir, 'faults.log') },
      encoding: 'utf8',
    });
    expect(r.signal).toBe('SIGKILL');
    expect(r.stdout).not.toContain('survived');
    expect(r.stderr).toContain('pipeline: fault injected at chroot.refresh (seed 5)');
    expect(JSON.parse(readFileSync(join(dir, 'faults.log'), 'utf8'))).toMatchObject({ point: 'chroot.refresh', kind: 'kill' });
  });

  it('counts each process with faults on over a state dir as a new generation, and draws afresh in each', () => {
    const state = scratchDir('faults-');
    const cfg = parseFaultSpec('1:0.5:throw')!;
    // A restarted process passes the same points in the same order: the generation alone differs.
    const pass = () => Array.from({ length: 40 }, () => { try { faultPoint('journal.after-append'); return false; } catch { return true; } });
    const passes: boolean[][] = [];
    for (let g = 1; g <= 3; g++) {
      configureFaults(cfg);
      setFaultLog(join(state, 'faults.log'));
      expect(faultGeneration()).toBe(g);
      setFaultLog(join(state, 'faults.log')); // once per process
      expect(faultGeneration()).toBe(g);
      passes.push(pass());
    }
    expect(readFileSync(join(state, 'faults.generation'), 'utf8').trim().split('\n')).toHaveLength(3);
    expect(passes[0]).not.toEqual(passes[1]);
    expect(passes[1]).not.toEqual(passes[2]);
    expect(passes[0]).toEqual(Array.from({ length: 40 }, (_, i) => decide(cfg, 'journal.after-append', i + 1, 1).fire)); // reproducible
    // A point that fires at its first occurrence in one generation does not in every generation.
    const first = Array.from({ length: 50 }, (_, g) => decide(cfg, 'step.before-run', 1, g + 1).fire);
    expect(first.some(Boolean) && !first.every(Boolean)).toBe(true);
    const lines = readFileSync(join(state, 'faults.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(new Set(lines.map((l) => l.generation))).toEqual(new Set([1, 2, 3]));
  });
});
