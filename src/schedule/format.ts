// NextExecutionTime / ExecutionTime strings, formatted like Java's OffsetDateTime.toString() (SPEC 3.6):
// `2020-02-19T16:00Z`, `2019-10-04T10:10:10Z`, `2019-05-18T23:35:24.902Z`, `2019-02-03T02:00-08:00`.
import { offsetMs } from './timezone.ts';

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

export function formatExecutionTime(ms: number, timeZone?: string): string {
  const offset = offsetMs(timeZone, ms);
  const d = new Date(ms + offset);
  let text =
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  const seconds = d.getUTCSeconds();
  const millis = d.getUTCMilliseconds();
  // Java omits zero seconds (when there is no fraction) and prints the fraction as 3 digits for whole millis.
  if (seconds !== 0 || millis !== 0) text += `:${pad(seconds)}`;
  if (millis !== 0) text += `.${pad(millis, 3)}`;
  return text + formatOffset(offset);
}

// Java prints a zero offset as `Z`, whatever the zone.
function formatOffset(offset: number): string {
  if (offset === 0) return 'Z';
  const total = Math.round(Math.abs(offset) / 60_000);
  return `${offset < 0 ? '-' : '+'}${pad(Math.floor(total / 60))}:${pad(total % 60)}`;
}
