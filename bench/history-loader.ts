// Fills a data directory with execution history through the service's own SqliteStore, in batches of
// rows per transaction, with time-ordered ids (randomIds.orderedUuid) and the rows the engine itself
// writes for a finished run: nightly window executions of one window, one task execution each, one
// invocation per node, and one large task execution (a tenth of all invocations) among them.

import { join } from 'node:path';
import { type Invocation, pendingTaskExecution, type PlanItem, type TaskExecution, type WindowExecution } from '../src/domain/execution.ts';
import { invocationParameters, pseudoValuesFor } from '../src/domain/invocation-parameters.ts';
import type { Scope, WindowTarget, WindowTask } from '../src/domain/model.ts';
import { randomIds } from '../src/service/system.ts';
import { SqliteStore } from '../src/storage/sqlite/sqlite-store.ts';
import { nodeId } from './fleet.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Nodes of a regular night's run at full size, unless the caller asks for another. */
const FLEET = 300;
/** At least this many window executions, so a first page of 50 is full at every size. */
const MIN_EXECUTIONS = 60;

export interface HistoryShape {
  invocations: number;
  /** Invocations of the one large task execution. */
  largeTaskInvocations: number;
  /** Window executions besides the large one. */
  regularExecutions: number;
}

/** A tenth of `invocations` in the large task execution, the rest spread `nodesPerExecution` to a night. */
export function historyShape(invocations: number, nodesPerExecution = FLEET): HistoryShape {
  const largeTaskInvocations = Math.max(100, Math.round(invocations / 10));
  const regularExecutions = Math.max(MIN_EXECUTIONS, Math.ceil((invocations - largeTaskInvocations) / nodesPerExecution));
  return { invocations, largeTaskInvocations, regularExecutions };
}

export interface LoadedHistory {
  shape: HistoryShape;
  scope: Scope;
  windowId: string;
  large: { windowExecutionId: string; taskExecutionId: string; middleInvocationId: string };
  /** A regular night's run (the first), for pages compared with the large task's. */
  small: { windowExecutionId: string; taskExecutionId: string; invocations: number };
  rows: { windowExecutions: number; taskExecutions: number; invocations: number };
  seconds: number;
}

export interface LoadOptions {
  dataDir: string;
  scope: Scope;
  windowId: string;
  windowTaskId: string;
  windowTargetId: string;
  shape: HistoryShape;
  /** Rows (of all three kinds) per transaction. */
  batchRows: number;
  /** Where the nightly runs end: the last one fires the night before this instant. */
  endsBefore: number;
  progress?: (rowsDone: number) => void;
}

interface Pending {
  executions: WindowExecution[];
  tasks: TaskExecution[];
  invocations: Invocation[];
}

