// Calendar arithmetic on wall-clock fields, done in UTC so the host zone never leaks in.
import type { WallTime } from './types.ts';

// Date.UTC maps years 0..99 to 1900..1999; setUTCFullYear does not.
export function utcMs(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, ms = 0): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, ms);
  return d.getTime();
}

// The wall time read as if it were UTC (the "local epoch").
export function wallAsUtc(w: WallTime): number {
  return utcMs(w.year, w.month, w.day, w.hour, w.minute, w.second);
}

// Inverse of wallAsUtc; milliseconds are dropped.
export function wallFromUtc(ms: number): WallTime {
  const d = new Date(ms);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
  };
}

export function daysInMonth(year: number, month: number): number {
  return new Date(utcMs(year, month + 1, 0)).getUTCDate();
}

// 1 = Sunday .. 7 = Saturday, matching AWS cron numbering.
export function weekdayOf(year: number, month: number, day: number): number {
  return new Date(utcMs(year, month, day)).getUTCDay() + 1;
}

export function addWallSeconds(w: WallTime, seconds: number): WallTime {
  return wallFromUtc(wallAsUtc(w) + seconds * 1000);
}

export function addWallDays(w: WallTime, days: number): WallTime {
  return addWallSeconds(w, days * 86_400);
}

export function isValidCalendarDate(year: number, month: number, day: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}
