// The control plane's tables: windows, targets, tasks, tags, idempotency tokens, settings. Entities are
// JSON documents beside the columns we look them up by; `seq` gives the keyset (creation) order.
// Every statement runs on `session`: the pool for the store itself, one client inside a transaction.

import type { Scope, Tag, Window, WindowTarget, WindowTask } from '../../domain/model.ts';
import type { IdempotencyRecord, Keyed } from '../../service/ports.ts';
import { keyed, LOCK_CLASS_IDEMPOTENCY, parsed, type Session, statement } from './postgres-database.ts';

const insertWindow = statement('insert_window', 'INSERT INTO windows (account, region, id, doc, next_fire_at) VALUES ($1, $2, $3, $4, $5)');
const selectWindow = statement('select_window', 'SELECT doc FROM windows WHERE account = $1 AND region = $2 AND id = $3');
// Inside a transaction: the row stays locked until commit, so read-modify-writes of one window and of what
// hangs off it (targets, tasks, tags, quotas) take turns, as under SQLite's single writer. Under READ
// COMMITTED every later statement of the transaction then sees what the previous holder committed.
const selectWindowForUpdate = statement('select_window_for_update', 'SELECT doc FROM windows WHERE account = $1 AND region = $2 AND id = $3 FOR UPDATE');
const updateWindow = statement('update_window', 'UPDATE windows SET doc = $4, next_fire_at = $5 WHERE account = $1 AND region = $2 AND id = $3');
// Taken first, in a statement of its own: a scheduler step that fired the window holds this lock until
// it commits, and the cascade below then starts with a snapshot that includes the execution it wrote.
const lockWindow = statement('lock_window', 'SELECT 1 FROM windows WHERE account = $1 AND region = $2 AND id = $3 FOR UPDATE');
// One statement removes the window and everything that hangs off it. Every part sees the same snapshot,
// so the history subqueries still find their parents.
const deleteWindowCascade = statement('delete_window_cascade', `
  WITH window_runs AS (
    SELECT id FROM window_executions WHERE account = $1 AND region = $2 AND window_id = $3
  ), task_runs AS (
    SELECT id FROM task_executions WHERE account = $1 AND region = $2 AND window_execution_id IN (SELECT id FROM window_runs)
  ), gone_invocations AS (
    DELETE FROM invocations WHERE account = $1 AND region = $2 AND task_execution_id IN (SELECT id FROM task_runs)
  ), gone_task_runs AS (
    DELETE FROM task_executions WHERE account = $1 AND region = $2 AND id IN (SELECT id FROM task_runs)
  ), gone_window_runs AS (
    DELETE FROM window_executions WHERE account = $1 AND region = $2 AND window_id = $3
  ), gone_targets AS (
    DELETE FROM window_targets WHERE account = $1 AND region = $2 AND window_id = $3
  ), gone_tasks AS (
    DELETE FROM window_tasks WHERE account = $1 AND region = $2 AND window_id = $3
  ), gone_tags AS (
    DELETE FROM resource_tags WHERE account = $1 AND region = $2 AND resource_type = 'MaintenanceWindow' AND resource_id = $3
  )
  DELETE FROM windows WHERE account = $1 AND region = $2 AND id = $3`);
const ensureWindowCount = statement('ensure_window_count', 'INSERT INTO window_counts (account, region, n) VALUES ($1, $2, 0) ON CONFLICT (account, region) DO NOTHING');
const countWindows = statement('count_windows', 'SELECT n FROM window_counts WHERE account = $1 AND region = $2 FOR UPDATE');
const listWindows = statement('list_windows', 'SELECT seq, doc FROM windows WHERE account = $1 AND region = $2 AND seq > $3 ORDER BY seq LIMIT $4');

const insertTarget = statement('insert_target', 'INSERT INTO window_targets (account, region, window_id, id, doc) VALUES ($1, $2, $3, $4, $5)');
const selectTarget = statement('select_target', 'SELECT doc FROM window_targets WHERE account = $1 AND region = $2 AND window_id = $3 AND id = $4');
const updateTarget = statement('update_target', 'UPDATE window_targets SET doc = $5 WHERE account = $1 AND region = $2 AND window_id = $3 AND id = $4');
const deleteTarget = statement('delete_target', 'DELETE FROM window_targets WHERE account = $1 AND region = $2 AND window_id = $3 AND id = $4');
const countTargets = statement('count_targets', 'SELECT count(*) AS n FROM window_targets WHERE account = $1 AND region = $2 AND window_id = $3');
const listTargets = statement('list_targets', 'SELECT seq, doc FROM window_targets WHERE account = $1 AND region = $2 AND window_id = $3 AND seq > $4 ORDER BY seq LIMIT $5');

