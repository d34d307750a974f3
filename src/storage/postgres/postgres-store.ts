// The PostgreSQL engine (the `pg` package): the store runs each call on any pooled connection, a
// transaction runs every call of its `tx` on one client between BEGIN and COMMIT (ROLLBACK on a throw).
//
// Isolation is PostgreSQL's default, READ COMMITTED. What SQLite's single writer gives for free is kept
// where the service relies on it: one ClientToken's requests take turns (an advisory lock, see
// getIdempotencyRecord), the scheduler's due windows are claimed with FOR UPDATE SKIP LOCKED, and a
// window read inside a transaction is locked until commit (FOR UPDATE), so every read-modify-write of a
// window, its targets, tasks and tags takes turns with the others on that window.

import type pg from 'pg';
import type { Store, StoreOperations } from '../../service/ports.ts';
import { createPool, dropSchema, migrate, type PostgresStoreOptions, type Row, type Session } from './postgres-database.ts';
import { PostgresOperations } from './postgres-operations.ts';

export type { PostgresStoreOptions };
export { dropSchema as dropPostgresSchema };

/** One transaction's client. Once the transaction is over, its `tx` refuses to run anything. */
class TransactionSession implements Session {
  private readonly client: pg.PoolClient;
  finished = false;

  constructor(client: pg.PoolClient) {
    this.client = client;
  }

  query(config: pg.QueryConfig): Promise<pg.QueryResult<Row>> {
    if (this.finished) return Promise.reject(new Error('the transaction is already over: use the store, or a new transaction'));
    return this.client.query<Row>(config);
  }
}

export class PostgresStore extends PostgresOperations implements Store {
  private readonly pool: pg.Pool;

  /** Use openPostgresStore: it runs the migrations before the store is handed out. */
  constructor(pool: pg.Pool) {
    super(pool as Session);
    this.pool = pool;
  }

  async transaction<T>(work: (tx: StoreOperations) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    const session = new TransactionSession(client);
    // A client whose ROLLBACK failed is in an unknown state: it is destroyed instead of going back to the pool.
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      try {
        const result = await work(new PostgresOperations(session, true));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
        throw error;
      }
    } finally {
      session.finished = true;
      client.release(broken);
    }
  }

  /** Waits for the connections in use to be released, then closes them all. */
  async close(): Promise<void> {
    await this.pool.end();
  }
}

/**
 * Opens a pool on `connectionString`, creates `schema` when given and missing, applies the pending
 * migrations (safe when several replicas start at once), and returns the store. Close it with close().
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  const pool = createPool(options);
  try {
    await migrate(pool, options.schema);
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  return new PostgresStore(pool);
}
