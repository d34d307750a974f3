// The history port on PostgreSQL: window executions, task executions and their plans, invocations, the
// leases engine replicas hold on running executions, and the window-report mailbox.

import type { Invocation, TaskExecution, WindowExecution } from '../../domain/execution.ts';
import type { HistoryPort } from '../../service/ports.ts';
import { claimedExecution, countsByStatus, documentOf, keyedStored, storedOrNone, takenReports, taskPlan } from '../row-mappers.ts';
import { lastById, type Session, statement, textArray } from './postgres-database.ts';

/**
 * How old a lease may be and still not be renewed by renewLeases. Leases last at least a second
 * (--lease-seconds), so one keeps at least three quarters of its time at the start of every step.
 */
const RENEW_AFTER_MS = 250;

const insertWindowExecution = statement('insert_window_execution', 'INSERT INTO window_executions (account, region, window_id, id, status, doc, owner, lease_until) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)');
const updateWindowExecution = statement('update_window_execution', 'UPDATE window_executions SET status = $4, doc = $5, version = version + 1 WHERE account = $1 AND region = $2 AND id = $3');
// The one-row writes above, for rows a transaction gathered (Session.gather): one statement for a run of
// them, as if written one after another (in array order; an id updated twice moves its version twice).
const insertWindowExecutions = statement('insert_window_executions', `
  INSERT INTO window_executions (account, region, window_id, id, status, doc, owner, lease_until)
  SELECT unnest($1::text[]), unnest($2::text[]), unnest($3::text[]), unnest($4::text[]), unnest($5::text[]), unnest($6::text[]),
    unnest($7::text[]), unnest($8::bigint[])`);
const updateWindowExecutions = statement('update_window_executions', `
  UPDATE window_executions AS w SET status = r.status, doc = r.doc, version = w.version + r.writes
  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[]) AS r(account, region, id, status, doc, writes)
  WHERE w.account = r.account AND w.region = r.region AND w.id = r.id`);
const saveTaskPlans = statement('save_task_plans', `
  UPDATE task_executions AS t SET plan = r.plan
  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS r(account, region, id, plan)
  WHERE t.account = r.account AND t.region = r.region AND t.id = r.id`);
const selectWindowExecution = statement('select_window_execution', 'SELECT doc, version FROM window_executions WHERE account = $1 AND region = $2 AND id = $3');
const listWindowExecutions = statement('list_window_executions', 'SELECT seq, doc, version FROM window_executions WHERE account = $1 AND region = $2 AND window_id = $3 AND seq < $4 ORDER BY seq DESC LIMIT $5');
const latestWindowExecution = statement('latest_window_execution', 'SELECT doc, version FROM window_executions WHERE account = $1 AND region = $2 AND window_id = $3 ORDER BY seq DESC LIMIT 1');
// Batches are bound as parallel arrays (textArray: binary, so nothing is escaped) and unnested: one round
// trip per batch, and the rows take their seq in array order (WITH ORDINALITY ... ORDER BY), which is the
// keyset order the lists return.
const insertTaskExecutions = statement('insert_task_executions', `
  INSERT INTO task_executions (account, region, window_execution_id, id, status, doc)
  SELECT $1, $2, r.parent, r.id, r.status, r.doc
  FROM unnest($3::text[], $4::text[], $5::text[], $6::text[]) WITH ORDINALITY AS r(parent, id, status, doc, n)
  ORDER BY r.n`);
const updateTaskExecutions = statement('update_task_executions', `
  UPDATE task_executions AS t SET status = r.status, doc = r.doc, version = t.version + 1
  FROM unnest($3::text[], $4::text[], $5::text[]) AS r(id, status, doc)
  WHERE t.account = $1 AND t.region = $2 AND t.id = r.id`);
