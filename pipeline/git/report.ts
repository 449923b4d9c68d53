/**
 * The readiness report's git fact per stage: the clean-tree verdict the promote recorded with the
 * stage's gates (bound to the artifact the stage holds), so an `--allow-dirty` upload shows who let
 * it through and why.
 */
import type { GateVerdict } from '../state/records.js';
import type { CheckResult } from '../report/model.js';
import { CLEAN_TREE_GATE } from './cleanTree.js';

/** The recorded clean-tree verdict as a check; none when the gate record has none (older records). */
export function cleanTreeChecks(gates: { verdicts: GateVerdict[] } | undefined): CheckResult[] {
  const v = gates?.verdicts.find((x) => x.gate === CLEAN_TREE_GATE);
  if (!v) return [];
  return [{
    check: CLEAN_TREE_GATE, title: 'built from committed packaging', verdict: v.verdict,
    ...(v.reason ? { reason: v.reason } : {}), ...(v.waiver ? { waiver: v.waiver } : {}), ...(v.artifactSha256 ? { artifactSha256: v.artifactSha256 } : {}),
  }];
}
