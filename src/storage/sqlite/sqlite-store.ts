// The embedded SQLite engine (node:sqlite). Entities are stored as JSON documents beside the columns we
// look them up by; `seq` gives the keyset order (creation order) that Describe pages walk.

import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { Scope, Tag, Window, WindowTarget, WindowTask } from '../../domain/model.ts';
import type { IdempotencyRecord, Keyed, Store, StoreOperations } from '../../service/ports.ts';
import { migrations } from './migrations.ts';

type Row = Record<string, unknown>;

function keyed<T>(rows: Row[]): Keyed<T>[] {
  return rows.map((row) => ({ key: Number(row.seq), item: JSON.parse(String(row.doc)) as T }));
}

function parsed<T>(row: Row | undefined): T | undefined {
  return row ? (JSON.parse(String(row.doc)) as T) : undefined;
}

export interface SqliteStoreOptions {
  /** Database file path, or ':memory:'. */
  path: string;
}

export class SqliteStore implements Store {
  private readonly db: DatabaseSync;
  private readonly statements = new Map<string, StatementSync>();
  // Transactions are serialized: an awaited step inside one must never interleave with another's writes.
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: SqliteStoreOptions) {
    if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
    this.db = new DatabaseSync(options.path);
    // WAL + NORMAL: a committed transaction survives the process being killed (it is in the WAL file);
    // only an operating-system crash could lose the last transactions.
    this.db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;');
    this.migrate();
  }

  private migrate(): void {
    this.db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
    const applied = new Set(
      (this.db.prepare('SELECT version FROM schema_migrations').all() as Row[]).map((r) => Number(r.version)),
    );
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue;
      this.db.exec('BEGIN IMMEDIATE');
      try {
        this.db.exec(migration.sql);
        this.db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(migration.version, Date.now());
        this.db.exec('COMMIT');
      } catch (error) {
        this.db.exec('ROLLBACK');
        throw error;
      }
    }
  }

  private statement(sql: string): StatementSync {
    let prepared = this.statements.get(sql);
    if (!prepared) {
      prepared = this.db.prepare(sql);
      this.statements.set(sql, prepared);
    }
    return prepared;
  }

  async transaction<T>(work: (tx: StoreOperations) => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const result = await work(this);
        this.db.exec('COMMIT');
        return result;
      } catch (error) {
        this.db.exec('ROLLBACK');
        throw error;
      }
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    await this.queue;
    this.db.close();
  }

  // ---- windows

  async insertWindow(scope: Scope, window: Window): Promise<void> {
    this.statement('INSERT INTO windows (account, region, id, doc) VALUES (?, ?, ?, ?)')
      .run(scope.account, scope.region, window.id, JSON.stringify(window));
  }

  async getWindow(scope: Scope, windowId: string): Promise<Window | undefined> {
    return parsed(this.statement('SELECT doc FROM windows WHERE account = ? AND region = ? AND id = ?')
      .get(scope.account, scope.region, windowId) as Row | undefined);
  }

  async updateWindow(scope: Scope, window: Window): Promise<void> {
    this.statement('UPDATE windows SET doc = ? WHERE account = ? AND region = ? AND id = ?')
      .run(JSON.stringify(window), scope.account, scope.region, window.id);
  }

  async deleteWindow(scope: Scope, windowId: string): Promise<boolean> {
    const args = [scope.account, scope.region, windowId] as const;
    this.statement('DELETE FROM window_targets WHERE account = ? AND region = ? AND window_id = ?').run(...args);
    this.statement('DELETE FROM window_tasks WHERE account = ? AND region = ? AND window_id = ?').run(...args);
    this.statement("DELETE FROM resource_tags WHERE account = ? AND region = ? AND resource_type = 'MaintenanceWindow' AND resource_id = ?").run(...args);
    const result = this.statement('DELETE FROM windows WHERE account = ? AND region = ? AND id = ?').run(...args);
    return Number(result.changes) > 0;
  }

  async countWindows(scope: Scope): Promise<number> {
    const row = this.statement('SELECT count(*) AS n FROM windows WHERE account = ? AND region = ?')
      .get(scope.account, scope.region) as Row;
    return Number(row.n);
  }

  async listWindows(scope: Scope, afterKey: number, limit: number): Promise<Keyed<Window>[]> {
    return keyed(this.statement('SELECT seq, doc FROM windows WHERE account = ? AND region = ? AND seq > ? ORDER BY seq LIMIT ?')
      .all(scope.account, scope.region, afterKey, limit) as Row[]);
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
