/**
 * promote refreshes the LTS lists (release, -updates, -security) before a backport's version gate,
 * whether the package's source comes from the archive or a URL: the gate itself never fetches, and without
 * the lists it can only say which pockets it left unchecked. Not for other stages, not for
 * generated upstreams (offline). Real apt-get update against Debian's mirror and debian-security.
 */
import { cpSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPackage, type Workspace } from '../pipeline/config/workspace.js';
import { seriesPocketVersions } from '../pipeline/stages/backports.js';
import { refreshLtsLists } from '../pipeline/stages/promote.js';
import { stagesWorkspace, type StagesWorkspace } from './helpers/stagesWorkspace.js';
import { REPO } from './helpers/workspace.js';

describe('promote refreshes the LTS lists for a backport of an archive package', () => {
  let t: StagesWorkspace;
  let ws: Workspace;
  const lists = () => join(ws.cacheDir, 'apt', 'bookworm', 'state', 'lists', '.updated');
  const notes: string[] = [];
  const progress = { phase: () => ({ update() {}, done() {}, fail() {} }), note: (l: string) => { notes.push(l); } };

  beforeAll(() => {
    // The real definition: its source is Debian's (kind apt), the stages fixture's is a URL.
    t = stagesWorkspace({ packages: [] });
    cpSync(join(REPO, 'packages', 'zookeeper'), join(t.root, 'packages', 'zookeeper'), { recursive: true });
    ws = t.ws();
    expect(loadPackage(ws, 'zookeeper').definition.source.kind).toBe('apt');
    expect(ws.config.stages.find((s) => s.kind === 'backports')?.target.series).toBe('bookworm');
  });
  afterAll(() => t.cleanup());

  it('leaves the lists alone for stages that are not backports, and for generated upstreams', async () => {
    const saved = process.env.PIPELINE_UPSTREAM;
    delete process.env.PIPELINE_UPSTREAM;
    try {
      await refreshLtsLists(ws, 'zookeeper', ['ppa', 'devel'], progress);
      expect(existsSync(lists())).toBe(false);
      process.env.PIPELINE_UPSTREAM = 'generated';
      await refreshLtsLists(ws, 'zookeeper', ['backports'], progress);
      expect(existsSync(lists())).toBe(false);
    } finally {
      if (saved === undefined) delete process.env.PIPELINE_UPSTREAM; else process.env.PIPELINE_UPSTREAM = saved;
    }
  });

  it('fetches bookworm, -updates and -security before the backport, so the gate sees them', async () => {
    const saved = process.env.PIPELINE_UPSTREAM;
    delete process.env.PIPELINE_UPSTREAM;
    try {
      expect(await seriesPocketVersions(ws, 'bookworm', 'zookeeper')).toSatisfy((p?: Array<{ missingComponents?: string[] }>) => !p || p.every((x) => x.missingComponents));
      await refreshLtsLists(ws, 'zookeeper', ['devel', 'backports'], progress);
      expect(notes).toEqual([]);
      expect(existsSync(lists())).toBe(true);
      const pockets = await seriesPocketVersions(ws, 'bookworm', 'zookeeper');
      expect(pockets?.find((p) => p.suite === 'bookworm')?.versions).toEqual(['3.8.0-11+deb12u2']);
      expect(pockets?.find((p) => p.suite === 'bookworm-security')?.versions).toEqual(['3.8.0-11+deb12u1']);
    } finally {
      if (saved === undefined) delete process.env.PIPELINE_UPSTREAM; else process.env.PIPELINE_UPSTREAM = saved;
    }
  });
});

describe('and for a package whose upstream is a URL', () => {
  let t: StagesWorkspace;
  beforeAll(() => {
    t = stagesWorkspace({ packages: [] });
    cpSync(join(REPO, 'packages', 'txaws'), join(t.root, 'packages', 'txaws'), { recursive: true });
  });
  afterAll(() => t.cleanup());

  it('the gate then reads every LTS pocket: none is left unchecked', async () => {
    const ws = t.ws();
    expect(loadPackage(ws, 'txaws').definition.source.kind).toBe('url');
    const saved = process.env.PIPELINE_UPSTREAM;
    delete process.env.PIPELINE_UPSTREAM;
    try {
      await refreshLtsLists(ws, 'txaws', ['backports']);
      const pockets = (await seriesPocketVersions(ws, 'bookworm', 'txaws'))!;
      expect(pockets.map((p) => p.suite)).toEqual(['bookworm', 'bookworm-updates', 'bookworm-security']);
      expect(pockets.filter((p) => p.missingComponents)).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.PIPELINE_UPSTREAM; else process.env.PIPELINE_UPSTREAM = saved;
    }
  });
});
