// `pipeline doctor --install-service`: the systemd units that run `pipeline resume` at start-up
// (and every 15 minutes), with upstart's `respawn limit 10 5` as StartLimitBurst/IntervalSec,
// checked by systemd's own `systemd-analyze verify`.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { cli, REPO, tempWorkspace } from './helpers/workspace.js';
import { scratchDir } from './helpers/scratch.js';

const verify = (files: string[]) => execa('systemd-analyze', ['verify', ...files], { reject: false, env: { SYSTEMD_LOG_LEVEL: 'warning' } });

describe('pipeline doctor --install-service', () => {
  it('--user writes a service and a timer that systemd-analyze verify accepts', async () => {
    const t = tempWorkspace(['txaws']);
    const home = scratchDir('xdg-');
    const r = await cli(t, ['doctor', '--install-service', '--user'], { XDG_CONFIG_HOME: home });
    expect(r.exitCode, r.stderr).toBe(0);
    const dir = join(home, 'systemd', 'user');
    const service = join(dir, 'pipeline-resume.service');
    const timer = join(dir, 'pipeline-resume.timer');
    expect(r.stdout).toContain(`wrote ${service}`);
    expect(r.stdout).toMatch(/to enable: systemctl --user daemon-reload && systemctl --user enable pipeline-resume\.service pipeline-resume\.timer/);
    const text = readFileSync(service, 'utf8');
    expect(text).toMatch(/^StartLimitBurst=10$/m);
    expect(text).toMatch(/^StartLimitIntervalSec=5$/m);
    expect(text).toContain(`ExecStart=${process.execPath} ${join(REPO, 'bin', 'pipeline.js')} resume\n`);
    expect(text).toContain(`Environment=PIPELINE_CONFIG=${t.config}\n`);
    expect(text).toMatch(/^SuccessExitStatus=75$/m);
    expect(text).toMatch(/^WantedBy=default\.target$/m);
    expect(readFileSync(timer, 'utf8')).toMatch(/^Unit=pipeline-resume\.service$/m);
    const v = await verify([service, timer]);
    expect(v.exitCode, `${v.stdout}\n${v.stderr}`).toBe(0);
    expect(v.stderr).not.toMatch(/pipeline-resume/);
  });

  it('--system (into --unit-dir) runs as a user, wanted by multi-user.target, and verifies', async () => {
    const t = tempWorkspace(['txaws']);
    const dir = scratchDir('units-');
    const r = await cli(t, ['doctor', '--install-service', '--system', '--unit-dir', dir, '--json'], { SUDO_USER: 'root' });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ scope: 'system', dir, enabled: false });
    const text = readFileSync(join(dir, 'pipeline-resume.service'), 'utf8');
    expect(text).toMatch(/^User=root$/m);
    expect(text).toMatch(/^WantedBy=multi-user\.target$/m);
    const v = await verify([join(dir, 'pipeline-resume.service'), join(dir, 'pipeline-resume.timer')]);
    expect(v.exitCode, `${v.stdout}\n${v.stderr}`).toBe(0);
    expect(v.stderr).not.toMatch(/pipeline-resume/);
  });

  it('refuses --user with --system, and the scope options without --install-service, in one line', async () => {
    const t = tempWorkspace(['txaws']);
    const both = await cli(t, ['doctor', '--install-service', '--user', '--system']);
    expect(both.exitCode).toBe(2);
    expect(both.stderr).toBe('pipeline: --install-service: --user or --system, not both');
    const alone = await cli(t, ['doctor', '--user']);
    expect(alone.exitCode).toBe(2);
    expect(alone.stderr).toBe('pipeline: --user, --system and --unit-dir go with --install-service');
    expect(existsSync(join(t.root, 'systemd'))).toBe(false);
  });
});
