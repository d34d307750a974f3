// The schema's numbered migrations, written once for both engines. Each runs once, in order, inside a
// transaction, and its version is recorded in schema_migrations; never edit a shipped migration: add one.
// The engines differ only in a few words (an identity key, the integer type, how a trigger or a JSON
// field is written) and in two indexes PostgreSQL's planner needs: those are the dialect's words below.
// test/contract/schema-parity.test.ts proves both engines end with the same tables and columns.
//
// Entities are JSON documents (`doc`, text: JSON.stringify's output exactly as written, so any string a
// document may hold, `\u0000` included, survives; PostgreSQL's jsonb would reject that) beside the columns
// they are looked up by. `seq` gives the keyset (creation) order; times are epoch milliseconds.

import { later } from './migrations-later.ts';

export type Dialect = 'sqlite' | 'postgres';

export interface Migration {
  version: number;
  description: string;
  sql: string;
}

/** The words a migration may differ by between engines. */
interface Words {
  /** An auto-numbered primary key column's type. */
  seq: string;
  /** A 64-bit integer (SQLite's INTEGER is one). */
  int: string;
  text: string;
  /** `sql` on this engine only, nothing on the other. */
  only(dialect: Dialect, sql: string): string;
  /** The one of two forms for this engine. */
  pick(forms: Record<Dialect, string>): string;
}

function words(dialect: Dialect): Words {
  const postgres = dialect === 'postgres';
  return {
    seq: postgres ? 'bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY' : 'INTEGER PRIMARY KEY AUTOINCREMENT',
    int: postgres ? 'bigint' : 'INTEGER',
    text: postgres ? 'text' : 'TEXT',
    only: (which, sql) => (which === dialect ? sql : ''),
    pick: (forms) => forms[dialect],
  };
}

/** The table of a window's child: targets and tasks have the same columns. */
const windowChild = (name: string, { seq, text }: Words) => `
      CREATE TABLE ${name} (
        seq ${seq},
        account ${text} NOT NULL,
        region ${text} NOT NULL,
        window_id ${text} NOT NULL,
        id ${text} NOT NULL,
        doc ${text} NOT NULL,
        UNIQUE (account, region, window_id, id)
      );
      CREATE INDEX ${name}_by_window ON ${name} (account, region, window_id, seq);`;

/** A history table: its rows hang off `parent` and are read by it and by status. */
const historyTable = (name: string, parent: string, { seq, text }: Words) => `
      CREATE TABLE ${name} (
        seq ${seq},
        account ${text} NOT NULL,
        region ${text} NOT NULL,
        ${parent} ${text} NOT NULL,
        id ${text} NOT NULL,
        status ${text} NOT NULL,
        doc ${text} NOT NULL
      );
      CREATE UNIQUE INDEX ${name}_by_id ON ${name} (account, region, id);`;

/** A document table keyed by account, Region and id, in creation order. */
export const documentTable = (name: string, { seq, text }: Words) => `
      CREATE TABLE ${name} (
        seq ${seq},
        account ${text} NOT NULL,
        region ${text} NOT NULL,
        id ${text} NOT NULL,
        doc ${text} NOT NULL
      );
      CREATE UNIQUE INDEX ${name}_by_id ON ${name} (account, region, id);`;

/** A migration in either engine's words. */
export interface SharedMigration {
  version: number;
  description: string;
  sql: (w: Words) => string;
}

