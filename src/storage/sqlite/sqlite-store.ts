// The embedded SQLite engine (node:sqlite): one connection (sqlite-database.ts) shared by one object per
// port (sqlite-<port>.ts), composed here into the Store. SQLite has one writer: a transaction runs the
// same operations on the same connection between BEGIN IMMEDIATE and COMMIT, one transaction at a time.

import type { Store, StoreOperations, TransactionOptions } from '../../service/ports.ts';
import { sqliteCommands } from './sqlite-commands.ts';
import { SqliteDatabase, type SqliteStoreOptions } from './sqlite-database.ts';
import { sqliteDocuments } from './sqlite-documents.ts';
import { sqliteAutomations } from './sqlite-automations.ts';
import { sqliteEvents } from './sqlite-events.ts';
import { sqliteHistory } from './sqlite-history.ts';
import { sqliteNodes } from './sqlite-nodes.ts';
import { sqliteSessions } from './sqlite-sessions.ts';
import { sqliteSystem } from './sqlite-system.ts';
import { sqliteTargetsAndTasks } from './sqlite-targets-tasks.ts';
import { sqliteTranscripts } from './sqlite-transcripts.ts';
import { sqliteWindows } from './sqlite-windows.ts';

export type { SqliteStoreOptions };

/** Every port on one connection, each preparing its statements once. */
function sqliteOperations(db: SqliteDatabase): StoreOperations {
  return {
    ...sqliteWindows(db),
    ...sqliteTargetsAndTasks(db),
    ...sqliteHistory(db),
    ...sqliteCommands(db),
    ...sqliteNodes(db),
    ...sqliteDocuments(db),
    ...sqliteAutomations(db),
    ...sqliteSessions(db),
    ...sqliteTranscripts(db),
    ...sqliteEvents(db),
    ...sqliteSystem(db),
  };
}

// The ports' methods are the instance's own (assigned in the constructor from sqliteOperations, which the
// compiler checks is every StoreOperations method).
export interface SqliteStore extends StoreOperations {}

export class SqliteStore implements Store {
  private readonly database: SqliteDatabase;
  private readonly operations: StoreOperations;

  constructor(options: SqliteStoreOptions) {
    this.database = new SqliteDatabase(options);
    this.operations = sqliteOperations(this.database);
    Object.assign(this, this.operations);
  }

  // One connection: the transaction's operations are the store's, between BEGIN IMMEDIATE and COMMIT.
  // Conflicts cannot happen with one writer, so `options.retryConflicts` has nothing to retry.
  async transaction<T>(work: (tx: StoreOperations) => Promise<T>, _options?: TransactionOptions): Promise<T> {
    return this.database.transaction(() => work(this.operations));
  }

  async close(): Promise<void> {
    await this.database.close();
  }
}
