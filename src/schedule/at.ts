// at(yyyy-MM-ddTHH:mm:ss): one run at a wall-clock time in the window's zone.
import { ScheduleError } from './errors.ts';
import type { AtSchedule } from './types.ts';
import { isValidCalendarDate } from './wall.ts';

// `body` is the text between `at(` and `)`.
export function parseAt(body: string): AtSchedule {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(body);
  if (!m) throw new ScheduleError('an at expression must look like at(yyyy-MM-ddTHH:mm:ss)');
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number);
  if (!isValidCalendarDate(year, month, day) || hour > 23 || minute > 59 || second > 59) {
    throw new ScheduleError(`${body} is not a valid date and time`);
  }
  return { kind: 'at', year, month, day, hour, minute, second };
}
