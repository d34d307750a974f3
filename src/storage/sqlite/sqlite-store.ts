// The embedded SQLite engine (node:sqlite): the control plane's tables plus the execution history, the
// scheduler's fire times, the managed-node inventory and the outcome rules.

import type { ExecutionStatus, Invocation, PlanItem, TaskExecution, WindowExecution } from '../../domain/execution.ts';
import type { ManagedNode, OutcomeRule } from '../../domain/inventory.ts';
import type { Scope, Window } from '../../domain/model.ts';
import type { DueWindow, Keyed, Lease, Store } from '../../service/ports.ts';
import { SqliteEvents } from './sqlite-events.ts';
import { cacheKey } from './sqlite-control-plane.ts';
import { keyed, parsed, type Row } from './sqlite-database.ts';

function scopeOf(row: Row): Scope {
  return { account: String(row.account), region: String(row.region) };
}

// Status lists are bound as one JSON array parameter so a statement serves any number of statuses.
const STATUS_IN = 'status IN (SELECT value FROM json_each(?))';

export class SqliteStore extends SqliteEvents implements Store {
  // The history's documents, read by every history call (doc-cache.ts says why this is safe). Each
  // invocation call also checks its two parents, so those are cached as well.
  private readonly windowExecutionDocs = this.docCache<WindowExecution>(2_000);
  private readonly taskExecutionDocs = this.docCache<TaskExecution>(2_000);
  private readonly invocationDocs = this.docCache<Invocation>(5_000);
  /** Pages of a task execution's invocations (unfiltered); invocations join a task only by insert. */
  private readonly invocationListings = this.listingCache(1_000);

  // ---- window executions

