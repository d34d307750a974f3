// When a window runs: a parsed schedule placed in a zone, shifted by ScheduleOffset and bounded by
// StartDate/EndDate (SPEC 3.2, 3.3). All instants are epoch milliseconds passed in by the caller.
import { nextCronWall } from './cron-match.ts';
import { isValidTimeZone, instantOf, wallTimeAt } from './timezone.ts';
import type { CronSchedule, Schedule } from './types.ts';
import { addWallDays, addWallSeconds } from './wall.ts';

const DAY_MS = 86_400_000;

/**
 * The last instant anything is scheduled at: AWS writes times as ISO-8601 with a four-digit year, so a run
 * after 9999-12-31 could not be shown. A window whose next run would be later has none.
 */
export const LATEST_RUN_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

export interface WindowTiming {
  schedule: Schedule;
  timeZone?: string; // IANA; default UTC
  offsetDays?: number; // ScheduleOffset 1..6, cron only
  startMs?: number; // StartDate parsed
  endMs?: number; // EndDate parsed
  rateAnchorMs: number; // rate(): see rateAnchor(); ignored for cron/at
}

// Rate runs are rateAnchorMs + k*interval for k >= 0, always strictly after the instant asked about. So a
// future StartDate is itself the first run, while a creation/update-time anchor is never a run (the caller
// asks "after now" = after the anchor): the first run is one interval later, milliseconds kept (SPEC 7).
export function rateAnchor(startMs: number | undefined, nowMs: number): number {
  return startMs !== undefined && startMs > nowMs ? startMs : nowMs;
}

// First run strictly after `afterMs`. With a ScheduleOffset this is (first cron occurrence strictly after
// afterMs) + offset days: a past occurrence whose shifted run is still ahead is not scheduled (SPEC 3.2).
export function nextRunAfter(timing: WindowTiming, afterMs: number): number | undefined {
  const first = runsAfter(timing, afterMs).next();
  return first.done ? undefined : first.value;
}

// Ascending runs in (afterMs, untilMs], at most `limit`.
export function runsBetween(timing: WindowTiming, afterMs: number, untilMs: number, limit: number): number[] {
  const runs: number[] = [];
  if (limit <= 0 || untilMs <= afterMs) return runs;
  for (const run of runsAfter(timing, afterMs)) {
    if (run > untilMs) break;
    runs.push(run);
    if (runs.length >= limit) break;
  }
  return runs;
}

// Checks that need more than one field; returns a user-facing message, or undefined when fine.
// `nowMs`, when given, also requires EndDate to be in the future (SPEC 3.3).
export function validateTiming(timing: Omit<WindowTiming, 'rateAnchorMs'>, nowMs?: number): string | undefined {
  const { schedule, timeZone, offsetDays, startMs, endMs } = timing;
  if (timeZone !== undefined && !isValidTimeZone(timeZone)) {
    return `ScheduleTimezone ${timeZone} is not a valid IANA time zone.`;
  }
  if (offsetDays !== undefined) {
    if (schedule.kind !== 'cron') return 'ScheduleOffset is only supported for cron schedule expressions.';
    if (!Number.isInteger(offsetDays) || offsetDays < 1 || offsetDays > 6) {
      return 'ScheduleOffset must be between 1 and 6.';
    }
  }
  if (startMs !== undefined && endMs !== undefined && endMs <= startMs) return 'EndDate must be later than StartDate.';
  if (endMs !== undefined && nowMs !== undefined && endMs <= nowMs) return 'EndDate must be in the future.';
  return undefined;
}

function runsAfter(timing: WindowTiming, afterMs: number): Generator<number> {
  const { schedule } = timing;
  if (schedule.kind === 'rate') return rateRuns(schedule.intervalMs, timing, afterMs);
  if (schedule.kind === 'cron') return cronRuns(schedule, timing, afterMs);
  return atRuns(instantOf(schedule, timing.timeZone, 'shift'), timing, afterMs);
}

// A wall time in a DST gap is shifted forward rather than dropped, so a one-time window still runs.
function* atRuns(at: number, timing: WindowTiming, afterMs: number): Generator<number> {
  if (at > afterMs && inPeriod(timing, at)) yield at;
}

function inPeriod(timing: WindowTiming, t: number): boolean {
  return (timing.startMs === undefined || t >= timing.startMs) && (timing.endMs === undefined || t <= timing.endMs);
}

function* rateRuns(interval: number, timing: WindowTiming, afterMs: number): Generator<number> {
  const anchor = timing.rateAnchorMs;
  let k = Math.max(0, Math.floor((afterMs - anchor) / interval) + 1);
  if (timing.startMs !== undefined) k = Math.max(k, Math.ceil((timing.startMs - anchor) / interval));
  for (;; k++) {
    const t = anchor + k * interval;
    if (timing.endMs !== undefined && t > timing.endMs) return;
    yield t;
  }
}

// Cron occurrences are found on the zone's wall clock. A wall time in a DST gap is skipped; a repeated one
// resolves to its first instant, so it fires once. The offset run keeps the wall-clock time (a gap there shifts
// forward instead, like Java's ZonedDateTime.plusDays: the base occurrence did happen).
function* cronRuns(cron: CronSchedule, timing: WindowTiming, afterMs: number): Generator<number> {
  const { timeZone: zone, startMs, endMs } = timing;
  const offsetDays = timing.offsetDays ?? 0;
  // Skip straight to occurrences whose run could reach StartDate (a run is at most offsetDays + 1 days after
  // its base, allowing for DST); skipped bases would only yield runs before StartDate anyway.
  let searchFrom = afterMs;
  if (startMs !== undefined) {
    searchFrom = Math.max(searchFrom, offsetDays === 0 ? startMs - 1 : startMs - (offsetDays + 2) * DAY_MS);
  }
  let from = wallTimeAt(searchFrom, zone);
  for (;;) {
    const wall = nextCronWall(cron, from);
    if (wall === undefined) return;
    from = addWallSeconds(wall, 1);
    const base = instantOf(wall, zone, 'skip');
    if (base === undefined || base <= searchFrom) continue;
    if (endMs !== undefined && base > endMs) return;
    const run = offsetDays === 0 ? base : instantOf(addWallDays(wall, offsetDays), zone, 'shift');
    if (endMs !== undefined && run > endMs) return;
    if (startMs !== undefined && run < startMs) continue;
    yield run;
  }
}
