// The automations port on PostgreSQL: automation executions and their inbox. Inside a transaction an
// execution read is locked until it ends (FOR UPDATE), so two replicas' steps move it one at a time; the
// inbox is written without touching the execution (no lock taken, none waited for).

import type { AutomationEvent, AutomationExecution } from '../../domain/automation/execution.ts';
import type { AutomationsPort } from '../../service/ports.ts';
import { documentOf, keyed, parsed, type Row } from '../row-mappers.ts';
import { type Session, statement } from './postgres-database.ts';

const insert = statement('insert_automation', 'INSERT INTO automation_executions (account, region, id, doc, status, due_at, parent_id) VALUES ($1, $2, $3, $4, $5, $6, $7)');
const select = statement('select_automation', 'SELECT doc FROM automation_executions WHERE account = $1 AND region = $2 AND id = $3');
const selectForUpdate = statement('select_automation_for_update', 'SELECT doc FROM automation_executions WHERE account = $1 AND region = $2 AND id = $3 FOR UPDATE');
const update = statement('update_automation', 'UPDATE automation_executions SET doc = $4, status = $5, due_at = $6 WHERE account = $1 AND region = $2 AND id = $3');
const countRunning = statement('count_running_automations', "SELECT COUNT(*) AS n FROM automation_executions WHERE account = $1 AND region = $2 AND status NOT IN ('Success', 'Failed', 'TimedOut', 'Cancelled')");
const list = statement('list_automations', 'SELECT seq, doc FROM automation_executions WHERE account = $1 AND region = $2 AND seq < $3 ORDER BY seq DESC LIMIT $4');
const listChildren = statement('list_automation_children', 'SELECT seq, doc FROM automation_executions WHERE account = $1 AND region = $2 AND parent_id = $3 AND seq < $4 ORDER BY seq DESC LIMIT $5');
const putInbox = statement('put_automation_inbox', 'INSERT INTO automation_inbox (account, region, execution_id, at, doc) VALUES ($1, $2, $3, $4, $5)');
const takeInbox = statement('take_automation_inbox', `
  DELETE FROM automation_inbox WHERE seq IN (
    SELECT seq FROM automation_inbox WHERE account = $1 AND region = $2 AND execution_id = $3 AND at <= $4
  ) RETURNING seq, doc`);
const earliest = statement('earliest_automation_event', `
  SELECT least((SELECT min(due_at) FROM automation_executions WHERE due_at IS NOT NULL), (SELECT min(at) FROM automation_inbox)) AS t`);
const due = statement('list_due_automations', `
  SELECT account, region, id FROM (
    SELECT account, region, id FROM automation_executions WHERE due_at IS NOT NULL AND due_at <= $1
    UNION SELECT account, region, execution_id AS id FROM automation_inbox WHERE at <= $1
  ) due ORDER BY account, region, id LIMIT $2`);

export function postgresAutomations(session: Session, inTransaction: boolean): AutomationsPort {
  return {
    async insertAutomationExecution(scope, execution) {
      await insert(session, [scope.account, scope.region, execution.id, documentOf(execution), execution.status, execution.dueAt ?? null, execution.parentId ?? null]);
    },

    async getAutomationExecution(scope, id) {
      const read = inTransaction ? selectForUpdate : select;
      return parsed<AutomationExecution>((await read(session, [scope.account, scope.region, id])).rows[0]);
    },

    async updateAutomationExecution(scope, execution) {
      await update(session, [scope.account, scope.region, execution.id, documentOf(execution), execution.status, execution.dueAt ?? null]);
    },

    async countRunningAutomations(scope) {
      return Number((await countRunning(session, [scope.account, scope.region])).rows[0].n);
    },

    async listAutomationExecutions(scope, beforeKey, limit, parentId) {
      const rows = parentId === undefined
        ? await list(session, [scope.account, scope.region, beforeKey, limit])
        : await listChildren(session, [scope.account, scope.region, parentId, beforeKey, limit]);
      return keyed<AutomationExecution>(rows.rows);
    },

    async putAutomationInbox(scope, executionId, event, at) {
      await putInbox(session, [scope.account, scope.region, executionId, at, JSON.stringify(event)]);
    },

    async takeAutomationInbox(scope, executionId, now) {
      const rows = (await takeInbox(session, [scope.account, scope.region, executionId, now])).rows as Row[];
      return rows.sort((a, b) => Number(a.seq) - Number(b.seq)).map((row) => JSON.parse(String(row.doc)) as AutomationEvent);
    },

    async earliestAutomationEvent() {
      const t = (await earliest(session, [])).rows[0].t;
      return t === null ? undefined : Number(t);
    },

    async listDueAutomations(now, limit) {
      return (await due(session, [now, limit])).rows.map((row: Row) => ({ scope: { account: String(row.account), region: String(row.region) }, executionId: String(row.id) }));
    },
  };
}
