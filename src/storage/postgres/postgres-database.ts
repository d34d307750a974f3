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
  /**
   * A write whose result nobody reads. A transaction sends it without waiting for the answer (the
   * connection runs statements in order, so later reads see it; its error fails the next statement and
   * the COMMIT): the caller's next work overlaps the server's. Without it, the write is a query.
   */
  write?(config: pg.QueryConfig): Promise<void>;
  /**
   * A one-row write nobody reads the result of, gathered with the ones of the same `kind` asked right
   * after it: a transaction sends them as one statement (`send` of their rows) before whatever it is asked
   * next, so the server sees the same writes in the same order. Without it the caller writes the row alone.
   */
  gather?<T>(kind: string, row: T, send: (rows: T[]) => pg.QueryConfig): void;
}

export interface Statement {
  (session: Session, values: readonly unknown[]): Promise<pg.QueryResult<Row>>;
  /** The statement as a write nobody reads the result of (Session.write). */
  write(session: Session, values: readonly unknown[]): Promise<void>;
  /** What the session sends for these values (for Session.gather). */
  config(values: readonly unknown[]): pg.QueryConfig;
}

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
  const config = (values: readonly unknown[]): pg.QueryConfig => ({ name: prepared, text, values: values as unknown[] });
  const run = (session: Session, values: readonly unknown[]) => session.query(config(values));
  return Object.assign(run, {
    config,
    write: async (session: Session, values: readonly unknown[]) => {
      if (session.write) await session.write(config(values));
      else await session.query(config(values));
    },
  });
}

/** The OID of PostgreSQL's text type, the element type textArray declares. */
const TEXT_OID = 25;

/**
 * A text[] parameter in PostgreSQL's binary array format: each element's UTF-8 bytes after its length.
 * pg sends a Buffer as binary; a plain array it turns into an array literal, escaping every element in
 * JavaScript, which the server then parses back: for a batch of JSON documents that was most of the cost
 * of writing it, on both sides.
 */
export function textArray(values: readonly (string | null)[]): Buffer {
  const lengths = values.map((value) => (value === null ? -1 : Buffer.byteLength(value)));
  let size = 20;
  for (const length of lengths) size += 4 + Math.max(length, 0);
  const buffer = Buffer.allocUnsafe(size);
  buffer.writeInt32BE(1, 0); // one dimension
  buffer.writeInt32BE(lengths.includes(-1) ? 1 : 0, 4); // has nulls
  buffer.writeInt32BE(TEXT_OID, 8);
  buffer.writeInt32BE(values.length, 12);
  buffer.writeInt32BE(1, 16); // lower bound
  let offset = 20;
  values.forEach((value, i) => {
    buffer.writeInt32BE(lengths[i], offset);
    offset += 4;
    if (value !== null) offset += buffer.write(value, offset, lengths[i], 'utf8');
  });
  return buffer;
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
