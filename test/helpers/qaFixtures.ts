/**
 * Small real Debian packages for the QA check tests, made in seconds without a build: binary
 * packages put together with `dpkg-deb --build` (a stand-in python3-zookeeper, two builds of the
 * hello-qa fixture), source packages with `dpkg-source -b`, and the QaContext a check receives
 * for a stage build made of them.
 */
import { chmodSync, cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { execa } from 'execa';
import type { Workspace } from '../../pipeline/config/workspace.js';
import type { QaContext } from '../../pipeline/qa/check.js';
import type { StagePlan } from '../../pipeline/stages/plan.js';
import type { UploadSet } from '../../pipeline/stages/upload.js';
import type { BuildRecord } from '../../pipeline/state/records.js';
import { scratchDir } from './scratch.js';

export interface DebSpec {
  name: string;
  version: string;
  depends?: string;
  /** path in the package → content (files under /usr/bin are made executable). */
  files: Record<string, string>;
}

/** A binary package (Architecture: all) built with dpkg-deb into `outDir`; returns the .deb. */
export async function buildDeb(outDir: string, spec: DebSpec): Promise<string> {
  const root = scratchDir('pipeline-deb-');
  mkdirSync(join(root, 'DEBIAN'));
  writeFileSync(join(root, 'DEBIAN', 'control'), [
    `Package: ${spec.name}`, `Version: ${spec.version}`, 'Architecture: all', 'Section: misc', 'Priority: optional',
    'Maintainer: Pipeline Maintainers <pipeline@example.org>',
    ...(spec.depends ? [`Depends: ${spec.depends}`] : []),
    `Description: ${spec.name} (QA test fixture)`, ' A stand-in built with dpkg-deb for the QA check tests.', '',
  ].join('\n'));
  for (const [path, content] of Object.entries(spec.files)) {
    const file = join(root, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
    chmodSync(file, path.startsWith('usr/bin/') ? 0o755 : 0o644);
  }
  mkdirSync(outDir, { recursive: true });
  const deb = join(outDir, `${spec.name}_${spec.version.replace(/^\d+:/, '')}_all.deb`);
  await execa('dpkg-deb', ['--root-owner-group', '--build', root, deb]);
  return deb;
}

/** `dpkg-source -b` of a copy of a native source tree; returns the .dsc. */
export async function buildDsc(tree: string, outDir: string): Promise<string> {
  mkdirSync(outDir, { recursive: true });
  const copy = join(outDir, basename(tree));
  cpSync(tree, copy, { recursive: true });
  const { stdout } = await execa('dpkg-source', ['-b', basename(copy)], { cwd: outDir });
  const m = /building \S+ in (\S+\.dsc)/.exec(stdout);
  if (!m) throw new Error(`dpkg-source -b printed no .dsc: ${stdout}`);
  return join(outDir, m[1]!);
}

/** The context a QA check gets for a stage build made of `debs` (and `dsc`), in `tarball`'s container. */
export function qaContext(ws: Workspace, o: { pkg: string; version: string; stage: string; dsc: string; debs: string[]; tarball: string; workDir: string }): QaContext {
  const stage = ws.config.stages.find((s) => s.name === o.stage);
  if (!stage) throw new Error(`no stage ${o.stage}`);
  const artifact = (path: string) => ({ path, sha256: '0'.repeat(64), size: 0 });
  const build: BuildRecord = {
    package: o.pkg, version: o.version, stage: o.stage, status: 'successful', outDir: dirname(o.debs[0] ?? o.dsc),
    dsc: artifact(o.dsc), artifacts: o.debs.map(artifact), inputsHash: 'test', finishedAt: new Date().toISOString(),
    chroot: { tarball: o.tarball, key: 'test' },
  };
  const upload = { dir: dirname(o.dsc), dsc: artifact(o.dsc), changes: artifact(o.dsc), files: [], signedBy: 'test' } as unknown as UploadSet;
  const plan = { package: o.pkg, source: o.pkg, stage: o.stage, version: o.version } as unknown as StagePlan;
  return { ws, pkg: o.pkg, stage, plan, build, upload, sourceId: 'test', workDir: o.workDir };
}
