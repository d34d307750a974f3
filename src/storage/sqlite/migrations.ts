// Numbered schema migrations for the SQLite engine. Each runs once, in order, inside a transaction;
// the applied version is recorded in schema_migrations. Never edit a shipped migration: add a new one.

export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const migrations: Migration[] = [
  {
    version: 1,
    description: 'control plane: windows, targets, tasks, tags, idempotency, settings',
    sql: `
      CREATE TABLE windows (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        account TEXT NOT NULL,
        region TEXT NOT NULL,
        id TEXT NOT NULL,
        doc TEXT NOT NULL,
        UNIQUE (account, region, id)
      );
      CREATE TABLE window_targets (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        account TEXT NOT NULL,
        region TEXT NOT NULL,
        window_id TEXT NOT NULL,
        id TEXT NOT NULL,
        doc TEXT NOT NULL,
        UNIQUE (account, region, window_id, id)
      );
      CREATE INDEX window_targets_by_window ON window_targets (account, region, window_id, seq);
      CREATE TABLE window_tasks (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        account TEXT NOT NULL,
        region TEXT NOT NULL,
        window_id TEXT NOT NULL,
        id TEXT NOT NULL,
        doc TEXT NOT NULL,
        UNIQUE (account, region, window_id, id)
      );
      CREATE INDEX window_tasks_by_window ON window_tasks (account, region, window_id, seq);
      CREATE TABLE resource_tags (
        account TEXT NOT NULL,
        region TEXT NOT NULL,
        resource_type TEXT NOT NULL,
        resource_id TEXT NOT NULL,
        doc TEXT NOT NULL,
        PRIMARY KEY (account, region, resource_type, resource_id)
      );
      CREATE TABLE idempotency_tokens (
        account TEXT NOT NULL,
        region TEXT NOT NULL,
        operation TEXT NOT NULL,
        token TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        result TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (account, region, operation, token)
      );
      CREATE INDEX idempotency_tokens_by_age ON idempotency_tokens (created_at);
      CREATE TABLE settings (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
    `,
  },
];
