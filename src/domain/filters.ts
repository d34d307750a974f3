// Describe filters (SPEC 2.2): each operation accepts a fixed set of keys; different filters are ANDed,
// the values inside one filter are ORed. An unknown key or an empty value list is refused, never ignored,
// so a typo cannot look like "nothing matched". The wording of these refusals is ours ([I] in SPEC).

import { ValidationException } from './errors.ts';

export interface FilterInput {
  key: string;
  values?: string[];
}

export type Predicate<T> = (item: T) => boolean;

/** Per key: how one filter's values become a predicate (or throw for a malformed value). */
export type FilterRules<T> = Record<string, (values: string[]) => Predicate<T>>;

export function buildFilter<T>(rules: FilterRules<T>, filters: FilterInput[] | undefined): Predicate<T> {
  if (!filters || filters.length === 0) return () => true;
  const allowed = Object.keys(rules);
  const predicates = filters.map((filter) => {
    const rule = Object.hasOwn(rules, filter.key) ? rules[filter.key] : undefined;
    if (!rule) {
      throw new ValidationException(
        `The filter key ${filter.key} is not valid. Valid filter keys are: ${allowed.join(', ')}.`,
      );
    }
    if (!filter.values || filter.values.length === 0) {
      throw new ValidationException(`The filter ${filter.key} must have at least one value.`);
    }
    return rule(filter.values);
  });
  return (item) => predicates.every((predicate) => predicate(item));
}

/** Exact match of a string field against any of the values. */
export function anyOf<T>(field: (item: T) => string | undefined): (values: string[]) => Predicate<T> {
  return (values) => {
    const wanted = new Set(values);
    return (item) => {
      const value = field(item);
      return value !== undefined && wanted.has(value);
    };
  };
}

/** A true/false filter; values compare case-insensitively (AWS docs show both `True` and `true`). */
export function booleanFilter<T>(key: string, field: (item: T) => boolean): (values: string[]) => Predicate<T> {
  return (values) => {
    const wanted = values.map((value) => {
      const lower = value.toLowerCase();
      if (lower !== 'true' && lower !== 'false') {
        throw new ValidationException(`The filter ${key} value ${value} is not valid. Valid values are: true, false.`);
      }
      return lower === 'true';
    });
    return (item) => wanted.includes(field(item));
  };
}

/** An enum filter: every value must be one of `allowed`. */
export function enumFilter<T>(key: string, allowed: readonly string[], field: (item: T) => string): (values: string[]) => Predicate<T> {
  return (values) => {
    for (const value of values) {
      if (!allowed.includes(value)) {
        throw new ValidationException(`The filter ${key} value ${value} is not valid. Valid values are: ${allowed.join(', ')}.`);
      }
    }
    const wanted = new Set(values);
    return (item) => wanted.has(field(item));
  };
}

/** A date bound: the single value is an ISO-8601 date-time; `compare` decides before/after. */
export function dateFilter<T>(
  key: string,
  parse: (text: string) => number | undefined,
  field: (item: T) => number,
  compare: (itemMs: number, boundMs: number) => boolean,
): (values: string[]) => Predicate<T> {
  return (values) => {
    const bounds = values.map((value) => {
      const ms = parse(value);
      if (ms === undefined) {
        throw new ValidationException(`The filter ${key} value ${value} is not a valid ISO-8601 date-time.`);
      }
      return ms;
    });
    return (item) => bounds.some((bound) => compare(field(item), bound));
  };
}
