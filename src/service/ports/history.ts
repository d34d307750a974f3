// The history port: window executions, task executions with their plans, invocations, the leases engine
// replicas hold on running executions, and the window-report mailbox of those executions.

import type { ExecutionStatus, Invocation, PlanItem, TaskExecution, WindowExecution } from '../../domain/execution.ts';
import type { WindowReport } from '../../domain/commands.ts';
import type { Scope } from '../../domain/model.ts';
import type { Keyed, Shared, Stored } from './keyed.ts';

/** An engine replica's hold on running executions. */
export interface Lease {
  owner: string;
  until: number;
}

export interface HistoryPort {
  /** `lease`: the engine replica that runs the new execution, and until when it holds it. */
  insertWindowExecution(scope: Scope, execution: WindowExecution, lease?: Lease): Promise<void>;
  updateWindowExecution(scope: Scope, execution: WindowExecution): Promise<void>;
  getWindowExecution(scope: Scope, executionId: string): Promise<Shared<WindowExecution> | undefined>;
  /** Newest first: rows with key < beforeKey, descending. */
  listWindowExecutions(scope: Scope, windowId: string, beforeKey: number, limit: number): Promise<Keyed<Stored<WindowExecution>>[]>;
  /** The window's newest execution, if any. */
  latestWindowExecution(scope: Scope, windowId: string): Promise<Stored<WindowExecution> | undefined>;

  insertTaskExecutions(scope: Scope, executions: TaskExecution[]): Promise<void>;
  updateTaskExecutions(scope: Scope, executions: TaskExecution[]): Promise<void>;
  getTaskExecution(scope: Scope, taskExecutionId: string): Promise<Shared<TaskExecution> | undefined>;
  /** In start order; `statuses` restricts to those statuses when given. */
  listTaskExecutions(scope: Scope, windowExecutionId: string, afterKey: number, limit: number, statuses?: readonly ExecutionStatus[]): Promise<Keyed<Stored<TaskExecution>>[]>;

  /** Stores a task execution's resolved plan (written once, when the task starts). */
  saveTaskPlan(scope: Scope, taskExecutionId: string, plan: PlanItem[]): Promise<void>;
  getTaskPlan(scope: Scope, taskExecutionId: string): Promise<PlanItem[] | undefined>;

  insertInvocations(scope: Scope, invocations: Invocation[]): Promise<void>;
  updateInvocations(scope: Scope, invocations: Invocation[]): Promise<void>;
  getInvocation(scope: Scope, invocationId: string): Promise<Shared<Invocation> | undefined>;
  /** In start order; `statuses` restricts to those statuses when given. */
  listInvocations(scope: Scope, taskExecutionId: string, afterKey: number, limit: number, statuses?: readonly ExecutionStatus[]): Promise<Keyed<Shared<Invocation>>[]>;
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

  // ---- window reports: what a window's Run Command invocation learned, for the replica running it
  /**
   * Leaves a report for a window invocation, replacing the one it may already have waiting (the latest
   * state of the work is what counts). Dropped when the window execution is no longer running.
   */
  putWindowReport(scope: Scope, report: WindowReport): Promise<void>;
  /** Removes and returns the reports due at or before `now` for executions `owner` runs, oldest first. */
  takeWindowReports(owner: string, now: number, limit: number): Promise<{ scope: Scope; report: WindowReport }[]>;
}