  async insertWindowExecution(scope: Scope, e: WindowExecution, lease?: Lease): Promise<void> {
    this.statement('INSERT INTO window_executions (account, region, window_id, id, status, doc, owner, lease_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(scope.account, scope.region, e.windowId, e.id, e.status, JSON.stringify(e), lease?.owner ?? null, lease?.until ?? null);
  }

  async updateWindowExecution(scope: Scope, e: WindowExecution): Promise<void> {
    this.windowExecutionDocs.drop(cacheKey(scope, e.id));
    this.statement('UPDATE window_executions SET status = ?, doc = ? WHERE account = ? AND region = ? AND id = ?')
      .run(e.status, JSON.stringify(e), scope.account, scope.region, e.id);
  }

  async getWindowExecution(scope: Scope, executionId: string): Promise<WindowExecution | undefined> {
    const cacheable = this.cacheable();
    const key = cacheKey(scope, executionId);
    const cached = cacheable ? this.windowExecutionDocs.get(key) : undefined;
    if (cached) return cached;
    const execution = parsed<WindowExecution>(this.statement('SELECT doc FROM window_executions WHERE account = ? AND region = ? AND id = ?')
      .get(scope.account, scope.region, executionId) as Row | undefined);
    return execution && cacheable ? this.windowExecutionDocs.fill(key, execution) : execution;
  }

  async listWindowExecutions(scope: Scope, windowId: string, beforeKey: number, limit: number): Promise<Keyed<WindowExecution>[]> {
    return keyed(this.statement('SELECT seq, doc FROM window_executions WHERE account = ? AND region = ? AND window_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?')
      .all(scope.account, scope.region, windowId, beforeKey, limit) as Row[]);
  }

  async latestWindowExecution(scope: Scope, windowId: string): Promise<WindowExecution | undefined> {
    return parsed(this.statement('SELECT doc FROM window_executions WHERE account = ? AND region = ? AND window_id = ? ORDER BY seq DESC LIMIT 1')
      .get(scope.account, scope.region, windowId) as Row | undefined);
  }

  // ---- task executions

  async insertTaskExecutions(scope: Scope, executions: TaskExecution[]): Promise<void> {
    const insert = this.statement('INSERT INTO task_executions (account, region, window_execution_id, id, status, doc) VALUES (?, ?, ?, ?, ?, ?)');
    for (const e of executions) insert.run(scope.account, scope.region, e.windowExecutionId, e.id, e.status, JSON.stringify(e));
  }

  async updateTaskExecutions(scope: Scope, executions: TaskExecution[]): Promise<void> {
    const update = this.statement('UPDATE task_executions SET status = ?, doc = ? WHERE account = ? AND region = ? AND id = ?');
    for (const e of executions) this.taskExecutionDocs.drop(cacheKey(scope, e.id));
    for (const e of executions) update.run(e.status, JSON.stringify(e), scope.account, scope.region, e.id);
  }

  async getTaskExecution(scope: Scope, taskExecutionId: string): Promise<TaskExecution | undefined> {
    const cacheable = this.cacheable();
    const key = cacheKey(scope, taskExecutionId);
    const cached = cacheable ? this.taskExecutionDocs.get(key) : undefined;
    if (cached) return cached;
    const execution = parsed<TaskExecution>(this.statement('SELECT doc FROM task_executions WHERE account = ? AND region = ? AND id = ?')
      .get(scope.account, scope.region, taskExecutionId) as Row | undefined);
    return execution && cacheable ? this.taskExecutionDocs.fill(key, execution) : execution;
  }

  async listTaskExecutions(scope: Scope, windowExecutionId: string, afterKey: number, limit: number, statuses?: readonly ExecutionStatus[]): Promise<Keyed<TaskExecution>[]> {
    if (statuses) {
      return keyed(this.statement(`SELECT seq, doc FROM task_executions WHERE account = ? AND region = ? AND window_execution_id = ? AND ${STATUS_IN} AND seq > ? ORDER BY seq LIMIT ?`)
        .all(scope.account, scope.region, windowExecutionId, JSON.stringify(statuses), afterKey, limit) as Row[]);
    }
    return keyed(this.statement('SELECT seq, doc FROM task_executions WHERE account = ? AND region = ? AND window_execution_id = ? AND seq > ? ORDER BY seq LIMIT ?')
      .all(scope.account, scope.region, windowExecutionId, afterKey, limit) as Row[]);
  }

  async saveTaskPlan(scope: Scope, taskExecutionId: string, plan: PlanItem[]): Promise<void> {
    this.statement('UPDATE task_executions SET plan = ? WHERE account = ? AND region = ? AND id = ?')
      .run(JSON.stringify(plan), scope.account, scope.region, taskExecutionId);
  }

  async getTaskPlan(scope: Scope, taskExecutionId: string): Promise<PlanItem[] | undefined> {
    const row = this.statement('SELECT plan FROM task_executions WHERE account = ? AND region = ? AND id = ?')
      .get(scope.account, scope.region, taskExecutionId) as Row | undefined;
    return row?.plan ? (JSON.parse(String(row.plan)) as PlanItem[]) : undefined;
  }

  // ---- invocations

  async insertInvocations(scope: Scope, invocations: Invocation[]): Promise<void> {
    const insert = this.statement('INSERT INTO invocations (account, region, task_execution_id, id, status, doc) VALUES (?, ?, ?, ?, ?, ?)');
    for (const taskExecutionId of new Set(invocations.map((i) => i.taskExecutionId))) this.invocationListings.changed(cacheKey(scope, taskExecutionId));
    for (const i of invocations) insert.run(scope.account, scope.region, i.taskExecutionId, i.id, i.status, JSON.stringify(i));
  }

  async updateInvocations(scope: Scope, invocations: Invocation[]): Promise<void> {
    const update = this.statement('UPDATE invocations SET status = ?, doc = ? WHERE account = ? AND region = ? AND id = ?');
    for (const i of invocations) this.invocationDocs.drop(cacheKey(scope, i.id));
    for (const i of invocations) update.run(i.status, JSON.stringify(i), scope.account, scope.region, i.id);
  }

  async getInvocation(scope: Scope, invocationId: string): Promise<Invocation | undefined> {
    const cacheable = this.cacheable();
    const key = cacheKey(scope, invocationId);
    const cached = cacheable ? this.invocationDocs.get(key) : undefined;
    if (cached) return cached;
    const invocation = parsed<Invocation>(this.statement('SELECT doc FROM invocations WHERE account = ? AND region = ? AND id = ?')
      .get(scope.account, scope.region, invocationId) as Row | undefined);
    return invocation && cacheable ? this.invocationDocs.fill(key, invocation) : invocation;
  }

  async listInvocations(scope: Scope, taskExecutionId: string, afterKey: number, limit: number, statuses?: readonly ExecutionStatus[]): Promise<Keyed<Invocation>[]> {
    if (statuses) {
      // Not from the caches: the engine resumes in-flight invocations from this listing and changes them.
      return keyed(this.statement(`SELECT seq, doc FROM invocations WHERE account = ? AND region = ? AND task_execution_id = ? AND ${STATUS_IN} AND seq > ? ORDER BY seq LIMIT ?`)
        .all(scope.account, scope.region, taskExecutionId, JSON.stringify(statuses), afterKey, limit) as Row[]);
    }
    return this.cachedListing(this.invocationListings, this.invocationDocs, scope, cacheKey(scope, taskExecutionId), afterKey, limit,
      () => this.statement('SELECT seq, id, doc FROM invocations WHERE account = ? AND region = ? AND task_execution_id = ? AND seq > ? ORDER BY seq LIMIT ?')
        .all(scope.account, scope.region, taskExecutionId, afterKey, limit) as Row[],
      (id) => this.statement('SELECT doc FROM invocations WHERE account = ? AND region = ? AND id = ?').get(scope.account, scope.region, id) as Row | undefined);
  }

  async countInvocationsByStatus(scope: Scope, taskExecutionId: string): Promise<Partial<Record<ExecutionStatus, number>>> {
    const rows = this.statement('SELECT status, COUNT(*) AS n FROM invocations WHERE account = ? AND region = ? AND task_execution_id = ? GROUP BY status')
      .all(scope.account, scope.region, taskExecutionId) as Row[];
    return Object.fromEntries(rows.map((row) => [String(row.status), Number(row.n)]));
  }

  // ---- leases

  async claimExecutions(lease: Lease, now: number, limit: number): Promise<{ scope: Scope; execution: WindowExecution }[]> {
    const rows = this.statement("UPDATE window_executions SET owner = ?, lease_until = ? WHERE seq IN (SELECT seq FROM window_executions WHERE status IN ('PENDING', 'IN_PROGRESS', 'CANCELLING') AND (owner IS NULL OR lease_until < ?) ORDER BY seq LIMIT ?) RETURNING account, region, doc")
      .all(lease.owner, lease.until, now, limit) as Row[];
    return rows.map((row) => ({ scope: scopeOf(row), execution: JSON.parse(String(row.doc)) as WindowExecution }));
  }

  async renewLeases(lease: Lease): Promise<string[]> {
    const rows = this.statement("UPDATE window_executions SET lease_until = ? WHERE owner = ? AND status IN ('PENDING', 'IN_PROGRESS', 'CANCELLING') RETURNING id")
      .all(lease.until, lease.owner) as Row[];
    return rows.map((row) => String(row.id));
  }

  async releaseLeases(owner: string): Promise<void> {
    this.statement('UPDATE window_executions SET owner = NULL, lease_until = NULL WHERE owner = ?').run(owner);
  }

  async listLeaseOwners(): Promise<string[]> {
    const rows = this.statement("SELECT DISTINCT owner FROM window_executions WHERE owner IS NOT NULL AND status IN ('PENDING', 'IN_PROGRESS', 'CANCELLING') ORDER BY owner").all() as Row[];
    return rows.map((row) => String(row.owner));
  }

  // ---- scheduling

  async listDueWindows(now: number, limit: number): Promise<DueWindow[]> {
    const rows = this.statement('SELECT account, region, doc, next_fire_at FROM windows WHERE next_fire_at IS NOT NULL AND next_fire_at <= ? ORDER BY next_fire_at, seq LIMIT ?')
      .all(now, limit) as Row[];
    return rows.map((row) => ({ scope: scopeOf(row), window: JSON.parse(String(row.doc)) as Window, fireAt: Number(row.next_fire_at) }));
  }

  async earliestFireTime(): Promise<number | undefined> {
    const row = this.statement('SELECT min(next_fire_at) AS t FROM windows WHERE next_fire_at IS NOT NULL').get() as Row;
    return row.t === null ? undefined : Number(row.t);
  }

  async setNextFire(scope: Scope, windowId: string, nextFireAt: number | undefined): Promise<void> {
    this.statement('UPDATE windows SET next_fire_at = ? WHERE account = ? AND region = ? AND id = ?')
      .run(nextFireAt ?? null, scope.account, scope.region, windowId);
  }

  async listAllWindows(): Promise<{ scope: Scope; window: Window; nextFireAt: number | undefined }[]> {
    const rows = this.statement('SELECT account, region, doc, next_fire_at FROM windows ORDER BY seq').all() as Row[];
    return rows.map((row) => ({
      scope: scopeOf(row),
      window: JSON.parse(String(row.doc)) as Window,
      nextFireAt: row.next_fire_at === null ? undefined : Number(row.next_fire_at),
    }));
  }

  // ---- managed nodes and outcome rules

  async putNode(scope: Scope, node: ManagedNode): Promise<void> {
    this.statement('INSERT INTO managed_nodes (account, region, id, doc) VALUES (?, ?, ?, ?) ON CONFLICT (account, region, id) DO UPDATE SET doc = excluded.doc')
      .run(scope.account, scope.region, node.id, JSON.stringify(node));
  }

  async deleteNode(scope: Scope, nodeId: string): Promise<boolean> {
    const result = this.statement('DELETE FROM managed_nodes WHERE account = ? AND region = ? AND id = ?').run(scope.account, scope.region, nodeId);
    return Number(result.changes) > 0;
  }

  async listNodes(scope: Scope): Promise<ManagedNode[]> {
    const rows = this.statement('SELECT doc FROM managed_nodes WHERE account = ? AND region = ? ORDER BY id').all(scope.account, scope.region) as Row[];
    return rows.map((row) => JSON.parse(String(row.doc)) as ManagedNode);
  }

  // Transactions are BEGIN IMMEDIATE: the writer lock is already held, so a plain read is enough.
  async getNode(scope: Scope, nodeId: string): Promise<ManagedNode | undefined> {
    return parsed(this.statement('SELECT doc FROM managed_nodes WHERE account = ? AND region = ? AND id = ?')
      .get(scope.account, scope.region, nodeId) as Row | undefined);
  }

  async getOutcomeRules(scope: Scope): Promise<OutcomeRule[]> {
    return parsed<OutcomeRule[]>(this.statement('SELECT doc FROM outcome_rules WHERE account = ? AND region = ?')
      .get(scope.account, scope.region) as Row | undefined) ?? [];
  }

  async setOutcomeRules(scope: Scope, rules: OutcomeRule[]): Promise<void> {
    this.statement('INSERT INTO outcome_rules (account, region, doc) VALUES (?, ?, ?) ON CONFLICT (account, region) DO UPDATE SET doc = excluded.doc')
      .run(scope.account, scope.region, JSON.stringify(rules));
  }
}
