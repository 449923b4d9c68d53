import type { Command } from 'commander';
import type { Workspace } from '../../config/workspace.js';
import { runDoctor } from '../../doctor/checks.js';
import { installService } from '../../doctor/service.js';
import { PipelineError } from '../../errors.js';
import { action } from '../action.js';

const MARK = { ok: '✓', fixed: '✓', missing: '✗', warning: '!' } as const;

/**
 * `pipeline doctor [--fix]` — Debian tools (zstd, uidmap, setpriv...), subuid/subgid ranges, signing key.
 * `pipeline doctor --install-service [--user|--system]` — the systemd units that resume runs (service.ts).
 */
export function register(program: Command): void {
  program
    .command('doctor')
    .description('check the machine: Debian tools, subuid/subgid ranges for sbuild, signing key (--fix repairs what it can)')
    .option('--fix', 'install missing Debian packages and add the subuid/subgid range (as root), create the signing key and state/cache directories')
    .option('--fix-system', 'fix only what needs root: missing Debian packages, /etc/subuid and /etc/subgid (for sudo; the rest is created as the user)')
    .option('--install-service', 'install systemd units that run pipeline resume at start-up and every 15 minutes (pipeline-resume.service, .timer)')
    .option('--user', 'with --install-service: for this user (~/.config/systemd/user; the default)')
    .option('--system', 'with --install-service: system-wide (/etc/systemd/system, as root)')
    .option('--unit-dir <dir>', 'with --install-service: write the units there instead, and enable nothing')
    .action(action(async (ctx, opts: { fix?: boolean; fixSystem?: boolean; installService?: boolean; user?: boolean; system?: boolean; unitDir?: string }) => {
      if (opts.installService) {
        if (opts.user && opts.system) throw new PipelineError('--install-service: --user or --system, not both');
        const r = await installService(ctx.workspace(), opts.system ? 'system' : 'user', { dir: opts.unitDir });
        ctx.out.result(r, () => [
          ...r.files.map((f) => `wrote ${f}`),
          r.enabled ? `enabled: ${r.enable.map((c) => c.join(' ')).join('; ')}` : `to enable: ${r.enable.map((c) => c.join(' ')).join(' && ')}`,
        ].join('\n'));
        return 0;
      }
      if (opts.user || opts.system || opts.unitDir) throw new PipelineError('--user, --system and --unit-dir go with --install-service');
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
