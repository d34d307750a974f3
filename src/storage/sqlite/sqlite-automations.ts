// The automations port on SQLite: automation executions and their inbox. One writer at a time
// (transactions are BEGIN IMMEDIATE): a read inside a transaction is already held.

import type { AutomationEvent, AutomationExecution } from '../../domain/automation/execution.ts';
import type { AutomationsPort } from '../../service/ports.ts';
import { documentOf, keyed, parsed, type Row } from '../row-mappers.ts';
import type { SqliteDatabase } from './sqlite-database.ts';

const statements = {
  insert: 'INSERT INTO automation_executions (account, region, id, doc, status, due_at, parent_id) VALUES (?, ?, ?, ?, ?, ?, ?)',
  select: 'SELECT doc FROM automation_executions WHERE account = ? AND region = ? AND id = ?',
  update: 'UPDATE automation_executions SET doc = ?, status = ?, due_at = ? WHERE account = ? AND region = ? AND id = ?',
  list: 'SELECT seq, doc FROM automation_executions WHERE account = ? AND region = ? AND seq < ? ORDER BY seq DESC LIMIT ?',
  countRunning: "SELECT COUNT(*) AS n FROM automation_executions WHERE account = ? AND region = ? AND status NOT IN ('Success', 'Failed', 'TimedOut', 'Cancelled')",
  listChildren: 'SELECT seq, doc FROM automation_executions WHERE account = ? AND region = ? AND parent_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?',
  putInbox: 'INSERT INTO automation_inbox (account, region, execution_id, at, doc) VALUES (?, ?, ?, ?, ?)',
  inbox: 'SELECT seq, doc FROM automation_inbox WHERE account = ? AND region = ? AND execution_id = ? AND at <= ? ORDER BY seq',
  deleteInbox: 'DELETE FROM automation_inbox WHERE seq = ?',
  earliest: 'SELECT min(t) AS t FROM (SELECT min(due_at) AS t FROM automation_executions WHERE due_at IS NOT NULL UNION ALL SELECT min(at) FROM automation_inbox)',
  due: `SELECT account, region, id FROM (
          SELECT account, region, id FROM automation_executions WHERE due_at IS NOT NULL AND due_at <= ?
          UNION SELECT account, region, execution_id AS id FROM automation_inbox WHERE at <= ?
        ) ORDER BY account, region, id LIMIT ?`,
};

export function sqliteAutomations(db: SqliteDatabase): AutomationsPort {
  const sql = db.prepare(statements);
  return {
    async insertAutomationExecution(scope, execution) {
      sql.insert.run(scope.account, scope.region, execution.id, documentOf(execution), execution.status, execution.dueAt ?? null, execution.parentId ?? null);
    },

    async getAutomationExecution(scope, id) {
      return parsed<AutomationExecution>(sql.select.get(scope.account, scope.region, id) as Row | undefined);
    },

    async updateAutomationExecution(scope, execution) {
      sql.update.run(documentOf(execution), execution.status, execution.dueAt ?? null, scope.account, scope.region, execution.id);
    },

    async countRunningAutomations(scope) {
      return Number((sql.countRunning.get(scope.account, scope.region) as Row).n);
    },

    async listAutomationExecutions(scope, beforeKey, limit, parentId) {
      const rows = parentId === undefined
        ? sql.list.all(scope.account, scope.region, beforeKey, limit)
        : sql.listChildren.all(scope.account, scope.region, parentId, beforeKey, limit);
      return keyed<AutomationExecution>(rows as Row[]);
    },

    async putAutomationInbox(scope, executionId, event, at) {
      sql.putInbox.run(scope.account, scope.region, executionId, at, JSON.stringify(event));
    },

    async takeAutomationInbox(scope, executionId, now) {
      const rows = sql.inbox.all(scope.account, scope.region, executionId, now) as Row[];
      for (const row of rows) sql.deleteInbox.run(Number(row.seq));
      return rows.map((row) => JSON.parse(String(row.doc)) as AutomationEvent);
    },

    async earliestAutomationEvent() {
      const t = (sql.earliest.get() as Row).t;
      return t === null || t === undefined ? undefined : Number(t);
    },

    async listDueAutomations(now, limit) {
      return (sql.due.all(now, now, limit) as Row[]).map((row) => ({ scope: { account: String(row.account), region: String(row.region) }, executionId: String(row.id) }));
    },
  };
}
