/**
 * The supervisor the seed thread asks for (upstart's `respawn limit 10 5`), as systemd units:
 * `pipeline-resume.service` runs `pipeline resume` for one workspace at start-up, and again after a
 * failure (`Restart=on-failure`, at most `StartLimitBurst=10` starts in `StartLimitIntervalSec=5`);
 * `pipeline-resume.timer` runs it every 15 minutes, so a run interrupted while the machine stayed up
 * is picked up too. Exit 75 (another process holds the run: it will finish it) is not a failure.
 * A run that keeps dying at one step is stopped by pipeline's own crash-loop guard (the journal's
 * count), which survives restarts that are slower than systemd's interval.
 *
 * `pipeline doctor --install-service [--user|--system]` writes them (to ~/.config/systemd/user, or
 * /etc/systemd/system as root; `--unit-dir` elsewhere) and enables the timer when systemd runs.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import type { Workspace } from '../config/workspace.js';
import { PipelineError } from '../errors.js';
import { LOCK_BUSY_EXIT } from '../state/lock.js';

export type ServiceScope = 'user' | 'system';
export const SERVICE_NAME = 'pipeline-resume';

/** The CLI launcher next to this module's build output (dist/pipeline/doctor → bin/pipeline.js). */
export function cliPath(): string {
  return resolve(fileURLToPath(new URL('../../../bin/pipeline.js', import.meta.url)));
}

/** Where units of a scope live. */
export function unitDir(scope: ServiceScope, env: NodeJS.ProcessEnv = process.env): string {
  if (scope === 'system') return '/etc/systemd/system';
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'systemd', 'user');
}

/** A systemd unit value with spaces or specials quoted (C-style, as systemd reads Exec lines). */
const q = (s: string) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `"${s.replace(/(["\\])/g, '\\$1')}"`);

/** The unit files' text, by file name. */
export function serviceUnits(ws: Pick<Workspace, 'root' | 'configFile'>, scope: ServiceScope, options: { node?: string; cli?: string; user?: string } = {}): Record<string, string> {
  const node = options.node ?? process.execPath;
  const cli = options.cli ?? cliPath();
  const service = [
    '[Unit]',
    `Description=pipeline: resume interrupted runs of ${ws.root}`,
    'After=network-online.target',
    'Wants=network-online.target',
    // upstart's `respawn limit 10 5`.
    'StartLimitIntervalSec=5',
    'StartLimitBurst=10',
    '',
    '[Service]',
    'Type=oneshot',
    `WorkingDirectory=${q(ws.root)}`,
    `Environment=${q(`PIPELINE_CONFIG=${ws.configFile}`)}`,
    `ExecStart=${q(node)} ${q(cli)} resume`,
    `SuccessExitStatus=${LOCK_BUSY_EXIT}`,
    'Restart=on-failure',
    'RestartSec=2',
    ...(scope === 'system' ? [`User=${options.user ?? userInfo().username}`] : []),
    '',
    '[Install]',
    `WantedBy=${scope === 'system' ? 'multi-user.target' : 'default.target'}`,
    '',
  ].join('\n');
  const timer = [
    '[Unit]',
    `Description=pipeline: resume interrupted runs of ${ws.root}, every 15 minutes`,
    '',
    '[Timer]',
    'OnBootSec=2min',
    'OnUnitInactiveSec=15min',
    `Unit=${SERVICE_NAME}.service`,
    '',
    '[Install]',
    'WantedBy=timers.target',
    '',
  ].join('\n');
  return { [`${SERVICE_NAME}.service`]: service, [`${SERVICE_NAME}.timer`]: timer };
}

export interface InstalledService {
  scope: ServiceScope;
  dir: string;
  files: string[];
  /** What was run to enable them, or what to run (when systemd is not running here). */
  enable: string[][];
  enabled: boolean;
}

/** Write the units and, when systemd manages this machine (and no --unit-dir), enable them. */
export async function installService(ws: Workspace, scope: ServiceScope, options: { dir?: string } = {}): Promise<InstalledService> {
  if (scope === 'system' && !options.dir && process.getuid?.() !== 0) {
    throw new PipelineError('--install-service --system writes /etc/systemd/system: run it as root (sudo), or use --user', { exitCode: 2 });
  }
  const dir = options.dir ? resolve(options.dir) : unitDir(scope);
  mkdirSync(dir, { recursive: true });
  const units = serviceUnits(ws, scope, { user: process.env.SUDO_USER });
  for (const [name, text] of Object.entries(units)) writeFileSync(join(dir, name), text);
  const ctl = scope === 'user' ? ['systemctl', '--user'] : ['systemctl'];
  const enable = [[...ctl, 'daemon-reload'], [...ctl, 'enable', `${SERVICE_NAME}.service`, `${SERVICE_NAME}.timer`], [...ctl, 'start', `${SERVICE_NAME}.timer`]];
  let enabled = false;
  if (!options.dir && existsSync('/run/systemd/system')) {
    enabled = true;
    for (const [cmd, ...args] of enable) {
      const r = await execa(cmd!, args, { reject: false });
      if (r.exitCode !== 0) { enabled = false; break; }
    }
  }
  return { scope, dir, files: Object.keys(units).map((n) => join(dir, n)), enable, enabled };
}
