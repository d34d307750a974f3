// The control plane's tables: windows, targets, tasks, tags, idempotency tokens, settings. Entities are
// JSON documents beside the columns we look them up by; `seq` gives the keyset (creation) order.

import type { Scope, Tag, Window, WindowTarget, WindowTask } from '../../domain/model.ts';
import type { IdempotencyRecord, Keyed } from '../../service/ports.ts';
import { keyed, parsed, type Row, SqliteDatabase } from './sqlite-database.ts';

/** The key of a row in a doc cache: its scope and id. */
export function cacheKey(scope: Scope, id: string): string {
  return `${scope.account}/${scope.region}/${id}`;
}

export class SqliteControlPlane extends SqliteDatabase {
  // Windows are read by every Get and Describe and written rarely (doc-cache.ts says why this is safe).
  protected readonly windowDocs = this.docCache<Window>(10_000);
  /** Pages of a Region's window listing; windows join and leave it only by insert and delete. */
  private readonly windowListings = this.listingCache(1_000);

  // ---- windows

  async insertWindow(scope: Scope, window: Window, nextFireAt: number | undefined): Promise<void> {
    this.windowDocs.drop(cacheKey(scope, window.id));
    this.windowListings.changed(cacheKey(scope, ''));
    this.statement('INSERT INTO windows (account, region, id, doc, next_fire_at) VALUES (?, ?, ?, ?, ?)')
      .run(scope.account, scope.region, window.id, JSON.stringify(window), nextFireAt ?? null);
  }

  async getWindow(scope: Scope, windowId: string): Promise<Window | undefined> {
    const cacheable = this.cacheable();
    const key = cacheKey(scope, windowId);
    const cached = cacheable ? this.windowDocs.get(key) : undefined;
    if (cached) return cached;
    const window = parsed<Window>(this.statement('SELECT doc FROM windows WHERE account = ? AND region = ? AND id = ?')
      .get(scope.account, scope.region, windowId) as Row | undefined);
    return window && cacheable ? this.windowDocs.fill(key, window) : window;
  }

  async updateWindow(scope: Scope, window: Window, nextFireAt: number | undefined): Promise<void> {
    this.windowDocs.drop(cacheKey(scope, window.id));
    this.statement('UPDATE windows SET doc = ?, next_fire_at = ? WHERE account = ? AND region = ? AND id = ?')
      .run(JSON.stringify(window), nextFireAt ?? null, scope.account, scope.region, window.id);
  }

  async deleteWindow(scope: Scope, windowId: string): Promise<boolean> {
    // The window's whole history goes too: every cache is emptied (deletes are rare).
    this.clearCaches();
    const args = [scope.account, scope.region, windowId] as const;
    this.statement('DELETE FROM window_targets WHERE account = ? AND region = ? AND window_id = ?').run(...args);
    this.statement('DELETE FROM window_tasks WHERE account = ? AND region = ? AND window_id = ?').run(...args);
    this.statement("DELETE FROM resource_tags WHERE account = ? AND region = ? AND resource_type = 'MaintenanceWindow' AND resource_id = ?").run(...args);
    // The window's execution history goes with it.
    this.statement('DELETE FROM invocations WHERE account = ? AND region = ? AND task_execution_id IN (SELECT t.id FROM task_executions t JOIN window_executions w ON t.account = w.account AND t.region = w.region AND t.window_execution_id = w.id WHERE w.account = ? AND w.region = ? AND w.window_id = ?)')
      .run(scope.account, scope.region, ...args);
    this.statement('DELETE FROM task_executions WHERE account = ? AND region = ? AND window_execution_id IN (SELECT id FROM window_executions WHERE account = ? AND region = ? AND window_id = ?)')
      .run(scope.account, scope.region, ...args);
    this.statement('DELETE FROM window_executions WHERE account = ? AND region = ? AND window_id = ?').run(...args);
    const result = this.statement('DELETE FROM windows WHERE account = ? AND region = ? AND id = ?').run(...args);
    return Number(result.changes) > 0;
  }

  async countWindows(scope: Scope): Promise<number> {
    // Kept by triggers (migration 5), so the quota check does not grow with the number of windows.
    const row = this.statement('SELECT n FROM window_counts WHERE account = ? AND region = ?')
      .get(scope.account, scope.region) as Row | undefined;
    return row ? Number(row.n) : 0;
  }

  async listWindows(scope: Scope, afterKey: number, limit: number): Promise<Keyed<Window>[]> {
    return this.cachedListing(this.windowListings, this.windowDocs, scope, cacheKey(scope, ''), afterKey, limit,
      () => this.statement('SELECT seq, id, doc FROM windows WHERE account = ? AND region = ? AND seq > ? ORDER BY seq LIMIT ?')
        .all(scope.account, scope.region, afterKey, limit) as Row[],
      (id) => this.statement('SELECT doc FROM windows WHERE account = ? AND region = ? AND id = ?').get(scope.account, scope.region, id) as Row | undefined);
  }

  // ---- targets

  async insertTarget(scope: Scope, target: WindowTarget): Promise<void> {
    this.statement('INSERT INTO window_targets (account, region, window_id, id, doc) VALUES (?, ?, ?, ?, ?)')
      .run(scope.account, scope.region, target.windowId, target.id, JSON.stringify(target));
  }

  async getTarget(scope: Scope, windowId: string, targetId: string): Promise<WindowTarget | undefined> {
    return parsed(this.statement('SELECT doc FROM window_targets WHERE account = ? AND region = ? AND window_id = ? AND id = ?')
      .get(scope.account, scope.region, windowId, targetId) as Row | undefined);
  }

