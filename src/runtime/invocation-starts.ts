// Starting a task's invocations: its plan (which targets, in which groups) when the task starts, as many
// invocations as MaxConcurrency allows, and, at the end of the step, handing them to the runner, which
// either knows the outcome already (placed on the clock) or reports later.

import { concurrencyLimit, DETAILS, type Invocation, type PlanItem, type TaskExecution } from '../domain/execution.ts';
import { invocationParameters, pseudoValuesFor } from '../domain/invocation-parameters.ts';
import type { WindowTarget } from '../domain/model.ts';
import { planInvocations } from '../domain/target-resolution.ts';
import type { IdGenerator, StoreOperations } from '../service/ports.ts';
import { type ActiveExecution, changed } from './active-execution.ts';
import type { ChangeBatch } from './change-batch.ts';
import { endTask } from './execution-endings.ts';
import type { InvocationRequest, TaskRunner } from './task-runners/task-runner.ts';

/** Invocations started during a step, waiting to be handed to the runner at the end of the step. */
interface Draft {
  active: ActiveExecution;
  task: TaskExecution;
  invocation: Invocation;
  request: InvocationRequest;
}

export class InvocationStarts {
  private drafts: Draft[] = [];
  private readonly ids: IdGenerator;
  private readonly runner: TaskRunner;

  constructor(ids: IdGenerator, runner: TaskRunner) {
    this.ids = ids;
    this.runner = runner;
  }

  /** Forgets invocations drafted in a step that did not commit. */
  reset(): void {
    this.drafts = [];
  }

  /** Starts a task: resolves its targets into a plan (a task with none succeeds at once). */
  async startTask(tx: StoreOperations, batch: ChangeBatch, active: ActiveExecution, task: TaskExecution, now: number): Promise<void> {
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
    if (task.plan.length === 0) endTask(batch, active, task, 'SUCCESS', DETAILS.noTargets, now);
  }

  /** Starts the task's next planned invocations, as many as its MaxConcurrency leaves room for. */
  startMore(batch: ChangeBatch, active: ActiveExecution, task: TaskExecution, now: number): void {
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

  /**
   * Hands the invocations started in this step to the runner: a report it already knows is placed on the
   * clock; work that reports later keeps the id and status the runner gave it.
   */
  async settle(tx: StoreOperations, batch: ChangeBatch): Promise<void> {
    while (this.drafts.length > 0) {
      const drafts = this.drafts;
      this.drafts = [];
      const started = await this.runner.start(tx, drafts.map((d) => d.request));
      drafts.forEach(({ active, task, invocation }, i) => {
        const work = started[i];
        if (work.kind === 'scheduled') {
          invocation.plannedStatus = work.report.status;
          invocation.plannedDetails = work.report.statusDetails;
          invocation.plannedEnd = invocation.startTime + Math.max(0, work.afterMs);
          changed(active);
        } else {
          invocation.executionId = work.executionId;
          invocation.status = work.status;
          invocation.statusDetails = work.statusDetails;
        }
        batch.invocation(active.scope, invocation, task, true);
      });
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
      // Unknown until the runner answers (settle); until then it cannot end.
      plannedStatus: 'SUCCESS',
    };
    active.inFlight.set(id, invocation);
    this.drafts.push({
      active,
      task,
      invocation,
      request: {
        scope: active.scope, windowId: task.windowId, windowTaskId: task.windowTaskId, windowExecutionId: task.windowExecutionId,
        taskExecutionId: task.id, invocationId: id, executionId, taskArn: task.taskArn, taskType: task.taskType,
        resourceIds: item.resourceIds, parameters, startTime: now,
      },
    });
  }
}
