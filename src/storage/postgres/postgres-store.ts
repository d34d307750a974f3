// The PostgreSQL engine (the `pg` package): the store runs each call on any pooled connection, a
// transaction runs every call of its `tx` on one client between BEGIN and COMMIT (ROLLBACK on a throw).
//
// Isolation is PostgreSQL's default, READ COMMITTED. What SQLite's single writer gives for free is kept
// where the service relies on it: one ClientToken's requests take turns (an advisory lock, see
// getIdempotencyRecord), the scheduler's due windows are claimed with FOR UPDATE SKIP LOCKED, and a
// window read inside a transaction is locked until commit (FOR UPDATE), so every read-modify-write of a
// window, its targets, tasks and tags takes turns with the others on that window.
//
// Lock order. Two transactions that lock the same rows in different orders deadlock, and PostgreSQL then
// fails one of them (SQLSTATE 40P01). Every transaction takes its locks in this order:
//   1. window_executions this replica holds (renewLeases, at the start of each engine step);
//   1b. automation_executions (getAutomationExecution FOR UPDATE), several in (account, region, id) order
//      (listDueAutomations); their inbox is written without locking them;
//   1c. sessions (getSession FOR UPDATE), several of a node in seq order (DeregisterManagedInstance, before
//      the node's commands); session_signals rows are taken with SKIP LOCKED and never waited for;
//   2. commands (getCommand FOR UPDATE), several in (account, region, id) order (listDueCommands, the
//      agent's poll), each command before any of its command_invocations rows;
//   3. that command's command_invocations rows, then its window_reports row (saveCommandChange);
//   4. window_reports taken by the engine (takeWindowReports), then the step's window history rows;
//   5. last, the events advisory lock (LOCK_CLASS_EVENTS): appendEvents in a transaction only collects the
//      events, inserted at commit (flushEvents), so no transaction waits for a row while holding it.
// Before, appendEvents took the advisory lock at once, in the middle of a transaction that then locked
// its next command: an engine step moving commands A then B, and a poll or a step on another replica
// holding B and waiting for the events lock, deadlocked (issue 28, finding 6). managed_nodes rows are held
// only by transactions that hold nothing else first (a node's tags, an agent's heartbeat or poll); the
// step reads nodes between its command locks without holding them (getNode lock: false), which two
// replicas' steps deadlocked on before. One exception remains: a
// step that cancels a window's command at its cutoff locks that command after taking window reports
// (4 before 2); that rare deadlock, like any other, is retried (below, and in the engine's step).
//
// Retries. A transaction PostgreSQL gave up to break a deadlock (40P01) or a serialization conflict
// (40001) was rolled back whole, so running its work again is not a repeat: transaction() does so up to
// CONFLICT_ATTEMPTS times, after a short random pause (the two victims of one conflict do not meet again
// in step). Work whose effects outside the store a rollback does not undo (the engine's step, which keeps
// executions in memory) passes `retryConflicts: false`, gets a TransactionConflictError and retries itself.

import { setTimeout } from 'node:timers/promises';
import type pg from 'pg';
import type { WakeBus } from '../../service/poll-waiters.ts';
import { postgresWakeBus } from './postgres-wake-bus.ts';
import type { RecordedEvent } from '../../domain/events.ts';
import { type Store, type StoreOperations, TransactionConflictError, type TransactionOptions } from '../../service/ports.ts';
import type { Row } from '../row-mappers.ts';
import { postgresCommands } from './postgres-commands.ts';
import { createPool, dropSchema, migrate, type PostgresStoreOptions, type Session } from './postgres-database.ts';
import { postgresDocuments } from './postgres-documents.ts';
import { postgresAutomations } from './postgres-automations.ts';
import { postgresEvents } from './postgres-events.ts';
import { postgresHistory } from './postgres-history.ts';
import { postgresNodes } from './postgres-nodes.ts';
import { postgresSessions } from './postgres-sessions.ts';
import { postgresSystem } from './postgres-system.ts';
import { postgresTargetsAndTasks } from './postgres-targets-tasks.ts';
import { postgresTranscripts } from './postgres-transcripts.ts';
import { postgresWindows } from './postgres-windows.ts';

export type { PostgresStoreOptions };
export { dropSchema as dropPostgresSchema };

/**
 * One transaction's client. Once the transaction is over, its `tx` refuses to run anything. Writes
 * nobody reads (Session.write) go out without waiting; the first one that fails is the error of every
 * later statement, and settle() waits for them all before COMMIT (which PostgreSQL would otherwise turn
 * into a silent ROLLBACK).
 */
class TransactionSession implements Session {
  private readonly client: pg.PoolClient;
  private lastWrite: Promise<void> = Promise.resolve();
  private failure: { error: unknown } | undefined;
  /** One-row writes of one kind asked one after another (gather), not sent yet. */
  private gathered: { kind: string; rows: unknown[]; send: (rows: unknown[]) => pg.QueryConfig } | undefined;
  finished = false;

  constructor(client: pg.PoolClient) {
    this.client = client;
  }

