// Runs window executions: tasks in priority groups, invocations under MaxConcurrency/MaxErrors, the
// window's cutoff and end, cancellation, and the status roll-ups of SPEC 3.5 and 3.7. All state of a
// running execution is held here in memory and written through a ChangeBatch at the end of each step;
// the store holds everything needed to rebuild it after a restart.

import {
  concurrencyLimit, DETAILS, errorThreshold, isActive, pendingTaskExecution, taskOutcome, windowOutcome, type Invocation, type PlanItem, type TaskExecution, type WindowExecution,
} from '../domain/execution.ts';
import { invocationParameters, pseudoValuesFor } from '../domain/invocation-parameters.ts';
import type { Scope, Window, WindowTarget } from '../domain/model.ts';
import { planInvocations } from '../domain/target-resolution.ts';
import type { IdGenerator, StoreOperations } from '../service/ports.ts';
import type { ChangeBatch } from './change-batch.ts';
import type { WindowReport } from '../domain/commands.ts';
import type { InvocationRequest, Report, TaskRunner } from './task-runners/task-runner.ts';

/** Reports taken from the store per step (the loop comes back at the same instant for the rest). */
const REPORT_BATCH = 200;

const HOUR_MS = 3_600_000;

export interface ActiveExecution {
  scope: Scope;
  execution: WindowExecution;
  tasks: TaskExecution[];
  inFlight: Map<string, Invocation>;
  cutoffApplied: boolean;
}

/** Invocations started during a step, waiting to be handed to the runner at the end of the step. */
interface Draft {
  active: ActiveExecution;
  invocation: Invocation;
  request: InvocationRequest;
}

/** When a running execution next has something to do: an invocation's end, its cutoff, its window's end. */
function eventAt(active: ActiveExecution): number {
  let next = active.execution.endAt;
  if (!active.cutoffApplied && active.execution.cutoffAt < next) next = active.execution.cutoffAt;
  for (const invocation of active.inFlight.values()) {
    if (invocation.plannedEnd !== undefined && invocation.plannedEnd < next) next = invocation.plannedEnd;
  }
  return next;
}

export function windowKey(scope: Scope, windowId: string): string {
  return `${scope.account}|${scope.region}|${windowId}`;
}

export class Executor {
  /** Running executions by execution id. */
  readonly active = new Map<string, ActiveExecution>();
  /** Running execution id by window key (one at a time per window; more are SKIPPED_OVERLAPPING). */
  private readonly byWindow = new Map<string, string>();
  private drafts: Draft[] = [];
  private readonly ids: IdGenerator;
  private readonly runner: TaskRunner;

  constructor(ids: IdGenerator, runner: TaskRunner) {
    this.ids = ids;
    this.runner = runner;
  }

  /** Forgets every running execution (before reloading them from the store). */
  reset(): void {
    this.active.clear();
    this.byWindow.clear();
    this.drafts = [];
  }

  /** Drops running executions this replica no longer holds a lease on (another replica took them). */
  forgetAllBut(held: ReadonlySet<string>): void {
    for (const [id, active] of this.active) {
      if (held.has(id)) continue;
      this.active.delete(id);
      this.byWindow.delete(windowKey(active.scope, active.execution.windowId));
    }
  }

  isRunning(scope: Scope, windowId: string): boolean {
    return this.byWindow.has(windowKey(scope, windowId));
  }

  /** Earliest instant at which some running execution has something to do. */
  nextEventAt(): number | undefined {
    let next: number | undefined;
    for (const active of this.active.values()) {
      const at = eventAt(active);
      if (next === undefined || at < next) next = at;
    }
    return next;
  }

  /** Records a fired occurrence of `window` at `at`, with a snapshot of its tasks, and starts it. */
  async fire(tx: StoreOperations, batch: ChangeBatch, scope: Scope, window: Window, at: number): Promise<WindowExecution> {
    const execution: WindowExecution = {
      windowId: window.id,
      id: this.ids.orderedUuid(),
      status: 'IN_PROGRESS',
      startTime: at,
      cutoffAt: at + (window.durationHours - window.cutoffHours) * HOUR_MS,
      endAt: at + window.durationHours * HOUR_MS,
    };
    // The previous execution may be run by another replica: the store knows, not only this process.
    const runningHere = this.isRunning(scope, window.id);
    const stored = runningHere ? undefined : await tx.latestWindowExecution(scope, window.id);
    const previous = stored && (batch.executionState(stored.id) ?? stored);
    if (runningHere || (previous && isActive(previous.status))) {
      const skipped: WindowExecution = { ...execution, status: 'SKIPPED_OVERLAPPING', statusDetails: DETAILS.overlapping, endTime: at };
      batch.execution(scope, skipped, true);
      return skipped;
    }
    const tasks = (await tx.listTasks(scope, window.id, 0, Number.MAX_SAFE_INTEGER)).map((row) => row.item);
    if (tasks.length === 0) {
      const done = { ...execution, status: 'SUCCESS' as const, statusDetails: DETAILS.noTasks, endTime: at };
      batch.execution(scope, done, true);
      return done;
    }
    const active: ActiveExecution = {
      scope,
      execution,
      tasks: tasks.map((task) => pendingTaskExecution(execution, task, this.ids.orderedUuid())).sort((a, b) => a.priority - b.priority),
      inFlight: new Map(),
      cutoffApplied: false,
    };
    batch.execution(scope, execution, true);
    for (const task of active.tasks) batch.task(scope, task, true);
    this.track(active);
    await this.advance(tx, batch, active, at);
    return execution;
  }

