// The sessions port on SQLite: Session Manager sessions and the signals waiting for a node's agent. One
// writer at a time (transactions are BEGIN IMMEDIATE): a read inside a transaction is already held.

import type { Session } from '../../domain/sessions.ts';
import type { SessionsPort, StoredSessionSignal } from '../../service/ports.ts';
import { documentOf, documents, keyed, parsed, type Row } from '../row-mappers.ts';
import type { SqliteDatabase } from './sqlite-database.ts';

const ACTIVE = "('Connecting', 'Connected', 'Disconnected', 'Terminating')";

const statements = {
  insert: 'INSERT INTO sessions (account, region, id, doc, status, node_id) VALUES (?, ?, ?, ?, ?, ?)',
  select: 'SELECT doc FROM sessions WHERE account = ? AND region = ? AND id = ?',
  locate: 'SELECT account, region FROM sessions WHERE id = ?',
  update: 'UPDATE sessions SET doc = ?, status = ? WHERE account = ? AND region = ? AND id = ?',
  // Four status slots: a State names two or four statuses (the shorter list is padded with repeats).
  list: 'SELECT seq, doc FROM sessions WHERE account = ? AND region = ? AND status IN (?, ?, ?, ?) AND seq < ? ORDER BY seq DESC LIMIT ?',
  activeOfNode: `SELECT doc FROM sessions WHERE account = ? AND region = ? AND node_id = ? AND status IN ${ACTIVE} ORDER BY seq`,
  countActive: `SELECT COUNT(*) AS n FROM sessions WHERE status IN ${ACTIVE}`,
  connecting: "SELECT account, region, doc FROM sessions WHERE status = 'Connecting' ORDER BY seq LIMIT ?",
  queueSignal: 'INSERT INTO session_signals (account, region, node_id, session_id, at, doc) VALUES (?, ?, ?, ?, ?, ?)',
  pendingSignals: 'SELECT seq, doc FROM session_signals WHERE account = ? AND region = ? AND node_id = ? AND sent_at IS NULL ORDER BY seq',
  markSent: 'UPDATE session_signals SET sent_at = ? WHERE seq = ?',
  dropSignals: 'DELETE FROM session_signals WHERE account = ? AND region = ? AND session_id = ? AND sent_at IS NULL',
};

/** `statuses` as the four bound values of an IN list. */
export function fourStatuses(statuses: readonly string[]): string[] {
  return [0, 1, 2, 3].map((i) => statuses[Math.min(i, statuses.length - 1)]);
}

export function sqliteSessions(db: SqliteDatabase): SessionsPort {
  const sql = db.prepare(statements);
  return {
    async insertSession(scope, session) {
      sql.insert.run(scope.account, scope.region, session.id, documentOf(session), session.status, session.target);
    },

    async getSession(scope, sessionId) {
      return parsed<Session>(sql.select.get(scope.account, scope.region, sessionId) as Row | undefined);
    },

    async locateSession(sessionId) {
      const row = sql.locate.get(sessionId) as Row | undefined;
      return row ? { account: String(row.account), region: String(row.region) } : undefined;
    },

    async updateSession(scope, session) {
      sql.update.run(documentOf(session), session.status, scope.account, scope.region, session.id);
    },

    async listSessions(scope, statuses, beforeKey, limit) {
      return keyed<Session>(sql.list.all(scope.account, scope.region, ...fourStatuses(statuses), beforeKey, limit) as Row[]);
    },

    async listActiveSessionsOfNode(scope, nodeId) {
      return documents<Session>(sql.activeOfNode.all(scope.account, scope.region, nodeId) as Row[]);
    },

    async countActiveSessions() {
      return Number((sql.countActive.get() as Row).n);
    },

    async listConnectingSessions(limit) {
      return (sql.connecting.all(limit) as Row[]).map((row) => ({ scope: { account: String(row.account), region: String(row.region) }, session: parsed<Session>(row)! }));
    },

    async queueSessionSignal(scope, nodeId, signal, at) {
      sql.queueSignal.run(scope.account, scope.region, nodeId, signal.sessionId, at, JSON.stringify(signal));
    },

    async takeSessionSignals(scope, nodeId, now) {
      const rows = sql.pendingSignals.all(scope.account, scope.region, nodeId) as Row[];
      for (const row of rows) sql.markSent.run(now, Number(row.seq));
      return documents<StoredSessionSignal>(rows);
    },

    async dropSessionSignals(scope, sessionId) {
      sql.dropSignals.run(scope.account, scope.region, sessionId);
    },
  };
}