const selectTaskExecution = statement('select_task_execution', 'SELECT doc, version FROM task_executions WHERE account = $1 AND region = $2 AND id = $3');
const listTaskExecutions = statement('list_task_executions', 'SELECT seq, doc, version FROM task_executions WHERE account = $1 AND region = $2 AND window_execution_id = $3 AND seq > $4 ORDER BY seq LIMIT $5');
const listTaskExecutionsWithStatus = statement('list_task_executions_with_status', 'SELECT seq, doc, version FROM task_executions WHERE account = $1 AND region = $2 AND window_execution_id = $3 AND seq > $4 AND status = ANY($6::text[]) ORDER BY seq LIMIT $5');
const saveTaskPlan = statement('save_task_plan', 'UPDATE task_executions SET plan = $4 WHERE account = $1 AND region = $2 AND id = $3');
const selectTaskPlan = statement('select_task_plan', 'SELECT plan FROM task_executions WHERE account = $1 AND region = $2 AND id = $3');
const insertInvocations = statement('insert_invocations', `
  INSERT INTO invocations (account, region, task_execution_id, id, status, doc)
  SELECT $1, $2, r.parent, r.id, r.status, r.doc
  FROM unnest($3::text[], $4::text[], $5::text[], $6::text[]) WITH ORDINALITY AS r(parent, id, status, doc, n)
  ORDER BY r.n`);
const updateInvocations = statement('update_invocations', `
  UPDATE invocations AS i SET status = r.status, doc = r.doc, version = i.version + 1
  FROM unnest($3::text[], $4::text[], $5::text[]) AS r(id, status, doc)
  WHERE i.account = $1 AND i.region = $2 AND i.id = r.id`);
const selectInvocation = statement('select_invocation', 'SELECT doc, version FROM invocations WHERE account = $1 AND region = $2 AND id = $3');
const countInvocationsByStatus = statement('count_invocations_by_status', 'SELECT status, COUNT(*) AS n FROM invocations WHERE account = $1 AND region = $2 AND task_execution_id = $3 GROUP BY status');
const listInvocations = statement('list_invocations', 'SELECT seq, doc, version FROM invocations WHERE account = $1 AND region = $2 AND task_execution_id = $3 AND seq > $4 ORDER BY seq LIMIT $5');
const listInvocationsWithStatus = statement('list_invocations_with_status', 'SELECT seq, doc, version FROM invocations WHERE account = $1 AND region = $2 AND task_execution_id = $3 AND seq > $4 AND status = ANY($6::text[]) ORDER BY seq LIMIT $5');
// A replica takes running executions nobody holds, or whose lease ran out. SKIP LOCKED: rows another
// replica is claiming or stepping right now are left to it; a row whose lease that replica just renewed
// and committed is re-checked after the lock and no longer matches. Returned in creation order.
const claimExecutions = statement('claim_executions', `
  WITH claimed AS (
    UPDATE window_executions SET owner = $1, lease_until = $2
    WHERE seq IN (
      SELECT seq FROM window_executions
      WHERE status IN ('PENDING', 'IN_PROGRESS', 'CANCELLING') AND (owner IS NULL OR lease_until < $3)
      ORDER BY seq LIMIT $4 FOR UPDATE SKIP LOCKED)
    RETURNING seq, account, region, doc)
  SELECT account, region, doc FROM claimed ORDER BY seq`);
// Every held row is locked until the step's transaction ends (the fence), but a lease renewed less than
// RENEW_AFTER_MS ago keeps its time: an engine stepping many times a second would otherwise rewrite every
// running execution's row at each step (1,000 rows 60 times in the engine benchmark's one clock move).
// NO KEY UPDATE is the lock the UPDATE took: a stronger one, then this transaction's own update of the
// row, would make PostgreSQL record both in a MultiXact.
const renewLeases = statement('renew_leases', `
  WITH held AS (
    SELECT seq, id, lease_until FROM window_executions
    WHERE owner = $1 AND status IN ('PENDING', 'IN_PROGRESS', 'CANCELLING') FOR NO KEY UPDATE),
  renewed AS (
    UPDATE window_executions AS e SET lease_until = $2 FROM held WHERE e.seq = held.seq AND held.lease_until < $3)
  SELECT id FROM held`);
