// The sessions port on PostgreSQL: Session Manager sessions and the signals waiting for a node's agent.
// Inside a transaction a session read is locked until it ends (FOR UPDATE), so TerminateSession, the
// relay's reports and a deregistration move it one at a time; a node's signals are taken with FOR UPDATE
// SKIP LOCKED and marked in the same statement, so two replicas never hand out one signal twice.

import type { Session } from '../../domain/sessions.ts';
import type { SessionsPort, StoredSessionSignal } from '../../service/ports.ts';
import { documentOf, documents, keyed, parsed, type Row } from '../row-mappers.ts';
import { type Session as DbSession, statement } from './postgres-database.ts';

const ACTIVE = "('Connecting', 'Connected', 'Disconnected', 'Terminating')";

const insert = statement('insert_session', 'INSERT INTO sessions (account, region, id, doc, status, node_id) VALUES ($1, $2, $3, $4, $5, $6)');
const select = statement('select_session', 'SELECT doc FROM sessions WHERE account = $1 AND region = $2 AND id = $3');
const selectForUpdate = statement('select_session_for_update', 'SELECT doc FROM sessions WHERE account = $1 AND region = $2 AND id = $3 FOR UPDATE');
const locate = statement('locate_session', 'SELECT account, region FROM sessions WHERE id = $1');
const update = statement('update_session', 'UPDATE sessions SET doc = $4, status = $5 WHERE account = $1 AND region = $2 AND id = $3');
const list = statement('list_sessions', 'SELECT seq, doc FROM sessions WHERE account = $1 AND region = $2 AND status = ANY($3::text[]) AND seq < $4 ORDER BY seq DESC LIMIT $5');
const activeOfNode = statement('active_sessions_of_node', `SELECT doc FROM sessions WHERE account = $1 AND region = $2 AND node_id = $3 AND status IN ${ACTIVE} ORDER BY seq`);
const countActive = statement('count_active_sessions', `SELECT COUNT(*) AS n FROM sessions WHERE status IN ${ACTIVE}`);
const connecting = statement('connecting_sessions', "SELECT account, region, doc FROM sessions WHERE status = 'Connecting' ORDER BY seq LIMIT $1");
const queueSignal = statement('queue_session_signal', 'INSERT INTO session_signals (account, region, node_id, session_id, at, doc) VALUES ($1, $2, $3, $4, $5, $6)');
const takeSignals = statement('take_session_signals', `
  UPDATE session_signals SET sent_at = $4 WHERE seq IN (
    SELECT seq FROM session_signals WHERE account = $1 AND region = $2 AND node_id = $3 AND sent_at IS NULL FOR UPDATE SKIP LOCKED
  ) RETURNING seq, doc`);
const dropSignals = statement('drop_session_signals', 'DELETE FROM session_signals WHERE account = $1 AND region = $2 AND session_id = $3 AND sent_at IS NULL');

export function postgresSessions(session: DbSession, inTransaction: boolean): SessionsPort {
  return {
    async insertSession(scope, s) {
      await insert(session, [scope.account, scope.region, s.id, documentOf(s), s.status, s.target]);
    },

    async getSession(scope, sessionId) {
      const read = inTransaction ? selectForUpdate : select;
      return parsed<Session>((await read(session, [scope.account, scope.region, sessionId])).rows[0]);
    },

    async locateSession(sessionId) {
      const row = (await locate(session, [sessionId])).rows[0];
      return row ? { account: String(row.account), region: String(row.region) } : undefined;
    },

    async updateSession(scope, s) {
      await update(session, [scope.account, scope.region, s.id, documentOf(s), s.status]);
    },

    async listSessions(scope, statuses, beforeKey, limit) {
      return keyed<Session>((await list(session, [scope.account, scope.region, [...statuses], beforeKey, limit])).rows);
    },

    async listActiveSessionsOfNode(scope, nodeId) {
      return documents<Session>((await activeOfNode(session, [scope.account, scope.region, nodeId])).rows);
    },

    async countActiveSessions() {
      return Number((await countActive(session, [])).rows[0].n);
    },

    async listConnectingSessions(limit) {
      return (await connecting(session, [limit])).rows.map((row: Row) => ({ scope: { account: String(row.account), region: String(row.region) }, session: parsed<Session>(row)! }));
    },

    async queueSessionSignal(scope, nodeId, signal, at) {
      await queueSignal(session, [scope.account, scope.region, nodeId, signal.sessionId, at, JSON.stringify(signal)]);
    },

    async takeSessionSignals(scope, nodeId, now) {
      const rows = (await takeSignals(session, [scope.account, scope.region, nodeId, now])).rows as Row[];
      return documents<StoredSessionSignal>(rows.sort((a, b) => Number(a.seq) - Number(b.seq)));
    },

    async dropSessionSignals(scope, sessionId) {
      await dropSignals(session, [scope.account, scope.region, sessionId]);
    },
  };
}
