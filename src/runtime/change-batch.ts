// The rows one engine step created or changed, written together in one transaction at the end of the
// step. Keyed by id, so a row touched several times in a step is written once, in its final state.

import { countInvocation, isActive, type Invocation, type PlanItem, type TaskExecution, type WindowExecution } from '../domain/execution.ts';
import type { Scope } from '../domain/model.ts';
import type { Lease, StoreOperations } from '../service/ports.ts';
import type { StepEvents } from './state-events.ts';

interface Entry<T> {
  scope: Scope;
  row: T;
  isNew: boolean;
}

function remember<T extends { id: string }>(map: Map<string, Entry<T>>, scope: Scope, row: T, isNew: boolean): void {
  const known = map.get(row.id);
  map.set(row.id, { scope, row, isNew: isNew || (known?.isNew ?? false) });
}

function byScope<T>(entries: Iterable<Entry<T>>, isNew: boolean): { scope: Scope; rows: T[] }[] {
  const groups = new Map<string, { scope: Scope; rows: T[] }>();
  for (const entry of entries) {
    if (entry.isNew !== isNew) continue;
    const key = `${entry.scope.account}|${entry.scope.region}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { scope: entry.scope, rows: [] }));
    group.rows.push(entry.row);
  }
  return [...groups.values()];
}

export class ChangeBatch {
  private readonly executions = new Map<string, Entry<WindowExecution>>();
  private readonly tasks = new Map<string, Entry<TaskExecution>>();
  private readonly invocations = new Map<string, Entry<Invocation>>();
  private readonly plans: { scope: Scope; taskExecutionId: string; plan: PlanItem[] }[] = [];
  private readonly events: StepEvents | undefined;

  /** `events`: told of each row as it is touched, so state changes become events in the order they happened. */
  constructor(events?: StepEvents) {
    this.events = events;
  }

  execution(scope: Scope, row: WindowExecution, isNew = false): void {
    remember(this.executions, scope, row, isNew);
    this.events?.execution(scope, row);
  }

  task(scope: Scope, row: TaskExecution, isNew = false): void {
    remember(this.tasks, scope, row, isNew);
    this.events?.task(scope, row);
  }

  /** A task's plan, resolved in this step: written once, apart from the task's row. */
  plan(scope: Scope, taskExecutionId: string, plan: PlanItem[]): void {
    this.plans.push({ scope, taskExecutionId, plan });
  }

  /** An invocation of `task` started or changed; the task's counts by status move with it, written in the same step. */
  invocation(scope: Scope, row: Invocation, task: TaskExecution | undefined, isNew = false): void {
    remember(this.invocations, scope, row, isNew);
    this.events?.invocation(scope, row);
    if (task && countInvocation(task, row)) this.task(scope, task);
  }

  /** The state this step gave an execution, if it touched it (the store still has the old one). */
  executionState(id: string): WindowExecution | undefined {
    return this.executions.get(id)?.row;
  }

  get size(): number {
    return this.executions.size + this.tasks.size + this.invocations.size;
  }

  /** Writes everything; new running executions are leased to `lease` (the replica that runs them). */
  async flush(tx: StoreOperations, lease: Lease): Promise<void> {
    for (const entry of this.executions.values()) {
      if (entry.isNew) await tx.insertWindowExecution(entry.scope, entry.row, isActive(entry.row.status) ? lease : undefined);
      else await tx.updateWindowExecution(entry.scope, entry.row);
    }
    // The plan never goes into the task's row, which is rewritten at every step of the task.
    const withoutPlan = (rows: TaskExecution[]) => rows.map(({ plan: _plan, ...row }) => row as TaskExecution);
    for (const { scope, rows } of byScope(this.tasks.values(), true)) await tx.insertTaskExecutions(scope, withoutPlan(rows));
    for (const { scope, rows } of byScope(this.tasks.values(), false)) await tx.updateTaskExecutions(scope, withoutPlan(rows));
    for (const { scope, taskExecutionId, plan } of this.plans) await tx.saveTaskPlan(scope, taskExecutionId, plan);
    for (const { scope, rows } of byScope(this.invocations.values(), true)) await tx.insertInvocations(scope, rows);
    for (const { scope, rows } of byScope(this.invocations.values(), false)) await tx.updateInvocations(scope, rows);
    // In the same transaction as the changes they tell of: a change is never committed without its events.
    if (this.events && this.events.events.length > 0) await tx.appendEvents(this.events.events);
  }
}
