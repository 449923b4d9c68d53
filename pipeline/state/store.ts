/**
 * The state store: the latest build, lint and publish records per package and stage, as JSON
 * files under <stateDir>/records/. Written atomically (write-file-atomic: write, fsync, rename),
 * so a crash leaves either the old record or the new one, never half of one.
 *
 * Layout: records/<package>/<stage>.build.json, .lint.json, .publish.json (one per kind), and
 * records/<package>/publish-history.json (every upload ever made, so a version is never reused).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { PipelineError } from '../errors.js';
import { faultPoint } from './faults.js';
import type { BuildRecord, LintRecord, PublishRecord } from './records.js';

export type RecordKind = 'build' | 'lint' | 'publish';
type RecordOf<K extends RecordKind> = K extends 'build' ? BuildRecord : K extends 'lint' ? LintRecord : PublishRecord;

export class StateStore {
  constructor(readonly stateDir: string) {}

  private file(pkg: string, stage: string, kind: RecordKind): string {
    return join(this.stateDir, 'records', pkg, `${stage}.${kind}.json`);
  }

  read<K extends RecordKind>(pkg: string, stage: string, kind: K): RecordOf<K> | undefined {
    return readJson<RecordOf<K>>(this.file(pkg, stage, kind));
  }

  write<K extends RecordKind>(kind: K, record: RecordOf<K> & { package: string; stage?: string }): void {
    writeJsonAtomic(this.file(record.package, record.stage ?? '_', kind), record);
  }

  /** Every upload ever recorded for a package (all stages), oldest first. */
  publishHistory(pkg: string): PublishRecord[] {
    return readJson<PublishRecord[]>(join(this.stateDir, 'records', pkg, 'publish-history.json')) ?? [];
  }

  appendPublishHistory(record: PublishRecord): void {
    const file = join(this.stateDir, 'records', record.package, 'publish-history.json');
    const history = readJson<PublishRecord[]>(file) ?? [];
    if (!history.some((h) => h.stage === record.stage && h.version === record.version && h.target === record.target)) {
      history.push(record);
      writeJsonAtomic(file, history);
    }
  }
}

export function readJson<T>(file: string): T | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (e) {
    throw new PipelineError(`corrupt state file: ${(e as Error).message}`, { file });
  }
}

export function writeJsonAtomic(file: string, data: unknown): void {
  mkdirSync(dirname(file), { recursive: true });
  faultPoint('state.write');
  writeFileAtomic.sync(file, `${JSON.stringify(data, null, 2)}\n`, { fsync: true });
}
