import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadWorkspace } from '../config/workspace.js';
import { bugNumber, freezeGate, isNewUpstream, type FreezeGateInput } from './freezeGate.js';
import { loadScheduleFile } from './milestones.js';
import { freezeGateForStage } from './resolve.js';

const ROOT = join(import.meta.dirname, '../..');
const oneiric = loadScheduleFile(join(ROOT, 'schedules/oneiric.yaml'));
const noble = loadScheduleFile(join(ROOT, 'schedules/noble.yaml'));

const CURRENT = '3.3.3+dfsg-1';
const BUGFIX = '3.3.3+dfsg-1ubuntu1';
const UPSTREAM = '3.3.4+dfsg-0ubuntu1';
const pkg = { name: 'zookeeper' };

function gate(now: string, candidateVersion: string, extra: Partial<FreezeGateInput> = {}) {
  return freezeGate({ schedule: oneiric, now: new Date(now), currentVersion: CURRENT, candidateVersion, pkg, ...extra });
}

describe('freeze gate table (oneiric: DIF 06-30, FF 08-11, Beta 08-25, Final 10-06, release 10-13; freezes at 21:00 UTC)', () => {
  // [moment, bug-fix verdict, new-upstream verdict, phase]
  const table: [string, string, string, string][] = [
    ['2011-05-05T12:00:00Z', 'pass', 'pass', 'open'],
    ['2011-06-30T20:59:00Z', 'pass', 'pass', 'open'],
    ['2011-06-30T21:00:00Z', 'pass', 'pass', 'DebianImportFreeze'],
    ['2011-08-11T20:59:59Z', 'pass', 'pass', 'DebianImportFreeze'],
    ['2011-08-11T21:00:00Z', 'pass', 'blocked', 'FeatureFreeze'],
    ['2011-08-26T09:00:00Z', 'pass', 'blocked', 'BetaFreeze'],
    ['2011-10-06T20:59:00Z', 'pass', 'blocked', 'KernelFreeze'],
    ['2011-10-06T21:00:00Z', 'blocked', 'blocked', 'FinalFreeze'],
  ];
  it.each(table)('at %s: bug-fix %s, new upstream %s (%s)', (now, bugfix, upstream, phase) => {
    const a = gate(now, BUGFIX);
    const b = gate(now, UPSTREAM);
    expect([a.verdict, b.verdict, a.phase, b.phase]).toEqual([bugfix, upstream, phase, phase]);
    expect(a.gate).toBe('freeze');
    expect(a.newUpstream).toBe(false);
    expect(b.newUpstream).toBe(true);
    if (b.verdict === 'blocked') expect(b.fix).toMatch(/pipeline promote zookeeper --(ffe|approval) N/);
  });

  it('after DebianImportFreeze the verdict notes that syncs from Debian stopped', () => {
    expect(gate('2011-06-30T20:59:00Z', BUGFIX).notes).toEqual([]);
    expect(gate('2011-06-30T21:00:00Z', BUGFIX).notes.join()).toContain('automatic syncs from Debian stopped');
  });

  it('after FeatureFreeze a new upstream version needs an FFe: blocked with the fix, waived with one', () => {
    const blocked = gate('2011-08-12T12:00:00Z', UPSTREAM);
    expect(blocked.reason).toContain('new upstream version 3.3.4+dfsg (was 3.3.3+dfsg) needs a Feature Freeze exception');
    expect(blocked.fix).toContain('file an "FFe: zookeeper 3.3.4+dfsg" bug');
    const fromYaml = gate('2011-08-12T12:00:00Z', UPSTREAM, { pkg: { name: 'zookeeper', ffe: 'LP: #812345' } });
    expect(fromYaml).toMatchObject({ verdict: 'waived', waiver: { by: 'release team', reason: 'Feature Freeze exception LP: #812345' } });
    const fromFlag = gate('2011-08-12T12:00:00Z', UPSTREAM, { ffe: '812346' });
    expect(fromFlag.verdict).toBe('waived');
    expect(fromFlag.reason).toContain('LP: #812346');
    const junk = gate('2011-08-12T12:00:00Z', UPSTREAM, { pkg: { name: 'zookeeper', ffe: 'TODO' } });
    expect(junk.verdict).toBe('blocked');
    expect(junk.reason).toContain('"TODO" is not a bug reference');
    // A package new to the series counts as new upstream.
    expect(gate('2011-08-12T12:00:00Z', BUGFIX, { currentVersion: undefined }).verdict).toBe('blocked');
    // An epoch bump is a new upstream version too.
    expect(gate('2011-08-12T12:00:00Z', `1:${BUGFIX}`).verdict).toBe('blocked');
  });

  it('after BetaFreeze the verdict notes the image approval', () => {
    expect(gate('2011-08-26T09:00:00Z', BUGFIX).notes.join('\n')).toContain('BetaFreeze since 2011-08-25: uploads of packages on the images need release-team approval');
  });

  it('after FinalFreeze everything needs the release team approval', () => {
    const b = gate('2011-10-07T12:00:00Z', BUGFIX);
    expect(b.verdict).toBe('blocked');
    expect(b.fix).toContain('pipeline promote zookeeper --approval N');
    expect(gate('2011-10-07T12:00:00Z', BUGFIX, { approval: 'LP: #870001' })).toMatchObject({ verdict: 'waived', waiver: { reason: 'approval LP: #870001' } });
    expect(gate('2011-10-07T12:00:00Z', UPSTREAM, { pkg: { name: 'zookeeper', finalFreezeApproval: '#870002' } }).verdict).toBe('waived');
  });

  it('after Release the series is closed: a blocked verdict naming the next series, never a silent move', () => {
    const none = gate('2011-10-13T00:00:00Z', BUGFIX, { next: { series: 'precise' } });
    expect(none).toMatchObject({ verdict: 'blocked', series: 'oneiric', phase: 'Release' });
    expect(none.reason).toBe('oneiric was released on 2011-10-13: it is closed to development uploads; the development series is precise');
    expect(none.fix).toContain('point the devel stage at precise');
    expect(none.fix).toContain('target.standsFor: devel');
    expect(gate('2011-10-14T00:00:00Z', BUGFIX).fix).toContain('add the next development series');
    // Even when the next series has a schedule and is open, the released series stays closed.
    const later = freezeGate({ schedule: oneiric, now: new Date('2024-03-01T12:00:00Z'), currentVersion: CURRENT, candidateVersion: BUGFIX, pkg, next: { series: 'noble', schedule: noble } });
    expect(later).toMatchObject({ verdict: 'blocked', series: 'oneiric', phase: 'Release' });
  });

  it('before the series opens, uploads to it are blocked', () => {
    expect(gate('2011-04-01T12:00:00Z', BUGFIX)).toMatchObject({ verdict: 'blocked', phase: 'not-open' });
  });

  it('backports and PPAs are never frozen', () => {
    for (const now of ['2011-08-12T12:00:00Z', '2011-10-07T12:00:00Z', '2012-01-01T00:00:00Z']) {
      expect(gate(now, UPSTREAM, { stageKind: 'backports' })).toMatchObject({ verdict: 'pass', phase: 'not-frozen' });
      expect(gate(now, UPSTREAM, { stageKind: 'ppa' }).verdict).toBe('pass');
    }
  });

  it('days left to the next milestone', () => {
    expect(gate('2011-08-01T12:00:00Z', BUGFIX).next).toEqual({ milestone: 'FeatureFreeze', date: '2011-08-11', daysLeft: 10 });
    expect(gate('2011-08-11T12:00:00Z', BUGFIX).reason).toContain('next: FeatureFreeze on 2011-08-11 (today)');
  });

  it('noble: FeatureFreeze 2024-02-29, release 2024-04-25', () => {
    const g = (now: string, v: string) => freezeGate({ schedule: noble, now: new Date(now), currentVersion: '3.9.1-1', candidateVersion: v, pkg }).verdict;
    expect([g('2024-02-29T12:00:00Z', '3.9.2-1'), g('2024-02-29T21:00:00Z', '3.9.2-1'), g('2024-02-29T21:00:00Z', '3.9.1-1ubuntu1')]).toEqual(['pass', 'blocked', 'pass']);
    expect(g('2024-04-25T00:00:00Z', '3.9.1-1ubuntu1')).toBe('blocked');
  });

  it('helpers: bug references and upstream comparison (dpkg split)', () => {
    expect(['LP: #123', 'LP:#123', '#123', '123', 'lp: 123', 'Closes LP: #123 (FFe)'].map(bugNumber)).toEqual(['123', '123', '123', '123', '123', '123']);
    expect(bugNumber('soon')).toBeUndefined();
    expect(isNewUpstream('1.0-1', '1.0-2')).toBe(false);
    expect(isNewUpstream('1.0-1', '1.0-1ubuntu0.1')).toBe(false);
    expect(isNewUpstream('1.0-1', '1.0.1-1')).toBe(true);
    expect(isNewUpstream('1.0-1-1', '1.0-1-2')).toBe(false); // upstream "1.0-1": the revision is after the last hyphen
    expect(isNewUpstream('1.0', '1.0+nmu1')).toBe(true); // native: the whole version is upstream
  });
});