const insertTask = statement('insert_task', 'INSERT INTO window_tasks (account, region, window_id, id, doc) VALUES ($1, $2, $3, $4, $5)');
const selectTask = statement('select_task', 'SELECT doc FROM window_tasks WHERE account = $1 AND region = $2 AND window_id = $3 AND id = $4');
const updateTask = statement('update_task', 'UPDATE window_tasks SET doc = $5 WHERE account = $1 AND region = $2 AND window_id = $3 AND id = $4');
const deleteTask = statement('delete_task', 'DELETE FROM window_tasks WHERE account = $1 AND region = $2 AND window_id = $3 AND id = $4');
const countTasks = statement('count_tasks', 'SELECT count(*) AS n FROM window_tasks WHERE account = $1 AND region = $2 AND window_id = $3');
const listTasks = statement('list_tasks', 'SELECT seq, doc FROM window_tasks WHERE account = $1 AND region = $2 AND window_id = $3 AND seq > $4 ORDER BY seq LIMIT $5');

const selectTags = statement('select_tags', 'SELECT doc FROM resource_tags WHERE account = $1 AND region = $2 AND resource_type = $3 AND resource_id = $4');
const deleteTags = statement('delete_tags', 'DELETE FROM resource_tags WHERE account = $1 AND region = $2 AND resource_type = $3 AND resource_id = $4');
const upsertTags = statement('upsert_tags', 'INSERT INTO resource_tags (account, region, resource_type, resource_id, doc) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (account, region, resource_type, resource_id) DO UPDATE SET doc = excluded.doc');

// Held until the transaction ends: two requests with one ClientToken take turns, as SQLite's single
// writer makes them, so the second finds the first's record instead of creating a second resource.
const lockIdempotencyToken = statement('lock_idempotency_token', 'SELECT pg_advisory_xact_lock($1, hashtext($2))');
const selectIdempotencyRecord = statement('select_idempotency_record', 'SELECT fingerprint, result, created_at FROM idempotency_tokens WHERE account = $1 AND region = $2 AND operation = $3 AND token = $4');
const upsertIdempotencyRecord = statement('upsert_idempotency_record', 'INSERT INTO idempotency_tokens (account, region, operation, token, fingerprint, result, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (account, region, operation, token) DO UPDATE SET fingerprint = excluded.fingerprint, result = excluded.result, created_at = excluded.created_at');
const deleteIdempotencyRecordsBefore = statement('delete_idempotency_records_before', 'DELETE FROM idempotency_tokens WHERE created_at < $1');

const selectSetting = statement('select_setting', 'SELECT value FROM settings WHERE name = $1');
const insertSettingIfAbsent = statement('insert_setting_if_absent', 'INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING');

export class PostgresControlPlane {
  protected readonly session: Session;
  /** True for one transaction's operations: reads that precede a write then lock what they read. */
  protected readonly inTransaction: boolean;

  constructor(session: Session, inTransaction = false) {
    this.session = session;
    this.inTransaction = inTransaction;
  }

  // ---- windows

  async insertWindow(scope: Scope, window: Window, nextFireAt: number | undefined): Promise<void> {
    await insertWindow(this.session, [scope.account, scope.region, window.id, JSON.stringify(window), nextFireAt ?? null]);
  }

  async getWindow(scope: Scope, windowId: string): Promise<Window | undefined> {
    const read = this.inTransaction ? selectWindowForUpdate : selectWindow;
    return parsed((await read(this.session, [scope.account, scope.region, windowId])).rows[0]);
  }

  async updateWindow(scope: Scope, window: Window, nextFireAt: number | undefined): Promise<void> {
    await updateWindow(this.session, [scope.account, scope.region, window.id, JSON.stringify(window), nextFireAt ?? null]);
  }

  async deleteWindow(scope: Scope, windowId: string): Promise<boolean> {
    const key = [scope.account, scope.region, windowId];
    if ((await lockWindow(this.session, key)).rowCount === 0) return false;
    return ((await deleteWindowCascade(this.session, key)).rowCount ?? 0) > 0;
  }

  // Quota checks count then insert. Inside a transaction the count's row (or the window's row) stays
  // locked until commit, so two concurrent requests cannot both see room for one more under READ COMMITTED.
  async countWindows(scope: Scope): Promise<number> {
    await ensureWindowCount(this.session, [scope.account, scope.region]);
    return Number((await countWindows(this.session, [scope.account, scope.region])).rows[0].n);
  }

  async listWindows(scope: Scope, afterKey: number, limit: number): Promise<Keyed<Window>[]> {
    return keyed((await listWindows(this.session, [scope.account, scope.region, afterKey, limit])).rows);
  }

  // ---- targets

