// The history port on SQLite: window executions, task executions and their plans, invocations, the
// leases on running executions and the window-report mailbox. The documents read by every history call
// are cached (doc-cache.ts says why that is safe); each invocation call also checks its two parents, so
// those are cached as well. Every write here drops what it changed.

import type { Invocation, TaskExecution, WindowExecution } from '../../domain/execution.ts';
import type { HistoryPort, Stored } from '../../service/ports.ts';
import { claimedExecution, countsByStatus, documentOf, keyedStored, type Row, storedOrNone, takenReports, taskPlan } from '../row-mappers.ts';
import { cacheKey, type SqliteDatabase } from './sqlite-database.ts';

const SCOPE_AND_ID = 'account = ? AND region = ? AND id = ?';
// Status lists are bound as one JSON array parameter so a statement serves any number of statuses.
const STATUS_IN = 'status IN (SELECT value FROM json_each(?))';
const RUNNING = "status IN ('PENDING', 'IN_PROGRESS', 'CANCELLING')";

const statements = {
  insertWindowExecution: 'INSERT INTO window_executions (account, region, window_id, id, status, doc, owner, lease_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  updateWindowExecution: `UPDATE window_executions SET status = ?, doc = ?, version = version + 1 WHERE ${SCOPE_AND_ID}`,
  selectWindowExecution: `SELECT doc, version FROM window_executions WHERE ${SCOPE_AND_ID}`,
  listWindowExecutions: 'SELECT seq, doc, version FROM window_executions WHERE account = ? AND region = ? AND window_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?',
  latestWindowExecution: 'SELECT doc, version FROM window_executions WHERE account = ? AND region = ? AND window_id = ? ORDER BY seq DESC LIMIT 1',

  insertTaskExecution: 'INSERT INTO task_executions (account, region, window_execution_id, id, status, doc) VALUES (?, ?, ?, ?, ?, ?)',
  updateTaskExecution: `UPDATE task_executions SET status = ?, doc = ?, version = version + 1 WHERE ${SCOPE_AND_ID}`,
  selectTaskExecution: `SELECT doc, version FROM task_executions WHERE ${SCOPE_AND_ID}`,
  listTaskExecutions: 'SELECT seq, doc, version FROM task_executions WHERE account = ? AND region = ? AND window_execution_id = ? AND seq > ? ORDER BY seq LIMIT ?',
  listTaskExecutionsWithStatus: `SELECT seq, doc, version FROM task_executions WHERE account = ? AND region = ? AND window_execution_id = ? AND ${STATUS_IN} AND seq > ? ORDER BY seq LIMIT ?`,
  saveTaskPlan: `UPDATE task_executions SET plan = ? WHERE ${SCOPE_AND_ID}`,
  selectTaskPlan: `SELECT plan FROM task_executions WHERE ${SCOPE_AND_ID}`,

  insertInvocation: 'INSERT INTO invocations (account, region, task_execution_id, id, status, doc) VALUES (?, ?, ?, ?, ?, ?)',
  updateInvocation: `UPDATE invocations SET status = ?, doc = ?, version = version + 1 WHERE ${SCOPE_AND_ID}`,
  selectInvocation: `SELECT doc, version FROM invocations WHERE ${SCOPE_AND_ID}`,
  listInvocations: 'SELECT seq, id, doc, version FROM invocations WHERE account = ? AND region = ? AND task_execution_id = ? AND seq > ? ORDER BY seq LIMIT ?',
  listInvocationsWithStatus: `SELECT seq, doc, version FROM invocations WHERE account = ? AND region = ? AND task_execution_id = ? AND ${STATUS_IN} AND seq > ? ORDER BY seq LIMIT ?`,
  countInvocationsByStatus: 'SELECT status, COUNT(*) AS n FROM invocations WHERE account = ? AND region = ? AND task_execution_id = ? GROUP BY status',

  claimExecutions: `UPDATE window_executions SET owner = ?, lease_until = ? WHERE seq IN (SELECT seq FROM window_executions WHERE ${RUNNING} AND (owner IS NULL OR lease_until < ?) ORDER BY seq LIMIT ?) RETURNING account, region, doc`,
  renewLeases: `UPDATE window_executions SET lease_until = ? WHERE owner = ? AND ${RUNNING} RETURNING id`,
  releaseLeases: 'UPDATE window_executions SET owner = NULL, lease_until = NULL WHERE owner = ?',
  listLeaseOwners: `SELECT DISTINCT owner FROM window_executions WHERE owner IS NOT NULL AND ${RUNNING} ORDER BY owner`,

  // Only for a running execution: a report reaching an execution that ended has nobody to read it.
  putWindowReport: `INSERT INTO window_reports (account, region, invocation_id, window_execution_id, at, doc)
    SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE EXISTS (
      SELECT 1 FROM window_executions WHERE account = ?1 AND region = ?2 AND id = ?4 AND ${RUNNING})
    ON CONFLICT (account, region, invocation_id) DO UPDATE SET at = excluded.at, doc = excluded.doc`,
  takeWindowReports: `DELETE FROM window_reports WHERE rowid IN (
    SELECT r.rowid FROM window_reports r JOIN window_executions e ON e.account = r.account AND e.region = r.region AND e.id = r.window_execution_id
    WHERE e.owner = ? AND r.at <= ? ORDER BY r.at LIMIT ?) RETURNING account, region, doc`,
};

