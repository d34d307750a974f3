// IANA zone validation and wall-clock <-> instant conversion with explicit DST rules.
import { createRequire } from 'node:module';
import type { IANAZone } from 'luxon';
import { ScheduleError } from './errors.ts';
import type { WallTime } from './types.ts';
import { wallAsUtc, wallFromUtc } from './wall.ts';

const HOUR_MS = 3_600_000;

let zones: typeof IANAZone | undefined;

/**
 * luxon's IANAZone, loaded by the first zone other than UTC (synchronously: luxon's CommonJS build), not at
 * the service's start: luxon is a quarter of a megabyte of JavaScript that a UTC schedule never uses.
 */
function ianaZone(): typeof IANAZone {
  return zones ??= (createRequire(import.meta.url)('luxon') as typeof import('luxon')).IANAZone;
}

// Zone ids look like `UTC`, `Asia/Tokyo`, `America/Argentina/Buenos_Aires`, `Etc/GMT+5`. Intl also accepts raw
// offsets (`+02:00`), which are not IANA ids, so the shape is checked first.
const ZONE_SHAPE = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/;

// Intl matches zone ids case-insensitively; Java's ZoneId (which AWS uses) does not. To reject `utc` or
// `america/los_angeles` we compare against the canonical spellings Intl knows (aliases it does not list, such as
// `US/Pacific`, are accepted in any case — a deliberate leniency).
let canonicalByLower: Map<string, string> | undefined;
function canonicalSpelling(zone: string): string | undefined {
  if (!canonicalByLower) {
    canonicalByLower = new Map();
    for (const id of [...Intl.supportedValuesOf('timeZone'), 'UTC', 'Etc/UTC', 'GMT', 'Etc/GMT']) {
      canonicalByLower.set(id.toLowerCase(), id);
    }
  }
  return canonicalByLower.get(zone.toLowerCase());
}

// Validity is cached: asking Intl builds a DateTimeFormat, which costs far more than the schedule arithmetic.
const validity = new Map<string, boolean>();

export function isValidTimeZone(zone: string): boolean {
  if (typeof zone !== 'string') return false;
  let valid = validity.get(zone);
  if (valid === undefined) {
    const canonical = canonicalSpelling(zone);
    valid = ZONE_SHAPE.test(zone) && (canonical === undefined || canonical === zone) && ianaZone().isValidZone(zone);
    if (validity.size < 1000) validity.set(zone, valid); // bounded: zone strings come from callers
  }
  return valid;
}

function isUtc(zone: string | undefined): boolean {
  return zone === undefined || zone === 'UTC' || zone === 'Etc/UTC';
}

function zoneFor(zone: string): IANAZone {
  if (!isValidTimeZone(zone)) throw new ScheduleError(`${zone} is not a valid time zone`);
  return ianaZone().create(zone);
}

// Offset from UTC in milliseconds at the given instant.
export function offsetMs(zone: string | undefined, ms: number): number {
  if (zone === undefined || isUtc(zone)) return 0;
  return zoneFor(zone).offset(ms) * 60_000;
}

// Wall-clock time (whole seconds) at an instant.
export function wallTimeAt(ms: number, zone: string | undefined): WallTime {
  return wallFromUtc(ms + offsetMs(zone, ms));
}

// How to resolve a wall time that does not exist (spring-forward gap):
//  'skip'  -> undefined (cron occurrences: SPEC 3.3 says such local times are skipped)
//  'shift' -> moved forward by the gap length, like Java's LocalDateTime.atZone (one-time at() runs and
//             ScheduleOffset shifts, where dropping a run would be surprising)
// A repeated wall time (fall-back overlap) always resolves to its first (earlier) instant.
export type GapPolicy = 'skip' | 'shift';

export function instantOf(w: WallTime, zone: string | undefined, gap: 'shift'): number;
export function instantOf(w: WallTime, zone: string | undefined, gap: GapPolicy): number | undefined;
export function instantOf(w: WallTime, zone: string | undefined, gap: GapPolicy): number | undefined {
  const local = wallAsUtc(w);
  if (zone === undefined || isUtc(zone)) return local;
  // The instant lies within [local-14h, local+12h]; sample the offsets at both ends of that window. Zones do not
  // change offset twice within 30 hours, so these two cover every candidate.
  const before = offsetMs(zone, local - 15 * HOUR_MS);
  const after = offsetMs(zone, local + 15 * HOUR_MS);
  let best: number | undefined;
  for (const candidateOffset of before === after ? [before] : [before, after]) {
    const t = local - candidateOffset;
    if (offsetMs(zone, t) === candidateOffset && (best === undefined || t < best)) best = t;
  }
  if (best !== undefined) return best;
  return gap === 'skip' ? undefined : local - before;
}
