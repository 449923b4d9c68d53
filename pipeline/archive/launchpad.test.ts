/**
 * `ppa wait` against a local Launchpad API stand-in (test/helpers/launchpadApi.ts says where each
 * JSON shape comes from): published and built, a failed build, still building until the timeout,
 * and the progress lines on the way.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startLaunchpadApi, type LaunchpadApi, type ScriptStep } from '../../test/helpers/launchpadApi.js';
import { waitForPpaUpload } from './launchpad.js';

let server: LaunchpadApi | undefined;
afterEach(async () => { await server?.close(); server = undefined; });

function recorder() {
  const lines: string[] = [];
  return {
    lines,
    sink: { phase: (name: string) => ({ update: (d: string) => lines.push(`${name}: ${d}`), done: (d?: string) => lines.push(`done: ${d}`), fail: (d?: string) => lines.push(`fail: ${d}`) }) },
  };
}

async function wait(script: ScriptStep[], timeoutMs = 10_000) {
  server = await startLaunchpadApi('ensemble', 'ppa', 'zookeeper', '3.9.3-2~ppa1', script);
  const rec = recorder();
  let clock = 0;
  const r = await waitForPpaUpload({
    owner: 'ensemble', ppa: 'ppa', source: 'zookeeper', version: '3.9.3-2~ppa1', api: server.api,
    timeoutMs, intervalMs: 1000, progress: rec.sink, now: () => clock, sleep: async (ms) => { clock += ms; },
  });
  return { r, lines: rec.lines };
}

describe('waiting for a Launchpad PPA upload', () => {
  it('queue → pending → building → published and built: done, with each build\'s log URL', async () => {
    const { r, lines } = await wait([
      {},
      { source: 'Pending', builds: [{ arch: 'amd64', state: 'Needs building' }, { arch: 'arm64', state: 'Needs building' }] },
      { source: 'Published', builds: [{ arch: 'amd64', state: 'Currently building' }, { arch: 'arm64', state: 'Needs building' }] },
      { source: 'Published', builds: [{ arch: 'amd64', state: 'Successfully built', log: true }, { arch: 'arm64', state: 'Successfully built', log: true }] },
    ]);
    expect(r.outcome).toBe('built');
    expect(r.polls).toBe(4);
    expect(r.summary).toContain('zookeeper 3.9.3-2~ppa1 in ppa:ensemble/ppa: published and built — amd64: Successfully built (log https://launchpad.net/~ensemble/+archive/ubuntu/ppa/+build/900/+files/buildlog_ubuntu-tbd2704-amd64.zookeeper_3.9.3-2~ppa1_BUILDING.txt.gz)');
    expect(lines).toEqual([
      'Launchpad: waiting for zookeeper 3.9.3-2~ppa1 in ppa:ensemble/ppa: source not in the PPA yet',
      'Launchpad: waiting for zookeeper 3.9.3-2~ppa1 in ppa:ensemble/ppa: source Pending; amd64: Needs building; arm64: Needs building',
      'Launchpad: waiting for zookeeper 3.9.3-2~ppa1 in ppa:ensemble/ppa: source Published; amd64: Currently building; arm64: Needs building',
      expect.stringMatching(/^Launchpad: waiting for .*: source Published; amd64: Successfully built \(log .*\); arm64: Successfully built/),
      `done: ${r.summary}`,
    ]);
    expect(server!.requests[0]).toBe('/1.0/~ensemble/+archive/ubuntu/ppa?ws.op=getPublishedSources&source_name=zookeeper&version=3.9.3-2%7Eppa1&exact_match=true');
    expect(server!.requests.filter((u) => /\/\+sourcepub\/4242\?ws\.op=getBuilds$/.test(u))).toHaveLength(3); // once the source is published
  });

  it('a failed build ends the wait: the verdict names the build state and its log', async () => {
    const { r, lines } = await wait([
      { source: 'Published', builds: [{ arch: 'amd64', state: 'Currently building' }] },
      { source: 'Published', builds: [{ arch: 'amd64', state: 'Failed to build', log: true }] },
    ]);
    expect(r.outcome).toBe('failed');
    expect(r.summary).toBe('zookeeper 3.9.3-2~ppa1 in ppa:ensemble/ppa: build failed — amd64: Failed to build (log https://launchpad.net/~ensemble/+archive/ubuntu/ppa/+build/900/+files/buildlog_ubuntu-tbd2704-amd64.zookeeper_3.9.3-2~ppa1_BUILDING.txt.gz)');
    expect(lines.at(-1)).toBe(`fail: ${r.summary}`);
  });

  it('still building at the timeout: a timeout verdict saying what Launchpad is doing', async () => {
    const { r } = await wait([{ source: 'Published', builds: [{ arch: 'amd64', state: 'Currently building' }] }], 5000);
    expect(r.outcome).toBe('timeout');
    expect(r.polls).toBe(6); // at 0, 1, 2, 3, 4 and 5 s; the next would pass the 5 s timeout
    expect(r.summary).toBe('zookeeper 3.9.3-2~ppa1 in ppa:ensemble/ppa: not done after 5s — source Published; amd64: Currently building');
  });
});
