import { describe, expect, it } from 'vitest';
import { PipelineError } from '../errors.js';
import { backoffDelay, classifyError, CrashLoopError, CrashLoopGuard, permanent, retryPolicy, transient, withRetry } from './retry.js';

const policy = { attempts: 4, limit: 10, intervalMs: 5000, baseDelayMs: 1, maxDelayMs: 4 };

describe('classifyError', () => {
  const t = (text: string, extra: object = {}) => classifyError(Object.assign(new Error(text), extra)).kind;
  it.each([
    'E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 1234 (apt-get)',
    'E: Could not get lock /var/lib/dpkg/lock - open (11: Resource temporarily unavailable)',
    'W: Temporary failure resolving \'deb.debian.org\'',
    'E: Failed to fetch http://deb.debian.org/debian/pool/main/z/zookeeper/zookeeper_3.8.0.orig.tar.gz  Connection timed out',
    'Connection refused',
    'ConnectionResetError: [Errno 104] Connection reset by peer',
    'read ECONNRESET',
    'Hash Sum mismatch',
  ])('transient: %s', (text) => expect(t(text)).toBe('transient'));

  it('looks in a tool error\'s stderr too (execa errors)', () => {
    expect(t('Command failed with exit code 1: dput local x.changes', { stderr: 'socket.timeout: timed out' })).toBe('transient');
  });

  it.each([
    'dpkg-buildpackage: error: debian/rules build subprocess returned exit status 2',
    'lint gate blocked: 3 errors',
    'version 1.0-1 refused: the target already has it',
    'ENOENT: no such file or directory',
  ])('permanent (unrecognised failures are never retried): %s', (text) => expect(t(text)).toBe('permanent'));

  it('an explicit mark wins over the text', () => {
    expect(classifyError(permanent(new Error('FTBFS: Temporary failure resolving in the test suite'))).kind).toBe('permanent');
    expect(classifyError(transient(new Error('flaky'))).kind).toBe('transient');
    expect(classifyError(new PipelineError('bad input')).kind).toBe('permanent');
  });
});

describe('backoff and guard', () => {
  it('grows exponentially with jitter and a cap', () => {
    const p = { baseDelayMs: 1000, maxDelayMs: 8000 };
    expect(backoffDelay(1, p, () => 0)).toBe(500);
    expect(backoffDelay(1, p, () => 1)).toBe(1000);
    expect(backoffDelay(3, p, () => 0)).toBe(2000);
    expect(backoffDelay(3, p, () => 0.999)).toBeLessThanOrEqual(4000);
    expect(backoffDelay(10, p, () => 1)).toBe(8000);
  });

  it('trips on more than limit failures within the interval (respawn limit 10 5)', () => {
    const g = new CrashLoopGuard(10, 5000);
    const t0 = 1_000_000;
    for (let i = 0; i < 10; i++) expect(g.record(t0 + i * 100)).toBe(false);
    expect(g.record(t0 + 1000)).toBe(true); // the 11th within 5 s
    const slow = new CrashLoopGuard(10, 5000);
    for (let i = 0; i < 30; i++) expect(slow.record(t0 + i * 600)).toBe(false); // never 11 within 5 s
  });

  it('reads the config (and PIPELINE_RETRY_BASE_MS) into a policy', () => {
    expect(retryPolicy({ retry: { attempts: 2, limit: 3, intervalSeconds: 1.5, baseDelayMs: 7, maxDelayMs: 9 } }))
      .toMatchObject({ attempts: 2, limit: 3, intervalMs: 1500, maxDelayMs: 9 });
  });
});

describe('withRetry', () => {
  it('retries transient failures until success, reporting each', async () => {
    const seen: string[] = [];
    let n = 0;
    const r = await withRetry(async () => {
      if (++n < 3) throw new Error('Temporary failure resolving');
      return 'ok';
    }, policy, { onFailure: (_e, i) => seen.push(`fail${i.attempt}`), onRetry: (i) => seen.push(`retry${i.attempt}`) });
    expect(r).toBe('ok');
    expect(seen).toEqual(['fail1', 'retry2', 'fail2', 'retry3']);
  });

  it('never retries a permanent failure', async () => {
    let n = 0;
    await expect(withRetry(async () => { n++; throw permanent(new Error('FTBFS')); }, policy)).rejects.toThrow('FTBFS');
    expect(n).toBe(1);
  });

  it('stops at the attempt cap', async () => {
    let n = 0;
    await expect(withRetry(async () => { n++; throw new Error('Connection refused'); }, policy)).rejects.toThrow('Connection refused');
    expect(n).toBe(4);
  });

  it('does not retry when the caller says the failure is not retryable', async () => {
    let n = 0;
    await expect(withRetry(async () => { n++; throw new Error('Connection refused'); }, policy, { retryable: false })).rejects.toThrow();
    expect(n).toBe(1);
  });

  it('stops with a CrashLoopError when the guard trips, even with attempts left', async () => {
    let n = 0;
    const p = { ...policy, attempts: 100, limit: 3 };
    await expect(withRetry(async () => { n++; throw new Error('Connection refused'); }, p)).rejects.toBeInstanceOf(CrashLoopError);
    expect(n).toBe(4); // the 4th failure is the one more than limit 3
  });
});
