// The events port on PostgreSQL. Writers of events take turns (a transaction-scoped advisory lock taken
// before the insert and held until commit), so seq order is commit order and a reader that has seen seq N
// never later finds a smaller seq committed behind it. Inside a transaction the store collects the
// events and calls appendEvents at commit (postgres-store.ts), so this lock is the last one it takes.

import type { EventsPort } from '../../service/ports.ts';
import { eventDocument } from '../event-rows.ts';
import { eventTargetRow, eventTargetState, sequencedEvent } from '../row-mappers.ts';
import { LOCK_CLASS_EVENTS, type Session, statement, textArray } from './postgres-database.ts';

const TARGET_COLUMNS = 'SELECT doc, delivered_seq, failures, last_error, account, region FROM event_targets';
const lockEvents = statement('lock_events', 'SELECT pg_advisory_xact_lock($1)');
const insertEvents = statement('insert_events', `
  INSERT INTO events (id, window_id, account, region, doc)
  SELECT id, window_id, account, region, doc FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
    WITH ORDINALITY AS e(id, window_id, account, region, doc, n) ORDER BY n`);
const readEvents = statement('read_events', 'SELECT seq, window_id, doc, account, region FROM events WHERE seq > $1 ORDER BY seq LIMIT $2');
const readScopeEvents = statement('read_scope_events', 'SELECT seq, window_id, doc, account, region FROM events WHERE account = $1 AND region = $2 AND seq > $3 ORDER BY seq LIMIT $4');
const lastEventSeq = statement('last_event_seq', 'SELECT coalesce(max(seq), 0) AS s FROM events');
const firstEventSeq = statement('first_event_seq', 'SELECT min(seq) AS s FROM events');
const pruneEvents = statement('prune_events', 'DELETE FROM events WHERE seq <= (SELECT max(seq) FROM events) - $1');
// A known id keeps its progress; its owner is set again (a flag's target made before owners existed is the operator's again).
const addEventTarget = statement('add_event_target', `
  INSERT INTO event_targets (id, doc, delivered_seq, account, region) VALUES ($1, $2, $3, $4, $5)
  ON CONFLICT (id) DO UPDATE SET account = excluded.account, region = excluded.region`);
const listEventTargets = statement('list_event_targets', `${TARGET_COLUMNS} ORDER BY id`);
const listOperatorEventTargets = statement('list_operator_event_targets', `${TARGET_COLUMNS} WHERE account IS NULL ORDER BY id`);
const listScopeEventTargets = statement('list_scope_event_targets', `${TARGET_COLUMNS} WHERE account = $1 AND region = $2 ORDER BY id`);
const deleteEventTarget = statement('delete_event_target', 'DELETE FROM event_targets WHERE id = $1');
const deleteOperatorEventTarget = statement('delete_operator_event_target', 'DELETE FROM event_targets WHERE id = $1 AND account IS NULL');
const deleteScopeEventTarget = statement('delete_scope_event_target', 'DELETE FROM event_targets WHERE id = $1 AND account = $2 AND region = $3');
const claimEventTarget = statement('claim_event_target', 'UPDATE event_targets SET owner = $2, lease_until = $4 WHERE id = $1 AND (owner IS NULL OR owner = $2 OR lease_until < $3)');
const releaseEventTarget = statement('release_event_target', 'UPDATE event_targets SET owner = NULL, lease_until = NULL WHERE id = $1 AND owner = $2');
const saveEventTargetProgress = statement('save_event_target_progress', 'UPDATE event_targets SET delivered_seq = $3, failures = $4, last_error = $5 WHERE id = $1 AND owner = $2');

export function postgresEvents(session: Session): EventsPort {
  return {
    async appendEvents(events) {
      if (events.length === 0) return;
      await lockEvents.write(session, [LOCK_CLASS_EVENTS]);
      await insertEvents.write(session, [
        textArray(events.map((e) => e.event.id)), textArray(events.map((e) => e.windowId ?? null)), textArray(events.map((e) => e.event.account)),
        textArray(events.map((e) => e.event.region)), textArray(events.map((e) => eventDocument(e.event))),
      ]);
    },

    async readEvents(afterSeq, limit, scope) {
      const result = scope ? await readScopeEvents(session, [scope.account, scope.region, afterSeq, limit]) : await readEvents(session, [afterSeq, limit]);
      return result.rows.map(sequencedEvent);
    },

    async lastEventSeq() {
      return Number((await lastEventSeq(session, [])).rows[0].s);
    },

    async firstEventSeq() {
      const s = (await firstEventSeq(session, [])).rows[0].s;
      return s === null ? undefined : Number(s);
    },

    async pruneEvents(keep) {
      return (await pruneEvents(session, [keep])).rowCount ?? 0;
    },

    async addEventTarget(target, fromSeq) {
      const row = eventTargetRow(target);
      await addEventTarget(session, [target.id, row.doc, fromSeq, row.account, row.region]);
    },

    async listEventTargets(owner) {
      const result = owner === undefined ? await listEventTargets(session, [])
        : owner === null ? await listOperatorEventTargets(session, [])
          : await listScopeEventTargets(session, [owner.account, owner.region]);
      return result.rows.map(eventTargetState);
    },

    async deleteEventTarget(id, owner) {
      const deleted = owner === undefined ? await deleteEventTarget(session, [id])
        : owner === null ? await deleteOperatorEventTarget(session, [id])
          : await deleteScopeEventTarget(session, [id, owner.account, owner.region]);
      return (deleted.rowCount ?? 0) > 0;
    },

    async claimEventTarget(id, owner, now, until) {
      return ((await claimEventTarget(session, [id, owner, now, until])).rowCount ?? 0) > 0;
    },

    async releaseEventTarget(id, owner) {
      await releaseEventTarget(session, [id, owner]);
    },

    async saveEventTargetProgress(id, owner, progress) {
      return ((await saveEventTargetProgress(session, [id, owner, progress.deliveredSeq, progress.failures, progress.lastError ?? null])).rowCount ?? 0) > 0;
    },
  };
}
