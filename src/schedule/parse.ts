// Entry point for Schedule strings: dispatches on the cron( / rate( / at( prefix.
import { parseAt } from './at.ts';
import { parseCron } from './cron-parse.ts';
import { ScheduleError } from './errors.ts';
import { parseRate } from './rate.ts';
import type { Schedule } from './types.ts';

const FORMS: readonly [string, (body: string) => Schedule][] = [
  ['cron(', parseCron],
  ['rate(', parseRate],
  ['at(', parseAt],
];

export function parseSchedule(expression: string): Schedule {
  if (typeof expression !== 'string') throw new ScheduleError('Schedule expression must be a string.');
  for (const [prefix, parse] of FORMS) {
    if (expression.startsWith(prefix) && expression.endsWith(')')) {
      try {
        return parse(expression.slice(prefix.length, -1));
      } catch (err) {
        if (err instanceof ScheduleError) {
          throw new ScheduleError(`Schedule expression ${expression} is invalid: ${err.message}.`);
        }
        throw err;
      }
    }
  }
  throw new ScheduleError(
    `Schedule expression ${expression} is invalid: it must be a cron(...), rate(...) or at(...) expression.`,
  );
}
