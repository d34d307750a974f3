// Finding cron occurrences on the wall clock, field by field (year -> month -> day -> hour -> minute -> second),
// so sparse expressions such as `cron(0 0 29 FEB ? 2196)` cost a handful of steps, not a minute-by-minute scan.
import type { CronDays, CronSchedule, WallTime } from './types.ts';
import { daysInMonth, weekdayOf } from './wall.ts';

const SATURDAY = 7;
const SUNDAY = 1;

// Monday-Friday nearest `day`, never leaving the month (`1W` on a Saturday -> Monday the 3rd,
// `31W` on a Sunday -> Friday the 29th). A day the month lacks (`31W` in April) never matches.
function nearestWeekday(year: number, month: number, day: number, last: number): number | undefined {
  if (day > last) return undefined;
  const wd = weekdayOf(year, month, day);
  if (wd === SATURDAY) return day > 1 ? day - 1 : day + 2;
  if (wd === SUNDAY) return day < last ? day + 1 : day - 2;
  return day;
}

// Days of the month (ascending) selected by the day fields.
export function matchingDays(days: CronDays, year: number, month: number): number[] {
  const last = daysInMonth(year, month);
  const hit = new Array<boolean>(last + 1).fill(false);
  const mark = (d: number | undefined) => {
    if (d !== undefined && d >= 1 && d <= last) hit[d] = true;
  };
  if (days.field === 'dom') {
    for (const d of days.values) mark(d);
    for (const offset of days.lastOffsets) mark(last - offset);
    for (const d of days.nearestWeekday) mark(nearestWeekday(year, month, d, last));
    if (days.lastWeekday) {
      const wd = weekdayOf(year, month, last);
      mark(wd === SATURDAY ? last - 1 : wd === SUNDAY ? last - 2 : last);
    }
  } else {
    const firstWeekday = weekdayOf(year, month, 1);
    const lastWeekday = weekdayOf(year, month, last);
    if (days.values.length > 0) {
      const wanted = new Set(days.values);
      for (let d = 1; d <= last; d++) if (wanted.has(((firstWeekday - 1 + d - 1) % 7) + 1)) hit[d] = true;
    }
    for (const wd of days.lastOf) mark(last - ((lastWeekday - wd + 7) % 7));
    for (const { weekday, n } of days.nth) mark(1 + ((weekday - firstWeekday + 7) % 7) + 7 * (n - 1));
  }
  const result: number[] = [];
  for (let d = 1; d <= last; d++) if (hit[d]) result.push(d);
  return result;
}

// The first wall time >= `from` that matches, or undefined when the Year field is exhausted.
export function nextCronWall(cron: CronSchedule, from: WallTime): WallTime | undefined {
  for (const year of cron.years) {
    if (year < from.year) continue;
    const atYear = year === from.year;
    for (const month of cron.months) {
      if (atYear && month < from.month) continue;
      const atMonth = atYear && month === from.month;
      for (const day of matchingDays(cron.days, year, month)) {
        if (atMonth && day < from.day) continue;
        const atDay = atMonth && day === from.day;
        for (const hour of cron.hours) {
          if (atDay && hour < from.hour) continue;
          const atHour = atDay && hour === from.hour;
          for (const minute of cron.minutes) {
            if (atHour && minute < from.minute) continue;
            const atMinute = atHour && minute === from.minute;
            for (const second of cron.seconds) {
              if (atMinute && second < from.second) continue;
              return { year, month, day, hour, minute, second };
            }
          }
        }
      }
    }
  }
  return undefined;
}