const releaseLeases = statement('release_leases', 'UPDATE window_executions SET owner = NULL, lease_until = NULL WHERE owner = $1');
const listLeaseOwners = statement('list_lease_owners', "SELECT DISTINCT owner FROM window_executions WHERE owner IS NOT NULL AND status IN ('PENDING', 'IN_PROGRESS', 'CANCELLING') ORDER BY owner");
// Only for a running execution: a report reaching an execution that ended has nobody to read it.
const putWindowReport = statement('put_window_report', `
  INSERT INTO window_reports (account, region, invocation_id, window_execution_id, at, doc)
  SELECT $1, $2, $3, $4, $5, $6 WHERE EXISTS (
    SELECT 1 FROM window_executions WHERE account = $1 AND region = $2 AND id = $4 AND status IN ('PENDING', 'IN_PROGRESS', 'CANCELLING'))
  ON CONFLICT (account, region, invocation_id) DO UPDATE SET at = excluded.at, doc = excluded.doc`);
const takeWindowReports = statement('take_window_reports', `
  WITH due AS (
    SELECT r.account, r.region, r.invocation_id FROM window_reports r
    JOIN window_executions e ON e.account = r.account AND e.region = r.region AND e.id = r.window_execution_id
    WHERE e.owner = $1 AND r.at <= $2 ORDER BY r.at LIMIT $3 FOR UPDATE OF r)
  DELETE FROM window_reports w USING due
  WHERE w.account = due.account AND w.region = due.region AND w.invocation_id = due.invocation_id
  RETURNING w.account, w.region, w.doc`);

/** Column `i` of every row. */
function column(rows: readonly unknown[][], i: number): (string | null)[] {
  return rows.map((row) => row[i] as string | null);
}

function insertedExecutions(rows: unknown[][]) {
  return insertWindowExecutions.config([...[0, 1, 2, 3, 4, 5, 6].map((i) => textArray(column(rows, i))), rows.map((row) => row[7])]);
}

/** The last state of each execution, and how many writes it stands for (each moves the version once). */
function updatedExecutions(rows: unknown[][]) {
  const last = new Map<string, { row: unknown[]; writes: number }>();
  for (const row of rows) {
    const key = `${row[0]}|${row[1]}|${row[2]}`;
    last.set(key, { row, writes: (last.get(key)?.writes ?? 0) + 1 });
  }
  const kept = [...last.values()];
  return updateWindowExecutions.config([...[0, 1, 2, 3, 4].map((i) => textArray(column(kept.map((k) => k.row), i))), kept.map((k) => k.writes)]);
}

/** The last plan of each task execution, as writing them one after another leaves it. */
function savedPlans(rows: unknown[][]) {
  const kept = [...new Map(rows.map((row) => [`${row[0]}|${row[1]}|${row[2]}`, row] as const)).values()];
  return saveTaskPlans.config([0, 1, 2, 3].map((i) => textArray(column(kept, i))));
}

