// The execution history: one window execution per fired occurrence, one task execution per task, one
// invocation per target (SPEC 3.5). Besides what the history APIs show, each record keeps the engine's
// own bookkeeping (plans, deadlines, planned outcomes) so that a restart can resume where it stopped.

import type { AlarmConfiguration, CutoffBehavior, InvocationParameters, ParameterValues, TargetSpec, TaskType, WindowTask } from './model.ts';

export type ExecutionStatus =
  | 'PENDING'
  | 'IN_PROGRESS'
  | 'SUCCESS'
  | 'FAILED'
  | 'TIMED_OUT'
  | 'CANCELLING'
  | 'CANCELLED'
  | 'SKIPPED_OVERLAPPING';

export const EXECUTION_STATUSES: readonly ExecutionStatus[] = [
  'PENDING', 'IN_PROGRESS', 'SUCCESS', 'FAILED', 'TIMED_OUT', 'CANCELLING', 'CANCELLED', 'SKIPPED_OVERLAPPING',
];

/** The values the STATUS filter accepts (the seeds list every status but SKIPPED_OVERLAPPING). */
export const FILTERABLE_STATUSES: readonly ExecutionStatus[] = [
  'PENDING', 'IN_PROGRESS', 'SUCCESS', 'FAILED', 'TIMED_OUT', 'CANCELLING', 'CANCELLED',
];

export function isActive(status: ExecutionStatus): boolean {
  return status === 'PENDING' || status === 'IN_PROGRESS' || status === 'CANCELLING';
}

// StatusDetails seen in real AWS output (SPEC 7), and our own plain wording where none was found.
export const DETAILS = {
  noTasks: 'No tasks to execute.',
  tasksFailed: 'One or more tasks in the orchestration failed.',
  maxErrors: 'The maximum error count was exceeded.',
  overlapping: 'The previous execution of this maintenance window was still running.',
  windowTimedOut: 'The maintenance window ended before all tasks completed.',
  cutoffReached: 'The maintenance window cutoff was reached before the task completed.',
  notStartedCutoff: 'The task did not start because the maintenance window cutoff was reached.',
  cancelled: 'The maintenance window execution was cancelled.',
  noTargets: 'No targets were resolved for the task.',
  invocationTimedOut: 'The invocation did not finish before the maintenance window ended.',
} as const;

export interface WindowExecution {
  windowId: string;
  id: string;
  status: ExecutionStatus;
  /** The status its last state-change event told (domain/events.ts): a change is told once. */
  eventStatus?: string;
  statusDetails?: string;
  startTime: number;
  endTime?: number;
  /** No task starts after this instant (start + Duration - Cutoff). */
  cutoffAt: number;
  /** The window's end (start + Duration): work still running then times out. */
  endAt: number;
}

/** One unit of work a task execution will invoke: a resource (or a Run Command command) and where it came from. */
export interface PlanItem {
  /** Resources of this invocation: one for AUTOMATION/LAMBDA/STEP_FUNCTIONS, all of a window target for RUN_COMMAND, none for targetless tasks. */
  resourceIds: string[];
  windowTargetId?: string;
  ownerInformation?: string;
  targetType?: 'INSTANCE' | 'RESOURCE_GROUP';
  /** Window targets are processed one after another (SPEC 3.5): items of group g+1 wait for group g. */
  group: number;
}

export interface TaskExecution {
  windowId: string;
  windowExecutionId: string;
  id: string;
  windowTaskId: string;
  taskArn: string;
  taskType: TaskType;
  serviceRole?: string;
  taskParameters?: Record<string, ParameterValues>;
  invocationParameters?: InvocationParameters;
  loggingInfo?: { S3BucketName: string; S3KeyPrefix?: string; S3Region: string };
  priority: number;
  maxConcurrency: string;
  maxErrors: string;
  cutoffBehavior: CutoffBehavior;
  alarmConfiguration?: AlarmConfiguration;
  triggeredAlarms?: { Name: string; State: 'UNKNOWN' | 'ALARM' }[];
  status: ExecutionStatus;
  /** The status its last state-change event told. */
  eventStatus?: string;
  statusDetails?: string;
  startTime?: number;
  endTime?: number;
  // ---- engine bookkeeping
  /** The task's targets when the window fired; resolved into `plan` when the task starts. */
  targets: TargetSpec[];
  /**
   * One item per invocation to run. Stored apart from the task's row (it can hold 100,000 items) and
   * loaded only to resume a running task; history reads never touch it.
   */
  plan?: PlanItem[];
  /** How many items the plan has (kept in the row, for rate control and for readers without the plan). */
  planLength?: number;
  nextPlanIndex: number;
  inFlight: number;
  errorCount: number;
  /** When the latest of its invocations ended. */
  lastInvocationEnd?: number;
  /** Set when no further invocations may start, with the reason. */
  stopReason?: 'max-errors' | 'cutoff' | 'cancel';
  /** Some of its work was cancelled at a CANCEL_TASK cutoff and ended TIMED_OUT. */
  timedOutAtCutoff?: boolean;
  /**
   * How many of its invocations are in each status, moved in the step that changes one (countInvocation),
   * so a reader gets them without counting 100,000 rows. Absent on task executions recorded before it was
   * kept: those are counted from their invocations.
   */
  invocationCounts?: Partial<Record<ExecutionStatus, number>>;
}