  async updateTarget(scope: Scope, target: WindowTarget): Promise<void> {
    this.statement('UPDATE window_targets SET doc = ? WHERE account = ? AND region = ? AND window_id = ? AND id = ?')
      .run(JSON.stringify(target), scope.account, scope.region, target.windowId, target.id);
  }

  async deleteTarget(scope: Scope, windowId: string, targetId: string): Promise<void> {
    this.statement('DELETE FROM window_targets WHERE account = ? AND region = ? AND window_id = ? AND id = ?')
      .run(scope.account, scope.region, windowId, targetId);
  }

  async countTargets(scope: Scope, windowId: string): Promise<number> {
    const row = this.statement('SELECT count(*) AS n FROM window_targets WHERE account = ? AND region = ? AND window_id = ?')
      .get(scope.account, scope.region, windowId) as Row;
    return Number(row.n);
  }

  async listTargets(scope: Scope, windowId: string, afterKey: number, limit: number): Promise<Keyed<WindowTarget>[]> {
    return keyed(this.statement('SELECT seq, doc FROM window_targets WHERE account = ? AND region = ? AND window_id = ? AND seq > ? ORDER BY seq LIMIT ?')
      .all(scope.account, scope.region, windowId, afterKey, limit) as Row[]);
  }

  // ---- tasks

  async insertTask(scope: Scope, task: WindowTask): Promise<void> {
    this.statement('INSERT INTO window_tasks (account, region, window_id, id, doc) VALUES (?, ?, ?, ?, ?)')
      .run(scope.account, scope.region, task.windowId, task.id, JSON.stringify(task));
  }

  async getTask(scope: Scope, windowId: string, taskId: string): Promise<WindowTask | undefined> {
    return parsed(this.statement('SELECT doc FROM window_tasks WHERE account = ? AND region = ? AND window_id = ? AND id = ?')
      .get(scope.account, scope.region, windowId, taskId) as Row | undefined);
  }

  async updateTask(scope: Scope, task: WindowTask): Promise<void> {
    this.statement('UPDATE window_tasks SET doc = ? WHERE account = ? AND region = ? AND window_id = ? AND id = ?')
      .run(JSON.stringify(task), scope.account, scope.region, task.windowId, task.id);
  }

  async deleteTask(scope: Scope, windowId: string, taskId: string): Promise<void> {
    this.statement('DELETE FROM window_tasks WHERE account = ? AND region = ? AND window_id = ? AND id = ?')
      .run(scope.account, scope.region, windowId, taskId);
  }

  async countTasks(scope: Scope, windowId: string): Promise<number> {
    const row = this.statement('SELECT count(*) AS n FROM window_tasks WHERE account = ? AND region = ? AND window_id = ?')
      .get(scope.account, scope.region, windowId) as Row;
    return Number(row.n);
  }

  async listTasks(scope: Scope, windowId: string, afterKey: number, limit: number): Promise<Keyed<WindowTask>[]> {
    return keyed(this.statement('SELECT seq, doc FROM window_tasks WHERE account = ? AND region = ? AND window_id = ? AND seq > ? ORDER BY seq LIMIT ?')
      .all(scope.account, scope.region, windowId, afterKey, limit) as Row[]);
  }

  // ---- tags

  async getTags(scope: Scope, resourceType: string, resourceId: string): Promise<Tag[]> {
    return parsed<Tag[]>(this.statement('SELECT doc FROM resource_tags WHERE account = ? AND region = ? AND resource_type = ? AND resource_id = ?')
      .get(scope.account, scope.region, resourceType, resourceId) as Row | undefined) ?? [];
  }

  async setTags(scope: Scope, resourceType: string, resourceId: string, tags: Tag[]): Promise<void> {
    if (tags.length === 0) {
      this.statement('DELETE FROM resource_tags WHERE account = ? AND region = ? AND resource_type = ? AND resource_id = ?')
        .run(scope.account, scope.region, resourceType, resourceId);
      return;
    }
    this.statement('INSERT INTO resource_tags (account, region, resource_type, resource_id, doc) VALUES (?, ?, ?, ?, ?) ON CONFLICT (account, region, resource_type, resource_id) DO UPDATE SET doc = excluded.doc')
      .run(scope.account, scope.region, resourceType, resourceId, JSON.stringify(tags));
  }

  // ---- idempotency tokens

  async getIdempotencyRecord(scope: Scope, operation: string, token: string): Promise<IdempotencyRecord | undefined> {
    const row = this.statement('SELECT fingerprint, result, created_at FROM idempotency_tokens WHERE account = ? AND region = ? AND operation = ? AND token = ?')
      .get(scope.account, scope.region, operation, token) as Row | undefined;
    return row ? { fingerprint: String(row.fingerprint), result: String(row.result), createdAt: Number(row.created_at) } : undefined;
  }

  async putIdempotencyRecord(scope: Scope, operation: string, token: string, record: IdempotencyRecord): Promise<void> {
    this.statement('INSERT OR REPLACE INTO idempotency_tokens (account, region, operation, token, fingerprint, result, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(scope.account, scope.region, operation, token, record.fingerprint, record.result, record.createdAt);
  }

  async deleteIdempotencyRecordsBefore(createdBefore: number): Promise<void> {
    this.statement('DELETE FROM idempotency_tokens WHERE created_at < ?').run(createdBefore);
  }

  // ---- settings

  async getSetting(name: string): Promise<string | undefined> {
    const row = this.statement('SELECT value FROM settings WHERE name = ?').get(name) as Row | undefined;
    return row ? String(row.value) : undefined;
  }

  async putSettingIfAbsent(name: string, value: string): Promise<void> {
    this.statement('INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING').run(name, value);
  }
}