export function postgresHistory(session: Session): HistoryPort {
  return {
    // ---- window executions

    async insertWindowExecution(scope, e, lease) {
      const row = [scope.account, scope.region, e.windowId, e.id, e.status, documentOf(e), lease?.owner ?? null, lease?.until ?? null];
      if (session.gather) session.gather('insert_window_execution', row, insertedExecutions);
      else await insertWindowExecution(session, row);
    },

    async updateWindowExecution(scope, e) {
      const row = [scope.account, scope.region, e.id, e.status, documentOf(e)];
      if (session.gather) session.gather('update_window_execution', row, updatedExecutions);
      else await updateWindowExecution(session, row);
    },

    async getWindowExecution(scope, executionId) {
      return storedOrNone<WindowExecution>((await selectWindowExecution(session, [scope.account, scope.region, executionId])).rows[0]);
    },

    async listWindowExecutions(scope, windowId, beforeKey, limit) {
      return keyedStored<WindowExecution>((await listWindowExecutions(session, [scope.account, scope.region, windowId, beforeKey, limit])).rows);
    },

    async latestWindowExecution(scope, windowId) {
      return storedOrNone<WindowExecution>((await latestWindowExecution(session, [scope.account, scope.region, windowId])).rows[0]);
    },

    // ---- task executions

    async insertTaskExecutions(scope, executions) {
      if (executions.length === 0) return;
      await insertTaskExecutions.write(session, [
        scope.account, scope.region,
        textArray(executions.map((e) => e.windowExecutionId)), textArray(executions.map((e) => e.id)), textArray(executions.map((e) => e.status)),
        textArray(executions.map(documentOf)),
      ]);
    },

    async updateTaskExecutions(scope, executions) {
      const rows = lastById(executions);
      if (rows.length === 0) return;
      await updateTaskExecutions.write(session, [scope.account, scope.region, textArray(rows.map((e) => e.id)), textArray(rows.map((e) => e.status)), textArray(rows.map(documentOf))]);
    },

    async getTaskExecution(scope, taskExecutionId) {
      return storedOrNone<TaskExecution>((await selectTaskExecution(session, [scope.account, scope.region, taskExecutionId])).rows[0]);
    },

    async listTaskExecutions(scope, windowExecutionId, afterKey, limit, statuses) {
      const key = [scope.account, scope.region, windowExecutionId, afterKey, limit];
      const result = statuses ? await listTaskExecutionsWithStatus(session, [...key, [...statuses]]) : await listTaskExecutions(session, key);
      return keyedStored<TaskExecution>(result.rows);
    },

    async saveTaskPlan(scope, taskExecutionId, plan) {
      const row = [scope.account, scope.region, taskExecutionId, JSON.stringify(plan)];
      if (session.gather) session.gather('save_task_plan', row, savedPlans);
      else await saveTaskPlan(session, row);
    },

    async getTaskPlan(scope, taskExecutionId) {
      return taskPlan((await selectTaskPlan(session, [scope.account, scope.region, taskExecutionId])).rows[0]);
    },

    // ---- invocations

    async insertInvocations(scope, invocations) {
      if (invocations.length === 0) return;
      await insertInvocations.write(session, [
        scope.account, scope.region,
        textArray(invocations.map((i) => i.taskExecutionId)), textArray(invocations.map((i) => i.id)), textArray(invocations.map((i) => i.status)),
        textArray(invocations.map(documentOf)),
      ]);
    },

    async updateInvocations(scope, invocations) {
      const rows = lastById(invocations);
      if (rows.length === 0) return;
      await updateInvocations.write(session, [scope.account, scope.region, textArray(rows.map((i) => i.id)), textArray(rows.map((i) => i.status)), textArray(rows.map(documentOf))]);
    },

    async getInvocation(scope, invocationId) {
      return storedOrNone<Invocation>((await selectInvocation(session, [scope.account, scope.region, invocationId])).rows[0]);
    },

    async listInvocations(scope, taskExecutionId, afterKey, limit, statuses) {
      const key = [scope.account, scope.region, taskExecutionId, afterKey, limit];
      const result = statuses ? await listInvocationsWithStatus(session, [...key, [...statuses]]) : await listInvocations(session, key);
      return keyedStored<Invocation>(result.rows);
    },

    async countInvocationsByStatus(scope, taskExecutionId) {
      return countsByStatus((await countInvocationsByStatus(session, [scope.account, scope.region, taskExecutionId])).rows);
    },

    // ---- leases on running executions

    async claimExecutions(lease, now, limit) {
      return (await claimExecutions(session, [lease.owner, lease.until, now, limit])).rows.map(claimedExecution);
    },

    async renewLeases(lease) {
      return (await renewLeases(session, [lease.owner, lease.until, lease.until - RENEW_AFTER_MS])).rows.map((row) => String(row.id));
    },

    async releaseLeases(owner) {
      await releaseLeases(session, [owner]);
    },

    async listLeaseOwners() {
      return (await listLeaseOwners(session, [])).rows.map((row) => String(row.owner));
    },

    // ---- window reports

    async putWindowReport(scope, report) {
      await putWindowReport(session, [scope.account, scope.region, report.invocationId, report.windowExecutionId, report.at, JSON.stringify(report)]);
    },

    async takeWindowReports(owner, now, limit) {
      return takenReports((await takeWindowReports(session, [owner, now, limit])).rows);
    },
  };
}