export async function loadHistory(options: LoadOptions): Promise<LoadedHistory> {
  const { scope, shape } = options;
  const store = new SqliteStore({ path: join(options.dataDir, 'mw.sqlite') });
  const started = performance.now();
  try {
    const window = await store.getWindow(scope, options.windowId);
    const task = await store.getTask(scope, options.windowId, options.windowTaskId);
    const target = await store.getTarget(scope, options.windowId, options.windowTargetId);
    if (!window || !task || !target) throw new Error('the window, its task and its target must exist before loading history');

    const executions = shape.regularExecutions + 1;
    const largeIndex = Math.floor(shape.regularExecutions / 2);
    const rest = shape.invocations - shape.largeTaskInvocations;
    const perExecution = Math.floor(rest / shape.regularExecutions);
    const extra = rest - perExecution * shape.regularExecutions;
    const firstNight = Math.floor(options.endsBefore / DAY_MS) * DAY_MS - executions * DAY_MS + 3 * HOUR_MS;

    const pending: Pending = { executions: [], tasks: [], invocations: [] };
    let pendingRows = 0;
    let rowsDone = 0;
    const counts = { windowExecutions: 0, taskExecutions: 0, invocations: 0 };
    const flush = async () => {
      if (pendingRows === 0) return;
      const batch = { ...pending };
      pending.executions = [];
      pending.tasks = [];
      pending.invocations = [];
      await store.transaction(async (tx) => {
        for (const e of batch.executions) await tx.insertWindowExecution(scope, e);
        // As the engine writes them: the plan apart from the task's row.
        await tx.insertTaskExecutions(scope, batch.tasks.map(({ plan: _plan, ...row }) => row as TaskExecution));
        for (const task of batch.tasks) await tx.saveTaskPlan(scope, task.id, task.plan!);
        await tx.insertInvocations(scope, batch.invocations);
      });
      rowsDone += pendingRows;
      pendingRows = 0;
      options.progress?.(rowsDone);
      // Let the event loop run between batches (a Ctrl-C is handled at once, not after the load).
      await new Promise((resolve) => setImmediate(resolve));
    };

    let large: LoadedHistory['large'] | undefined;
    let small: LoadedHistory['small'] | undefined;
    let regular = 0;
    for (let e = 0; e < executions; e++) {
      const isLarge = e === largeIndex;
      const nodes = isLarge ? shape.largeTaskInvocations : perExecution + (regular < extra ? 1 : 0);
      if (!isLarge) regular++;
      const fireAt = firstNight + e * DAY_MS;
      const run = finishedRun(window.durationHours, window.cutoffHours, options.windowId, task, target, fireAt, nodes);
      pending.executions.push(run.execution);
      pending.tasks.push(run.task);
      pendingRows += 2;
      counts.windowExecutions++;
      counts.taskExecutions++;
      for (let i = 0; i < run.task.plan!.length; i++) {
        pending.invocations.push(invocationOf(scope, run.task, run.task.plan![i], fireAt));
        counts.invocations++;
        if (++pendingRows >= options.batchRows) await flush();
      }
      if (isLarge) {
        // Its rows may already be flushed: the middle invocation's id is read back from the store.
        large = { windowExecutionId: run.execution.id, taskExecutionId: run.task.id, middleInvocationId: '' };
      } else {
        small ??= { windowExecutionId: run.execution.id, taskExecutionId: run.task.id, invocations: nodes };
      }
    }
    await flush();
    const middle = await store.listInvocations(scope, large!.taskExecutionId, 0, Math.ceil(shape.largeTaskInvocations / 2));
    large!.middleInvocationId = middle[middle.length - 1].item.id;
    return { shape, scope, windowId: options.windowId, large: large!, small: small!, rows: counts, seconds: (performance.now() - started) / 1000 };
  } finally {
    await store.close();
  }
}

/** A window execution that ran its one task over `nodes` nodes, all SUCCESS, as the engine leaves it. */
function finishedRun(durationHours: number, cutoffHours: number, windowId: string, task: WindowTask, target: WindowTarget, fireAt: number, nodes: number): { execution: WindowExecution; task: TaskExecution } {
  const endTime = fireAt + 1000;
  const execution: WindowExecution = {
    windowId,
    id: randomIds.orderedUuid(),
    status: 'SUCCESS',
    startTime: fireAt,
    endTime,
    cutoffAt: fireAt + (durationHours - cutoffHours) * HOUR_MS,
    endAt: fireAt + durationHours * HOUR_MS,
  };
  // The engine keeps the resolved plan (one item per invocation) beside the task execution's row; every
  // night runs over the same fleet.
  const plan: PlanItem[] = Array.from({ length: nodes }, (_, i) => ({
    windowTargetId: target.id,
    ownerInformation: target.ownerInformation,
    targetType: target.resourceType,
    resourceIds: [nodeId(i)],
    group: 0,
  }));
  // As the engine snapshots it when the window fires, then as it ends.
  const taskExecution: TaskExecution = {
    ...pendingTaskExecution(execution, task, randomIds.orderedUuid()),
    status: 'SUCCESS',
    startTime: fireAt,
    endTime,
    plan,
    planLength: plan.length,
    nextPlanIndex: plan.length,
    lastInvocationEnd: endTime,
    invocationCounts: { SUCCESS: nodes },
  };
  return { execution, task: taskExecution };
}

function invocationOf(scope: Scope, task: TaskExecution, item: PlanItem, fireAt: number): Invocation {
  const id = randomIds.orderedUuid();
  return {
    windowId: task.windowId,
    windowExecutionId: task.windowExecutionId,
    taskExecutionId: task.id,
    id,
    executionId: randomIds.uuid(),
    taskType: task.taskType,
    parameters: invocationParameters(task, item.resourceIds, pseudoValuesFor(scope, task, item, id)),
    status: 'SUCCESS',
    statusDetails: 'Success',
    startTime: fireAt,
    endTime: fireAt + 1000,
    ownerInformation: item.ownerInformation,
    windowTargetId: item.windowTargetId,
    resourceIds: item.resourceIds,
    plannedEnd: fireAt + 1000,
    plannedStatus: 'SUCCESS',
    plannedDetails: 'Success',
    countedStatus: 'SUCCESS',
  };
}
