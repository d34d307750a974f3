// Reading the execution history (SPEC 1.2, 3.5): window executions newest first, task executions and
// invocations in start order, each level reachable only through its own parents.

import { DoesNotExistException } from '../domain/errors.ts';
import { buildFilter, dateFilter, enumFilter, type FilterInput, type FilterRules } from '../domain/filters.ts';
import {
  type ExecutionStatus, FILTERABLE_STATUSES, type Invocation, type TaskExecution, type WindowExecution,
} from '../domain/execution.ts';
import { executionTaskParameters } from '../domain/invocation-parameters.ts';
import type { ParameterValues, Scope } from '../domain/model.ts';
import { parseIsoDateTime } from '../schedule/index.ts';
import { type ServiceContext, pageSize } from './context.ts';
import { collectPage, listingPage } from './keyset-pages.ts';
import type { Keyed, Shared } from './ports.ts';
import type { ListInput } from './windows.ts';

export interface WindowExecutionPage {
  executions: WindowExecution[];
  nextToken?: string;
}

export interface TaskExecutionPage {
  taskExecutions: TaskExecution[];
  nextToken?: string;
}

export interface InvocationPage {
  invocations: Shared<Invocation>[];
  nextToken?: string;
}

// ExecutedBefore / ExecutedAfter compare the execution's StartTime, strictly (SPEC 2.2).
const executionFilters: FilterRules<WindowExecution> = {
  ExecutedBefore: dateFilter('ExecutedBefore', parseIsoDateTime, (e) => e.startTime, (start, bound) => start < bound),
  ExecutedAfter: dateFilter('ExecutedAfter', parseIsoDateTime, (e) => e.startTime, (start, bound) => start > bound),
};

/**
 * The STATUS filter of the task-execution and invocation listings, validated like any enum filter but
 * handed to the store rather than applied in memory: a listing of 100,000 invocations filtered to the few
 * FAILED ones then costs one index range, not a scan. Several STATUS filters are ANDed: their value sets
 * intersect. Undefined means "no status restriction".
 */
function statusesOf(filters: FilterInput[] | undefined): ExecutionStatus[] | undefined {
  let statuses: ExecutionStatus[] | undefined;
  const check = enumFilter<ExecutionStatus>('STATUS', FILTERABLE_STATUSES, (status) => status);
  buildFilter<ExecutionStatus>(
    {
      STATUS: (values) => {
        check(values);
        const wanted = values as ExecutionStatus[];
        statuses = statuses === undefined ? [...new Set(wanted)] : statuses.filter((s) => wanted.includes(s));
        return () => true;
      },
    },
    filters,
  );
  return statuses;
}


export class HistoryService {
  private readonly ctx: ServiceContext;

  constructor(ctx: ServiceContext) {
    this.ctx = ctx;
  }

  /** Newest first. An unknown window has no executions: the model lists no DoesNotExistException here. */
  async listExecutions(scope: Scope, windowId: string, input: ListInput): Promise<WindowExecutionPage> {
    const accept = buildFilter(executionFilters, input.filters);
    const listing = `DescribeMaintenanceWindowExecutions|${scope.account}|${scope.region}|${windowId}`;
    // The store walks this listing downwards (keys below `beforeKey`); collectPage walks upwards, so it
    // is handed negated keys and the token keeps the store's own key.
    const before = input.nextToken === undefined
      ? Number.MAX_SAFE_INTEGER
      : Number(this.ctx.tokens.decode(listing, input.nextToken));
    const page = await collectPage(
      async (after, limit) => negated(await this.ctx.store.listWindowExecutions(scope, windowId, -after, limit)),
      -before,
      pageSize(input.maxResults),
      accept,
    );
    return {
      executions: page.items,
      nextToken: page.nextKey === undefined ? undefined : this.ctx.tokens.encode(listing, -page.nextKey),
    };
  }

  /** The execution with the ids of all its task executions, in start order. */
  async getExecution(scope: Scope, windowExecutionId: string): Promise<{ execution: WindowExecution; taskExecutionIds: string[] }> {
    const execution = await this.execution(scope, windowExecutionId);
    const rows = await this.ctx.store.listTaskExecutions(scope, windowExecutionId, 0, Number.MAX_SAFE_INTEGER);
    return { execution, taskExecutionIds: rows.map((row) => row.item.id) };
  }

  async listTaskExecutions(scope: Scope, windowExecutionId: string, input: ListInput): Promise<TaskExecutionPage> {
    const statuses = statusesOf(input.filters);
    await this.execution(scope, windowExecutionId);
    const listing = `DescribeMaintenanceWindowExecutionTasks|${scope.account}|${scope.region}|${windowExecutionId}`;
    const page = await listingPage(
      this.ctx.tokens,
      listing,
      { nextToken: input.nextToken, pageSize: pageSize(input.maxResults) },
      (key, limit) => this.ctx.store.listTaskExecutions(scope, windowExecutionId, key, limit, statuses),
    );
    return { taskExecutions: page.items, nextToken: page.nextToken };
  }

