/**
 * The stage version policy as a table: the version each stage kind computes from the changelog's
 * version and what the target holds and held, and the verdict its version gate gives — with dpkg
 * itself (`dpkg --compare-versions`) as the oracle for every ordering claim of a passing case.
 */
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StageConfig } from '../pipeline/config/schema.js';
import type { Workspace } from '../pipeline/config/workspace.js';
import { applyWaiver } from '../pipeline/stages/gates.js';
import { stageOf } from '../pipeline/stages/lifecycle.js';
import type { StagePlan } from '../pipeline/stages/plan.js';
import { stageVersion } from '../pipeline/stages/versions.js';
import type { StageKind } from '../pipeline/state/records.js';
import { stagesWorkspace, type StagesWorkspace } from './helpers/stagesWorkspace.js';

interface Case {
  name: string;
  kind: StageKind;
  base: string;
  current?: string[];
  history?: string[];
  vendor?: 'debian' | 'ubuntu';
  seriesVersion?: string;
  /** Force the candidate (a hand-made version) instead of the computed one. */
  candidate?: string;
  expect: string;
  /** undefined: pass; else a pattern the blocked reason matches. */
  blocked?: RegExp;
}

const CASES: Case[] = [
  // PPA: BASE~ppaN, below the archive version, N never reused
  { name: 'first PPA upload', kind: 'ppa', base: '1.0-1', expect: '1.0-1~ppa1' },
  { name: 're-upload takes the next N', kind: 'ppa', base: '1.0-1', current: ['1.0-1~ppa1'], expect: '1.0-1~ppa2' },
  { name: 'N of a deleted upload is not reused', kind: 'ppa', base: '1.0-1', history: ['1.0-1~ppa1', '1.0-1~ppa2'], expect: '1.0-1~ppa3' },
  { name: 'N counts per base version', kind: 'ppa', base: '1.0-2', history: ['1.0-1~ppa1', '1.0-1~ppa2'], current: ['1.0-1~ppa2'], expect: '1.0-2~ppa1' },
  { name: 'epoch kept', kind: 'ppa', base: '2:1.0-1', expect: '2:1.0-1~ppa1' },
  { name: 'native package', kind: 'ppa', base: '1.0', expect: '1.0~ppa1' },
  { name: 'Ubuntu delta', kind: 'ppa', base: '1.0-1ubuntu1', expect: '1.0-1ubuntu1~ppa1' },
  { name: '~ in the upstream part', kind: 'ppa', base: '1.0~rc1-1', expect: '1.0~rc1-1~ppa1' },
  { name: 'double-digit N sorts numerically', kind: 'ppa', base: '1.0-1', history: ['1.0-1~ppa9'], expect: '1.0-1~ppa10' },
  { name: '+ where ~ belongs (candidate)', kind: 'ppa', base: '1.0-1', candidate: '1.0-1+ppa1', expect: '1.0-1+ppa1', blocked: /'\+ppa' where '~ppa' belongs/ },
  { name: '+ppa in the changelog version', kind: 'ppa', base: '1.0-1+ppa1', expect: '1.0-1+ppa1~ppa1', blocked: /already carries a PPA suffix/ },
  { name: 'PPA holds a newer base', kind: 'ppa', base: '1.0-1', current: ['1.0-2~ppa1'], expect: '1.0-1~ppa1', blocked: /refuses to go backwards/ },
  { name: 'version already in the PPA (candidate)', kind: 'ppa', base: '1.0-1', current: ['1.0-1~ppa1'], candidate: '1.0-1~ppa1', expect: '1.0-1~ppa1', blocked: /already uploaded to the target/ },
  // devel: the changelog's version, new to the release, above what it has
  { name: 'new revision over the release', kind: 'devel', base: '1.0-2', current: ['1.0-1'], expect: '1.0-2' },
  { name: 'version the release already has', kind: 'devel', base: '1.0-1', current: ['1.0-1'], expect: '1.0-1', blocked: /already uploaded to the target/ },
  { name: 'version the release had (deleted)', kind: 'devel', base: '1.0-1', history: ['1.0-1'], expect: '1.0-1', blocked: /already uploaded to the target: Launchpad never accepts the same version twice even after deletion/ },
  { name: 'equal under dpkg (1.0 = 1.0-0)', kind: 'devel', base: '1.0-0', current: ['1.0'], expect: '1.0-0', blocked: /dpkg: 1\.0-0 = 1\.0/ },
  { name: 'older than the release', kind: 'devel', base: '1.0-1', current: ['1.0-2'], expect: '1.0-1', blocked: /must sort above 1\.0-2/ },
  { name: 'epoch dominates', kind: 'devel', base: '1:0.9-1', current: ['1.0-1'], expect: '1:0.9-1' },
  { name: 'PPA suffix in the changelog', kind: 'devel', base: '1.0-1~ppa1', expect: '1.0-1~ppa1', blocked: /suffix/ },
  { name: 'native upgrade', kind: 'devel', base: '2.0', current: ['1.9'], expect: '2.0' },
  { name: 'invalid version', kind: 'devel', base: '1.0-1', candidate: '1.0_1', expect: '1.0_1', blocked: /not a valid Debian version/ },
  // backports: Debian ~bpoNN+N, Ubuntu ~bpoYY.MM.N
  { name: 'Debian backport', kind: 'backports', base: '3.9.3-2', expect: '3.9.3-2~bpo12+1' },
  { name: 'Debian backport re-upload', kind: 'backports', base: '3.9.3-2', current: ['3.9.3-2~bpo12+1'], expect: '3.9.3-2~bpo12+2' },
  { name: 'Ubuntu backport', kind: 'backports', base: '1.2-3', vendor: 'ubuntu', seriesVersion: '24.04', expect: '1.2-3~bpo24.04.1' },
  { name: 'Ubuntu backport, deleted N not reused', kind: 'backports', base: '1.2-3', vendor: 'ubuntu', seriesVersion: '24.04', history: ['1.2-3~bpo24.04.1', '1.2-3~bpo24.04.2'], expect: '1.2-3~bpo24.04.3' },
  { name: 'backport with epoch', kind: 'backports', base: '1:2.0-1', expect: '1:2.0-1~bpo12+1' },
  { name: 'native backport', kind: 'backports', base: '2.0', expect: '2.0~bpo12+1' },
  { name: '+bpo where ~ belongs (candidate)', kind: 'backports', base: '3.9.3-2', candidate: '3.9.3-2+bpo12+1', expect: '3.9.3-2+bpo12+1', blocked: /'\+bpo' where '~bpo' belongs/ },
  { name: 'Ubuntu scheme in a Debian suite (candidate)', kind: 'backports', base: '3.9.3-2', candidate: '3.9.3-2~bpo24.04.1', expect: '3.9.3-2~bpo24.04.1', blocked: /follows the ubuntu scheme/ },
  { name: 'old Ubuntu ~ubuntuYY.MM.N scheme (candidate)', kind: 'backports', base: '1.2-3', vendor: 'ubuntu', seriesVersion: '24.04', candidate: '1.2-3~ubuntu24.04.1', expect: '1.2-3~ubuntu24.04.1', blocked: /old Ubuntu backport scheme/ },
  { name: 'backport of a PPA version', kind: 'backports', base: '1.0-1~ppa1', expect: '1.0-1~ppa1~bpo1', blocked: /PPA suffix/ },
  { name: 'backports pocket holds a newer backport', kind: 'backports', base: '3.9.3-2', current: ['3.9.3-3~bpo12+1'], expect: '3.9.3-2~bpo12+1', blocked: /backwards/ },
];

