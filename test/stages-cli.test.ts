/**
 * `pipeline promote` / `pipeline status` refusing bad input: one line naming the problem, exit 2,
 * nothing written.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from './helpers/workspace.js';
import { stagesWorkspace, type StagesWorkspace } from './helpers/stagesWorkspace.js';

describe('promote: bad input', () => {
  let t: StagesWorkspace;
  const run = (args: string[]) => cli({ root: t.root, config: t.config, env: t.env }, args);
  beforeAll(() => { t = stagesWorkspace({ packages: ['zookeeper'] }); });
  afterAll(() => t.cleanup());

  it.each([
    [['promote', 'zookeeper', '--to', 'nowhere'], /pipeline: .*pipeline\.yaml: unknown stage "nowhere" \(stages: ppa, devel, backports\)/],
    [['promote', 'nosuchpkg'], /unknown package "nosuchpkg" \(known: zookeeper\)/],
    [['promote', 'zookeeper', '--waive', 'lint'], /--waive needs --reason/],
    [['promote'], /name a package or pass --all/],
    [['status', 'nosuchpkg'], /unknown package "nosuchpkg"/],
  ])('%j → one error line, exit 2', async (args, message) => {
    const r = await run(args);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
    expect(existsSync(join(t.root, '.pipeline'))).toBe(false);
  });
});
