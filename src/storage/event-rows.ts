// How an event is kept in the events table's `doc`. The envelope's constant members (version, source),
// its account and Region (columns of the row) and its detail-type (one of a known few, kept as its
// position in DETAIL_TYPES) are not repeated in every row: an engine step writes two events per
// invocation, and these were ~180 of an event row's ~630 bytes. Rows written before (the whole envelope
// as JSON) are read as they are.

import { DETAIL_TYPES, type DetailType, type ServiceEvent } from '../domain/events.ts';

/** The compact form: `[1, id, detail-type index, time, resources, detail]` (1: this form's version). */
type CompactEvent = [1, string, number, string, string[], Record<string, unknown>];

const DETAIL_TYPE_INDEX = new Map<DetailType, number>(DETAIL_TYPES.map((type, i) => [type, i]));

/** The text kept for `event` (its account and Region go in the row's own columns). */
export function eventDocument(event: ServiceEvent): string {
  const type = DETAIL_TYPE_INDEX.get(event['detail-type']);
  // An event of another kind (none today) keeps its whole envelope.
  if (type === undefined || event.version !== '0' || event.source !== 'aws.ssm') return JSON.stringify(event);
  const compact: CompactEvent = [1, event.id, type, event.time, event.resources, event.detail];
  return JSON.stringify(compact);
}

/** The envelope back from a row's `doc`, `account` and `region`, members in the order AWS sends them. */
export function eventFromDocument(doc: string, account: unknown, region: unknown): ServiceEvent {
  const parsed = JSON.parse(doc) as ServiceEvent | CompactEvent;
  if (!Array.isArray(parsed)) return parsed;
  const [, id, type, time, resources, detail] = parsed;
  return {
    version: '0', id, 'detail-type': DETAIL_TYPES[type], source: 'aws.ssm', account: String(account), time, region: String(region), resources, detail,
  };
}