  /** Puts an execution loaded from the store back under management (after a restart). */
  resume(active: ActiveExecution): void {
    this.track(active);
  }

  /**
   * Moves running executions that have something due by `now` forward, at most `limit` of them: a burst
   * (1,000 executions ending together) is spread over several steps, so no step holds it all in memory.
   */
  async advanceDue(tx: StoreOperations, batch: ChangeBatch, now: number, limit: number): Promise<void> {
    const due = [...this.active.values()].filter((active) => eventAt(active) <= now).slice(0, limit);
    for (const active of due) await this.advance(tx, batch, active, now);
  }

  /** Cancels a running execution: nothing new starts, running invocations finish (SPEC 3.5 item 8). */
  async cancel(tx: StoreOperations, batch: ChangeBatch, executionId: string, now: number): Promise<void> {
    const active = this.active.get(executionId);
    if (!active || active.execution.status === 'CANCELLING') return;
    active.execution.status = 'CANCELLING';
    batch.execution(active.scope, active.execution);
    for (const task of active.tasks) {
      if (task.status === 'PENDING') this.endTask(batch, active, task, 'CANCELLED', DETAILS.cancelled, now);
      else if (task.status === 'IN_PROGRESS') task.stopReason = 'cancel';
    }
    await this.advance(tx, batch, active, now);
  }

  /**
   * Hands the invocations started in this step to the runner: a report it already knows is placed on the
   * clock; work that reports later keeps the id and status the runner gave it.
   */
  async settleDrafts(tx: StoreOperations, batch: ChangeBatch): Promise<void> {
    while (this.drafts.length > 0) {
      const drafts = this.drafts;
      this.drafts = [];
      const started = await this.runner.start(tx, drafts.map((d) => d.request));
      drafts.forEach(({ active, invocation }, i) => {
        const work = started[i];
        if (work.kind === 'scheduled') {
          invocation.plannedStatus = work.report.status;
          invocation.plannedDetails = work.report.statusDetails;
          invocation.plannedEnd = invocation.startTime + Math.max(0, work.afterMs);
        } else {
          invocation.executionId = work.executionId;
          invocation.status = work.status;
          invocation.statusDetails = work.statusDetails;
        }
        batch.invocation(active.scope, invocation, true);
      });
    }
  }

  /**
   * Applies the reports waiting in the store for executions `owner` runs, due by `now`, then moves the
   * executions they touched (an ended invocation makes room for the next). Reports for invocations that
   * are no longer running (the window ended first) are dropped.
   */
  async applyReports(tx: StoreOperations, batch: ChangeBatch, owner: string, now: number): Promise<void> {
    const touched = new Set<ActiveExecution>();
    for (const { report } of await tx.takeWindowReports(owner, now, REPORT_BATCH)) {
      const active = this.active.get(report.windowExecutionId);
      const invocation = active?.inFlight.get(report.invocationId);
      if (!active || !invocation) continue;
      this.report(batch, active, invocation, report);
      touched.add(active);
    }
    for (const active of touched) if (this.active.has(active.execution.id)) await this.advance(tx, batch, active, now);
  }

  // ---- the state machine

