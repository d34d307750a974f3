// Which state changes of the execution history become events. The engine's change batch tells it each
// row it touches, in the order the step touched them; an event is made when a row's status differs from
// the one last recorded for it, so a step that moves a row twice gives two events, in order. What was
// recorded is remembered only once the step commits. After a restart or a takeover the memory is empty,
// and the first touch of a row records its status again: the event has the same id as before, and the
// store keeps it once.

import {
  invocationEvent, type RecordedEvent, taskExecutionEvent, windowExecutionEvent,
} from '../domain/events.ts';
import { isActive, type Invocation, type TaskExecution, type WindowExecution } from '../domain/execution.ts';
import type { Scope } from '../domain/model.ts';
import type { HistoryMetrics } from './metrics.ts';

type Kind = 'window_execution' | 'task_execution' | 'invocation';

/** What one step recorded: its events, and the statuses to remember once it commits. */
export class StepEvents {
  readonly events: RecordedEvent[] = [];
  private readonly seen = new Map<string, { kind: Kind; status: string }>();
  private readonly memory: StateEvents;
  private readonly at: number;

  constructor(memory: StateEvents, at: number) {
    this.memory = memory;
    this.at = at;
  }

  execution(scope: Scope, row: WindowExecution): void {
    if (this.changed('window_execution', row.id, row.status)) this.events.push(windowExecutionEvent(scope, row, this.at));
  }

  task(scope: Scope, row: TaskExecution): void {
    if (!this.changed('task_execution', row.id, row.status)) return;
    const event = taskExecutionEvent(scope, row, this.at);
    if (event) this.events.push(event);
  }

  invocation(scope: Scope, row: Invocation): void {
    if (!this.changed('invocation', row.id, row.status)) return;
    const event = invocationEvent(scope, row, this.at);
    if (event) this.events.push(event);
  }

  /** The step committed: its statuses are now the ones last recorded. */
  committed(): void {
    this.memory.remember(this.seen);
  }

  private changed(kind: Kind, id: string, status: string): boolean {
    const last = this.seen.get(id)?.status ?? this.memory.last(id);
    if (last === status) return false;
    this.seen.set(id, { kind, status });
    return true;
  }
}

/** The last recorded status of each row still running (a finished row is not touched again, or is harmless). */
export class StateEvents {
  private readonly statuses = new Map<string, string>();
  private readonly running = new Set<string>();
  private readonly metrics: HistoryMetrics | undefined;

  constructor(metrics?: HistoryMetrics) {
    this.metrics = metrics;
  }

  step(at: number): StepEvents {
    return new StepEvents(this, at);
  }

  last(id: string): string | undefined {
    return this.statuses.get(id);
  }

  remember(seen: Map<string, { kind: Kind; status: string }>): void {
    for (const [id, { kind, status }] of seen) {
      if (isActive(status as WindowExecution['status'])) {
        this.statuses.set(id, status);
      } else {
        this.statuses.delete(id);
        this.metrics?.ended(kind, status);
      }
      if (kind === 'invocation') {
        if (status === 'IN_PROGRESS') this.running.add(id);
        else this.running.delete(id);
      }
    }
    this.metrics?.runningInvocations(this.running.size);
  }
}
