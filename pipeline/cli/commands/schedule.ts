import type { Command } from 'commander';
import { PipelineError } from '../../errors.js';
import { schedulesToIcs } from '../../schedule/ics.js';
import { findSchedule, loadSchedules, scheduleStatus, type Schedule } from '../../schedule/milestones.js';
import { renderOverviewText, renderScheduleText } from '../../schedule/render.js';
import { seriesOverview, successorOf } from '../../schedule/resolve.js';
import { action } from '../action.js';

/**
 * `pipeline schedule [SERIES|all] [--format text|json|ics]` — the milestones of a series, which
 * are past, the days left to the next; without SERIES, the devel stage's series (and, once it is
 * released, the series the stage moves to) with what distro-info says about the date.
 */
export function register(program: Command): void {
  program
    .command('schedule')
    .description('release schedule: milestones, which are past, days to the next (--at DATE to look from another date)')
    .argument('[series]', 'series name (schedules/<series>.yaml), or "all"; default: the devel stage\'s series')
    .option('--format <format>', 'text, json or ics (iCalendar, for calendars)', 'text')
    .action(action(async (ctx, series: string | undefined, opts: { format: string }) => {
      const ws = ctx.workspace();
      const format = ctx.options.json ? 'json' : opts.format;
      if (!['text', 'json', 'ics'].includes(format))
        throw new PipelineError(`--format: unknown format "${opts.format}" (text, json, ics)`);
      const overview = seriesOverview(ws);
      let schedules: Schedule[];
      if (series === 'all') {
        schedules = loadSchedules(ws);
      } else if (series) {
        const s = findSchedule(ws, series);
        if (!s) {
          const known = loadSchedules(ws).map((x) => x.series).join(', ') || 'none';
          throw new PipelineError(`no schedule for series "${series}" (known: ${known})`, {
            file: `${ws.config.schedules}/${series}.yaml`, hint: 'see schedules/README.md for the format',
          });
        }
        schedules = [s];
      } else {
        // The series the devel stage's freezes follow: its target, or the one it stands in for.
        const devel = ws.config.stages.find((s) => s.kind === 'devel');
        const own = devel ? findSchedule(ws, devel.target.standsFor ?? devel.target.series) : undefined;
        schedules = own ? [own] : [];
        const released = own?.milestones.find((m) => m.name === 'Release' && m.at <= ws.now);
        const next = own && released ? successorOf(ws, own) : undefined;
        if (next?.schedule) schedules.push(next.schedule);
      }
      if (format === 'ics') {
        process.stdout.write(schedulesToIcs(schedules, { now: new Date() }));
        return 0;
      }
      const statuses = schedules.map((s) => scheduleStatus(s, ws.now));
      ctx.out.result(
        { now: ws.now.toISOString(), overview: series ? undefined : overview, schedules: statuses },
        () => [
          ...(series ? [] : [renderOverviewText(overview), '']),
          ...(statuses.length ? statuses.map(renderScheduleText) : ['no schedule for the devel stage\'s series (see schedules/README.md)']),
        ].join('\n\n').replace(/\n{3,}/g, '\n\n'),
      );
      return 0;
    }));
}
