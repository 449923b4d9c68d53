/** Release schedules, series data and freeze gates. */
export * from './distroInfo.js';
export * from './milestones.js';
export * from './freezeGate.js';
export * from './resolve.js';
export { schedulesToIcs, type IcsOptions } from './ics.js';
export { renderOverviewText, renderScheduleText } from './render.js';
