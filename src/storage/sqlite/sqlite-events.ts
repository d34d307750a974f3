// The events port on SQLite: events in one sequence (SQLite has one writer, so seq order is commit
// order), and each delivery target's progress and lease.

import type { EventsPort } from '../../service/ports.ts';
import { eventDocument } from '../event-rows.ts';
import { eventTargetRow, eventTargetState, type Row, sequencedEvent } from '../row-mappers.ts';
import type { SqliteDatabase } from './sqlite-database.ts';

const TARGET_COLUMNS = 'SELECT doc, delivered_seq, failures, last_error, account, region FROM event_targets';

const statements = {
  insertEvent: 'INSERT INTO events (id, window_id, account, region, doc) VALUES (?, ?, ?, ?, ?)',
  readEvents: 'SELECT seq, window_id, doc, account, region FROM events WHERE seq > ? ORDER BY seq LIMIT ?',
  readScopeEvents: 'SELECT seq, window_id, doc, account, region FROM events WHERE account = ? AND region = ? AND seq > ? ORDER BY seq LIMIT ?',
  lastEventSeq: 'SELECT coalesce(max(seq), 0) AS s FROM events',
  firstEventSeq: 'SELECT min(seq) AS s FROM events',
  pruneEvents: 'DELETE FROM events WHERE seq <= (SELECT max(seq) FROM events) - ?',
  // A known id keeps its progress; its owner is set again (a flag's target made before owners existed is the operator's again).
  addEventTarget: 'INSERT INTO event_targets (id, doc, delivered_seq, account, region) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET account = excluded.account, region = excluded.region',
  listEventTargets: `${TARGET_COLUMNS} ORDER BY id`,
  listOperatorEventTargets: `${TARGET_COLUMNS} WHERE account IS NULL ORDER BY id`,
  listScopeEventTargets: `${TARGET_COLUMNS} WHERE account = ? AND region = ? ORDER BY id`,
  deleteEventTarget: 'DELETE FROM event_targets WHERE id = ?',
  deleteOperatorEventTarget: 'DELETE FROM event_targets WHERE id = ? AND account IS NULL',
  deleteScopeEventTarget: 'DELETE FROM event_targets WHERE id = ? AND account = ? AND region = ?',
  claimEventTarget: 'UPDATE event_targets SET owner = ?, lease_until = ? WHERE id = ? AND (owner IS NULL OR owner = ? OR lease_until < ?)',
  releaseEventTarget: 'UPDATE event_targets SET owner = NULL, lease_until = NULL WHERE id = ? AND owner = ?',
  saveEventTargetProgress: 'UPDATE event_targets SET delivered_seq = ?, failures = ?, last_error = ? WHERE id = ? AND owner = ?',
};

export function sqliteEvents(db: SqliteDatabase): EventsPort {
  const sql = db.prepare(statements);
  return {
    async appendEvents(events) {
      for (const e of events) sql.insertEvent.run(e.event.id, e.windowId ?? null, e.event.account, e.event.region, eventDocument(e.event));
    },

    async readEvents(afterSeq, limit, scope) {
      const rows = scope ? sql.readScopeEvents.all(scope.account, scope.region, afterSeq, limit) : sql.readEvents.all(afterSeq, limit);
      return (rows as Row[]).map(sequencedEvent);
    },

    async lastEventSeq() {
      return Number((sql.lastEventSeq.get() as Row).s);
    },

    async firstEventSeq() {
      const s = (sql.firstEventSeq.get() as Row).s;
      return s === null ? undefined : Number(s);
    },

    async pruneEvents(keep) {
      return Number(sql.pruneEvents.run(keep).changes);
    },

    async addEventTarget(target, fromSeq) {
      const row = eventTargetRow(target);
      sql.addEventTarget.run(target.id, row.doc, fromSeq, row.account, row.region);
    },

    async listEventTargets(owner) {
      const rows = owner === undefined ? sql.listEventTargets.all()
        : owner === null ? sql.listOperatorEventTargets.all()
          : sql.listScopeEventTargets.all(owner.account, owner.region);
      return (rows as Row[]).map(eventTargetState);
    },

    async deleteEventTarget(id, owner) {
      const deleted = owner === undefined ? sql.deleteEventTarget.run(id)
        : owner === null ? sql.deleteOperatorEventTarget.run(id)
          : sql.deleteScopeEventTarget.run(id, owner.account, owner.region);
      return Number(deleted.changes) > 0;
    },

    async claimEventTarget(id, owner, now, until) {
      return Number(sql.claimEventTarget.run(owner, until, id, owner, now).changes) > 0;
    },

    async releaseEventTarget(id, owner) {
      sql.releaseEventTarget.run(id, owner);
    },

    async saveEventTargetProgress(id, owner, progress) {
      return Number(sql.saveEventTargetProgress.run(progress.deliveredSeq, progress.failures, progress.lastError ?? null, id, owner).changes) > 0;
    },
  };
}
