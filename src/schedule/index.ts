// Public API of the schedule module: pure functions over epoch milliseconds, no I/O and no clock.
export { ScheduleError } from './errors.ts';
export type { AtSchedule, CronDays, CronSchedule, RateSchedule, Schedule, WallTime } from './types.ts';
export { parseSchedule } from './parse.ts';
export { isValidTimeZone } from './timezone.ts';
export { parseIsoDateTime } from './iso-date.ts';
export { formatExecutionTime } from './format.ts';
export { LATEST_RUN_MS, nextRunAfter, rateAnchor, runsBetween, validateTiming } from './timing.ts';
export type { WindowTiming } from './timing.ts';
