// Which state changes of the execution history become events. The engine's change batch tells it each
// row it touches, in the order the step touched them; an event is made when a row's status differs from
// the status its last event told (`eventStatus`, kept in the row itself and written in the same
// transaction), so a step that moves a row twice gives two events, in order, and a restart or a takeover
// by another replica tells nothing twice.

import {
  invocationEvent, type RecordedEvent, taskExecutionEvent, windowExecutionEvent,
} from '../domain/events.ts';
import { isActive, type Invocation, type TaskExecution, type WindowExecution } from '../domain/execution.ts';
import type { Scope } from '../domain/model.ts';
import type { HistoryMetrics } from './metrics.ts';

type Kind = 'window_execution' | 'task_execution' | 'invocation';

/** What one step recorded, and what to count once it commits. */
export class StepEvents {
  readonly events: RecordedEvent[] = [];
  private readonly seen: { kind: Kind; id: string; status: string }[] = [];
  private readonly memory: StateEvents;
  private readonly at: number;

  constructor(memory: StateEvents, at: number) {
    this.memory = memory;
    this.at = at;
  }

  execution(scope: Scope, row: WindowExecution): void {
    if (this.changed('window_execution', row)) this.events.push(windowExecutionEvent(scope, row, this.at));
  }

  task(scope: Scope, row: TaskExecution): void {
    if (!this.changed('task_execution', row)) return;
    const event = taskExecutionEvent(scope, row, this.at);
    if (event) this.events.push(event);
  }

  invocation(scope: Scope, row: Invocation): void {
    if (!this.changed('invocation', row)) return;
    const event = invocationEvent(scope, row, this.at);
    if (event) this.events.push(event);
  }

  /** The step committed: count what it changed. */
  committed(): void {
    this.memory.count(this.seen);
  }

  /** True when the row's status has not been told yet; it is then marked told (the row is written with the mark). */
  private changed(kind: Kind, row: { id: string; status: string; eventStatus?: string }): boolean {
    if (row.eventStatus === row.status) return false;
    row.eventStatus = row.status;
    this.seen.push({ kind, id: row.id, status: row.status });
    return true;
  }
}

/** Counts for the metrics: final statuses, and the invocations running on this replica. */
export class StateEvents {
  private readonly running = new Set<string>();
  private readonly metrics: HistoryMetrics | undefined;

  constructor(metrics?: HistoryMetrics) {
    this.metrics = metrics;
  }

  step(at: number): StepEvents {
    return new StepEvents(this, at);
  }

  count(seen: readonly { kind: Kind; id: string; status: string }[]): void {
    if (!this.metrics) return;
    for (const { kind, id, status } of seen) {
      if (!isActive(status as WindowExecution['status'])) this.metrics.ended(kind, status);
      if (kind === 'invocation') {
        if (status === 'IN_PROGRESS') this.running.add(id);
        else this.running.delete(id);
      }
    }
    this.metrics.runningInvocations(this.running.size);
  }
}
