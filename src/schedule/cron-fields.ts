// Parsing of single cron field terms: values, names, ranges and steps (`, - * /`).
import { ScheduleError } from './errors.ts';

export interface FieldDef {
  name: string;
  min: number;
  max: number;
  names?: readonly string[]; // names[i] is the value min + i
}

export const SECONDS: FieldDef = { name: 'Seconds', min: 0, max: 59 };
export const MINUTES: FieldDef = { name: 'Minutes', min: 0, max: 59 };
export const HOURS: FieldDef = { name: 'Hours', min: 0, max: 23 };
export const DAY_OF_MONTH: FieldDef = { name: 'Day-of-month', min: 1, max: 31 };
export const MONTH: FieldDef = {
  name: 'Month',
  min: 1,
  max: 12,
  names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'],
};
export const DAY_OF_WEEK: FieldDef = {
  name: 'Day-of-week',
  min: 1,
  max: 7,
  names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'],
};
export const YEAR: FieldDef = { name: 'Year', min: 1970, max: 2199 };

// One value: digits (leading zeros allowed, as in AWS's own `cron(24 30 09 ? * * *)`) or a name.
export function parseValue(text: string, def: FieldDef): number {
  let value: number;
  if (/^\d{1,4}$/.test(text)) {
    value = Number(text);
  } else {
    const index = def.names ? def.names.indexOf(text.toUpperCase()) : -1;
    if (index < 0) throw new ScheduleError(`${def.name} value "${text}" is not valid`);
    value = def.min + index;
  }
  if (value < def.min || value > def.max) {
    throw new ScheduleError(`${def.name} value ${value} is out of range ${def.min}-${def.max}`);
  }
  return value;
}

// A term `*`, `a`, `a-b`, `*/s`, `a/s` or `a-b/s`. Reversed ranges (`22-2`, `FRI-MON`) are rejected rather than
// wrapped around: the AWS documentation never shows one and rejecting is the clearer failure [I].
// Steps must be 1..(max-min), like Quartz, which rejects e.g. a 60-minute step.
export function parseRangeTerm(term: string, def: FieldDef): number[] {
  const parts = term.split('/');
  if (parts.length > 2 || parts[0] === '') throw new ScheduleError(`${def.name} term "${term}" is not valid`);
  const [base, stepText] = parts;
  let lo: number;
  let hi: number;
  if (base === '*') {
    lo = def.min;
    hi = def.max;
  } else if (base.includes('-')) {
    const bounds = base.split('-');
    if (bounds.length !== 2) throw new ScheduleError(`${def.name} range "${base}" is not valid`);
    lo = parseValue(bounds[0], def);
    hi = parseValue(bounds[1], def);
    if (lo > hi) throw new ScheduleError(`${def.name} range "${base}" ends before it starts`);
  } else {
    lo = parseValue(base, def);
    hi = stepText === undefined ? lo : def.max;
  }
  let step = 1;
  if (stepText !== undefined) {
    if (!/^\d{1,4}$/.test(stepText)) throw new ScheduleError(`${def.name} step "${stepText}" is not valid`);
    step = Number(stepText);
    if (step < 1 || step > def.max - def.min) {
      throw new ScheduleError(`${def.name} step ${step} is out of range 1-${def.max - def.min}`);
    }
  }
  const values: number[] = [];
  for (let v = lo; v <= hi; v += step) values.push(v);
  return values;
}

export function splitTerms(field: string, def: FieldDef): string[] {
  const terms = field.split(',');
  if (terms.some((t) => t === '')) throw new ScheduleError(`${def.name} field "${field}" has an empty list entry`);
  return terms;
}

export function sortedUnique(values: Iterable<number>): number[] {
  return [...new Set(values)].sort((a, b) => a - b);
}

// A field made only of range terms (Seconds, Minutes, Hours, Month, Year).
export function parseSimpleField(field: string, def: FieldDef): number[] {
  const values: number[] = [];
  for (const term of splitTerms(field, def)) values.push(...parseRangeTerm(term, def));
  return sortedUnique(values);
}
