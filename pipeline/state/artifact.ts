/** An artifact on disk as records name it: path, sha256, size, and for a .dsc its source identity. */
import { statSync } from 'node:fs';
import { sha256File } from '../debian/dsc.js';
import { sourceIdOfFile } from '../debian/sourceId.js';
import type { Artifact } from './records.js';

export async function artifactOf(path: string): Promise<Artifact> {
  const a: Artifact = { path, sha256: await sha256File(path), size: statSync(path).size };
  if (path.endsWith('.dsc')) a.sourceId = sourceIdOfFile(path);
  return a;
}

/** The source identity of a record's .dsc (computed from the file for records written before it was kept). */
export function sourceIdOfArtifact(a: Artifact | undefined): string | undefined {
  if (!a) return undefined;
  if (a.sourceId) return a.sourceId;
  try {
    return sourceIdOfFile(a.path);
  } catch {
    return undefined;
  }
}
