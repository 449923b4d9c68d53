import type { Command } from 'commander';
import { userInfo } from 'node:os';
import { PipelineError } from '../../errors.js';
import { promote, promoteAll, type PromoteResult } from '../../stages/promote.js';
import { GATES, UNWAIVABLE, type Waiver } from '../../stages/gates.js';
import { action } from '../action.js';
import { QA_CHECK_NAMES } from '../../qa/checks.js';

/** The gates `--waive` may name (pipeline/stages/gates.ts; the version policy is never waivable), and the QA checks. */
const WAIVABLE: string[] = [...Object.values(GATES).filter((g) => !UNWAIVABLE.has(g)), ...QA_CHECK_NAMES];

interface PromoteCliOptions {
  to?: string;
  dryRun?: boolean;
  all?: boolean;
  waive?: string[];
  reason?: string;
  builder?: string;
  force?: boolean;
  rebuild?: boolean;
  ffe?: string;
  approval?: string;
  wait?: boolean;
  generated?: boolean;
  allowDirty?: boolean;
  push?: string;
}

const MARK = { pass: '✓', waived: '~', blocked: '✗' } as const;

function whoAmI(): string {
  try {
    return process.env.PIPELINE_USER ?? process.env.SUDO_USER ?? userInfo().username;
  } catch {
    return 'unknown';
  }
}

export function renderPromote(r: PromoteResult): string {
  const lines: string[] = [];
  const head = r.stages.length ? `${r.from ?? 'nothing yet'} → ${r.stages.join(' → ')}` : `at ${r.from ?? 'no stage'}`;
  lines.push(`${r.package}: ${head}${r.dryRun ? ' (dry run: nothing written)' : ''}`.trimEnd());
  for (const s of r.reports) {
    lines.push(`  ${s.stage}: ${s.version} → ${s.target}, distribution ${s.distribution}, ${s.includeOrig ? '-sa' : '-sd'}${s.changesSince ? ` -v${s.changesSince}` : ''}`);
    if (s.changelogEntry) lines.push(...s.changelogEntry.split('\n').map((l) => `    | ${l}`.trimEnd()));
    if (s.upload) lines.push(`    upload: ${s.upload.command.join(' ')}`);
    for (const v of s.verdicts) {
      const who = v.waiver ? ` (waived by ${v.waiver.by}: ${v.waiver.reason})` : '';
      lines.push(`    ${MARK[v.verdict]} ${v.gate}: ${v.verdict}${v.reason ? ` — ${v.reason}` : ''}${who}`);
      if (v.verdict === 'blocked' && v.fix) lines.push(`        fix: ${v.fix}`);
    }
    if (r.dryRun && s.qa) {
      const on = s.qa.filter((q) => q.severity !== 'off');
      const off = s.qa.filter((q) => q.severity === 'off').map((q) => q.check);
      lines.push(`    qa after the build: ${on.map((q) => `${q.check} (${q.severity}${q.implemented ? '' : ', not implemented yet'})`).join(', ') || 'none'}${off.length ? `; off: ${off.join(', ')}` : ''}`);
    }
    if (s.published) lines.push(`    landed: ${s.published.version} in ${s.published.target}:${s.published.suite}${s.published.confirmed ? ' (confirmed in the index)' : ` (not confirmed: ${s.published.note ?? 'pending'})`}`);
    else if (!r.dryRun) lines.push(`    steps done: ${s.done.join(', ') || 'none'}`);
    if (s.published?.git) lines.push(`    built from commit ${s.published.git.commit.slice(0, 12)}${s.published.git.dirty ? ' with uncommitted changes' : ''}`);
    if (s.tag?.planned) lines.push(`    tag after confirm: ${s.tag.tag}${s.tag.pushed ? `, pushed to ${s.tag.pushed}` : ''}`);
    else if (s.tag?.tag) lines.push(`    tag: ${s.tag.tag}${s.tag.created ? '' : ' (already there)'}${s.tag.signedBy ? `, signed by ${s.tag.signedBy.slice(-16)}` : ''}${s.tag.pushed ? `, pushed to ${s.tag.pushed}` : ''}`);
    else if (s.tag?.skipped) lines.push(`    no tag: ${s.tag.skipped}`);
  }
  const state = {
    'done': 'promoted', 'dry-run': 'plan only', 'nothing-to-do': 'nothing to do', blocked: 'blocked', failed: 'failed', skipped: 'skipped',
  }[r.state];
  lines.push(`  ${state}${r.message ? `: ${r.message}` : ''}${r.runId ? ` [run ${r.runId}]` : ''}`);
  if (r.fix && r.state !== 'nothing-to-do') lines.push(`  fix: ${r.fix}`);
  return lines.join('\n');
}

