// A running window execution as the executor holds it in memory between steps, when it next has something
// to do, and how it is rebuilt from the store when a replica takes it over (after a restart, or from a
// replica that stopped renewing its lease).

import type { Invocation, TaskExecution, WindowExecution } from '../domain/execution.ts';
import type { Scope } from '../domain/model.ts';
import type { Store } from '../service/ports.ts';

export interface ActiveExecution {
  scope: Scope;
  execution: WindowExecution;
  /** Its task executions, in priority order. */
  tasks: TaskExecution[];
  /** Invocations started and not ended, by invocation id. */
  inFlight: Map<string, Invocation>;
  cutoffApplied: boolean;
  /**
   * eventAt's answer, kept until the execution changes (`changed`): the engine asks for every running
   * execution at every step, and working it out walks every invocation in flight.
   */
  nextEventAt?: number;
}

/** The execution is about to change (a step moves it, its new invocations learn their ends): eventAt looks again. */
export function changed(active: ActiveExecution): void {
  active.nextEventAt = undefined;
}

/** When a running execution next has something to do: an invocation's end, its cutoff, its window's end. */
export function eventAt(active: ActiveExecution): number {
  if (active.nextEventAt !== undefined) return active.nextEventAt;
  let next = active.execution.endAt;
  if (!active.cutoffApplied && active.execution.cutoffAt < next) next = active.execution.cutoffAt;
  for (const invocation of active.inFlight.values()) {
    if (invocation.plannedEnd !== undefined && invocation.plannedEnd < next) next = invocation.plannedEnd;
  }
  active.nextEventAt = next;
  return next;
}

export function windowKey(scope: Scope, windowId: string): string {
  return `${scope.account}|${scope.region}|${windowId}`;
}

/** Rebuilds a running execution from what the store holds: its tasks, their plans, the invocations not ended. */
export async function loadActiveExecution(store: Store, scope: Scope, execution: WindowExecution): Promise<ActiveExecution> {
  const tasks = (await store.listTaskExecutions(scope, execution.id, 0, Number.MAX_SAFE_INTEGER)).map((r) => r.item);
  const inFlight = new Map<string, Invocation>();
  for (const task of tasks.filter((t) => t.status === 'IN_PROGRESS')) {
    task.plan = (await store.getTaskPlan(scope, task.id)) ?? [];
    for (const { item } of await store.listInvocations(scope, task.id, 0, Number.MAX_SAFE_INTEGER, ['PENDING', 'IN_PROGRESS', 'CANCELLING'])) {
      inFlight.set(item.id, item);
    }
  }
  return {
    scope,
    execution,
    tasks: tasks.sort((a, b) => a.priority - b.priority),
    inFlight,
    // Left to the next step: a cutoff that passed while no replica ran it still stops CANCEL_TASK tasks.
    cutoffApplied: false,
  };
}