  private async advance(tx: StoreOperations, batch: ChangeBatch, active: ActiveExecution, now: number): Promise<void> {
    const { execution } = active;
    // 1. Reports placed on the clock that are due arrive, in the order they are due.
    const finished = [...active.inFlight.values()].filter((i) => i.plannedEnd !== undefined && i.plannedEnd <= now && i.plannedEnd <= execution.endAt)
      .sort((a, b) => a.plannedEnd! - b.plannedEnd!);
    for (const invocation of finished) {
      this.report(batch, active, invocation, { status: invocation.plannedStatus, statusDetails: invocation.plannedDetails, at: invocation.plannedEnd! });
    }
    // 2. The window's end: whatever still runs times out (SPEC 3.5 item 7). Tasks whose last invocations
    //    ended by then close normally first.
    if (now >= execution.endAt) {
      for (const task of active.tasks) {
        if (task.status === 'IN_PROGRESS' && this.isDone(task)) this.finishTask(batch, active, task, now);
      }
      for (const invocation of [...active.inFlight.values()]) {
        this.endInvocation(batch, active, invocation, 'TIMED_OUT', DETAILS.invocationTimedOut, execution.endAt);
      }
      for (const task of active.tasks) {
        if (task.status === 'IN_PROGRESS') this.endTask(batch, active, task, 'TIMED_OUT', DETAILS.windowTimedOut, execution.endAt);
        if (task.status === 'PENDING') this.endTask(batch, active, task, 'TIMED_OUT', DETAILS.notStartedCutoff, execution.endAt);
      }
      this.endWindow(batch, active, execution.endAt);
      return;
    }
    // 3. The cutoff: CANCEL_TASK tasks start no more invocations, and Run Command's running commands are
    //    cancelled; those invocations then end TIMED_OUT (SPEC 3.7).
    if (!active.cutoffApplied && now >= execution.cutoffAt) {
      active.cutoffApplied = true;
      for (const task of active.tasks) {
        if (task.status === 'IN_PROGRESS' && task.cutoffBehavior === 'CANCEL_TASK' && !task.stopReason) task.stopReason = 'cutoff';
      }
      for (const invocation of active.inFlight.values()) {
        const task = active.tasks.find((t) => t.id === invocation.taskExecutionId);
        if (task?.stopReason !== 'cutoff' || task.cutoffBehavior !== 'CANCEL_TASK' || invocation.plannedEnd !== undefined || invocation.cancelledAtCutoff) continue;
        invocation.cancelledAtCutoff = true;
        batch.invocation(active.scope, invocation);
        await this.runner.cancel?.(tx, active.scope, invocation.taskType, invocation.executionId, now);
      }
    }
    // 4. Keep running tasks busy, close finished ones, and start the next priority group when one is done.
    for (;;) {
      for (const task of active.tasks) {
        if (task.status !== 'IN_PROGRESS') continue;
        this.startMore(batch, active, task, now);
        if (this.isDone(task)) this.finishTask(batch, active, task, now);
      }
      if (active.tasks.some((t) => t.status === 'IN_PROGRESS')) return;
      const pending = active.tasks.filter((t) => t.status === 'PENDING');
      if (pending.length === 0 || execution.status === 'CANCELLING') break;
      if (now >= execution.cutoffAt) {
        // No task starts at or after the cutoff (SPEC 3.4); with Cutoff 0 that is the window's end.
        for (const task of pending) this.endTask(batch, active, task, 'TIMED_OUT', DETAILS.notStartedCutoff, now);
        break;
      }
      const priority = pending[0].priority;
      for (const task of pending.filter((t) => t.priority === priority)) await this.startTask(tx, batch, active, task, now);
    }
    this.endWindow(batch, active, now);
  }

  /** Nothing in flight and nothing more to start. */
  private isDone(task: TaskExecution): boolean {
    return task.inFlight === 0 && (task.stopReason !== undefined || task.nextPlanIndex >= (task.planLength ?? 0));
  }

  private async startTask(tx: StoreOperations, batch: ChangeBatch, active: ActiveExecution, task: TaskExecution, now: number): Promise<void> {
    task.status = 'IN_PROGRESS';
    task.startTime = now;
    const windowTargets = new Map<string, WindowTarget>();
    for (const spec of task.targets.filter((t) => t.key === 'WindowTargetIds')) {
      for (const id of spec.values) {
        const target = await tx.getTarget(active.scope, task.windowId, id);
        if (target) windowTargets.set(id, target);
      }
    }
    const needsNodes = [...windowTargets.values()].some((t) => !t.targets.some((s) => s.key === 'InstanceIds'));
    const nodes = needsNodes ? await tx.listNodes(active.scope) : [];
    task.plan = planInvocations(task.taskType, task.targets, windowTargets, nodes);
    task.planLength = task.plan.length;
    batch.task(active.scope, task);
    batch.plan(active.scope, task.id, task.plan);
    if (task.plan.length === 0) this.endTask(batch, active, task, 'SUCCESS', DETAILS.noTargets, now);
  }

