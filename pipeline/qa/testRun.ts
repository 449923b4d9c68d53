/**
 * One autopkgtest run as a QA check sees it: which tests ran and how each ended, the failing ones
 * with the last lines of their output, or why no test could run. The autopkgtest and
 * reverse-dependencies checks both judge their runs with it.
 *   judged.status   pass        every test passed (or was skipped, as autopkgtest decides)
 *                   failed      a test failed (its name and output tail in `failed`)
 *                   unusable    the package could not be tested: its build or its test
 *                               dependencies failed in the testbed (autopkgtest exit 12)
 *                   no-tests    autopkgtest found no test to run (exit 8)
 * A testbed that failed to start (exit 16, 20) is the machine's problem, not the package's: a
 * PipelineError with exit code 3 naming the log.
 */
import { EXIT, PipelineError } from '../errors.js';
import { logTail, testOutputTail, type AutopkgtestResult, type TestOutcome } from '../tools/autopkgtest.js';

export interface FailedTest extends TestOutcome {
  /** The test's last output lines (stderr if it wrote any, else stdout). */
  tail: string[];
}

export interface JudgedRun {
  status: 'pass' | 'failed' | 'unusable' | 'no-tests';
  tests: TestOutcome[];
  failed: FailedTest[];
  /** For `unusable`: the end of autopkgtest's log (the build or apt error). */
  logTail: string[];
}

export function judgeRun(r: AutopkgtestResult): JudgedRun {
  const failed = r.tests.filter((t) => t.result === 'FAIL' || t.result === 'BAD')
    .map((t) => ({ ...t, tail: testOutputTail(r.outputDir, t.name) }));
  const base = { tests: r.tests, failed, logTail: [] as string[] };
  if (r.exitCode === 0 || r.exitCode === 2) return { ...base, status: 'pass' };
  if (r.exitCode === 8) return { ...base, status: 'no-tests' };
  if (r.exitCode === 12) return { ...base, status: 'unusable', logTail: logTail(r.log) };
  if ((r.exitCode === 4 || r.exitCode === 6) && failed.length) return { ...base, status: 'failed' };
  throw new PipelineError(`autopkgtest exited ${r.exitCode}: the testbed failed (${logTail(r.log, 1)[0] ?? 'no log'})`, {
    file: r.log, exitCode: EXIT.environment, hint: `see the log; run again: ${r.command.join(' ')}`,
  });
}

/** `client-binding FAIL (non-zero exit status 1), autodep8-python3 PASS` */
export function describeTests(tests: readonly TestOutcome[]): string {
  return tests.map((t) => `${t.name} ${t.result}${t.detail && t.result !== 'PASS' ? ` (${t.detail})` : ''}`).join(', ');
}

/** The quoted output of the failed tests (or the log's end), for the outcome's log field. */
export function quoteFailures(j: JudgedRun, logFile: string): string {
  const parts = j.failed.map((f) => [`${f.name}: ${f.result} ${f.detail}`, ...f.tail.map((l) => `  | ${l}`)].join('\n'));
  if (j.status === 'unusable') parts.push(['autopkgtest could not test the package:', ...j.logTail.map((l) => `  | ${l}`)].join('\n'));
  return [...parts, `full log: ${logFile}`].join('\n');
}
