// Everything a transaction may do on PostgreSQL: the control plane's tables plus the execution history,
// the scheduler's fire times, the managed-node inventory and the outcome rules.

import type { ExecutionStatus, Invocation, PlanItem, TaskExecution, WindowExecution } from '../../domain/execution.ts';
import type { ManagedNode, OutcomeRule } from '../../domain/inventory.ts';
import type { Scope, Window } from '../../domain/model.ts';
import type { DueWindow, Keyed, Lease, StoreOperations } from '../../service/ports.ts';
import { PostgresEvents } from './postgres-events.ts';
import { keyed, lastById, parsed, type Row, statement } from './postgres-database.ts';

function scopeOf(row: Row): Scope {
  return { account: String(row.account), region: String(row.region) };
}

const insertWindowExecution = statement('insert_window_execution', 'INSERT INTO window_executions (account, region, window_id, id, status, doc, owner, lease_until) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)');
const updateWindowExecution = statement('update_window_execution', 'UPDATE window_executions SET status = $4, doc = $5 WHERE account = $1 AND region = $2 AND id = $3');
const selectWindowExecution = statement('select_window_execution', 'SELECT doc FROM window_executions WHERE account = $1 AND region = $2 AND id = $3');
const listWindowExecutions = statement('list_window_executions', 'SELECT seq, doc FROM window_executions WHERE account = $1 AND region = $2 AND window_id = $3 AND seq < $4 ORDER BY seq DESC LIMIT $5');
const latestWindowExecution = statement('latest_window_execution', 'SELECT doc FROM window_executions WHERE account = $1 AND region = $2 AND window_id = $3 ORDER BY seq DESC LIMIT 1');

// Batches are bound as parallel arrays and unnested: one round trip per batch, and the rows take their
// seq in array order (WITH ORDINALITY ... ORDER BY), which is the keyset order the lists return.
const insertTaskExecutions = statement('insert_task_executions', `
  INSERT INTO task_executions (account, region, window_execution_id, id, status, doc)
  SELECT $1, $2, r.parent, r.id, r.status, r.doc
  FROM unnest($3::text[], $4::text[], $5::text[], $6::text[]) WITH ORDINALITY AS r(parent, id, status, doc, n)
  ORDER BY r.n`);
const updateTaskExecutions = statement('update_task_executions', `
  UPDATE task_executions AS t SET status = r.status, doc = r.doc
  FROM unnest($3::text[], $4::text[], $5::text[]) AS r(id, status, doc)
  WHERE t.account = $1 AND t.region = $2 AND t.id = r.id`);
const selectTaskExecution = statement('select_task_execution', 'SELECT doc FROM task_executions WHERE account = $1 AND region = $2 AND id = $3');
const listTaskExecutions = statement('list_task_executions', 'SELECT seq, doc FROM task_executions WHERE account = $1 AND region = $2 AND window_execution_id = $3 AND seq > $4 ORDER BY seq LIMIT $5');
const listTaskExecutionsWithStatus = statement('list_task_executions_with_status', 'SELECT seq, doc FROM task_executions WHERE account = $1 AND region = $2 AND window_execution_id = $3 AND seq > $4 AND status = ANY($6::text[]) ORDER BY seq LIMIT $5');

const saveTaskPlan = statement('save_task_plan', 'UPDATE task_executions SET plan = $4 WHERE account = $1 AND region = $2 AND id = $3');
const selectTaskPlan = statement('select_task_plan', 'SELECT plan FROM task_executions WHERE account = $1 AND region = $2 AND id = $3');

const insertInvocations = statement('insert_invocations', `
  INSERT INTO invocations (account, region, task_execution_id, id, status, doc)
  SELECT $1, $2, r.parent, r.id, r.status, r.doc
  FROM unnest($3::text[], $4::text[], $5::text[], $6::text[]) WITH ORDINALITY AS r(parent, id, status, doc, n)
  ORDER BY r.n`);
const updateInvocations = statement('update_invocations', `
  UPDATE invocations AS i SET status = r.status, doc = r.doc
  FROM unnest($3::text[], $4::text[], $5::text[]) AS r(id, status, doc)
  WHERE i.account = $1 AND i.region = $2 AND i.id = r.id`);
