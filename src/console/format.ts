// How the console shows times, durations and statuses. Times are UTC with the zone said; a status is a
// word in a coloured badge (the colour repeats the word, it never replaces it).

import { html, type Markup } from './html.ts';

export function utc(ms: number | undefined): string {
  if (ms === undefined) return '';
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** `<time>` with the machine-readable instant, or an em dash when there is none. */
export function timeCell(ms: number | undefined): Markup {
  return ms === undefined ? html`<span class="none">—</span>` : html`<time datetime="${new Date(ms).toISOString()}">${utc(ms)}</time>`;
}

/** The wall time in an IANA zone with its UTC offset, e.g. `2026-12-06 02:00 (UTC+09:00 Asia/Tokyo)`. */
export function inZone(ms: number, timeZone: string | undefined): string {
  const zone = timeZone ?? 'UTC';
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-CA', {
    timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'longOffset',
  }).formatToParts(ms).map((p) => [p.type, p.value]));
  const offset = parts.timeZoneName === 'GMT' ? 'UTC+00:00' : String(parts.timeZoneName).replace('GMT', 'UTC');
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute} (${offset} ${zone})`;
}

export function duration(start: number | undefined, end: number | undefined): string {
  if (start === undefined || end === undefined) return '';
  let seconds = Math.max(0, Math.round((end - start) / 1000));
  const parts: string[] = [];
  for (const [unit, size] of [['d', 86_400], ['h', 3600], ['m', 60]] as const) {
    if (seconds >= size) {
      parts.push(`${Math.floor(seconds / size)}${unit}`);
      seconds %= size;
    }
  }
  if (seconds > 0 || parts.length === 0) parts.push(`${seconds}s`);
  return parts.join(' ');
}

export function statusBadge(status: string | undefined): Markup {
  if (!status) return html`<span class="none">—</span>`;
  return html`<span class="status status-${status.toLowerCase().replace(/[^a-z]+/g, '-')}">${status}</span>`;
}

export function yesNo(value: boolean): string {
  return value ? 'Yes' : 'No';
}
