/**
 * The real lintian, run on a built .changes or .dsc (it needs the built artifacts; our own checks
 * do not). Its hint lines are parsed into Findings (`source: 'lintian'`) to merge with ours.
 */
import { existsSync } from 'node:fs';
import { execaSupervised } from '../tools/supervised.js';
import { EXIT, PipelineError } from '../errors.js';
import type { Finding, Severity } from '../state/records.js';

export interface LintianOptions {
  /** Show pedantic and info hints too (default true: the gate decides what matters). */
  pedantic?: boolean;
  timeoutMs?: number;
  /** Tool binary (tests). */
  binary?: string;
  /** The vendor's lintian profile (`--profile ubuntu`: Ubuntu's disabled tags, e.g. no NMU rules); default lintian's own choice. */
  profile?: 'debian' | 'ubuntu';
}

/** lintian's arguments for an artifact (exported for the test that runs them). */
export function lintianArguments(artifact: string, options: LintianOptions = {}): string[] {
  // --fail-on none: exit 0 whatever the hints (lintian's exit 2 means "hints at fail-on level",
  // 1 a run-time failure); the gate is ours to decide.
  const args = ['--tag-display-limit', '0', '--fail-on', 'none'];
  if (options.profile) args.push('--profile', options.profile);
  if (options.pedantic ?? true) args.push('--pedantic', '--display-info');
  args.push(artifact);
  return args;
}

const CODES: Record<string, Severity | undefined> = { E: 'error', W: 'warning', I: 'info', P: 'pedantic', X: 'info' };

/** One lintian output line → a Finding (undefined for notes, classification and masked lines). */
export function parseLintianLine(line: string): (Finding & { package: string; type?: string }) | undefined {
  const m = /^([EWIPXCOM]): (\S+?)(?: (source|binary|udeb|changes|buildinfo))?: (\S+)(?: (.*))?$/.exec(line);
  if (!m) return undefined;
  const [, code, pkg, type, tag, rest = ''] = m;
  const severity = CODES[code];
  if (!severity && code !== 'O') return undefined;
  const f: Finding & { package: string; type?: string } = { tag, severity: severity ?? 'info', source: 'lintian', package: pkg };
  if (type) f.type = type;
  if (code === 'O') f.overridden = true;
  const pointer = /^(.*?)\s*\[([^\]]+?)(?::(\d+))?\]$/.exec(rest);
  if (pointer) {
    if (pointer[1]) f.detail = pointer[1];
    f.file = pointer[2];
    if (pointer[3]) f.line = Number(pointer[3]);
  } else if (rest) {
    f.detail = rest;
  }
  return f;
}

export function parseLintianOutput(text: string): Finding[] {
  const out: Finding[] = [];
  for (const line of text.split('\n')) {
    const f = parseLintianLine(line.trimEnd());
    if (f) {
      const { package: _p, type: _t, ...finding } = f;
      out.push(finding);
    }
  }
  return out;
}

/** Runs lintian on a .changes or .dsc; resolves to its findings (overridden ones excluded, as lintian does). */
export async function runLintian(artifact: string, options: LintianOptions = {}): Promise<Finding[]> {
  if (!existsSync(artifact)) throw new PipelineError('no such file', { file: artifact, hint: 'pass the .changes or .dsc of a build' });
  if (!/\.(changes|dsc)$/.test(artifact)) throw new PipelineError('lintian needs a .changes or .dsc file', { file: artifact });
  const args = lintianArguments(artifact, options);
  let result;
  try {
    result = await execaSupervised(options.binary ?? 'lintian', args, { reject: false, timeout: options.timeoutMs ?? 600_000, env: { LC_ALL: 'C.UTF-8' } });
  } catch (e) {
    throw new PipelineError(`cannot run lintian: ${(e as Error).message}`, { hint: 'install lintian (scripts/setup.sh)', exitCode: EXIT.environment });
  }
  if ((result as { code?: string }).code === 'ENOENT' || (result.failed && result.exitCode === undefined)) {
    throw new PipelineError('lintian is not installed', { hint: 'apt-get install lintian (scripts/setup.sh)', exitCode: EXIT.environment });
  }
  if ((result.exitCode ?? 0) !== 0) {
    const why = result.stderr.split('\n').filter((l) => l && !/root privileges/.test(l)).pop() ?? `exit ${result.exitCode}`;
    throw new PipelineError(`lintian failed: ${why}`, { file: artifact, exitCode: EXIT.environment });
  }
  return parseLintianOutput(result.stdout);
}
