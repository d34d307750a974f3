// Runs window executions: tasks in priority groups, invocations under MaxConcurrency/MaxErrors, the
// window's cutoff and end, cancellation, and the status roll-ups of SPEC 3.5 and 3.7. All state of a
// running execution is held here in memory and written through a ChangeBatch at the end of each step;
// the store holds everything needed to rebuild it after a restart (active-execution.ts).
//
// This file is the state machine's entry points and its order of events (advance); how invocations start
// is invocation-starts.ts, how invocations, tasks and executions end (cutoff, window end, cancel) is
// execution-endings.ts.

import { DETAILS, isActive, pendingTaskExecution, type WindowExecution } from '../domain/execution.ts';
import type { Scope, Window } from '../domain/model.ts';
import type { IdGenerator, StoreOperations } from '../service/ports.ts';
import { type ActiveExecution, changed, eventAt, windowKey } from './active-execution.ts';
import type { ChangeBatch } from './change-batch.ts';
import {
  applyCutoff, applyReport, cancelExecution, closeExecution, endTask, finishTask, isDone, timeOutAtWindowEnd,
} from './execution-endings.ts';
import { InvocationStarts } from './invocation-starts.ts';
import type { TaskRunner } from './task-runners/task-runner.ts';

/** Reports taken from the store per step (the loop comes back at the same instant for the rest). */
const REPORT_BATCH = 200;

const HOUR_MS = 3_600_000;

export class Executor {
  /** Running executions by execution id. */
  readonly active = new Map<string, ActiveExecution>();
  /** Running execution id by window key (one at a time per window; more are SKIPPED_OVERLAPPING). */
  private readonly byWindow = new Map<string, string>();
  private readonly ids: IdGenerator;
  private readonly runner: TaskRunner;
  private readonly starts: InvocationStarts;

  constructor(ids: IdGenerator, runner: TaskRunner) {
    this.ids = ids;
    this.runner = runner;
    this.starts = new InvocationStarts(ids, runner);
  }

  /** Forgets every running execution (before reloading them from the store). */
  reset(): void {
    this.active.clear();
    this.byWindow.clear();
    this.starts.reset();
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

  /**
   * Puts an execution loaded from the store back under management (after a restart). Work that reports
   * later is handed back to its runner, which follows it again or knows its end now (placed on the clock).
   */
  resume(active: ActiveExecution): void {
    const waiting = [...active.inFlight.values()].filter((i) => i.plannedEnd === undefined);
    for (const { invocationId, report, at } of (waiting.length > 0 && this.runner.resume?.(active.scope, waiting)) || []) {
      const invocation = active.inFlight.get(invocationId);
      if (!invocation) continue;
      invocation.plannedStatus = report.status;
      invocation.plannedDetails = report.statusDetails;
      invocation.plannedEnd = Math.max(at, invocation.startTime);
    }
    changed(active);
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
    cancelExecution(batch, active, now);
    await this.advance(tx, batch, active, now);
  }

  /** Hands the invocations started in this step to the runner (InvocationStarts.settle). */
  async settleDrafts(tx: StoreOperations, batch: ChangeBatch): Promise<void> {
    await this.starts.settle(tx, batch);
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
      applyReport(batch, active, invocation, report);
      touched.add(active);
    }
    for (const active of touched) if (this.active.has(active.execution.id)) await this.advance(tx, batch, active, now);
  }

  // ---- the state machine

  private async advance(tx: StoreOperations, batch: ChangeBatch, active: ActiveExecution, now: number): Promise<void> {
    changed(active);
    const { execution } = active;
    // 1. Reports placed on the clock that are due arrive, in the order they are due.
    const finished = [...active.inFlight.values()].filter((i) => i.plannedEnd !== undefined && i.plannedEnd <= now && i.plannedEnd <= execution.endAt)
      .sort((a, b) => a.plannedEnd! - b.plannedEnd!);
    for (const invocation of finished) {
      applyReport(batch, active, invocation, { status: invocation.plannedStatus, statusDetails: invocation.plannedDetails, at: invocation.plannedEnd! });
    }
    // 2. The window's end: whatever still runs times out.
    if (now >= execution.endAt) {
      timeOutAtWindowEnd(batch, active, now);
      this.endWindow(batch, active, execution.endAt);
      return;
    }
    // 3. The cutoff: CANCEL_TASK tasks start no more invocations, their running commands are cancelled.
    if (!active.cutoffApplied && now >= execution.cutoffAt) await applyCutoff(tx, batch, active, this.runner, now);
    // 4. Keep running tasks busy, close finished ones, and start the next priority group when one is done.
    for (;;) {
      for (const task of active.tasks) {
        if (task.status !== 'IN_PROGRESS') continue;
        this.starts.startMore(batch, active, task, now);
        if (isDone(task)) finishTask(batch, active, task, now);
      }
      if (active.tasks.some((t) => t.status === 'IN_PROGRESS')) return;
      const pending = active.tasks.filter((t) => t.status === 'PENDING');
      if (pending.length === 0 || execution.status === 'CANCELLING') break;
      if (now >= execution.cutoffAt) {
        // No task starts at or after the cutoff (SPEC 3.4); with Cutoff 0 that is the window's end.
        for (const task of pending) endTask(batch, active, task, 'TIMED_OUT', DETAILS.notStartedCutoff, now);
        break;
      }
      const priority = pending[0].priority;
      for (const task of pending.filter((t) => t.priority === priority)) await this.starts.startTask(tx, batch, active, task, now);
    }
    this.endWindow(batch, active, now);
  }

  /** Closes the execution and stops tracking it. */
  private endWindow(batch: ChangeBatch, active: ActiveExecution, at: number): void {
    closeExecution(batch, active, at);
    this.active.delete(active.execution.id);
    this.byWindow.delete(windowKey(active.scope, active.execution.windowId));
  }

  private track(active: ActiveExecution): void {
    this.active.set(active.execution.id, active);
    this.byWindow.set(windowKey(active.scope, active.execution.windowId), active.execution.id);
  }
}
