// The interfaces the service depends on. Engines (SQLite, PostgreSQL), clocks and id sources plug in here;
// nothing in service/ knows which one it got.

import type { ExecutionStatus, Invocation, PlanItem, TaskExecution, WindowExecution } from '../domain/execution.ts';
import type { Scope, Tag, Window, WindowTarget, WindowTask } from '../domain/model.ts';
import type { Activation } from '../domain/activations.ts';
import type { AgentCredential } from '../domain/agent-credentials.ts';
import type { Command, CommandInvocation, WindowReport } from '../domain/commands.ts';
import type { EventTarget, EventTargetState, RecordedEvent, SequencedEvent } from '../domain/events.ts';
import type { ManagedNode, OutcomeRule } from '../domain/inventory.ts';

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

/** An engine replica's hold on running executions. */
export interface Lease {
  owner: string;
  until: number;
}

/** A window that is due to fire, with the scope it lives in. */
export interface DueWindow {
  scope: Scope;
  window: Window;
  fireAt: number;
}

/** A row with its keyset position: pages continue strictly after the last key they returned. */
export interface Keyed<T> {
  key: number;
  item: T;
}

export interface IdempotencyRecord {
  fingerprint: string;
  result: string;
  createdAt: number;
}

/** Everything a transaction may do. All methods are scoped by account and Region. */
export interface StoreOperations {
  /** `nextFireAt` is when the scheduler should fire the window next (undefined: never). */
  insertWindow(scope: Scope, window: Window, nextFireAt: number | undefined): Promise<void>;
  /**
   * Inside a transaction the window is held until the transaction ends: a concurrent transaction's
   * getWindow of the same window waits, then sees what this one wrote. Every read-modify-write of a
   * window or of what hangs off it (targets, tasks, tags, the per-window quotas) starts with it, so no
   * acknowledged change is lost to a concurrent one on any engine.
   */
  getWindow(scope: Scope, windowId: string): Promise<Window | undefined>;
  updateWindow(scope: Scope, window: Window, nextFireAt: number | undefined): Promise<void>;
  /** Removes the window with its targets, tasks and tags; false when it did not exist. */
  deleteWindow(scope: Scope, windowId: string): Promise<boolean>;
  countWindows(scope: Scope): Promise<number>;
  listWindows(scope: Scope, afterKey: number, limit: number): Promise<Keyed<Window>[]>;

  insertTarget(scope: Scope, target: WindowTarget): Promise<void>;
  getTarget(scope: Scope, windowId: string, targetId: string): Promise<WindowTarget | undefined>;
  updateTarget(scope: Scope, target: WindowTarget): Promise<void>;
  deleteTarget(scope: Scope, windowId: string, targetId: string): Promise<void>;
  countTargets(scope: Scope, windowId: string): Promise<number>;
  listTargets(scope: Scope, windowId: string, afterKey: number, limit: number): Promise<Keyed<WindowTarget>[]>;

  insertTask(scope: Scope, task: WindowTask): Promise<void>;
  getTask(scope: Scope, windowId: string, taskId: string): Promise<WindowTask | undefined>;
  updateTask(scope: Scope, task: WindowTask): Promise<void>;
  deleteTask(scope: Scope, windowId: string, taskId: string): Promise<void>;
  countTasks(scope: Scope, windowId: string): Promise<number>;
  listTasks(scope: Scope, windowId: string, afterKey: number, limit: number): Promise<Keyed<WindowTask>[]>;

  getTags(scope: Scope, resourceType: string, resourceId: string): Promise<Tag[]>;
  setTags(scope: Scope, resourceType: string, resourceId: string, tags: Tag[]): Promise<void>;

  getIdempotencyRecord(scope: Scope, operation: string, token: string): Promise<IdempotencyRecord | undefined>;
  putIdempotencyRecord(scope: Scope, operation: string, token: string, record: IdempotencyRecord): Promise<void>;
  deleteIdempotencyRecordsBefore(createdBefore: number): Promise<void>;

  // ---- execution history
  /** `lease`: the engine replica that runs the new execution, and until when it holds it. */
  insertWindowExecution(scope: Scope, execution: WindowExecution, lease?: Lease): Promise<void>;
  updateWindowExecution(scope: Scope, execution: WindowExecution): Promise<void>;
  getWindowExecution(scope: Scope, executionId: string): Promise<WindowExecution | undefined>;
  /** Newest first: rows with key < beforeKey, descending. */
  listWindowExecutions(scope: Scope, windowId: string, beforeKey: number, limit: number): Promise<Keyed<WindowExecution>[]>;
  /** The window's newest execution, if any. */
  latestWindowExecution(scope: Scope, windowId: string): Promise<WindowExecution | undefined>;

