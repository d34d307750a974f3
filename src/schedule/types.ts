// Parsed schedule shapes. Plain data (arrays of numbers) so callers may cache or serialise them.

// Day selection for a cron expression: exactly one of the two day fields is not `?`.
export type CronDays =
  | {
      field: 'dom';
      values: readonly number[]; // plain days of month 1..31 (days the month lacks never match)
      lastOffsets: readonly number[]; // `L` = 0, `L-3` = 3: last day of month minus offset
      lastWeekday: boolean; // `LW`: last Monday-Friday of the month
      nearestWeekday: readonly number[]; // `15W`: Monday-Friday nearest the 15th, within the month
    }
  | {
      field: 'dow';
      values: readonly number[]; // weekdays 1..7, 1 = Sunday (AWS numbering)
      lastOf: readonly number[]; // `6L`: last Friday of the month
      nth: readonly { weekday: number; n: number }[]; // `3#2`: second Tuesday
    };

export interface CronSchedule {
  kind: 'cron';
  // All value lists are sorted ascending without duplicates.
  seconds: readonly number[];
  minutes: readonly number[];
  hours: readonly number[];
  months: readonly number[]; // 1..12
  years: readonly number[]; // 1970..2199
  days: CronDays;
}

export interface RateSchedule {
  kind: 'rate';
  intervalMs: number;
}

// Local wall-clock time in the window's zone (month 1..12).
export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

export interface AtSchedule extends WallTime {
  kind: 'at';
}

export type Schedule = CronSchedule | RateSchedule | AtSchedule;
