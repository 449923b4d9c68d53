/**
 * What an upload target holds for a package now (its index) and ever held (the publish
 * history in the state store, which remembers versions since deleted from the target).
 */
import type { StageConfig } from '../config/schema.js';
import type { Workspace } from '../config/workspace.js';
import { compareVersions } from '../debian/version.js';
import { StateStore } from '../state/store.js';
import { listVersions, repreproArchive } from '../archive/reprepro.js';

export interface TargetVersions {
  /** In the target's index now, highest first (for a dput target: what we uploaded there). */
  current: string[];
  /** Every version ever uploaded to this archive and suite (publish history), highest first. */
  history: string[];
}

const byVersionDesc = (a: string, b: string) => compareVersions(b, a, { lenient: true });

export function targetVersions(ws: Workspace, pkg: string, st: StageConfig, source = pkg): TargetVersions {
  const history = new StateStore(ws.stateDir).publishHistory(pkg)
    .filter((h) => h.target === st.target.archive && h.suite === st.target.suite)
    .map((h) => h.version);
  const archive = ws.config.archives[st.target.archive];
  const current = archive?.kind === 'reprepro'
    ? listVersions(repreproArchive(ws, st.target.archive), st.target.suite, source)
    : [...history];
  return { current: [...new Set(current)].sort(byVersionDesc), history: [...new Set(history)].sort(byVersionDesc) };
}