  async insertTarget(scope: Scope, target: WindowTarget): Promise<void> {
    await insertTarget(this.session, [scope.account, scope.region, target.windowId, target.id, JSON.stringify(target)]);
  }

  async getTarget(scope: Scope, windowId: string, targetId: string): Promise<WindowTarget | undefined> {
    return parsed((await selectTarget(this.session, [scope.account, scope.region, windowId, targetId])).rows[0]);
  }

  async updateTarget(scope: Scope, target: WindowTarget): Promise<void> {
    await updateTarget(this.session, [scope.account, scope.region, target.windowId, target.id, JSON.stringify(target)]);
  }

  async deleteTarget(scope: Scope, windowId: string, targetId: string): Promise<void> {
    await deleteTarget(this.session, [scope.account, scope.region, windowId, targetId]);
  }

  async countTargets(scope: Scope, windowId: string): Promise<number> {
    await lockWindow(this.session, [scope.account, scope.region, windowId]);
    return Number((await countTargets(this.session, [scope.account, scope.region, windowId])).rows[0].n);
  }

  async listTargets(scope: Scope, windowId: string, afterKey: number, limit: number): Promise<Keyed<WindowTarget>[]> {
    return keyed((await listTargets(this.session, [scope.account, scope.region, windowId, afterKey, limit])).rows);
  }

  // ---- tasks

  async insertTask(scope: Scope, task: WindowTask): Promise<void> {
    await insertTask(this.session, [scope.account, scope.region, task.windowId, task.id, JSON.stringify(task)]);
  }

  async getTask(scope: Scope, windowId: string, taskId: string): Promise<WindowTask | undefined> {
    return parsed((await selectTask(this.session, [scope.account, scope.region, windowId, taskId])).rows[0]);
  }

  async updateTask(scope: Scope, task: WindowTask): Promise<void> {
    await updateTask(this.session, [scope.account, scope.region, task.windowId, task.id, JSON.stringify(task)]);
  }

  async deleteTask(scope: Scope, windowId: string, taskId: string): Promise<void> {
    await deleteTask(this.session, [scope.account, scope.region, windowId, taskId]);
  }

  async countTasks(scope: Scope, windowId: string): Promise<number> {
    await lockWindow(this.session, [scope.account, scope.region, windowId]);
    return Number((await countTasks(this.session, [scope.account, scope.region, windowId])).rows[0].n);
  }

  async listTasks(scope: Scope, windowId: string, afterKey: number, limit: number): Promise<Keyed<WindowTask>[]> {
    return keyed((await listTasks(this.session, [scope.account, scope.region, windowId, afterKey, limit])).rows);
  }

  // ---- tags

  async getTags(scope: Scope, resourceType: string, resourceId: string): Promise<Tag[]> {
    return parsed<Tag[]>((await selectTags(this.session, [scope.account, scope.region, resourceType, resourceId])).rows[0]) ?? [];
  }

  async setTags(scope: Scope, resourceType: string, resourceId: string, tags: Tag[]): Promise<void> {
    const key = [scope.account, scope.region, resourceType, resourceId];
    if (tags.length === 0) await deleteTags(this.session, key);
    else await upsertTags(this.session, [...key, JSON.stringify(tags)]);
  }

  // ---- idempotency tokens

  async getIdempotencyRecord(scope: Scope, operation: string, token: string): Promise<IdempotencyRecord | undefined> {
    // A separate statement before the read: a statement's snapshot is taken when it starts, so a read in
    // the same statement as the lock would not see what the previous holder committed.
    await lockIdempotencyToken(this.session, [LOCK_CLASS_IDEMPOTENCY, `${scope.account}|${scope.region}|${operation}|${token}`]);
    const row = (await selectIdempotencyRecord(this.session, [scope.account, scope.region, operation, token])).rows[0];
    return row ? { fingerprint: String(row.fingerprint), result: String(row.result), createdAt: Number(row.created_at) } : undefined;
  }

  async putIdempotencyRecord(scope: Scope, operation: string, token: string, record: IdempotencyRecord): Promise<void> {
    await upsertIdempotencyRecord(this.session, [scope.account, scope.region, operation, token, record.fingerprint, record.result, record.createdAt]);
  }

  async deleteIdempotencyRecordsBefore(createdBefore: number): Promise<void> {
    await deleteIdempotencyRecordsBefore(this.session, [createdBefore]);
  }

  // ---- settings

  async getSetting(name: string): Promise<string | undefined> {
    const row = (await selectSetting(this.session, [name])).rows[0];
    return row ? String(row.value) : undefined;
  }

  async putSettingIfAbsent(name: string, value: string): Promise<void> {
    await insertSettingIfAbsent(this.session, [name, value]);
  }
}
