import type { Command } from 'commander';
import type { Workspace } from '../../config/workspace.js';
import { runDoctor } from '../../doctor/checks.js';
import { action } from '../action.js';

const MARK = { ok: '✓', fixed: '✓', missing: '✗', warning: '!' } as const;

/** `pipeline doctor [--fix]` — Debian tools (zstd, uidmap, setpriv...), subuid/subgid ranges, signing key. */
export function register(program: Command): void {
  program
    .command('doctor')
    .description('check the machine: Debian tools, subuid/subgid ranges for sbuild, signing key (--fix repairs what it can)')
    .option('--fix', 'install missing Debian packages and add the subuid/subgid range (as root), create the signing key and state/cache directories')
    .option('--fix-system', 'fix only what needs root: missing Debian packages, /etc/subuid and /etc/subgid (for sudo; the rest is created as the user)')
    .action(action(async (ctx, opts: { fix?: boolean; fixSystem?: boolean }) => {
      let ws: Workspace | undefined;
      let wsError: unknown;
      try { ws = ctx.workspace(); } catch (e) { wsError = e; }
      const report = await runDoctor({ ws, wsError, fix: opts.fix || opts.fixSystem, fixScope: opts.fixSystem && !opts.fix ? 'system' : 'all' });
      ctx.out.result(report, () => {
        const w = Math.max(...report.rows.map((r) => r.name.length));
        const lines = report.rows.map((r) => `${MARK[r.status]} ${r.name.padEnd(w)}  ${r.detail}${r.fix && r.status !== 'ok' && r.status !== 'fixed' ? `  → ${r.fix}` : ''}`);
        lines.push(report.ok ? 'doctor: ready' : 'doctor: something required is missing (see ✗ above)');
        return lines.join('\n');
      });
      return report.ok ? 0 : 1;
    }));
}