const selectInvocation = statement('select_invocation', 'SELECT doc FROM invocations WHERE account = $1 AND region = $2 AND id = $3');
const countInvocationsByStatus = statement('count_invocations_by_status', 'SELECT status, COUNT(*) AS n FROM invocations WHERE account = $1 AND region = $2 AND task_execution_id = $3 GROUP BY status');
const listInvocations = statement('list_invocations', 'SELECT seq, doc FROM invocations WHERE account = $1 AND region = $2 AND task_execution_id = $3 AND seq > $4 ORDER BY seq LIMIT $5');
const listInvocationsWithStatus = statement('list_invocations_with_status', 'SELECT seq, doc FROM invocations WHERE account = $1 AND region = $2 AND task_execution_id = $3 AND seq > $4 AND status = ANY($6::text[]) ORDER BY seq LIMIT $5');

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
// The UPDATE keeps the renewed rows locked until the step's transaction ends (the fence).
const renewLeases = statement('renew_leases', "UPDATE window_executions SET lease_until = $2 WHERE owner = $1 AND status IN ('PENDING', 'IN_PROGRESS', 'CANCELLING') RETURNING id");
const releaseLeases = statement('release_leases', 'UPDATE window_executions SET owner = NULL, lease_until = NULL WHERE owner = $1');
const listLeaseOwners = statement('list_lease_owners', "SELECT DISTINCT owner FROM window_executions WHERE owner IS NOT NULL AND status IN ('PENDING', 'IN_PROGRESS', 'CANCELLING') ORDER BY owner");

// The scheduler's claim: inside a transaction the due rows stay locked until it commits their new fire
// times, and a second replica skips them instead of firing the same occurrence again.
const claimDueWindows = statement('claim_due_windows', 'SELECT account, region, doc, next_fire_at FROM windows WHERE next_fire_at IS NOT NULL AND next_fire_at <= $1 ORDER BY next_fire_at, seq LIMIT $2 FOR UPDATE SKIP LOCKED');
const earliestFireTime = statement('earliest_fire_time', 'SELECT min(next_fire_at) AS t FROM windows WHERE next_fire_at IS NOT NULL');
const setNextFire = statement('set_next_fire', 'UPDATE windows SET next_fire_at = $4 WHERE account = $1 AND region = $2 AND id = $3');
const listAllWindows = statement('list_all_windows', 'SELECT account, region, doc, next_fire_at FROM windows ORDER BY seq');

const upsertNode = statement('upsert_node', 'INSERT INTO managed_nodes (account, region, id, doc) VALUES ($1, $2, $3, $4) ON CONFLICT (account, region, id) DO UPDATE SET doc = excluded.doc');
const deleteNode = statement('delete_node', 'DELETE FROM managed_nodes WHERE account = $1 AND region = $2 AND id = $3');
// COLLATE "C": byte order, as SQLite sorts, whatever the database's own collation is.
const listNodes = statement('list_nodes', 'SELECT doc FROM managed_nodes WHERE account = $1 AND region = $2 ORDER BY id COLLATE "C"');
const selectNode = statement('select_node', 'SELECT doc FROM managed_nodes WHERE account = $1 AND region = $2 AND id = $3');
const selectNodeForUpdate = statement('select_node_for_update', 'SELECT doc FROM managed_nodes WHERE account = $1 AND region = $2 AND id = $3 FOR UPDATE');
const selectOutcomeRules = statement('select_outcome_rules', 'SELECT doc FROM outcome_rules WHERE account = $1 AND region = $2');
const upsertOutcomeRules = statement('upsert_outcome_rules', 'INSERT INTO outcome_rules (account, region, doc) VALUES ($1, $2, $3) ON CONFLICT (account, region) DO UPDATE SET doc = excluded.doc');

export class PostgresOperations extends PostgresEvents implements StoreOperations {
  // ---- window executions

  async insertWindowExecution(scope: Scope, e: WindowExecution, lease?: Lease): Promise<void> {
    await insertWindowExecution(this.session, [scope.account, scope.region, e.windowId, e.id, e.status, JSON.stringify(e), lease?.owner ?? null, lease?.until ?? null]);
  }

