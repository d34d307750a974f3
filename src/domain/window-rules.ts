// Rules that relate a window's fields to each other and its schedule to time. Shape checks (lengths,
// ranges, patterns) already happened at the wire; these are the cross-field rules AWS applies after.

import {
  formatExecutionTime,
  isValidTimeZone,
  nextRunAfter,
  parseIsoDateTime,
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
    if (end <= nowMs) {
      throw new ValidationException('EndDate must be in the future.');
    }
  }
  return schedule;
}

function parseDate(member: string, text: string): number {
  const ms = parseIsoDateTime(text);
  if (ms === undefined) {
    throw new ValidationException(`${member} ${text} is not a valid ISO-8601 date-time.`);
  }
  return ms;
}

export function windowTiming(window: Window): WindowTiming {
  return {
    schedule: parseSchedule(window.schedule),
    timeZone: window.timeZone,
    offsetDays: window.offsetDays,
    startMs: window.startDate === undefined ? undefined : parseIsoDateTime(window.startDate),
    endMs: window.endDate === undefined ? undefined : parseIsoDateTime(window.endDate),
    rateAnchorMs: window.rateAnchorMs,
  };
}

/** The NextExecutionTime string, or undefined for a disabled window or one with no future run. */
export function nextExecutionTime(window: Window, nowMs: number): string | undefined {
  if (!window.enabled) return undefined;
  const next = nextRunAfter(windowTiming(window), nowMs);
  return next === undefined ? undefined : formatExecutionTime(next, window.timeZone);
}
