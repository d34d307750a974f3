// ISO 8601 durations (`PT10M`, `P1DT2H`, `PT0.5S`) and instants as aws:sleep takes them; pure.

const DURATION = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** Milliseconds of an ISO 8601 duration (years as 365 days, months as 30), or undefined when it is not one. */
export function durationMs(text: string): number | undefined {
  const m = DURATION.exec(text.trim());
  if (!m || text.trim() === 'P' || text.trim().endsWith('T')) return undefined;
  const [, y, mo, w, d, h, mi, s] = m.map((v) => (v === undefined ? 0 : Number(v)));
  const days = y * 365 + mo * 30 + w * 7 + d;
  return Math.round(((days * 24 + h) * 60 + mi) * 60_000 + s * 1000);
}

/** Epoch milliseconds of an ISO 8601 instant with its zone (`2026-10-01T02:00:00Z`), or undefined. */
export function instantMs(text: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(text.trim())) return undefined;
  const ms = Date.parse(text.trim());
  return Number.isNaN(ms) ? undefined : ms;
}
