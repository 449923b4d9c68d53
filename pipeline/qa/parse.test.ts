import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explainBroken } from './installability.js';
import { piupartsFailure, piupartsUpgrade } from './upgradePath.js';

describe('piupartsFailure: what the log of a failed piuparts run says', () => {
  // A real piuparts 1.1.7 log (cut down): hello's postinst exits 1 on a fresh install.
  const log = readFileSync(join(import.meta.dirname, 'fixtures', 'piuparts-postinst-fails.txt'), 'utf8');

  it('names the failing maintainer script, its package, and quotes the last lines of its output', () => {
    const f = piupartsFailure(log)!;
    expect(f.script).toEqual({ name: 'postinst', package: 'hello' });
    expect(f.dpkg).toBe('installed hello package post-installation script subprocess returned error exit status 1');
    expect(f.what).toBe("Command failed (status=100): apt-get -y --allow-downgrades install ./tmp/hello_2.10-3+qa1_all.deb");
    expect(f.tail).toContain('configuring hello: about to fail');
    expect(f.tail.some((l) => l.includes('Reading database'))).toBe(false);
  });

  it('quotes the failing script\'s own output, not the lines a dist-upgrade printed after it', () => {
    const upgrade = [
      "0m300.1s ERROR: Command failed (status=100): ['chroot', '/tmp/x/tmpq', 'apt-get', '-yf', 'dist-upgrade']",
      '  Preparing to unpack .../qa-sysuser_1.0-2_all.deb ...', '  Unpacking qa-sysuser (1.0-2) over (1.0-1~bpo12+1) ...',
      '  Setting up libqa-sysuser (1.0-2) ...', '  Setting up qa-sysuser (1.0-2) ...',
      '  qa-sysuser: cannot migrate /var/lib/qa-sysuser from 1.0-1~bpo12+1',
      '  dpkg: error processing package qa-sysuser (--configure):',
      '   installed qa-sysuser package post-installation script subprocess returned error exit status 4',
      ...Array.from({ length: 20 }, (_, i) => `  Setting up other${i} (1) ...`),
      '  Errors were encountered while processing:', '   qa-sysuser', '  E: Sub-process /usr/bin/dpkg returned an error code (1)',
      '0m301.0s ERROR: piuparts run ends.',
    ].join('\n');
    const f = piupartsFailure(upgrade)!;
    expect(f.script).toEqual({ name: 'postinst', package: 'qa-sysuser' });
    expect(f.tail).toEqual([
      'Setting up qa-sysuser (1.0-2) ...', 'qa-sysuser: cannot migrate /var/lib/qa-sysuser from 1.0-1~bpo12+1',
      'dpkg: error processing package qa-sysuser (--configure):', 'installed qa-sysuser package post-installation script subprocess returned error exit status 4',
    ]);
  });

  it('finds a FAIL line (files left after purge) and nothing in a clean log', () => {
    const left = '0m40.1s DEBUG: Recording chroot state\n0m42.2s FAIL: Package purging left files on system:\n  /etc/qa/left.conf\t not owned\n0m42.3s ERROR: piuparts run ends.\n';
    expect(piupartsFailure(left)).toMatchObject({ what: 'Package purging left files on system:', tail: ['/etc/qa/left.conf\t not owned'] });
    expect(piupartsFailure('0m55.1s INFO: PASS: All tests.\n0m55.1s INFO: piuparts run ends.\n')).toBeUndefined();
  });
});

describe('piupartsUpgrade: a passing run with the upgrade test, and from what', () => {
  it('names the shipped version the upload replaced; a fresh-install-only run says no upgrade', () => {
    const log = [
      '1m10.0s INFO: apt-cache knows about the following packages: hello',
      '  Unpacking hello (2.10-3) ...',
      '  Unpacking libc-bin (2.36-9+deb12u14) over (2.36-9+deb12u7) ...',
      '  Unpacking hello (2.10-3+qa1) over (2.10-3) ...',
      '1m27.8s INFO: PASS: Installation, upgrade and purging tests.',
    ].join('\n');
    expect(piupartsUpgrade(log, ['hello'])).toEqual({ upgraded: true, shipped: ['hello 2.10-3'] });
    expect(piupartsUpgrade("0m45.3s INFO: Can't test upgrade: packages not known by apt-get.\n0m55.1s INFO: PASS: All tests.", ['hello'])).toEqual({ upgraded: false, shipped: [] });
  });
});

describe('explainBroken: dose-debcheck\'s explanation, one line per broken package', () => {
  it('names the unmet dependency as debian/control spells it, and the package needing it', () => {
    expect(explainBroken([
      { package: 'qa-unsat', version: '1.0', status: 'broken', reasons: [{ missing: { pkg: { package: 'qa-unsat', version: '1.0', 'unsat-dependency': 'pipeline-no-such:amd64 (>= 99) | libc6:amd64 (>= 99)' } } }] },
      { package: 'qa-deep', version: '2', status: 'broken', reasons: [{ missing: { pkg: { package: 'libfoo1', version: '3', 'unsat-dependency': 'libbar:amd64' } } }] },
      { package: 'qa-clash', version: '1', status: 'broken', reasons: [{ conflict: { pkg1: { package: 'qa-clash', version: '1' }, pkg2: { package: 'other', version: '4' } } }] },
      { package: 'fine', version: '1', status: 'ok' },
    ])).toEqual([
      'qa-unsat 1.0: unmet dependency pipeline-no-such (>= 99) | libc6 (>= 99)',
      'qa-deep 2: unmet dependency libbar (needed through libfoo1 3)',
      'qa-clash 1: conflict between qa-clash 1 and other 4',
    ]);
  });
});