export interface Invocation {
  windowId: string;
  windowExecutionId: string;
  taskExecutionId: string;
  id: string;
  executionId: string;
  taskType: TaskType;
  parameters: string;
  status: ExecutionStatus;
  /** The status its last state-change event told. */
  eventStatus?: string;
  statusDetails?: string;
  startTime: number;
  endTime?: number;
  ownerInformation?: string;
  windowTargetId?: string;
  // ---- engine bookkeeping: the report the runner gave at the start, and when it arrives
  resourceIds: string[];
  /** Absent while the work reports later, through the store (a Run Command command). */
  plannedEnd?: number;
  plannedStatus: 'SUCCESS' | 'FAILED' | 'TIMED_OUT';
  plannedDetails?: string;
  /** The work was asked to stop at a CANCEL_TASK cutoff: its end is then TIMED_OUT (SPEC 3.7). */
  cancelledAtCutoff?: boolean;
  /** The status its task execution's invocationCounts hold it under. */
  countedStatus?: ExecutionStatus;
}

/**
 * Moves `invocation` to its current status in its task's counts; true when they changed. A task whose
 * counts were never kept (recorded before they were) is left to be counted from its rows.
 */
export function countInvocation(task: TaskExecution, invocation: Invocation): boolean {
  const counts = task.invocationCounts;
  if (!counts || invocation.countedStatus === invocation.status) return false;
  const before = invocation.countedStatus;
  if (before !== undefined) {
    const left = (counts[before] ?? 0) - 1;
    if (left > 0) counts[before] = left;
    else delete counts[before];
  }
  counts[invocation.status] = (counts[invocation.status] ?? 0) + 1;
  invocation.countedStatus = invocation.status;
  return true;
}

/** How many invocations may be in flight, from MaxConcurrency (`10` or `25%`) and the number of items. */
export function concurrencyLimit(maxConcurrency: string, total: number): number {
  if (maxConcurrency.endsWith('%')) {
    return Math.max(1, Math.ceil((Number(maxConcurrency.slice(0, -1)) * total) / 100));
  }
  return Math.max(1, Number(maxConcurrency));
}

/** The error count that may be reached without stopping; one more error stops new invocations. */
export function errorThreshold(maxErrors: string, total: number): number {
  if (maxErrors.endsWith('%')) return Math.ceil((Number(maxErrors.slice(0, -1)) * total) / 100);
  return Number(maxErrors);
}

/** A task execution about to run: a snapshot of the task's definition as the window fired. */
export function pendingTaskExecution(execution: WindowExecution, task: WindowTask, id: string): TaskExecution {
  return {
    windowId: task.windowId,
    windowExecutionId: execution.id,
    id,
    windowTaskId: task.id,
    taskArn: task.taskArn,
    taskType: task.taskType,
    serviceRole: task.serviceRoleArn,
    taskParameters: task.taskParameters,
    invocationParameters: task.invocationParameters,
    loggingInfo: task.loggingInfo,
    priority: task.priority,
    maxConcurrency: task.maxConcurrency ?? '1',
    maxErrors: task.maxErrors ?? '1',
    cutoffBehavior: task.cutoffBehavior ?? 'CONTINUE_TASK',
    alarmConfiguration: task.alarmConfiguration,
    triggeredAlarms: task.alarmConfiguration ? [] : undefined,
    status: 'PENDING',
    targets: task.targets,
    invocationCounts: {},
    nextPlanIndex: 0,
    inFlight: 0,
    errorCount: 0,
  };
}

export interface Outcome {
  status: ExecutionStatus;
  statusDetails?: string;
}

/** How a task execution ends once nothing of it runs any more (SPEC 3.5 items 6-7, 3.7). */
export function taskOutcome(task: TaskExecution): Outcome {
  const complete = task.nextPlanIndex >= (task.planLength ?? 0);
  if (task.stopReason === 'cancel') return { status: 'CANCELLED', statusDetails: DETAILS.cancelled };
  if (task.stopReason === 'max-errors') return { status: 'FAILED', statusDetails: DETAILS.maxErrors };
  if (task.stopReason === 'cutoff' && (!complete || task.timedOutAtCutoff)) return { status: 'TIMED_OUT', statusDetails: DETAILS.cutoffReached };
  if (task.errorCount > 0) return { status: 'FAILED' };
  return { status: 'SUCCESS' };
}

/** How a window execution ends once all its tasks have (SPEC 3.5 item 7). */
export function windowOutcome(execution: WindowExecution, tasks: readonly TaskExecution[]): Outcome {
  if (execution.status === 'CANCELLING') return { status: 'CANCELLED', statusDetails: DETAILS.cancelled };
  if (tasks.some((t) => t.status === 'TIMED_OUT')) return { status: 'TIMED_OUT', statusDetails: DETAILS.windowTimedOut };
  if (tasks.some((t) => t.status === 'FAILED' || t.status === 'CANCELLED')) return { status: 'FAILED', statusDetails: DETAILS.tasksFailed };
  return { status: 'SUCCESS' };
}