export function sqliteHistory(db: SqliteDatabase): HistoryPort {
  const sql = db.prepare(statements);
  const windowExecutionDocs = db.docCache<Stored<WindowExecution>>(2_000);
  const taskExecutionDocs = db.docCache<Stored<TaskExecution>>(2_000);
  const invocationDocs = db.docCache<Stored<Invocation>>(5_000);
  /** Pages of a task execution's invocations (unfiltered); invocations join a task only by insert. */
  const invocationListings = db.listingCache(1_000);

  return {
    // ---- window executions

    async insertWindowExecution(scope, e, lease) {
      sql.insertWindowExecution.run(scope.account, scope.region, e.windowId, e.id, e.status, documentOf(e), lease?.owner ?? null, lease?.until ?? null);
    },

    async updateWindowExecution(scope, e) {
      windowExecutionDocs.drop(cacheKey(scope, e.id));
      sql.updateWindowExecution.run(e.status, documentOf(e), scope.account, scope.region, e.id);
    },

    async getWindowExecution(scope, executionId) {
      return db.cachedDoc(windowExecutionDocs, cacheKey(scope, executionId),
        () => storedOrNone<WindowExecution>(sql.selectWindowExecution.get(scope.account, scope.region, executionId) as Row | undefined));
    },

    async listWindowExecutions(scope, windowId, beforeKey, limit) {
      return keyedStored<WindowExecution>(sql.listWindowExecutions.all(scope.account, scope.region, windowId, beforeKey, limit) as Row[]);
    },

    async latestWindowExecution(scope, windowId) {
      return storedOrNone<WindowExecution>(sql.latestWindowExecution.get(scope.account, scope.region, windowId) as Row | undefined);
    },

    // ---- task executions

    async insertTaskExecutions(scope, executions) {
      for (const e of executions) sql.insertTaskExecution.run(scope.account, scope.region, e.windowExecutionId, e.id, e.status, documentOf(e));
    },

    async updateTaskExecutions(scope, executions) {
      for (const e of executions) taskExecutionDocs.drop(cacheKey(scope, e.id));
      for (const e of executions) sql.updateTaskExecution.run(e.status, documentOf(e), scope.account, scope.region, e.id);
    },

    async getTaskExecution(scope, taskExecutionId) {
      return db.cachedDoc(taskExecutionDocs, cacheKey(scope, taskExecutionId),
        () => storedOrNone<TaskExecution>(sql.selectTaskExecution.get(scope.account, scope.region, taskExecutionId) as Row | undefined));
    },

    async listTaskExecutions(scope, windowExecutionId, afterKey, limit, statuses) {
      const rows = statuses
        ? sql.listTaskExecutionsWithStatus.all(scope.account, scope.region, windowExecutionId, JSON.stringify(statuses), afterKey, limit)
        : sql.listTaskExecutions.all(scope.account, scope.region, windowExecutionId, afterKey, limit);
      return keyedStored<TaskExecution>(rows as Row[]);
    },

    async saveTaskPlan(scope, taskExecutionId, plan) {
      sql.saveTaskPlan.run(JSON.stringify(plan), scope.account, scope.region, taskExecutionId);
    },

    async getTaskPlan(scope, taskExecutionId) {
      return taskPlan(sql.selectTaskPlan.get(scope.account, scope.region, taskExecutionId) as Row | undefined);
    },

    // ---- invocations

    async insertInvocations(scope, invocations) {
      for (const taskExecutionId of new Set(invocations.map((i) => i.taskExecutionId))) invocationListings.changed(cacheKey(scope, taskExecutionId));
      for (const i of invocations) sql.insertInvocation.run(scope.account, scope.region, i.taskExecutionId, i.id, i.status, documentOf(i));
    },

    async updateInvocations(scope, invocations) {
      for (const i of invocations) invocationDocs.drop(cacheKey(scope, i.id));
      for (const i of invocations) sql.updateInvocation.run(i.status, documentOf(i), scope.account, scope.region, i.id);
    },

    async getInvocation(scope, invocationId) {
      return db.cachedDoc(invocationDocs, cacheKey(scope, invocationId),
        () => storedOrNone<Invocation>(sql.selectInvocation.get(scope.account, scope.region, invocationId) as Row | undefined));
    },

    async listInvocations(scope, taskExecutionId, afterKey, limit, statuses) {
      if (statuses) {
        // Not from the caches: the engine resumes in-flight invocations from this listing and changes them.
        return keyedStored<Invocation>(sql.listInvocationsWithStatus.all(scope.account, scope.region, taskExecutionId, JSON.stringify(statuses), afterKey, limit) as Row[]);
      }
      return db.cachedListing<Invocation>(invocationListings, invocationDocs, scope, cacheKey(scope, taskExecutionId), afterKey, limit,
        () => sql.listInvocations.all(scope.account, scope.region, taskExecutionId, afterKey, limit) as Row[],
        (id) => sql.selectInvocation.get(scope.account, scope.region, id) as Row | undefined);
    },

    async countInvocationsByStatus(scope, taskExecutionId) {
      return countsByStatus(sql.countInvocationsByStatus.all(scope.account, scope.region, taskExecutionId) as Row[]);
    },

    // ---- leases

    async claimExecutions(lease, now, limit) {
      return (sql.claimExecutions.all(lease.owner, lease.until, now, limit) as Row[]).map(claimedExecution);
    },

    async renewLeases(lease) {
      return (sql.renewLeases.all(lease.until, lease.owner) as Row[]).map((row) => String(row.id));
    },

    async releaseLeases(owner) {
      sql.releaseLeases.run(owner);
    },

    async listLeaseOwners() {
      return (sql.listLeaseOwners.all() as Row[]).map((row) => String(row.owner));
    },

    // ---- window reports

    async putWindowReport(scope, report) {
      sql.putWindowReport.run(scope.account, scope.region, report.invocationId, report.windowExecutionId, report.at, JSON.stringify(report));
    },

    async takeWindowReports(owner, now, limit) {
      return takenReports(sql.takeWindowReports.all(owner, now, limit) as Row[]);
    },
  };
}
