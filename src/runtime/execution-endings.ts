// How the parts of a running window execution end: an invocation on its runner's report, a task when it has
// nothing left to run, the execution at its window's end, its cutoff or a cancel, with the status roll-ups
// of SPEC 3.5 and 3.7. Each writes what it changed to the step's ChangeBatch.

import { DETAILS, errorThreshold, taskOutcome, windowOutcome, type Invocation, type TaskExecution } from '../domain/execution.ts';
import type { WindowReport } from '../domain/commands.ts';
import type { StoreOperations } from '../service/ports.ts';
import type { ActiveExecution } from './active-execution.ts';
import type { ChangeBatch } from './change-batch.ts';
import type { Report, TaskRunner } from './task-runners/task-runner.ts';

/** The task execution an invocation belongs to. */
function taskOf(active: ActiveExecution, invocation: Invocation): TaskExecution | undefined {
  return active.tasks.find((t) => t.id === invocation.taskExecutionId);
}

/** Nothing in flight and nothing more to start. */
export function isDone(task: TaskExecution): boolean {
  return task.inFlight === 0 && (task.stopReason !== undefined || task.nextPlanIndex >= (task.planLength ?? 0));
}

/**
 * The one way a runner's word reaches an invocation: a status while the work runs, or its end. Work
 * cancelled at a CANCEL_TASK cutoff ends TIMED_OUT, whatever it reports.
 */
export function applyReport(batch: ChangeBatch, active: ActiveExecution, invocation: Invocation, report: (Report | Pick<WindowReport, 'status' | 'statusDetails'>) & { at: number }): void {
  const final = report.status !== 'PENDING' && report.status !== 'IN_PROGRESS' && report.status !== 'CANCELLING';
  if (!final) {
    invocation.status = report.status;
    invocation.statusDetails = report.statusDetails;
    batch.invocation(active.scope, invocation, taskOf(active, invocation));
    return;
  }
  if (invocation.cancelledAtCutoff && report.status !== 'SUCCESS') {
    const task = taskOf(active, invocation);
    if (task) task.timedOutAtCutoff = true;
    endInvocation(batch, active, invocation, 'TIMED_OUT', DETAILS.cutoffReached, report.at);
  } else {
    endInvocation(batch, active, invocation, report.status, report.statusDetails, report.at);
  }
}

export function endInvocation(batch: ChangeBatch, active: ActiveExecution, invocation: Invocation, status: Invocation['status'], details: string | undefined, at: number): void {
  invocation.status = status;
  invocation.statusDetails = details;
  invocation.endTime = at;
  active.inFlight.delete(invocation.id);
  const task = taskOf(active, invocation);
  batch.invocation(active.scope, invocation, task);
  if (!task) return;
  task.inFlight = Math.max(0, task.inFlight - 1);
  task.lastInvocationEnd = Math.max(task.lastInvocationEnd ?? at, at);
  if (status !== 'SUCCESS') {
    // One error per failed invocation: a Run Command command applies MaxErrors across its own instances
    // inside the command (SPEC 3.5), and counts once here.
    task.errorCount += 1;
    if (task.errorCount > errorThreshold(task.maxErrors, task.planLength ?? 0) && !task.stopReason) task.stopReason = 'max-errors';
  }
  batch.task(active.scope, task);
}

/** Closes a task that has nothing left to run, at the end of its last invocation (or `now` if it had none). */
export function finishTask(batch: ChangeBatch, active: ActiveExecution, task: TaskExecution, now: number): void {
  const { status, statusDetails } = taskOutcome(task);
  endTask(batch, active, task, status, statusDetails, Math.min(now, task.lastInvocationEnd ?? now));
}

export function endTask(batch: ChangeBatch, active: ActiveExecution, task: TaskExecution, status: TaskExecution['status'], details: string | undefined, at: number): void {
  task.status = status;
  task.statusDetails = details;
  task.startTime ??= at;
  task.endTime = at;
  batch.task(active.scope, task);
}

/** Gives the execution its rolled-up status and end time (the executor then stops tracking it). */
export function closeExecution(batch: ChangeBatch, active: ActiveExecution, at: number): void {
  const { execution, tasks } = active;
  const { status, statusDetails } = windowOutcome(execution, tasks);
  execution.status = status;
  execution.statusDetails = statusDetails;
  // A window whose work all ended while the service was down ends when its last task did.
  const ends = tasks.map((t) => t.endTime);
  execution.endTime = ends.every((end) => end !== undefined) ? Math.min(at, Math.max(execution.startTime, ...(ends as number[]))) : at;
  batch.execution(active.scope, execution);
}

/**
 * The window's end: whatever still runs times out (SPEC 3.5 item 7). Tasks whose last invocations ended by
 * then close normally first. The caller closes the execution.
 */
export function timeOutAtWindowEnd(batch: ChangeBatch, active: ActiveExecution, now: number): void {
  const { execution } = active;
  for (const task of active.tasks) {
    if (task.status === 'IN_PROGRESS' && isDone(task)) finishTask(batch, active, task, now);
  }
  for (const invocation of [...active.inFlight.values()]) {
    endInvocation(batch, active, invocation, 'TIMED_OUT', DETAILS.invocationTimedOut, execution.endAt);
  }
  for (const task of active.tasks) {
    if (task.status === 'IN_PROGRESS') endTask(batch, active, task, 'TIMED_OUT', DETAILS.windowTimedOut, execution.endAt);
    if (task.status === 'PENDING') endTask(batch, active, task, 'TIMED_OUT', DETAILS.notStartedCutoff, execution.endAt);
  }
}

/**
 * The cutoff: CANCEL_TASK tasks start no more invocations, and Run Command's running commands are
 * cancelled; those invocations then end TIMED_OUT when their runner reports (SPEC 3.7).
 */
export async function applyCutoff(tx: StoreOperations, batch: ChangeBatch, active: ActiveExecution, runner: TaskRunner, now: number): Promise<void> {
  active.cutoffApplied = true;
  for (const task of active.tasks) {
    if (task.status === 'IN_PROGRESS' && task.cutoffBehavior === 'CANCEL_TASK' && !task.stopReason) task.stopReason = 'cutoff';
  }
  for (const invocation of active.inFlight.values()) {
    const task = taskOf(active, invocation);
    if (task?.stopReason !== 'cutoff' || task.cutoffBehavior !== 'CANCEL_TASK' || invocation.plannedEnd !== undefined || invocation.cancelledAtCutoff) continue;
    invocation.cancelledAtCutoff = true;
    batch.invocation(active.scope, invocation, task);
    await runner.cancel?.(tx, active.scope, invocation.taskType, invocation.executionId, now);
  }
}

/** A cancel (SPEC 3.5 item 8): nothing new starts, tasks not started end CANCELLED, running invocations finish. */
export function cancelExecution(batch: ChangeBatch, active: ActiveExecution, now: number): void {
  active.execution.status = 'CANCELLING';
  batch.execution(active.scope, active.execution);
  for (const task of active.tasks) {
    if (task.status === 'PENDING') endTask(batch, active, task, 'CANCELLED', DETAILS.cancelled, now);
    else if (task.status === 'IN_PROGRESS') task.stopReason = 'cancel';
  }
}