  insertTaskExecutions(scope: Scope, executions: TaskExecution[]): Promise<void>;
  updateTaskExecutions(scope: Scope, executions: TaskExecution[]): Promise<void>;
  getTaskExecution(scope: Scope, taskExecutionId: string): Promise<TaskExecution | undefined>;
  /** In start order; `statuses` restricts to those statuses when given. */
  listTaskExecutions(scope: Scope, windowExecutionId: string, afterKey: number, limit: number, statuses?: readonly ExecutionStatus[]): Promise<Keyed<TaskExecution>[]>;

  /** Stores a task execution's resolved plan (written once, when the task starts). */
  saveTaskPlan(scope: Scope, taskExecutionId: string, plan: PlanItem[]): Promise<void>;
  getTaskPlan(scope: Scope, taskExecutionId: string): Promise<PlanItem[] | undefined>;

  insertInvocations(scope: Scope, invocations: Invocation[]): Promise<void>;
  updateInvocations(scope: Scope, invocations: Invocation[]): Promise<void>;
  getInvocation(scope: Scope, invocationId: string): Promise<Invocation | undefined>;
  /** In start order; `statuses` restricts to those statuses when given. */
  listInvocations(scope: Scope, taskExecutionId: string, afterKey: number, limit: number, statuses?: readonly ExecutionStatus[]): Promise<Keyed<Invocation>[]>;
  /** How many of the task execution's invocations are in each status (statuses with none are absent). */
  countInvocationsByStatus(scope: Scope, taskExecutionId: string): Promise<Partial<Record<ExecutionStatus, number>>>;

  // ---- work sharing between engine replicas (leases on running executions)
  /**
   * Takes running executions that no replica holds, or whose lease ended before `now`, for `lease.owner`.
   * On PostgreSQL rows another transaction holds are skipped (FOR UPDATE SKIP LOCKED).
   */
  claimExecutions(lease: Lease, now: number, limit: number): Promise<{ scope: Scope; execution: WindowExecution }[]>;
  /**
   * Extends every lease `lease.owner` holds on a running execution and returns their ids. Called at the
   * start of each engine step: inside that transaction the rows stay locked, so nobody can take them while
   * the step writes (the fence against a replica that paused past its lease).
   */
  renewLeases(lease: Lease): Promise<string[]>;
  /** Gives up every lease of `owner` (clean shutdown), so other replicas take the work over at once. */
  releaseLeases(owner: string): Promise<void>;
  /** The replicas holding a lease on a running execution (to find those that died without releasing). */
  listLeaseOwners(): Promise<string[]>;

  // ---- scheduling
  /**
   * Windows whose next fire time is at or before `now`, earliest first, in every scope. Inside a
   * transaction on PostgreSQL the rows are locked and rows locked by others skipped, so two replicas never
   * fire the same occurrence.
   */
  listDueWindows(now: number, limit: number): Promise<DueWindow[]>;
  /** The earliest next fire time of any window, in every scope. */
  earliestFireTime(): Promise<number | undefined>;
  setNextFire(scope: Scope, windowId: string, nextFireAt: number | undefined): Promise<void>;
  /** Every window of every scope with its stored next fire time, for recomputing stale fire times at start. */
  listAllWindows(): Promise<{ scope: Scope; window: Window; nextFireAt: number | undefined }[]>;

  // ---- the managed-node inventory and outcome rules (control API)
  putNode(scope: Scope, node: ManagedNode): Promise<void>;
  deleteNode(scope: Scope, nodeId: string): Promise<boolean>;
  listNodes(scope: Scope): Promise<ManagedNode[]>;
  /**
   * One node. Inside a transaction it is held until the transaction ends (read-modify-write of its tags),
   * unless `lock` is false: a read only, which must not hold the node (the engine's step reads nodes
   * between its command locks, and holding them would break the lock order of postgres-store.ts).
   */
  getNode(scope: Scope, nodeId: string, options?: { lock?: boolean }): Promise<ManagedNode | undefined>;
  getOutcomeRules(scope: Scope): Promise<OutcomeRule[]>;
  setOutcomeRules(scope: Scope, rules: OutcomeRule[]): Promise<void>;

