import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ProgressSink } from './progress.js';
import { failureMessage, logSection, SbuildPhases } from './sbuildLog.js';

const LOGS = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'sbuild-logs');
const log = (name: string) => readFileSync(join(LOGS, name), 'utf8');

describe('failureMessage', () => {
  it('names the unsatisfiable build dependency', () => {
    expect(failureMessage(log('unsat-dep-binary.build'), 'install-deps')).toBe(
      'unsatisfiable build dependency: Depends: pipeline-no-such-package (>= 99) but it is not installable',
    );
  });

  it('names the failing make target of a debian/rules failure', () => {
    expect(failureMessage(log('rules-fail-binary.build'), 'build')).toBe('make[1]: *** [debian/rules:8: override_dh_auto_build] Error 1');
  });

  it('prefers the compiler diagnostic over make and dpkg summary lines', () => {
    const text = [
      '| Build                                                                        |',
      '+------------------------------------------------------------------------------+',
      '[INFO] Compiling 12 source files',
      '[ERROR] /<<PKGBUILDDIR>>/zookeeper-contrib/zookeeper-contrib-loggraph/src/main/java/org/apache/zookeeper/graph/JsonGenerator.java:[217,98] unreported exception java.io.IOException; must be caught or declared to be thrown',
      'make[1]: *** [debian/rules:60: override_dh_auto_build] Error 1',
      'dpkg-buildpackage: error: debian/rules binary subprocess returned exit status 2',
      '| Summary                                                                      |',
    ].join('\n');
    expect(failureMessage(text, 'build')).toMatch(/JsonGenerator\.java:\[217,98\] unreported exception java\.io\.IOException/);
  });

  it('names debhelper\'s error with the warning that says what is missing', () => {
    const text = [
      '| Build                                                                        |',
      '+------------------------------------------------------------------------------+',
      'dh_install -i',
      'dh_install: warning: Cannot find (any matches for) "target/apidocs/apidocs" (tried in ., debian/tmp)',
      '',
      'dh_install: warning: libzookeeper-java-doc missing files: target/apidocs/apidocs',
      'dh_install: error: missing files, aborting',
      'make[1]: *** [debian/rules:50: override_dh_install-indep] Error 25',
    ].join('\n');
    expect(failureMessage(text, 'build')).toBe('dh_install: error: missing files, aborting (warning: libzookeeper-java-doc missing files: target/apidocs/apidocs)');
  });

  it('falls back to the stage name when nothing specific is found', () => {
    expect(failureMessage('', 'apt-get-update')).toBe('failed at apt-get-update');
  });
});

describe('logSection', () => {
  it('returns the lines of one section', () => {
    const lines = logSection(log('unsat-dep-binary.build'), 'Install package build dependencies');
    expect(lines.some((l) => l.includes('pipeline-no-such-package'))).toBe(true);
    expect(lines.some((l) => l.startsWith('Status:'))).toBe(false);
  });
});

describe('SbuildPhases', () => {
  it('turns a real log into the chroot, install build-deps, build, summary phases, in order', () => {
    const events: string[] = [];
    const logged: string[] = [];
    const sink: ProgressSink = {
      phase(name) {
        events.push(`start ${name}`);
        return { update() {}, done: () => events.push(`done ${name}`), fail: () => events.push(`fail ${name}`) };
      },
      log: (l) => logged.push(l),
    };
    const phases = new SbuildPhases(sink, 'binary');
    const lines = log('rules-fail-binary.build').split('\n');
    for (const l of lines) phases.line(l);
    phases.finish(false, 'attempted at build');
    expect(events).toEqual([
      'start binary: chroot', 'done binary: chroot',
      'start binary: install build-deps', 'done binary: install build-deps',
      'start binary: build', 'done binary: build',
      'start binary: summary', 'fail binary: summary',
    ]);
    expect(logged).toHaveLength(lines.length);
  });
});