  private startMore(batch: ChangeBatch, active: ActiveExecution, task: TaskExecution, now: number): void {
    const plan = task.plan ?? [];
    const limit = concurrencyLimit(task.maxConcurrency, plan.length);
    while (!task.stopReason && task.inFlight < limit && task.nextPlanIndex < plan.length) {
      const item = plan[task.nextPlanIndex];
      // Window targets are processed one after another: the next group waits for the current one.
      if (task.inFlight > 0 && task.nextPlanIndex > 0 && plan[task.nextPlanIndex - 1].group !== item.group) break;
      task.nextPlanIndex++;
      task.inFlight++;
      this.draft(active, task, item, now);
      batch.task(active.scope, task);
    }
  }

  private draft(active: ActiveExecution, task: TaskExecution, item: PlanItem, now: number): void {
    const id = this.ids.orderedUuid();
    const parameters = invocationParameters(task, item.resourceIds, pseudoValuesFor(active.scope, task, item, id));
    const executionId = this.ids.uuid();
    const invocation: Invocation = {
      windowId: task.windowId,
      windowExecutionId: task.windowExecutionId,
      taskExecutionId: task.id,
      id,
      executionId,
      taskType: task.taskType,
      parameters,
      status: 'IN_PROGRESS',
      startTime: now,
      ownerInformation: item.ownerInformation,
      windowTargetId: item.windowTargetId,
      resourceIds: item.resourceIds,
      // Unknown until the runner answers (settleDrafts); until then it cannot end.
      plannedStatus: 'SUCCESS',
    };
    active.inFlight.set(id, invocation);
    this.drafts.push({
      active,
      invocation,
      request: {
        scope: active.scope, windowId: task.windowId, windowTaskId: task.windowTaskId, windowExecutionId: task.windowExecutionId,
        taskExecutionId: task.id, invocationId: id, executionId, taskArn: task.taskArn, taskType: task.taskType,
        resourceIds: item.resourceIds, parameters, startTime: now,
      },
    });
  }

  /**
   * The one way a runner's word reaches an invocation: a status while the work runs, or its end. Work
   * cancelled at a CANCEL_TASK cutoff ends TIMED_OUT, whatever it reports.
   */
  private report(batch: ChangeBatch, active: ActiveExecution, invocation: Invocation, report: (Report | Pick<WindowReport, 'status' | 'statusDetails'>) & { at: number }): void {
    const final = report.status !== 'PENDING' && report.status !== 'IN_PROGRESS' && report.status !== 'CANCELLING';
    if (!final) {
      invocation.status = report.status;
      invocation.statusDetails = report.statusDetails;
      batch.invocation(active.scope, invocation);
      return;
    }
    if (invocation.cancelledAtCutoff && report.status !== 'SUCCESS') {
      const task = active.tasks.find((t) => t.id === invocation.taskExecutionId);
      if (task) task.timedOutAtCutoff = true;
      this.endInvocation(batch, active, invocation, 'TIMED_OUT', DETAILS.cutoffReached, report.at);
    } else {
      this.endInvocation(batch, active, invocation, report.status, report.statusDetails, report.at);
    }
  }

  private endInvocation(batch: ChangeBatch, active: ActiveExecution, invocation: Invocation, status: Invocation['status'], details: string | undefined, at: number): void {
    invocation.status = status;
    invocation.statusDetails = details;
    invocation.endTime = at;
    active.inFlight.delete(invocation.id);
    batch.invocation(active.scope, invocation);
    const task = active.tasks.find((t) => t.id === invocation.taskExecutionId);
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
  private finishTask(batch: ChangeBatch, active: ActiveExecution, task: TaskExecution, now: number): void {
    const { status, statusDetails } = taskOutcome(task);
    this.endTask(batch, active, task, status, statusDetails, Math.min(now, task.lastInvocationEnd ?? now));
  }

  private endTask(batch: ChangeBatch, active: ActiveExecution, task: TaskExecution, status: TaskExecution['status'], details: string | undefined, at: number): void {
    task.status = status;
    task.statusDetails = details;
    task.startTime ??= at;
    task.endTime = at;
    batch.task(active.scope, task);
  }

  private endWindow(batch: ChangeBatch, active: ActiveExecution, at: number): void {
    const { execution, tasks } = active;
    const { status, statusDetails } = windowOutcome(execution, tasks);
    execution.status = status;
    execution.statusDetails = statusDetails;
    // A window whose work all ended while the service was down ends when its last task did.
    const ends = tasks.map((t) => t.endTime);
    execution.endTime = ends.every((end) => end !== undefined) ? Math.min(at, Math.max(execution.startTime, ...(ends as number[]))) : at;
    batch.execution(active.scope, execution);
    this.active.delete(execution.id);
    this.byWindow.delete(windowKey(active.scope, execution.windowId));
  }

  private track(active: ActiveExecution): void {
    this.active.set(active.execution.id, active);
    this.byWindow.set(windowKey(active.scope, active.execution.windowId), active.execution.id);
  }
}