  // ---- Run Command: commands and their per-node invocations
  insertCommand(scope: Scope, command: Command, invocations: CommandInvocation[]): Promise<void>;
  /** Inside a transaction the command is held until it ends, so its invocations change one writer at a time. */
  getCommand(scope: Scope, commandId: string): Promise<Command | undefined>;
  updateCommand(scope: Scope, command: Command): Promise<void>;
  /** Newest first: rows with key < beforeKey; only commands with an invocation on `instanceId` when given. */
  listCommands(scope: Scope, beforeKey: number, limit: number, instanceId?: string): Promise<Keyed<Command>[]>;
  /** Every invocation of a command, in its instances' order. */
  getCommandInvocations(scope: Scope, commandId: string): Promise<CommandInvocation[]>;
  updateCommandInvocations(scope: Scope, invocations: CommandInvocation[]): Promise<void>;
  /** Newest command first, then instance order: rows with key < beforeKey, of one command and/or one instance. */
  listCommandInvocations(scope: Scope, where: { commandId?: string; instanceId?: string }, beforeKey: number, limit: number): Promise<Keyed<CommandInvocation>[]>;
  getCommandInvocation(scope: Scope, commandId: string, instanceId: string): Promise<CommandInvocation | undefined>;
  /**
   * The earliest instant a command has something due: an invocation of any command in any scope due to
   * move on its own, or a window report due for an execution that `owner` runs.
   */
  earliestCommandEvent(owner: string): Promise<number | undefined>;
  /** A node's invocations with a message waiting for its agent (oldest first, at most `limit`). */
  listQueuedInvocations(scope: Scope, instanceId: string, limit: number): Promise<CommandInvocation[]>;
  /** Commands with an invocation due at or before `now`, in every scope. */
  listDueCommands(now: number, limit: number): Promise<{ scope: Scope; commandId: string }[]>;
  /**
   * Leaves a report for a window invocation, replacing the one it may already have waiting (the latest
   * state of the work is what counts). Dropped when the window execution is no longer running.
   */
  putWindowReport(scope: Scope, report: WindowReport): Promise<void>;
  /** Removes and returns the reports due at or before `now` for executions `owner` runs, oldest first. */
  takeWindowReports(owner: string, now: number, limit: number): Promise<{ scope: Scope; report: WindowReport }[]>;

  // ---- hybrid activations
  insertActivation(scope: Scope, activation: Activation): Promise<void>;
  /** Inside a transaction the activation is held until it ends (a registration counts against its limit). */
  getActivation(scope: Scope, activationId: string): Promise<Activation | undefined>;
  updateActivation(scope: Scope, activation: Activation): Promise<void>;
  deleteActivation(scope: Scope, activationId: string): Promise<boolean>;
  /** The account and Region of an activation id (ids are UUIDs: unique across scopes). */
  locateActivation(activationId: string): Promise<Scope | undefined>;
  /** In creation order: rows with key > afterKey. */
  listActivations(scope: Scope, afterKey: number, limit: number): Promise<Keyed<Activation>[]>;

  // ---- registered agents
  /** The account and Region of a managed node id (mi- ids are unique across scopes). */
  locateNode(nodeId: string): Promise<Scope | undefined>;
  /** Keeps a credential issued to a node, dropping that node's credentials expired before `now`. */
  putAgentCredential(scope: Scope, credential: AgentCredential, now: number): Promise<void>;
  findAgentCredential(accessKeyId: string): Promise<{ scope: Scope; credential: AgentCredential } | undefined>;

  // ---- state-change events: an outbox, written in the transaction of the change, delivered after it
  /**
   * Records events after every event recorded before (commit order: on PostgreSQL writers of events
   * take turns). Each change is recorded once by its writer (the rows carry what their events told).
   */
  appendEvents(events: RecordedEvent[]): Promise<void>;
  /** Events with seq > afterSeq, oldest first; only those of one account and Region when `scope` is given. */
  readEvents(afterSeq: number, limit: number, scope?: Scope): Promise<SequencedEvent[]>;
  /** The seq of the newest event (0 when there is none). */
  lastEventSeq(): Promise<number>;
  /** The seq of the oldest event kept (undefined when there is none). */
  firstEventSeq(): Promise<number | undefined>;
  /** Keeps the newest `keep` events and drops the older ones; how many were dropped. */
  pruneEvents(keep: number): Promise<number>;
  /**
   * Adds a target that will receive the events after `fromSeq` (its `scope`'s, or every event for an
   * operator's target); a target already known keeps its progress and takes the owner given.
   */
  addEventTarget(target: EventTarget, fromSeq: number): Promise<void>;
  /** Every target (undefined), the operator's (null), or one account and Region's (a scope). */
  listEventTargets(owner?: Scope | null): Promise<EventTargetState[]>;
  /** Deletes a target of that owner (null: the operator's; undefined: whoever's); false when it has none of that id. */
  deleteEventTarget(id: string, owner?: Scope | null): Promise<boolean>;
  /** Takes or renews the right to deliver to a target until `until`; false while another replica holds it. */
  claimEventTarget(id: string, owner: string, now: number, until: number): Promise<boolean>;
  /** Gives up the right to deliver to a target (a replica stopping), so another may take it at once. */
  releaseEventTarget(id: string, owner: string): Promise<void>;
  /** Records a target's progress, if `owner` still holds it. */
  saveEventTargetProgress(id: string, owner: string, progress: Omit<EventTargetState, 'target'>): Promise<boolean>;

  /** A small named value that must survive restarts (e.g. the page-token signing key). */
  getSetting(name: string): Promise<string | undefined>;
  putSettingIfAbsent(name: string, value: string): Promise<void>;
}

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
  close(): Promise<void>;
}