/** Versions 1 to 6; migrations-later.ts holds the rest (one file would pass 300 lines). */
const shared: SharedMigration[] = [
  {
    version: 1,
    description: 'control plane: windows, targets, tasks, tags, idempotency, settings',
    sql: (w) => `
      CREATE TABLE windows (
        seq ${w.seq},
        account ${w.text} NOT NULL,
        region ${w.text} NOT NULL,
        id ${w.text} NOT NULL,
        doc ${w.text} NOT NULL,
        UNIQUE (account, region, id)
      );${w.only('postgres', `
      CREATE INDEX windows_by_scope ON windows (account, region, seq);`)}${windowChild('window_targets', w)}${windowChild('window_tasks', w)}
      CREATE TABLE resource_tags (
        account ${w.text} NOT NULL,
        region ${w.text} NOT NULL,
        resource_type ${w.text} NOT NULL,
        resource_id ${w.text} NOT NULL,
        doc ${w.text} NOT NULL,
        PRIMARY KEY (account, region, resource_type, resource_id)
      );
      CREATE TABLE idempotency_tokens (
        account ${w.text} NOT NULL,
        region ${w.text} NOT NULL,
        operation ${w.text} NOT NULL,
        token ${w.text} NOT NULL,
        fingerprint ${w.text} NOT NULL,
        result ${w.text} NOT NULL,
        created_at ${w.int} NOT NULL,
        PRIMARY KEY (account, region, operation, token)
      );
      CREATE INDEX idempotency_tokens_by_age ON idempotency_tokens (created_at);
      CREATE TABLE settings (
        name ${w.text} PRIMARY KEY,
        value ${w.text} NOT NULL
      );
    `,
  },
  {
    version: 2,
    description: 'engine: next fire times, execution history, managed nodes, outcome rules',
    sql: (w) => `
      ALTER TABLE windows ADD COLUMN next_fire_at ${w.int};
      CREATE INDEX windows_by_next_fire ON windows (${w.pick({ sqlite: 'next_fire_at', postgres: 'next_fire_at, seq' })}) WHERE next_fire_at IS NOT NULL;${historyTable('window_executions', 'window_id', w)}
      CREATE INDEX window_executions_by_window ON window_executions (account, region, window_id, seq);
      CREATE INDEX window_executions_active ON window_executions (${w.pick({ sqlite: 'status', postgres: 'seq' })}) WHERE status IN ('PENDING', 'IN_PROGRESS', 'CANCELLING');${historyTable('task_executions', 'window_execution_id', w)}
      CREATE INDEX task_executions_by_window_execution ON task_executions (account, region, window_execution_id, seq);${historyTable('invocations', 'task_execution_id', w)}
      CREATE INDEX invocations_by_task_execution ON invocations (account, region, task_execution_id, seq);
      CREATE INDEX invocations_by_task_execution_status ON invocations (account, region, task_execution_id, status, seq);
      CREATE TABLE managed_nodes (
        account ${w.text} NOT NULL,
        region ${w.text} NOT NULL,
        id ${w.text} NOT NULL,
        doc ${w.text} NOT NULL,
        PRIMARY KEY (account, region, id)
      );
      CREATE TABLE outcome_rules (
        account ${w.text} NOT NULL,
        region ${w.text} NOT NULL,
        doc ${w.text} NOT NULL,
        PRIMARY KEY (account, region)
      );
    `,
  },
  {
    version: 3,
    description: 'leases: which engine replica runs an execution, and until when',
    sql: (w) => `
      ALTER TABLE window_executions ADD COLUMN owner ${w.text};
      ALTER TABLE window_executions ADD COLUMN lease_until ${w.int};${w.only('postgres', `
      CREATE INDEX window_executions_by_owner ON window_executions (owner) WHERE owner IS NOT NULL;`)}
    `,
  },
  {
    version: 4,
    description: 'task plans apart from task rows: history reads stay small for large task executions',
    sql: (w) => `
      ALTER TABLE task_executions ADD COLUMN plan ${w.text};
    `,
  },
  {
    version: 5,
    description: 'window counts per account and Region, kept by triggers: the quota check stays O(1)',
    sql: (w) => `
      CREATE TABLE window_counts (
        account ${w.text} NOT NULL,
        region ${w.text} NOT NULL,
        n ${w.int} NOT NULL,
        PRIMARY KEY (account, region)
      );
      INSERT INTO window_counts (account, region, n) SELECT account, region, count(*) FROM windows GROUP BY account, region;${w.pick({
  sqlite: `
      CREATE TRIGGER windows_counted_in AFTER INSERT ON windows BEGIN
        INSERT INTO window_counts (account, region, n) VALUES (NEW.account, NEW.region, 1)
          ON CONFLICT (account, region) DO UPDATE SET n = n + 1;
      END;
      CREATE TRIGGER windows_counted_out AFTER DELETE ON windows BEGIN
        UPDATE window_counts SET n = n - 1 WHERE account = OLD.account AND region = OLD.region;
      END;`,
  postgres: `
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
      CREATE TRIGGER windows_counted AFTER INSERT OR DELETE ON windows FOR EACH ROW EXECUTE FUNCTION keep_window_counts();`,
})}
    `,
  },
  {
    version: 6,
    description: 'Run Command: commands and their per-node invocations, with the instant each is next due',
    sql: (w) => `${documentTable('commands', w)}
      CREATE TABLE command_invocations (
        seq ${w.seq},
        account ${w.text} NOT NULL,
        region ${w.text} NOT NULL,
        command_id ${w.text} NOT NULL,
        instance_id ${w.text} NOT NULL,
        status ${w.text} NOT NULL,
        due_at ${w.int},
        doc ${w.text} NOT NULL
      );
      CREATE UNIQUE INDEX command_invocations_by_id ON command_invocations (account, region, command_id, instance_id);
      CREATE INDEX command_invocations_by_command ON command_invocations (account, region, command_id, seq);
      CREATE INDEX command_invocations_by_instance ON command_invocations (account, region, instance_id, seq);
      CREATE INDEX command_invocations_due ON command_invocations (due_at) WHERE due_at IS NOT NULL;
    `,
  },
];

/** The migrations in the words of `dialect`, in order. */
export function migrationsFor(dialect: Dialect): Migration[] {
  const w = words(dialect);
  return [...shared, ...later].map(({ version, description, sql }) => ({ version, description, sql: sql(w) }));
}

export type { Words };
