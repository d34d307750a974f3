// cron(...) expressions: field count, day-field rules (`? L W #`) and the 5-minute frequency floor.
import {
  DAY_OF_MONTH, DAY_OF_WEEK, HOURS, MINUTES, MONTH, SECONDS, YEAR,
  parseRangeTerm, parseSimpleField, parseValue, sortedUnique, splitTerms,
} from './cron-fields.ts';
import { ScheduleError } from './errors.ts';
import type { CronDays, CronSchedule } from './types.ts';

// `body` is the text between `cron(` and `)`.
export function parseCron(body: string): CronSchedule {
  const fields = body.trim() === '' ? [] : body.trim().split(/\s+/);
  if (fields.length !== 6 && fields.length !== 7) {
    throw new ScheduleError(
      `a cron expression needs 6 fields (Minutes Hours Day-of-month Month Day-of-week Year) ` +
        `or 7 with a leading Seconds field, but has ${fields.length}`,
    );
  }
  if (fields.length === 6) fields.unshift('0');
  const [sec, min, hour, dom, month, dow, year] = fields;
  for (const [text, name] of [[sec, 'Seconds'], [min, 'Minutes'], [hour, 'Hours'], [month, 'Month'], [year, 'Year']]) {
    if (text.includes('?')) throw new ScheduleError(`${name} field cannot contain ?`);
  }
  const cron: CronSchedule = {
    kind: 'cron',
    seconds: parseSimpleField(sec, SECONDS),
    minutes: parseSimpleField(min, MINUTES),
    hours: parseSimpleField(hour, HOURS),
    months: parseSimpleField(month, MONTH),
    years: parseSimpleField(year, YEAR),
    days: parseDays(dom, dow),
  };
  const tooOften = frequencyProblem(cron);
  if (tooOften) throw new ScheduleError(tooOften);
  return cron;
}

function parseDays(dom: string, dow: string): CronDays {
  const domUnset = dom === '?';
  const dowUnset = dow === '?';
  if (domUnset && dowUnset) throw new ScheduleError('only one of Day-of-month and Day-of-week can be ?');
  if (!domUnset && !dowUnset) throw new ScheduleError('one of Day-of-month and Day-of-week must be ?');
  return domUnset ? parseDayOfWeek(dow) : parseDayOfMonth(dom);
}

function parseDayOfMonth(field: string): CronDays {
  const values: number[] = [];
  const lastOffsets: number[] = [];
  const nearestWeekday: number[] = [];
  let lastWeekday = false;
  for (const term of splitTerms(field, DAY_OF_MONTH)) {
    if (term.includes('?')) throw new ScheduleError('? must be the whole Day-of-month field');
    const lastMinus = /^L(?:-(\d{1,2}))?$/i.exec(term);
    const weekday = /^(\d{1,2})W$/i.exec(term);
    if (lastMinus) {
      const offset = lastMinus[1] === undefined ? 0 : Number(lastMinus[1]);
      if (offset > 30) throw new ScheduleError(`Day-of-month offset L-${offset} is out of range L-0 to L-30`);
      lastOffsets.push(offset);
    } else if (/^LW$/i.test(term)) {
      lastWeekday = true;
    } else if (weekday) {
      nearestWeekday.push(parseValue(weekday[1], DAY_OF_MONTH));
    } else {
      values.push(...parseRangeTerm(term, DAY_OF_MONTH));
    }
  }
  return {
    field: 'dom',
    values: sortedUnique(values),
    lastOffsets: sortedUnique(lastOffsets),
    lastWeekday,
    nearestWeekday: sortedUnique(nearestWeekday),
  };
}

function parseDayOfWeek(field: string): CronDays {
  const values: number[] = [];
  const lastOf: number[] = [];
  const nth: { weekday: number; n: number }[] = [];
  for (const term of splitTerms(field, DAY_OF_WEEK)) {
    if (term.includes('?')) throw new ScheduleError('? must be the whole Day-of-week field');
    const hash = /^([^#]+)#(.*)$/.exec(term);
    if (/^L$/i.test(term)) {
      values.push(7); // `L` alone is the last day of the week: Saturday (Quartz semantics)
    } else if (/^.+L$/i.test(term)) {
      lastOf.push(parseValue(term.slice(0, -1), DAY_OF_WEEK));
    } else if (hash) {
      if (nth.length > 0) throw new ScheduleError('Day-of-week field can contain only one # term');
      if (!/^\d$/.test(hash[2]) || Number(hash[2]) < 1 || Number(hash[2]) > 5) {
        throw new ScheduleError(`Day-of-week occurrence "#${hash[2]}" is out of range #1-#5`);
      }
      nth.push({ weekday: parseValue(hash[1], DAY_OF_WEEK), n: Number(hash[2]) });
    } else {
      values.push(...parseRangeTerm(term, DAY_OF_WEEK));
    }
  }
  return { field: 'dow', values: sortedUnique(values), lastOf: sortedUnique(lastOf), nth };
}

// AWS does not support cron schedules more frequent than every 5 minutes (SPEC 3.1). Deliberately simple and
// conservative, so that AWS's own examples (`cron(0 */30 * * * ? *)`, `cron(24 30 09 ? * * *)`) pass:
//  * more than one Seconds value fires several times a minute;
//  * two Minutes values less than 5 apart fire too often within one hour;
//  * the last and first Minutes value less than 5 apart across an hour boundary, when the Hours field contains
//    two consecutive hours (23 and 0 count as consecutive; the day fields are not consulted).
const MIN_GAP_MINUTES = 5;

export function frequencyProblem(cron: CronSchedule): string | undefined {
  const message = 'cron expressions that run more often than every 5 minutes are not supported';
  if (cron.seconds.length > 1) return message;
  const m = cron.minutes;
  for (let i = 1; i < m.length; i++) if (m[i] - m[i - 1] < MIN_GAP_MINUTES) return message;
  const hours = new Set(cron.hours);
  const consecutiveHours = cron.hours.some((h) => hours.has((h + 1) % 24));
  if (m.length > 1 && consecutiveHours && m[0] + 60 - m[m.length - 1] < MIN_GAP_MINUTES) return message;
  return undefined;
}