  query(config: pg.QueryConfig): Promise<pg.QueryResult<Row>> {
    if (this.finished) return Promise.reject(new Error('the transaction is already over: use the store, or a new transaction'));
    this.sendGathered();
    if (this.failure) return Promise.reject(this.failure.error);
    // A write sent before this statement failed first: that error, not "current transaction is aborted".
    return this.client.query<Row>(config).catch((error: unknown) => Promise.reject(this.failure ? this.failure.error : error));
  }

  write(config: pg.QueryConfig): Promise<void> {
    if (this.finished) return Promise.reject(new Error('the transaction is already over: use the store, or a new transaction'));
    this.sendGathered();
    if (this.failure) return Promise.reject(this.failure.error);
    this.lastWrite = this.client.query(config).then(() => undefined, (error: unknown) => {
      this.failure ??= { error };
    });
    return Promise.resolve();
  }

  gather<T>(kind: string, row: T, send: (rows: T[]) => pg.QueryConfig): void {
    if (this.finished) throw new Error('the transaction is already over: use the store, or a new transaction');
    if (this.gathered?.kind !== kind) {
      this.sendGathered();
      this.gathered = { kind, rows: [], send: send as (rows: unknown[]) => pg.QueryConfig };
    }
    this.gathered.rows.push(row);
  }

  private sendGathered(): void {
    const gathered = this.gathered;
    this.gathered = undefined;
    if (gathered) void this.write(gathered.send(gathered.rows)).catch(() => undefined); // its failure is kept in `failure`
  }

  /** Sends what is gathered and waits for the writes sent so far; rejects with the first that failed. */
  async settle(): Promise<void> {
    this.sendGathered();
    await this.lastWrite;
    if (this.failure) throw this.failure.error;
  }
}

/**
 * Every port on `session` (postgres-<port>.ts). `inTransaction`: reads that precede a write lock what
 * they read (FOR UPDATE), for the store's transactions; the store itself runs each call on the pool.
 */
function postgresOperations(session: Session, inTransaction: boolean): StoreOperations {
  return {
    ...postgresWindows(session, inTransaction),
    ...postgresTargetsAndTasks(session),
    ...postgresHistory(session),
    ...postgresCommands(session, inTransaction),
    ...postgresNodes(session, inTransaction),
    ...postgresDocuments(session, inTransaction),
    ...postgresAutomations(session, inTransaction),
    ...postgresSessions(session, inTransaction),
    ...postgresTranscripts(session),
    ...postgresEvents(session),
    ...postgresSystem(session),
  };
}

/**
 * A transaction's operations: every port on the transaction's client, but events are collected and
 * inserted by `flushEvents` just before COMMIT, so the events lock is the last lock the transaction takes
 * (see the lock order above); their order is the order appended.
 */
function transactionOperations(session: Session): { tx: StoreOperations; flushEvents(): Promise<void> } {
  const operations = postgresOperations(session, true);
  const pendingEvents: RecordedEvent[] = [];
  return {
    tx: {
      ...operations,
      async appendEvents(events) {
        pendingEvents.push(...events);
      },
    },
    async flushEvents() {
      if (pendingEvents.length > 0) await operations.appendEvents(pendingEvents.splice(0));
    },
  };
}

/** How many times transaction() runs work that PostgreSQL gave up to break a deadlock or a serialization conflict. */
const CONFLICT_ATTEMPTS = 5;

/** 40P01 deadlock_detected, 40001 serialization_failure: the whole transaction was rolled back. */
function conflictState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001' ? code : undefined;
}

/** A random pause before attempt `attempt + 1`: up to 10, 20, 40, ... ms. */
function conflictPauseMs(attempt: number): number {
  return Math.random() * 10 * 2 ** (attempt - 1);
}

// The ports' methods are the instance's own (assigned in the constructor from postgresOperations, which
// the compiler checks is every StoreOperations method).
export interface PostgresStore extends StoreOperations {}

export class PostgresStore implements Store {
  private readonly pool: pg.Pool;
  private readonly schema: string | undefined;

  /** Use openPostgresStore: it runs the migrations before the store is handed out. */
  constructor(pool: pg.Pool, schema?: string) {
    this.pool = pool;
    this.schema = schema;
    Object.assign(this, postgresOperations(pool as Session, false));
  }

  async transaction<T>(work: (tx: StoreOperations) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const attempts = options.retryConflicts === false ? 1 : CONFLICT_ATTEMPTS;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once(work);
      } catch (error) {
        const sqlState = conflictState(error);
        if (sqlState === undefined) throw error;
        if (attempt >= attempts) throw new TransactionConflictError(sqlState, error);
        await setTimeout(conflictPauseMs(attempt));
      }
    }
  }

  private async once<T>(work: (tx: StoreOperations) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    const session = new TransactionSession(client);
    // A client whose ROLLBACK failed is in an unknown state: it is destroyed instead of going back to the pool.
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      try {
        const { tx, flushEvents } = transactionOperations(session);
        const result = await work(tx);
        await flushEvents();
        await session.settle();
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

  /** LISTEN/NOTIFY on the schema's own channel (postgres-wake-bus.ts). */
  wakeBus(log: (message: string, fields?: Record<string, unknown>) => void): WakeBus {
    return postgresWakeBus(this.pool, this.schema, log);
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
  return new PostgresStore(pool, options.schema);
}
