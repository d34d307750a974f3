// The PostgreSQL plumbing every port of the engine shares: what a statement runs on (the pool, or one
// transaction's client), named statements, opening the pool and running the migrations under an advisory lock.

import pg from 'pg';
import type { Row } from '../row-mappers.ts';
import { migrationsFor } from '../migrations.ts';
import { systemClock } from '../../service/system.ts';

const migrations = migrationsFor('postgres');

/** Where statements run: the pool (each statement on any free connection) or one transaction's client. */
export interface Session {
  query(config: pg.QueryConfig): Promise<pg.QueryResult<Row>>;
}

export type Statement = (session: Session, values: readonly unknown[]) => Promise<pg.QueryResult<Row>>;

const statementNames = new Set<string>();

/**
 * One SQL statement under one name. The name also names the server-side prepared statement, parsed once
 * per connection; values are always bound ($1, $2, ...), never pasted into the text.
 */
export function statement(name: string, text: string): Statement {
  const prepared = `mw_${name}`;
  // A connection holds one prepared statement per name: two texts under one name would fail at run time.
  if (statementNames.has(prepared)) throw new Error(`two SQL statements are named ${name}`);
  statementNames.add(prepared);
  return (session, values) => session.query({ name: prepared, text, values: values as unknown[] });
}

/** Keeps the last of several rows with one id, as writing them one after another would. */
export function lastById<T extends { id: string }>(rows: readonly T[]): T[] {
  return [...new Map(rows.map((row) => [row.id, row] as const)).values()];
}

// Advisory lock classes (the first key of the two-key form), so our locks never meet anyone else's.
export const LOCK_CLASS_MIGRATIONS = 0x6d770001;
export const LOCK_CLASS_IDEMPOTENCY = 0x6d770002;
/** Held by a transaction that records events, until it commits: event writers take turns. */
export const LOCK_CLASS_EVENTS = 0x6d770003;

export interface PostgresStoreOptions {
  /** A libpq-style URL: `postgres://user:password@host:port/database`. Required. */
  connectionString: string;
  /**
   * The schema that holds the tables, created when missing and put first on every pooled connection's
   * search_path. Default: none, so the server's search_path decides (normally `public`). Letters, digits
   * and `_` only, not starting with a digit.
   */
  schema?: string;
  /** The most connections the pool opens. Default: 10. */
  poolSize?: number;
  /** Told about errors of idle pooled connections (e.g. the server went away). Default: written to stderr. */
  onIdleError?: (error: Error) => void;
}

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export function createPool(options: PostgresStoreOptions): pg.Pool {
  // A server that never answers (packets dropped) fails the start after 30 s, not the kernel's ~2 minutes.
  const config: pg.PoolConfig = { connectionString: options.connectionString, max: options.poolSize ?? 10, connectionTimeoutMillis: 30_000 };
  if (options.schema !== undefined) {
    if (!SCHEMA_NAME.test(options.schema)) throw new Error(`invalid PostgreSQL schema name: ${JSON.stringify(options.schema)}`);
    if (/[?&]options=/.test(options.connectionString)) {
      // pg lets the URL's own options replace ours, which would silently drop the search_path.
      throw new Error('a connection string with an options parameter cannot be combined with a schema');
    }
    // Sent in each connection's startup packet, so no connection ever runs a statement without it.
    config.options = `-c search_path="${options.schema}"`;
  }
  const pool = new pg.Pool(config);
  const onIdleError = options.onIdleError ?? ((error: Error) => process.stderr.write(`postgres: idle connection error: ${error.message}\n`));
  pool.on('error', onIdleError);
  return pool;
}

const lockMigrations = statement('lock_migrations', 'SELECT pg_advisory_xact_lock($1, hashtext($2))');
const createMigrationsTable = statement('create_schema_migrations', 'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at bigint NOT NULL)');
const selectAppliedVersions = statement('select_applied_versions', 'SELECT version FROM schema_migrations');
const insertAppliedVersion = statement('insert_applied_version', 'INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)');

/**
 * Brings the schema up to date in one transaction. The advisory lock makes replicas that start together
 * take turns: the first applies the migrations, the others then find them recorded and apply nothing.
 */
export async function migrate(pool: pg.Pool, schema: string | undefined): Promise<void> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    try {
      await lockMigrations(client, [LOCK_CLASS_MIGRATIONS, `mw-local schema ${schema ?? ''}`]);
      // An identifier cannot be bound; the name was checked against SCHEMA_NAME when the pool was made.
      if (schema !== undefined) await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      await createMigrationsTable(client, []);
      const applied = new Set((await selectAppliedVersions(client, [])).rows.map((row) => Number(row.version)));
      for (const migration of migrations) {
        if (applied.has(migration.version)) continue;
        await client.query(migration.sql);
        await insertAppliedVersion(client, [migration.version, systemClock.now()]); // real time, whatever the engine's clock
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
      throw error;
    }
  } finally {
    client.release(broken);
  }
}

/** Drops `schema` with everything in it (used by the contract tests to leave nothing behind). */
export async function dropSchema(connectionString: string, schema: string): Promise<void> {
  if (!SCHEMA_NAME.test(schema)) throw new Error(`invalid PostgreSQL schema name: ${JSON.stringify(schema)}`);
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
