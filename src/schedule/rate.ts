// rate(N unit): N a positive integer without sign or leading zeros; unit singular exactly when N is 1.
import { ScheduleError } from './errors.ts';
import type { RateSchedule } from './types.ts';

const UNIT_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
const MIN_INTERVAL_MS = 5 * 60_000; // SPEC 3.1: nothing more frequent than every 5 minutes

// `body` is the text between `rate(` and `)`.
export function parseRate(body: string): RateSchedule {
  const match = /^(\d+) (minute|hour|day)(s?)$/.exec(body);
  if (!match || match[1].startsWith('0')) {
    throw new ScheduleError('a rate expression must look like rate(<positive integer> minute|minutes|hour|hours|day|days)');
  }
  const value = Number(match[1]);
  const plural = match[3] === 's';
  if (plural !== (value !== 1)) {
    throw new ScheduleError(
      value === 1 ? `use the singular unit ${match[2]} with the value 1` : `use the plural unit ${match[2]}s with a value other than 1`,
    );
  }
  const intervalMs = value * UNIT_MS[match[2]];
  if (intervalMs < MIN_INTERVAL_MS) throw new ScheduleError('rate expressions must be at least 5 minutes');
  if (!Number.isSafeInteger(intervalMs)) throw new ScheduleError('rate expression interval is too large');
  return { kind: 'rate', intervalMs };
}