  async updateWindowExecution(scope: Scope, e: WindowExecution): Promise<void> {
    await updateWindowExecution(this.session, [scope.account, scope.region, e.id, e.status, JSON.stringify(e)]);
  }

  async getWindowExecution(scope: Scope, executionId: string): Promise<WindowExecution | undefined> {
    return parsed((await selectWindowExecution(this.session, [scope.account, scope.region, executionId])).rows[0]);
  }

  async listWindowExecutions(scope: Scope, windowId: string, beforeKey: number, limit: number): Promise<Keyed<WindowExecution>[]> {
    return keyed((await listWindowExecutions(this.session, [scope.account, scope.region, windowId, beforeKey, limit])).rows);
  }

  async latestWindowExecution(scope: Scope, windowId: string): Promise<WindowExecution | undefined> {
    return parsed((await latestWindowExecution(this.session, [scope.account, scope.region, windowId])).rows[0]);
  }

  // ---- task executions

  async insertTaskExecutions(scope: Scope, executions: TaskExecution[]): Promise<void> {
    if (executions.length === 0) return;
    await insertTaskExecutions(this.session, [
      scope.account, scope.region,
      executions.map((e) => e.windowExecutionId), executions.map((e) => e.id), executions.map((e) => e.status), executions.map((e) => JSON.stringify(e)),
    ]);
  }

  async updateTaskExecutions(scope: Scope, executions: TaskExecution[]): Promise<void> {
    const rows = lastById(executions);
    if (rows.length === 0) return;
    await updateTaskExecutions(this.session, [scope.account, scope.region, rows.map((e) => e.id), rows.map((e) => e.status), rows.map((e) => JSON.stringify(e))]);
  }

  async saveTaskPlan(scope: Scope, taskExecutionId: string, plan: PlanItem[]): Promise<void> {
    await saveTaskPlan(this.session, [scope.account, scope.region, taskExecutionId, JSON.stringify(plan)]);
  }

  async getTaskPlan(scope: Scope, taskExecutionId: string): Promise<PlanItem[] | undefined> {
    const plan = (await selectTaskPlan(this.session, [scope.account, scope.region, taskExecutionId])).rows[0]?.plan;
    return plan ? (JSON.parse(String(plan)) as PlanItem[]) : undefined;
  }

  async getTaskExecution(scope: Scope, taskExecutionId: string): Promise<TaskExecution | undefined> {
    return parsed((await selectTaskExecution(this.session, [scope.account, scope.region, taskExecutionId])).rows[0]);
  }

  async listTaskExecutions(scope: Scope, windowExecutionId: string, afterKey: number, limit: number, statuses?: readonly ExecutionStatus[]): Promise<Keyed<TaskExecution>[]> {
    const key = [scope.account, scope.region, windowExecutionId, afterKey, limit];
    if (statuses) return keyed((await listTaskExecutionsWithStatus(this.session, [...key, [...statuses]])).rows);
    return keyed((await listTaskExecutions(this.session, key)).rows);
  }

  // ---- invocations

  async insertInvocations(scope: Scope, invocations: Invocation[]): Promise<void> {
    if (invocations.length === 0) return;
    await insertInvocations(this.session, [
      scope.account, scope.region,
      invocations.map((i) => i.taskExecutionId), invocations.map((i) => i.id), invocations.map((i) => i.status), invocations.map((i) => JSON.stringify(i)),
    ]);
  }

  async updateInvocations(scope: Scope, invocations: Invocation[]): Promise<void> {
    const rows = lastById(invocations);
    if (rows.length === 0) return;
    await updateInvocations(this.session, [scope.account, scope.region, rows.map((i) => i.id), rows.map((i) => i.status), rows.map((i) => JSON.stringify(i))]);
  }

  async getInvocation(scope: Scope, invocationId: string): Promise<Invocation | undefined> {
    return parsed((await selectInvocation(this.session, [scope.account, scope.region, invocationId])).rows[0]);
  }

