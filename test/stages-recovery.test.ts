/**
 * Crash inside publish: dput has copied the upload into the local archive's incoming queue, but
 * the process died before `reprepro processincoming`. The publish step's reconcile must finish the
 * archive update from what is there — never upload a second time — and say "nothing happened yet"
 * when nothing did.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { dput, uploadRecordPath } from '../pipeline/archive/dput.js';
import { ensureArchive, findSource, pendingIncoming } from '../pipeline/archive/reprepro.js';
import { ensureSigningKey } from '../pipeline/archive/signing.js';
import { promoteSteps } from '../pipeline/stages/lifecycle.js';
import type { UploadSet } from '../pipeline/stages/upload.js';
import type { StepContext } from '../pipeline/state/steps.js';
import { stagesWorkspace, type StagesWorkspace } from './helpers/stagesWorkspace.js';

vi.setConfig({ testTimeout: 300_000 });

describe('publish reconcile after a crash between dput and the archive update', () => {
  let t: StagesWorkspace;
  let restore: () => void;
  beforeAll(() => { t = stagesWorkspace({ packages: ['zookeeper'] }); restore = t.use(); });
  afterAll(async () => { restore(); await t.cleanup(); });

  it('drains the incoming queue instead of uploading again, then confirm records the landed version', async () => {
    const ws = t.ws();
    const table = promoteSteps(ws, { package: 'zookeeper', stages: ['ppa'] });
    const step = (name: string) => table.steps.find((s) => s.name === `ppa:${name}`)!;
    const ctx: StepContext = { runId: 'crash-test', outputs: {}, dryRun: false, note: () => {} };
    for (const name of ['verify', 'prepare', 'build', 'sign', 'lint']) ctx.outputs[`ppa:${name}`] = await step(name).run(ctx);

    // Nothing published yet: reconcile says so (the runner then runs publish for real).
    expect(await step('publish').reconcile!(ctx)).toBeUndefined();

    // The crash: dput done, processincoming not.
    const set = ctx.outputs['ppa:sign'] as UploadSet;
    const key = await ensureSigningKey(ws, { create: true });
    const archive = await ensureArchive(ws, 'local', key);
    await dput(ws, ws.config.stages[0]!, set.changes.path, key);
    expect(pendingIncoming(archive, 'ppa')).toHaveLength(1);
    expect(findSource(archive, 'ppa', 'zookeeper', '3.9.3-2~ppa1')).toBeUndefined();

    const reconciled = await step('publish').reconcile!(ctx) as { reconciled?: boolean; record: string };
    expect(reconciled.reconciled).toBe(true);
    expect(pendingIncoming(archive, 'ppa')).toHaveLength(0);
    expect(findSource(archive, 'ppa', 'zookeeper', '3.9.3-2~ppa1')?.files[set.dsc.path.split('/').pop()!]?.sha256).toBe(set.dsc.sha256);
    expect(existsSync(uploadRecordPath(set.changes.path, 'pipeline-local-ppa'))).toBe(true);

    ctx.outputs['ppa:publish'] = reconciled;
    const record = await step('confirm').run(ctx) as { version: string; confirmed: boolean };
    expect(record).toMatchObject({ version: '3.9.3-2~ppa1', confirmed: true });
    // And a reconcile now finds it in the index.
    expect(await step('publish').reconcile!(ctx)).toMatchObject({ reconciled: true });
    expect(existsSync(join(t.root, '.pipeline', 'state', 'records', 'zookeeper', 'publish-history.json'))).toBe(true);
  });
});
