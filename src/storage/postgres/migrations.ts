// Numbered schema migrations for the PostgreSQL engine. They mirror the SQLite engine's tables version for
// version; each runs once, in order, inside the one transaction that openPostgresStore holds under an
// advisory lock, and its version is recorded in schema_migrations. Never edit a shipped migration: add one.
//
// Entities are JSON documents (`doc`, text: JSON.stringify's output exactly as written, so any string a
// document may hold, `\u0000` included, survives; jsonb would reject that) beside the columns we look
// them up by. `seq` is an identity column giving the keyset (creation) order; times are epoch ms (bigint).

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
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        account text NOT NULL,
        region text NOT NULL,
        id text NOT NULL,
        doc text NOT NULL,
        UNIQUE (account, region, id)
      );
      CREATE INDEX windows_by_scope ON windows (account, region, seq);
      CREATE TABLE window_targets (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        account text NOT NULL,
        region text NOT NULL,
        window_id text NOT NULL,
        id text NOT NULL,
        doc text NOT NULL,
        UNIQUE (account, region, window_id, id)
      );
      CREATE INDEX window_targets_by_window ON window_targets (account, region, window_id, seq);
      CREATE TABLE window_tasks (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        account text NOT NULL,
        region text NOT NULL,
        window_id text NOT NULL,
        id text NOT NULL,
        doc text NOT NULL,
        UNIQUE (account, region, window_id, id)
      );
      CREATE INDEX window_tasks_by_window ON window_tasks (account, region, window_id, seq);
      CREATE TABLE resource_tags (
        account text NOT NULL,
        region text NOT NULL,
        resource_type text NOT NULL,
        resource_id text NOT NULL,
        doc text NOT NULL,
        PRIMARY KEY (account, region, resource_type, resource_id)
      );
      CREATE TABLE idempotency_tokens (
        account text NOT NULL,
        region text NOT NULL,
        operation text NOT NULL,
        token text NOT NULL,
        fingerprint text NOT NULL,
        result text NOT NULL,
        created_at bigint NOT NULL,
        PRIMARY KEY (account, region, operation, token)
      );
      CREATE INDEX idempotency_tokens_by_age ON idempotency_tokens (created_at);
      CREATE TABLE settings (
        name text PRIMARY KEY,
        value text NOT NULL
      );
    `,
  },
  {
    version: 2,
    description: 'engine: next fire times, execution history, managed nodes, outcome rules',
    sql: `
      ALTER TABLE windows ADD COLUMN next_fire_at bigint;
      CREATE INDEX windows_by_next_fire ON windows (next_fire_at, seq) WHERE next_fire_at IS NOT NULL;
      CREATE TABLE window_executions (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        account text NOT NULL,
        region text NOT NULL,
        window_id text NOT NULL,
        id text NOT NULL,
        status text NOT NULL,
        doc text NOT NULL
      );
      CREATE UNIQUE INDEX window_executions_by_id ON window_executions (account, region, id);
      CREATE INDEX window_executions_by_window ON window_executions (account, region, window_id, seq);
      CREATE INDEX window_executions_active ON window_executions (seq) WHERE status IN ('PENDING', 'IN_PROGRESS', 'CANCELLING');
      CREATE TABLE task_executions (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        account text NOT NULL,
        region text NOT NULL,
        window_execution_id text NOT NULL,
        id text NOT NULL,
        status text NOT NULL,
        doc text NOT NULL
      );
      CREATE UNIQUE INDEX task_executions_by_id ON task_executions (account, region, id);
      CREATE INDEX task_executions_by_window_execution ON task_executions (account, region, window_execution_id, seq);
      CREATE TABLE invocations (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        account text NOT NULL,
        region text NOT NULL,
        task_execution_id text NOT NULL,
        id text NOT NULL,
        status text NOT NULL,
        doc text NOT NULL
      );
      CREATE UNIQUE INDEX invocations_by_id ON invocations (account, region, id);
      CREATE INDEX invocations_by_task_execution ON invocations (account, region, task_execution_id, seq);
      CREATE INDEX invocations_by_task_execution_status ON invocations (account, region, task_execution_id, status, seq);
      CREATE TABLE managed_nodes (
        account text NOT NULL,
        region text NOT NULL,
        id text NOT NULL,
        doc text NOT NULL,
        PRIMARY KEY (account, region, id)
      );
      CREATE TABLE outcome_rules (
        account text NOT NULL,
        region text NOT NULL,
        doc text NOT NULL,
        PRIMARY KEY (account, region)
      );
    `,
  },
  {
    version: 3,
    description: 'leases: which engine replica runs an execution, and until when',
    sql: `
      ALTER TABLE window_executions ADD COLUMN owner text;
      ALTER TABLE window_executions ADD COLUMN lease_until bigint;
      CREATE INDEX window_executions_by_owner ON window_executions (owner) WHERE owner IS NOT NULL;
    `,
  },
  {
    version: 4,
    description: 'task plans apart from task rows: history reads stay small for large task executions',
    sql: `
      ALTER TABLE task_executions ADD COLUMN plan text;
    `,
  },
  {
    version: 5,
    description: 'window counts per account and Region, kept by triggers: the quota check stays O(1)',
    sql: `
      CREATE TABLE window_counts (
        account text NOT NULL,
        region text NOT NULL,
        n bigint NOT NULL,
        PRIMARY KEY (account, region)
      );
      INSERT INTO window_counts (account, region, n) SELECT account, region, count(*) FROM windows GROUP BY account, region;
      CREATE FUNCTION keep_window_counts() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          INSERT INTO window_counts (account, region, n) VALUES (NEW.account, NEW.region, 1)
            ON CONFLICT (account, region) DO UPDATE SET n = window_counts.n + 1;
          RETURN NEW;
        END IF;
        UPDATE window_counts SET n = n - 1 WHERE account = OLD.account AND region = OLD.region;
        RETURN OLD;
      END $$;
      CREATE TRIGGER windows_counted AFTER INSERT OR DELETE ON windows FOR EACH ROW EXECUTE FUNCTION keep_window_counts();
    `,
  },
  {
    version: 6,
    description: 'Run Command: commands and their per-node invocations, with the instant each is next due',
    sql: `
      CREATE TABLE commands (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        account text NOT NULL,
        region text NOT NULL,
        id text NOT NULL,
        doc text NOT NULL
      );
      CREATE UNIQUE INDEX commands_by_id ON commands (account, region, id);
      CREATE TABLE command_invocations (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        account text NOT NULL,
        region text NOT NULL,
        command_id text NOT NULL,
        instance_id text NOT NULL,
        status text NOT NULL,
        due_at bigint,
        doc text NOT NULL
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
        account text NOT NULL,
        region text NOT NULL,
        invocation_id text NOT NULL,
        window_execution_id text NOT NULL,
        at bigint NOT NULL,
        doc text NOT NULL,
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
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        account text NOT NULL,
        region text NOT NULL,
        id text NOT NULL,
        doc text NOT NULL
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
        access_key_id text PRIMARY KEY,
        account text NOT NULL,
        region text NOT NULL,
        node_id text NOT NULL,
        expires_at bigint NOT NULL,
        doc text NOT NULL
      );
      CREATE INDEX agent_credentials_by_node ON agent_credentials (account, region, node_id);
      -- A real node's messages waiting for its agent's poll (a command invocation or a cancel of one).
      ALTER TABLE command_invocations ADD COLUMN delivery text;
      CREATE INDEX command_invocations_queued ON command_invocations (account, region, instance_id) WHERE delivery = 'queued';
    `,
  },
  {
    version: 10,
    description: 'state-change events: an outbox written with each change, and the targets it is delivered to',
    sql: `
      CREATE TABLE events (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id text NOT NULL,
        window_id text,
        doc text NOT NULL
      );
      -- Each target's progress through the events, and which replica delivers to it until when.
      CREATE TABLE event_targets (
        id text PRIMARY KEY,
        doc text NOT NULL,
        delivered_seq bigint NOT NULL,
        failures bigint NOT NULL DEFAULT 0,
        last_error text,
        owner text,
        lease_until bigint
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
      ALTER TABLE event_targets ADD COLUMN account text;
      ALTER TABLE event_targets ADD COLUMN region text;
      UPDATE event_targets SET account = '000000000000', region = 'us-east-1';
      ALTER TABLE events ADD COLUMN account text;
      ALTER TABLE events ADD COLUMN region text;
      UPDATE events SET account = doc::jsonb ->> 'account', region = doc::jsonb ->> 'region';
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
      ALTER TABLE windows ADD COLUMN version bigint NOT NULL DEFAULT 1;
      ALTER TABLE window_executions ADD COLUMN version bigint NOT NULL DEFAULT 1;
      ALTER TABLE task_executions ADD COLUMN version bigint NOT NULL DEFAULT 1;
      ALTER TABLE invocations ADD COLUMN version bigint NOT NULL DEFAULT 1;
    `,
  },
];
