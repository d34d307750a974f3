// The interfaces the service depends on. Engines (SQLite, PostgreSQL), clocks and id sources plug in here;
// nothing in service/ knows which one it got.

import type { WindowExecution } from '../domain/execution.ts';
import type { Scope } from '../domain/model.ts';
import type { CommandsPort } from './ports/commands.ts';
import type { AutomationsPort } from './ports/automations.ts';
import type { AutomationExecution } from '../domain/automation/execution.ts';
import type { DocumentsPort } from './ports/documents.ts';
import type { EventsPort } from './ports/events.ts';
import type { HistoryPort } from './ports/history.ts';
import type { NodesPort } from './ports/nodes.ts';
import type { WakeBus } from './poll-waiters.ts';
import type { SessionsPort } from './ports/sessions.ts';
import type { SystemPort } from './ports/system.ts';
import type { TargetsAndTasksPort } from './ports/targets-tasks.ts';
import type { TranscriptsPort } from './ports/transcripts.ts';
import type { WindowsPort } from './ports/windows.ts';

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export interface IdGenerator {
  /** `mw-` + 17 lowercase hex. */
  windowId(): string;
  /** A lowercase 36-character UUID. */
  uuid(): string;
  /** A UUID whose leading bits are the time (UUIDv7 layout): keeps history inserts append-only in the index. */
  orderedUuid(): string;
}

// The storage port, one interface per aggregate (src/service/ports/*.ts), each implemented by one file per
// engine (src/storage/<engine>/<engine>-<port>.ts). The documents port holds the documents users write;
// the built-in Amazon documents are the catalog of domain/documents.ts.
export type { Keyed, Shared, Stored } from './ports/keyed.ts';
export type { DueWindow, WindowsPort } from './ports/windows.ts';
export type { TargetsAndTasksPort } from './ports/targets-tasks.ts';
export type { HistoryPort, Lease } from './ports/history.ts';
export type { CommandsPort } from './ports/commands.ts';
export type { NodesPort } from './ports/nodes.ts';
export type { DescribedParameter, DocumentsPort, UserDocument, UserDocumentVersion } from './ports/documents.ts';
export type { AutomationsPort, DueAutomation } from './ports/automations.ts';
export type { EventsPort } from './ports/events.ts';
export type { NodeConnections, SessionMetrics, SessionsPort, StoredSessionSignal } from './ports/sessions.ts';
export type { IdempotencyRecord, SystemPort } from './ports/system.ts';
export type { StoredTranscript, TranscriptsPort } from './ports/transcripts.ts';

/** Everything a transaction may do: every port. All methods are scoped by account and Region. */
export interface StoreOperations extends WindowsPort, TargetsAndTasksPort, HistoryPort, CommandsPort, NodesPort, DocumentsPort, AutomationsPort, SessionsPort, TranscriptsPort, EventsPort, SystemPort {}

/** What the runtime engine offers to the service layer (implemented in runtime/, injected by app.ts). */
export interface EngineControl {
  /** Starts an execution of the window now, as if its schedule had fired. */
  fireNow(scope: Scope, windowId: string): Promise<WindowExecution>;
  /** Cancels a running execution; unknown ids raise DoesNotExistException. */
  cancel(scope: Scope, executionId: string): Promise<void>;
  /** Manual clock only: processes everything due up to `ms` and moves the clock there. */
  advanceTo(ms: number): Promise<void>;
  /**
   * Processes everything due now, e.g. a command just sent or cancelled. Never rejects: it follows a
   * committed write, whose answer must not depend on it (a failure is logged and left to the next tick).
   */
  wake(): Promise<void>;
  /**
   * Stores and starts an automation execution in one transaction; `once` wraps the creation (a ClientToken
   * seen before answers the execution it started). Returns the id of the execution that runs.
   */
  startAutomation(scope: Scope, execution: AutomationExecution, once?: (tx: StoreOperations, create: () => Promise<string>) => Promise<string>): Promise<string>;
}

/** How Store.transaction runs its work. */
export interface TransactionOptions {
  /**
   * Run `work` again (a bounded number of times) when the database gave the transaction up to break a
   * deadlock or a serialization conflict: all of it was rolled back, so that is not a repeat. Default true.
   * False for work with effects outside the store that a rollback does not undo (the engine's step keeps
   * executions in memory): it then gets a TransactionConflictError and recovers on its own.
   */
  retryConflicts?: boolean;
}

/**
 * The database gave a transaction up to break a deadlock or a serialization conflict (PostgreSQL SQLSTATE
 * 40P01 or 40001), after the retries it allowed: nothing of it was stored, and running it again is safe.
 */
export class TransactionConflictError extends Error {
  readonly sqlState: string;

  constructor(sqlState: string, cause: unknown) {
    super(`transaction conflict (SQLSTATE ${sqlState}): ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'TransactionConflictError';
    this.sqlState = sqlState;
  }
}

export interface Store extends StoreOperations {
  /** Runs `work` atomically: all of it commits, or none of it does. */
  transaction<T>(work: (tx: StoreOperations) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /** Wake-ups between the replicas sharing this store; absent where one process is all there is (SQLite). */
  wakeBus?(log: (message: string, fields?: Record<string, unknown>) => void): WakeBus;
  close(): Promise<void>;
}