describe('freezeGateForStage (pipeline.yaml + schedules/, --at via the workspace date)', () => {
  const ws = (at: string, config = 'pipeline.yaml') => loadWorkspace({ cwd: ROOT, config: join(ROOT, config), at });
  const opts = { pkg, currentVersion: '3.9.3-1', candidateVersion: '3.9.4-1' };

  it('Debian profile: trixie (the stand-in) at its real freeze dates', () => {
    expect(freezeGateForStage(ws('2025-04-15'), 'devel', opts).verdict).toBe('pass');
    const ff = freezeGateForStage(ws('2025-04-16'), 'devel', opts);
    expect(ff).toMatchObject({ verdict: 'blocked', phase: 'FeatureFreeze' });
    expect(ff.reason).toContain('FeatureFreeze (Soft Freeze) since 2025-04-15');
    expect(ff.fix).toContain('ffe: "#N"');
    expect(freezeGateForStage(ws('2025-04-16'), 'devel', { ...opts, candidateVersion: '3.9.3-2' }).verdict).toBe('pass');
    expect(freezeGateForStage(ws('2025-07-28'), 'devel', { ...opts, candidateVersion: '3.9.3-2' })).toMatchObject({ verdict: 'blocked', phase: 'FinalFreeze' });
    expect(freezeGateForStage(ws('2025-07-28'), 'backports', opts).verdict).toBe('pass');
  });

  it('Debian profile today: trixie stands in for forky (declared), forky\'s schedule decides', () => {
    const v = freezeGateForStage(ws('2026-11-25'), 'devel', opts);
    expect(v).toMatchObject({ verdict: 'pass', series: 'forky', phase: 'open' });
    expect(v.reason).toMatch(/^trixie stands in for forky \(devel's target.standsFor\): forky is open for development \[provisional schedule\]; next: DebianImportFreeze \(Transition and Toolchain Freeze\) on 2027-03-07/);
  });

  it('without the stand-in declaration, a devel stage targeting the released trixie is blocked', () => {
    const w = ws('2026-11-25');
    const st = { ...w.config.stages.find((s) => s.name === 'devel')!, target: { archive: 'local', suite: 'trixie', series: 'trixie' } };
    const v = freezeGateForStage(w, st, opts);
    expect(v).toMatchObject({ verdict: 'blocked', series: 'trixie', phase: 'Release' });
    expect(v.reason).toBe('trixie was released on 2025-08-09: it is closed to development uploads; the development series is forky');
  });

  it('Ubuntu profile: devel is the profile-declared 27.04 (provisional schedule)', () => {
    expect(freezeGateForStage(ws('2026-11-25', 'profiles/ubuntu.yaml'), 'devel', opts)).toMatchObject({ verdict: 'pass', series: 'tbd2704', phase: 'open' });
    expect(freezeGateForStage(ws('2027-02-19', 'profiles/ubuntu.yaml'), 'devel', opts)).toMatchObject({ verdict: 'blocked', phase: 'FeatureFreeze' });
    // After its release no development series is known anywhere: the profile itself is refused, naming the stage.
    expect(() => ws('2027-05-01', 'profiles/ubuntu.yaml')).toThrow(/series "devel" of stage ppa: no Ubuntu development series known on 2027-05-01/);
  });
});
