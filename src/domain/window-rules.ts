// Rules that relate a window's fields to each other and its schedule to time. Shape checks (lengths,
// ranges, patterns) already happened at the wire; these are the cross-field rules AWS applies after.

import {
  formatExecutionTime,
  isValidTimeZone,
  LATEST_RUN_MS,
  parseIsoDateTime,
  runsBetween,
  parseSchedule,
  ScheduleError,
  type Schedule,
  type WindowTiming,
} from '../schedule/index.ts';
import { ValidationException } from './errors.ts';
import type { Window } from './model.ts';

/** Throws the AWS error for a window whose fields do not fit together. Returns the parsed schedule. */
export function checkWindow(window: Window, nowMs: number): Schedule {
  if (window.cutoffHours >= window.durationHours) {
    // AWS's own text, typo and double space included (SPEC 1.2, captured 2025).
    throw new ValidationException(
      `Cuttoff was ${window.cutoffHours} but must be smaller than ${window.durationHours - 1} (Duration  - 1 )`,
    );
  }
  let schedule: Schedule;
  try {
    schedule = parseSchedule(window.schedule);
  } catch (error) {
    if (error instanceof ScheduleError) throw new ValidationException(error.message);
    throw error;
  }
  if (window.offsetDays !== undefined && schedule.kind !== 'cron') {
    throw new ValidationException('ScheduleOffset is only supported with cron schedule expressions.');
  }
  if (window.timeZone !== undefined && !isValidTimeZone(window.timeZone)) {
    throw new ValidationException(`Invalid ScheduleTimezone: ${window.timeZone}. Use an IANA time zone ID such as America/Los_Angeles.`);
  }
  const start = window.startDate === undefined ? undefined : parseDate('StartDate', window.startDate);
  const end = window.endDate === undefined ? undefined : parseDate('EndDate', window.endDate);
  if (end !== undefined) {
    if (start !== undefined && end <= start) {
      throw new ValidationException('EndDate must be later than StartDate.');
    }
    // An EndDate already past is accepted: the window simply has no next run (issue 11, B.6: no evidence
    // that AWS refuses one; moto's tests create one; docs/coverage.md).
  }
  return schedule;
}

function parseDate(member: string, text: string): number {
  // The live service holds these to a length of at least 1 that the published model does not carry; its
  // answer is quoted in the Terraform provider (internal/service/ssm/maintenance_window.go, update).
  if (text === '') {
    const path = member[0].toLowerCase() + member.slice(1);
    throw new ValidationException(`1 validation error detected: Value '' at '${path}' failed to satisfy constraint: Member must have length greater than or equal to 1`);
  }
  const ms = parseIsoDateTime(text);
  if (ms === undefined) {
    throw new ValidationException(`${member} ${text} is not a valid ISO-8601 date-time.`);
  }
  return ms;
}

// Parsed expressions are plain data and windows share few distinct schedules: parse each text once.
const parsedSchedules = new Map<string, Schedule>();
const PARSED_SCHEDULES_KEPT = 2_000;

function cachedSchedule(expression: string): Schedule {
  let schedule = parsedSchedules.get(expression);
  if (!schedule) {
    schedule = parseSchedule(expression);
    if (parsedSchedules.size >= PARSED_SCHEDULES_KEPT) parsedSchedules.clear();
    parsedSchedules.set(expression, schedule);
  }
  return schedule;
}

export function windowTiming(window: Window): WindowTiming {
  return {
    schedule: cachedSchedule(window.schedule),
    timeZone: window.timeZone,
    offsetDays: window.offsetDays,
    startMs: window.startDate === undefined ? undefined : parseIsoDateTime(window.startDate),
    endMs: window.endDate === undefined ? undefined : parseIsoDateTime(window.endDate),
    rateAnchorMs: window.rateAnchorMs,
  };
}

const DAY_MS = 86_400_000;

/**
 * The window's runs in (afterMs, untilMs], ascending, at most `limit`. With a ScheduleOffset every cron
 * occurrence after the schedule took effect has its run `offset` days later; so that a caller asking
 * "after the run I just fired" misses none of them, occurrences are searched from `offset + 1` days before
 * `afterMs`, but never before the schedule took effect (SPEC 3.2).
 */
export function fireTimesBetween(window: Window, afterMs: number, untilMs: number, limit: number): number[] {
  const timing = windowTiming(window);
  if (!window.offsetDays) return runsBetween(timing, afterMs, untilMs, limit);
  const found: number[] = [];
  let from = Math.max(window.scheduleFromMs, afterMs - (window.offsetDays + 1) * DAY_MS);
  for (;;) {
    const batch = runsBetween(timing, from, untilMs, limit + 8);
    for (const run of batch) {
      if (run > afterMs) found.push(run);
      if (found.length === limit) return found;
    }
    if (batch.length < limit + 8) return found;
    from = batch[batch.length - 1] - window.offsetDays * DAY_MS;
  }
}

/**
 * The last answer of nextFireAfter per window: the first run after `from` is also the first run after any
 * later instant before it, so reads of an unchanged window skip the calendar walk. An entry holds the
 * timing it was computed from and serves only a window with that same timing (compared field by field:
 * no string is built per call), so a changed window, or another store's window with the same id, is walked
 * again; nothing depends on where the window object came from or whether it is shared.
 */
type NextFire = Pick<Window, 'enabled' | 'schedule' | 'timeZone' | 'offsetDays' | 'startDate' | 'endDate' | 'rateAnchorMs' | 'scheduleFromMs'> & {
  from: number;
  next: number | undefined;
  text?: string;
};
const lastNextFire = new Map<string, NextFire>();
const NEXT_FIRES_KEPT = 10_000;

function sameTiming(known: NextFire, window: Window): boolean {
  return known.enabled === window.enabled && known.schedule === window.schedule && known.timeZone === window.timeZone
    && known.offsetDays === window.offsetDays && known.startDate === window.startDate && known.endDate === window.endDate
    && known.rateAnchorMs === window.rateAnchorMs && known.scheduleFromMs === window.scheduleFromMs;
}

function nextFire(window: Window, afterMs: number): NextFire {
  const known = lastNextFire.get(window.id);
  if (known && sameTiming(known, window) && known.from <= afterMs && (known.next === undefined || afterMs < known.next)) return known;
  const next = window.enabled && afterMs < LATEST_RUN_MS ? fireTimesBetween(window, afterMs, LATEST_RUN_MS, 1)[0] : undefined;
  const { enabled, schedule, timeZone, offsetDays, startDate, endDate, rateAnchorMs, scheduleFromMs } = window;
  const found: NextFire = { enabled, schedule, timeZone, offsetDays, startDate, endDate, rateAnchorMs, scheduleFromMs, from: afterMs, next };
  if (!known && lastNextFire.size >= NEXT_FIRES_KEPT) lastNextFire.delete(lastNextFire.keys().next().value!);
  lastNextFire.set(window.id, found);
  return found;
}

/** The window's first run strictly after `afterMs`; undefined when it has none or is disabled. */
export function nextFireAfter(window: Window, afterMs: number): number | undefined {
  return nextFire(window, afterMs).next;
}

/** The NextExecutionTime string, or undefined for a disabled window or one with no future run. */
export function nextExecutionTime(window: Window, nowMs: number): string | undefined {
  const found = nextFire(window, nowMs);
  if (found.next === undefined) return undefined;
  // The time zone is part of the entry's timing: the text is the same for every window it serves.
  found.text ??= formatExecutionTime(found.next, window.timeZone);
  return found.text;
}