function stageConfig(kind: StageKind): StageConfig {
  const target = kind === 'backports'
    ? { archive: 'local', suite: 'bookworm-backports', series: 'bookworm', pocket: 'backports' }
    : { archive: 'local', suite: kind === 'ppa' ? 'ppa' : 'trixie', series: 'trixie' };
  return {
    name: kind, kind, target,
    builder: { architectures: ['amd64'], extraPackages: [], extraRepositories: [], reuse: true },
    gates: { lint: 'error', schedule: false, binaryBuild: true },
  };
}

function planFor(c: Case): StagePlan {
  const current = c.current ?? [];
  const history = c.history ?? [];
  const used = [...current, ...history];
  const vendor = c.vendor ?? 'debian';
  const sv = c.seriesVersion ?? '12';
  const derived = stageVersion(c.kind, c.base, used, { vendor, seriesVersion: sv });
  const computed = derived.version;
  const st = stageConfig(c.kind);
  return {
    package: 'fixture', source: 'fixture', stage: st.name, kind: c.kind, baseVersion: c.base, baseDistribution: 'trixie',
    version: c.candidate ?? computed, distribution: st.target.series, message: '', newEntry: c.kind !== 'devel', includeOrig: true,
    target: { archive: 'local', archiveKind: 'reprepro', suite: st.target.suite, series: st.target.series, upload: `local:${st.target.suite}` },
    seriesVersion: sv, targetVersions: { current, history },
    ...(derived.problem ? { versionProblem: derived.problem } : {}),
  };
}

describe('version policy table', () => {
  let t: StagesWorkspace;
  let ws: Workspace;
  beforeAll(() => { t = stagesWorkspace({ packages: ['zookeeper'] }); ws = t.ws(); });
  afterAll(() => t.cleanup());

  it(`has at least 20 cases (${CASES.length})`, () => expect(CASES.length).toBeGreaterThanOrEqual(20));

  for (const c of CASES) {
    it(`${c.kind}: ${c.name} → ${c.expect}${c.blocked ? ' (blocked)' : ''}`, async () => {
      const plan = planFor(c);
      expect(plan.version).toBe(c.expect);
      const vendorWs = c.vendor === 'ubuntu' ? { ...ws, config: { ...ws.config, vendor: 'ubuntu' as const } } : ws;
      const verdict = await stageOf(stageConfig(c.kind)).versionGate(vendorWs, plan);
      if (c.blocked) {
        expect(verdict.verdict).toBe('blocked');
        expect(verdict.reason).toMatch(c.blocked);
        expect(verdict.fix).toBeTruthy();
        return;
      }
      expect(verdict.verdict, verdict.reason).toBe('pass');
      // dpkg agrees: stage versions sort below the archive version and above what the target has.
      const dpkg = (a: string, op: string, b: string) => execa('dpkg', ['--compare-versions', a, op, b], { reject: false }).then((r) => r.exitCode === 0);
      if (c.kind !== 'devel') expect(await dpkg(plan.version, 'lt', c.base)).toBe(true);
      for (const v of plan.targetVersions.current) expect(await dpkg(plan.version, 'gt', v)).toBe(true);
    });
  }

  it('the version policy cannot be waived', () => {
    const blocked = { gate: 'version-policy', verdict: 'blocked' as const, reason: 'x' };
    expect(applyWaiver(blocked, { gate: 'version-policy', by: 'someone', reason: 'please' }).verdict).toBe('blocked');
    expect(applyWaiver({ ...blocked, gate: 'lint' }, { gate: 'lint', by: 'someone', reason: 'known' })).toMatchObject({ verdict: 'waived', waiver: { by: 'someone', reason: 'known' } });
  });
});
