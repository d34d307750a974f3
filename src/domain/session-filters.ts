// DescribeSessions' State and Filters as one predicate. Every filter must hold (AWS's SessionFilter holds
// one value per key). InvokedAfter: started at or after the instant; InvokedBefore: started before it
// (the SessionFilter reference's words, "sessions that started August 29, 2018, and later" / "before").

import { parseIsoDateTime } from '../schedule/index.ts';
import { ValidationException } from './errors.ts';
import { ACTIVE_STATUSES, HISTORY_STATUSES, type Session, SESSION_STATUSES, type SessionStatus } from './sessions.ts';

export type SessionState = 'Active' | 'History';

export interface SessionFilter {
  key: string;
  value: string;
}

/** The statuses a State lists. */
export function statusesOf(state: SessionState): readonly SessionStatus[] {
  return state === 'Active' ? ACTIVE_STATUSES : HISTORY_STATUSES;
}

function instant(key: string, value: string): number {
  const ms = parseIsoDateTime(value);
  // [I] AWS's wording for a filter value that is not a date is not recorded.
  if (ms === undefined) throw new ValidationException(`The filter ${key} value ${value} is not a valid timestamp, such as 2018-08-29T00:00:00Z.`);
  return ms;
}

/** The predicate of DescribeSessions' filters; a value no session could have is refused, not matched by none. */
export function sessionFilter(filters: readonly SessionFilter[] | undefined): (s: Session) => boolean {
  const tests: ((s: Session) => boolean)[] = [];
  for (const { key, value } of filters ?? []) {
    switch (key) {
      case 'InvokedAfter': { const t = instant(key, value); tests.push((s) => s.startedAt >= t); break; }
      case 'InvokedBefore': { const t = instant(key, value); tests.push((s) => s.startedAt < t); break; }
      case 'Target': tests.push((s) => s.target === value); break;
      case 'Owner': tests.push((s) => s.owner === value); break;
      case 'SessionId': tests.push((s) => s.id === value); break;
      case 'Status':
        if (!SESSION_STATUSES.includes(value as SessionStatus)) {
          throw new ValidationException(`The filter Status value ${value} is not one of ${SESSION_STATUSES.join(', ')}.`);
        }
        tests.push((s) => s.status === value);
        break;
      case 'AccessType':
        if (value !== 'Standard' && value !== 'JustInTime') throw new ValidationException(`The filter AccessType value ${value} is not one of Standard, JustInTime.`);
        tests.push((s) => s.accessType === value);
        break;
      // The model's enum is checked before the handler runs; this is for callers inside the service.
      default:
        throw new ValidationException(`The filter key ${key} is not valid.`);
    }
  }
  return (s) => tests.every((test) => test(s));
}