  getTaskExecution(scope: Scope, windowExecutionId: string, taskExecutionId: string): Promise<TaskExecution> {
    return this.taskOf(scope, windowExecutionId, taskExecutionId);
  }

  /** GetMaintenanceWindowExecutionTask's TaskParameters (reads the task's plan for its instances). */
  async taskParametersOf(scope: Scope, task: TaskExecution): Promise<Record<string, ParameterValues>[]> {
    const plan = task.taskType === 'RUN_COMMAND' ? await this.ctx.store.getTaskPlan(scope, task.id) : undefined;
    return executionTaskParameters(task, plan);
  }

  async listInvocations(scope: Scope, windowExecutionId: string, taskExecutionId: string, input: ListInput): Promise<InvocationPage> {
    const statuses = statusesOf(input.filters);
    await this.taskOf(scope, windowExecutionId, taskExecutionId);
    const listing = `DescribeMaintenanceWindowExecutionTaskInvocations|${scope.account}|${scope.region}|${windowExecutionId}|${taskExecutionId}`;
    const page = await listingPage(
      this.ctx.tokens,
      listing,
      { nextToken: input.nextToken, pageSize: pageSize(input.maxResults) },
      (key, limit) => this.ctx.store.listInvocations(scope, taskExecutionId, key, limit, statuses),
    );
    return { invocations: page.items, nextToken: page.nextToken };
  }

  /**
   * How many of a task execution's invocations are in each status (the console's counts; AWS has no such
   * call): kept with the task execution by the engine, counted from the rows only for one recorded before.
   */
  async invocationCounts(scope: Scope, windowExecutionId: string, taskExecutionId: string): Promise<Partial<Record<ExecutionStatus, number>>> {
    const task = await this.taskExecution(scope, windowExecutionId, taskExecutionId);
    return task.invocationCounts ?? this.ctx.store.countInvocationsByStatus(scope, taskExecutionId);
  }

  /** The window's newest execution, if it ever ran. */
  latestExecution(scope: Scope, windowId: string): Promise<WindowExecution | undefined> {
    return this.ctx.store.latestWindowExecution(scope, windowId);
  }

  /** Each id must exist and belong to the one before it; the first level that does not is the one reported. */
  async getInvocation(scope: Scope, windowExecutionId: string, taskExecutionId: string, invocationId: string): Promise<Shared<Invocation>> {
    const invocation = await this.ctx.store.getInvocation(scope, invocationId);
    // A record is stored only under its parents and removed only with them (a window's deletion takes its
    // whole history in one transaction): an invocation naming both ids proves they exist. Any other answer
    // walks down from the top, so the level reported missing is the first one that is.
    if (invocation && invocation.taskExecutionId === taskExecutionId && invocation.windowExecutionId === windowExecutionId) return invocation;
    await this.taskOf(scope, windowExecutionId, taskExecutionId);
    throw new DoesNotExistException({ kind: 'invocation', id: invocationId });
  }

  /** The task execution, after its window execution: one read when both exist (its record names its parent). */
  private async taskOf(scope: Scope, windowExecutionId: string, taskExecutionId: string): Promise<TaskExecution> {
    const taskExecution = await this.ctx.store.getTaskExecution(scope, taskExecutionId);
    if (taskExecution && taskExecution.windowExecutionId === windowExecutionId) return taskExecution;
    await this.execution(scope, windowExecutionId);
    throw new DoesNotExistException({ kind: 'task-execution', id: taskExecutionId });
  }

  private async execution(scope: Scope, windowExecutionId: string): Promise<WindowExecution> {
    const execution = await this.ctx.store.getWindowExecution(scope, windowExecutionId);
    if (!execution) throw new DoesNotExistException({ kind: 'execution', id: windowExecutionId });
    return execution;
  }

  /** A task execution of another window execution does not exist as far as this one is concerned. */
  private async taskExecution(scope: Scope, windowExecutionId: string, taskExecutionId: string): Promise<TaskExecution> {
    const taskExecution = await this.ctx.store.getTaskExecution(scope, taskExecutionId);
    if (!taskExecution || taskExecution.windowExecutionId !== windowExecutionId) {
      throw new DoesNotExistException({ kind: 'task-execution', id: taskExecutionId });
    }
    return taskExecution;
  }
}

function negated<T>(rows: Keyed<T>[]): Keyed<T>[] {
  return rows.map((row) => ({ key: -row.key, item: row.item }));
}