/** `pipeline promote PKG [--to STAGE] [--dry-run] [--all] [--waive GATE --reason R]` */
export function register(program: Command): void {
  program.command('promote')
    .description('move a package to its next stage (or every stage up to --to): verify gates, build, sign, lint, upload, confirm')
    .argument('[pkg]', 'package under packages/ (or --all)')
    .option('--to <stage>', 'run every stage from the current one up to STAGE')
    .option('--dry-run', 'print the plan (version, changelog entry, gates, upload command); write nothing')
    .option('--all', 'promote every package of the set, in dependency order')
    .option('--waive <gate>', `waive a gate (${WAIVABLE.join(', ')}; repeat for more); needs --reason`, (v: string, prev: string[] = []) => [...prev, v])
    .option('--reason <text>', 'why the gates are waived (recorded with your name)')
    .option('--allow-dirty', 'let uncommitted changes under packages/PKG/ through the clean-tree gate; needs --reason')
    .option('--push <remote>', 'push the DEP-14 tags of the uploads to REMOTE (a remote name, URL or path)')
    .option('--ffe <bug>', 'Feature Freeze exception bug for the freeze gate')
    .option('--approval <bug>', "the release team's approval (bug) for uploads after FinalFreeze")
    .option('--builder <name>', 'sbuild (default) or host (source-only, tests); env PIPELINE_BUILDER')
    .option('--generated', 'use the generated upstream tree for packages whose upstream cannot be reached (fallback: generated); env PIPELINE_UPSTREAM=generated')
    .option('--rebuild', 'build anew: no recorded build, no binary verdict reused from another stage\'s build of the same tree')
    .option('--force', 'same as --rebuild')
    .option('--wait', 'wait for another run of the same package instead of refusing')
    .action(action(async (ctx, pkg: string | undefined, opts: PromoteCliOptions) => {
      const ws = ctx.workspace();
      if (!pkg && !opts.all) throw new PipelineError('name a package or pass --all', { hint: 'pipeline promote zookeeper --to backports' });
      if (pkg && opts.all) throw new PipelineError('give a package or --all, not both');
      for (const gate of opts.waive ?? []) {
        if (UNWAIVABLE.has(gate)) throw new PipelineError(`--waive ${gate}: the ${gate} gate cannot be waived (a version must sort where the stage needs it)`, { key: '--waive' });
        if (!WAIVABLE.includes(gate)) throw new PipelineError(`unknown gate ${JSON.stringify(gate)} (gates: ${WAIVABLE.join(', ')})`, { key: '--waive' });
      }
      if (opts.waive?.length && !opts.reason?.trim()) throw new PipelineError('--waive needs --reason "why"', { key: '--reason' });
      if (opts.allowDirty && !opts.reason?.trim()) throw new PipelineError('--allow-dirty needs --reason "why"', { key: '--reason' });
      const gates = [...(opts.waive ?? []), ...(opts.allowDirty ? [GATES.cleanTree] : [])];
      const waivers: Waiver[] = gates.map((gate) => ({ gate, by: whoAmI(), reason: opts.reason!.trim() }));
      const common = {
        ...(opts.to ? { to: opts.to } : {}), dryRun: Boolean(opts.dryRun), waivers,
        ...(opts.builder ? { builder: opts.builder } : {}), force: Boolean(opts.force || opts.rebuild), ...(opts.generated ? { generated: true } : {}),
        ...(opts.ffe ? { ffe: opts.ffe } : {}), ...(opts.approval ? { approval: opts.approval } : {}), wait: Boolean(opts.wait), progress: ctx.out,
        ...(opts.push !== undefined ? { push: opts.push } : {}),
      };
      if (opts.all) {
        const all = await promoteAll(ws, common);
        ctx.out.result(all, () => all.results.map(renderPromote).join('\n\n'));
        return all.exitCode;
      }
      const r = await promote(ws, pkg!, common);
      ctx.out.result(r, () => renderPromote(r));
      return r.exitCode;
    }));
}
