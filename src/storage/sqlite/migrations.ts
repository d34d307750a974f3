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
  {
    version: 2,
    description: 'engine: next fire times, execution history, managed nodes, outcome rules',
    sql: `
      ALTER TABLE windows ADD COLUMN next_fire_at INTEGER;
      CREATE INDEX windows_by_next_fire ON windows (next_fire_at) WHERE next_fire_at IS NOT NULL;
      CREATE TABLE window_executions (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        account TEXT NOT NULL,
        region TEXT NOT NULL,
        window_id TEXT NOT NULL,
        id TEXT NOT NULL,
        status TEXT NOT NULL,
        doc TEXT NOT NULL
      );
      CREATE UNIQUE INDEX window_executions_by_id ON window_executions (account, region, id);
      CREATE INDEX window_executions_by_window ON window_executions (account, region, window_id, seq);
      CREATE INDEX window_executions_active ON window_executions (status) WHERE status IN ('PENDING', 'IN_PROGRESS', 'CANCELLING');
      CREATE TABLE task_executions (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        account TEXT NOT NULL,
        region TEXT NOT NULL,
        window_execution_id TEXT NOT NULL,
        id TEXT NOT NULL,
        status TEXT NOT NULL,
        doc TEXT NOT NULL
      );
      CREATE UNIQUE INDEX task_executions_by_id ON task_executions (account, region, id);
      CREATE INDEX task_executions_by_window_execution ON task_executions (account, region, window_execution_id, seq);
      CREATE TABLE invocations (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        account TEXT NOT NULL,
        region TEXT NOT NULL,
        task_execution_id TEXT NOT NULL,
        id TEXT NOT NULL,
        status TEXT NOT NULL,
        doc TEXT NOT NULL
      );
      CREATE UNIQUE INDEX invocations_by_id ON invocations (account, region, id);
      CREATE INDEX invocations_by_task_execution ON invocations (account, region, task_execution_id, seq);
      CREATE INDEX invocations_by_task_execution_status ON invocations (account, region, task_execution_id, status, seq);
      CREATE TABLE managed_nodes (
        account TEXT NOT NULL,
        region TEXT NOT NULL,
        id TEXT NOT NULL,
        doc TEXT NOT NULL,
        PRIMARY KEY (account, region, id)
      );
      CREATE TABLE outcome_rules (
        account TEXT NOT NULL,
        region TEXT NOT NULL,
        doc TEXT NOT NULL,
        PRIMARY KEY (account, region)
      );
    `,
  },
  {
    version: 3,
    description: 'leases: which engine replica runs an execution, and until when',
    sql: `
      ALTER TABLE window_executions ADD COLUMN owner TEXT;
      ALTER TABLE window_executions ADD COLUMN lease_until INTEGER;
    `,
  },
  {
    version: 4,
    description: 'task plans apart from task rows: history reads stay small for large task executions',
    sql: `
      ALTER TABLE task_executions ADD COLUMN plan TEXT;
    `,
  },
  {
    version: 5,
    description: 'window counts per account and Region, kept by triggers: the quota check stays O(1)',
    sql: `
      CREATE TABLE window_counts (
        account TEXT NOT NULL,
        region TEXT NOT NULL,
        n INTEGER NOT NULL,
        PRIMARY KEY (account, region)
      );
      INSERT INTO window_counts (account, region, n) SELECT account, region, count(*) FROM windows GROUP BY account, region;
      CREATE TRIGGER windows_counted_in AFTER INSERT ON windows BEGIN
        INSERT INTO window_counts (account, region, n) VALUES (NEW.account, NEW.region, 1)
          ON CONFLICT (account, region) DO UPDATE SET n = n + 1;
      END;
      CREATE TRIGGER windows_counted_out AFTER DELETE ON windows BEGIN
        UPDATE window_counts SET n = n - 1 WHERE account = OLD.account AND region = OLD.region;
      END;
    `,
  },
  {
    version: 6,
    description: 'Run Command: commands and their per-node invocations, with the instant each is next due',
    sql: `
      CREATE TABLE commands (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        account TEXT NOT NULL,
        region TEXT NOT NULL,
        id TEXT NOT NULL,
        doc TEXT NOT NULL
      );
      CREATE UNIQUE INDEX commands_by_id ON commands (account, region, id);
      CREATE TABLE command_invocations (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        account TEXT NOT NULL,
        region TEXT NOT NULL,
        command_id TEXT NOT NULL,
        instance_id TEXT NOT NULL,
        status TEXT NOT NULL,
        due_at INTEGER,
        doc TEXT NOT NULL
      );
      CREATE UNIQUE INDEX command_invocations_by_id ON command_invocations (account, region, command_id, instance_id);
      CREATE INDEX command_invocations_by_command ON command_invocations (account, region, command_id, seq);
      CREATE INDEX command_invocations_by_instance ON command_invocations (account, region, instance_id, seq);
      CREATE INDEX command_invocations_due ON command_invocations (due_at) WHERE due_at IS NOT NULL;
    `,
  },
  {
    version: 7,
    description: 'window reports: what a window command tells its invocation, waiting for the replica that runs the execution',
    sql: `
      CREATE TABLE window_reports (
        account TEXT NOT NULL,
        region TEXT NOT NULL,
        invocation_id TEXT NOT NULL,
        window_execution_id TEXT NOT NULL,
        at INTEGER NOT NULL,
        doc TEXT NOT NULL,
        PRIMARY KEY (account, region, invocation_id)
      );
      CREATE INDEX window_reports_by_execution ON window_reports (account, region, window_execution_id);
    `,
  },
  {
    version: 8,
    description: 'hybrid activations: the codes with which real machines register as managed nodes',
    sql: `
      CREATE TABLE activations (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        account TEXT NOT NULL,
        region TEXT NOT NULL,
        id TEXT NOT NULL,
        doc TEXT NOT NULL
      );
      CREATE UNIQUE INDEX activations_by_id ON activations (account, region, id);
      -- An agent's RegisterManagedInstance names only the activation id: found across accounts by it.
      CREATE INDEX activations_by_activation_id ON activations (id);
    `,
  },
  {
    version: 9,
    description: 'agents: nodes found by id alone, and the short-lived credentials issued to registered agents',
    sql: `
      CREATE INDEX managed_nodes_by_node_id ON managed_nodes (id);
      CREATE TABLE agent_credentials (
        access_key_id TEXT PRIMARY KEY,
        account TEXT NOT NULL,
        region TEXT NOT NULL,
        node_id TEXT NOT NULL,
        expires_at INTEGER NOT NULL,
        doc TEXT NOT NULL
      );
      CREATE INDEX agent_credentials_by_node ON agent_credentials (account, region, node_id);
      -- A real node's messages waiting for its agent's poll (a command invocation or a cancel of one).
      ALTER TABLE command_invocations ADD COLUMN delivery TEXT;
      CREATE INDEX command_invocations_queued ON command_invocations (account, region, instance_id) WHERE delivery = 'queued';
    `,
  },
  {
    version: 10,
    description: 'state-change events: an outbox written with each change, and the targets it is delivered to',
    sql: `
      CREATE TABLE events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL,
        window_id TEXT,
        doc TEXT NOT NULL
      );
      -- Each target's progress through the events, and which replica delivers to it until when.
      CREATE TABLE event_targets (
        id TEXT PRIMARY KEY,
        doc TEXT NOT NULL,
        delivered_seq INTEGER NOT NULL,
        failures INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        owner TEXT,
        lease_until INTEGER
      );
    `,
  },
  {
    version: 11,
    description: 'event targets belong to one account and Region (or to the operator); events are read by account and Region',
    sql: `
      -- NULL account and region: the operator's target (--event-webhook, --eventbridge-endpoint), which
      -- receives every account's events. Targets made before owners existed cannot say who added them:
      -- they are given to the default account and Region (000000000000, us-east-1; wire/scope.ts), the
      -- scope of every control call of a service without --credentials, where they were almost surely
      -- added. Start-up gives the targets still named by the flags back to the operator (same ids).
      ALTER TABLE event_targets ADD COLUMN account TEXT;
      ALTER TABLE event_targets ADD COLUMN region TEXT;
      UPDATE event_targets SET account = '000000000000', region = 'us-east-1';
      ALTER TABLE events ADD COLUMN account TEXT;
      ALTER TABLE events ADD COLUMN region TEXT;
      UPDATE events SET account = json_extract(doc, '$.account'), region = json_extract(doc, '$.region');
      CREATE INDEX events_by_scope ON events (account, region, seq);
    `,
  },
  {
    version: 12,
    description: 'windows, window executions, task executions and invocations carry a version, bumped by every write of their document',
    sql: `
      -- The version of a record's document: 1 when inserted, +1 by each statement that writes the doc
      -- (service/ports/keyed.ts, Stored). The wire's answer memo is keyed on it (wire/json-text.ts).
      -- A later migration that rewrites these documents must bump it too.
      ALTER TABLE windows ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
      ALTER TABLE window_executions ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
      ALTER TABLE task_executions ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
      ALTER TABLE invocations ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
    `,
  },
];