  async listInvocations(scope: Scope, taskExecutionId: string, afterKey: number, limit: number, statuses?: readonly ExecutionStatus[]): Promise<Keyed<Invocation>[]> {
    const key = [scope.account, scope.region, taskExecutionId, afterKey, limit];
    if (statuses) return keyed((await listInvocationsWithStatus(this.session, [...key, [...statuses]])).rows);
    return keyed((await listInvocations(this.session, key)).rows);
  }

  async countInvocationsByStatus(scope: Scope, taskExecutionId: string): Promise<Partial<Record<ExecutionStatus, number>>> {
    const { rows } = await countInvocationsByStatus(this.session, [scope.account, scope.region, taskExecutionId]);
    return Object.fromEntries(rows.map((row) => [String(row.status), Number(row.n)]));
  }

  // ---- leases on running executions

  async claimExecutions(lease: Lease, now: number, limit: number): Promise<{ scope: Scope; execution: WindowExecution }[]> {
    const rows = (await claimExecutions(this.session, [lease.owner, lease.until, now, limit])).rows;
    return rows.map((row) => ({ scope: scopeOf(row), execution: JSON.parse(String(row.doc)) as WindowExecution }));
  }

  async renewLeases(lease: Lease): Promise<string[]> {
    return (await renewLeases(this.session, [lease.owner, lease.until])).rows.map((row) => String(row.id));
  }

  async releaseLeases(owner: string): Promise<void> {
    await releaseLeases(this.session, [owner]);
  }

  async listLeaseOwners(): Promise<string[]> {
    return (await listLeaseOwners(this.session, [])).rows.map((row) => String(row.owner));
  }

  // ---- scheduling

  async listDueWindows(now: number, limit: number): Promise<DueWindow[]> {
    const rows = (await claimDueWindows(this.session, [now, limit])).rows;
    return rows.map((row) => ({ scope: scopeOf(row), window: JSON.parse(String(row.doc)) as Window, fireAt: Number(row.next_fire_at) }));
  }

  async earliestFireTime(): Promise<number | undefined> {
    const t = (await earliestFireTime(this.session, [])).rows[0].t;
    return t === null ? undefined : Number(t);
  }

  async setNextFire(scope: Scope, windowId: string, nextFireAt: number | undefined): Promise<void> {
    await setNextFire(this.session, [scope.account, scope.region, windowId, nextFireAt ?? null]);
  }

  async listAllWindows(): Promise<{ scope: Scope; window: Window; nextFireAt: number | undefined }[]> {
    const rows = (await listAllWindows(this.session, [])).rows;
    return rows.map((row) => ({
      scope: scopeOf(row),
      window: JSON.parse(String(row.doc)) as Window,
      nextFireAt: row.next_fire_at === null ? undefined : Number(row.next_fire_at),
    }));
  }

  // ---- managed nodes and outcome rules

  async putNode(scope: Scope, node: ManagedNode): Promise<void> {
    await upsertNode(this.session, [scope.account, scope.region, node.id, JSON.stringify(node)]);
  }

  async deleteNode(scope: Scope, nodeId: string): Promise<boolean> {
    return ((await deleteNode(this.session, [scope.account, scope.region, nodeId])).rowCount ?? 0) > 0;
  }

  async listNodes(scope: Scope): Promise<ManagedNode[]> {
    return (await listNodes(this.session, [scope.account, scope.region])).rows.map((row) => JSON.parse(String(row.doc)) as ManagedNode);
  }

  async getNode(scope: Scope, nodeId: string, options: { lock?: boolean } = {}): Promise<ManagedNode | undefined> {
    // In a transaction the row stays locked until it ends, so concurrent tag changes apply one after another.
    const read = this.inTransaction && options.lock !== false ? selectNodeForUpdate : selectNode;
    return parsed((await read(this.session, [scope.account, scope.region, nodeId])).rows[0]);
  }

  async getOutcomeRules(scope: Scope): Promise<OutcomeRule[]> {
    return parsed<OutcomeRule[]>((await selectOutcomeRules(this.session, [scope.account, scope.region])).rows[0]) ?? [];
  }

  async setOutcomeRules(scope: Scope, rules: OutcomeRule[]): Promise<void> {
    await upsertOutcomeRules(this.session, [scope.account, scope.region, JSON.stringify(rules)]);
  }
}
