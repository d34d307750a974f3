// The SQLite connection: opening, migrations, prepared-statement cache and serialized transactions.

import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { migrations } from './migrations.ts';

import type { Keyed } from '../../service/ports.ts';

export type Row = Record<string, unknown>;

export function keyed<T>(rows: Row[]): Keyed<T>[] {
  return rows.map((row) => ({ key: Number(row.seq), item: JSON.parse(String(row.doc)) as T }));
}

export function parsed<T>(row: Row | undefined): T | undefined {
  return row ? (JSON.parse(String(row.doc)) as T) : undefined;
}

export interface SqliteStoreOptions {
  /** Database file path, or ':memory:'. */
  path: string;
}

export class SqliteDatabase {
  protected readonly db: DatabaseSync;
  private readonly statements = new Map<string, StatementSync>();
  // Transactions are serialized: an awaited step inside one must never interleave with another's writes.
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: SqliteStoreOptions) {
    if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
    this.db = new DatabaseSync(options.path);
    // WAL + NORMAL: a committed transaction survives the process being killed (it is in the WAL file);
    // only an operating-system crash could lose the last transactions.
    // busy_timeout first: switching to WAL takes a lock, and another process opening the file at the same
    // moment must be waited for, not answered "database is locked".
    this.db.exec('PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;');
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

  protected statement(sql: string): StatementSync {
    let prepared = this.statements.get(sql);
    if (!prepared) {
      prepared = this.db.prepare(sql);
      this.statements.set(sql, prepared);
    }
    return prepared;
  }

  async transaction<T>(work: (tx: this) => Promise<T>): Promise<T> {
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
}
