// Use cases for window tasks: register, update, get, deregister, list.

import { DoesNotExistException, ResourceLimitExceededException, ValidationException } from '../domain/errors.ts';
import { anyOf, buildFilter, type FilterRules } from '../domain/filters.ts';
import type { Scope, WindowTask } from '../domain/model.ts';
import { classifyTaskTargets, referencedWindowTargetIds } from '../domain/target-rules.ts';
import { checkTask } from '../domain/task-rules.ts';
import { type ServiceContext, pageSize } from './context.ts';
import { oncePerToken } from './idempotency.ts';
import { listingPage } from './keyset-pages.ts';
import type { StoreOperations } from './ports.ts';
import type { ListInput } from './windows.ts';

/** The task as a caller describes it; ids and defaults are filled in by the service. */
export type TaskFields = Omit<WindowTask, 'windowId' | 'id' | 'priority' | 'targets'> & {
  priority?: number;
  targets?: WindowTask['targets'];
};

export type RegisterTaskInput = TaskFields & { windowId: string; clientToken?: string };

export type UpdateTaskInput = Partial<Omit<TaskFields, 'taskType'>> & {
  windowId: string;
  taskId: string;
  replace?: boolean;
};

/**
 * Priority when the caller gives none: 0. The Terraform provider's `priority` is optional and not computed,
 * and its acceptance test without one passes against AWS (no diff after apply), so AWS returns 0; SPEC 1.2
 * inferred 1 (issue 11, B.1).
 */
const DEFAULT_PRIORITY = 0;

const taskFilters: FilterRules<WindowTask> = {
  WindowTaskId: anyOf((t) => t.id),
  TaskArn: anyOf((t) => t.taskArn),
  Priority: anyOf((t) => String(t.priority)),
  TaskType: anyOf((t) => t.taskType),
};

// Optional members an Update with Replace=true clears when it does not send them.
const clearedOnReplace = [
  'serviceRoleArn', 'taskParameters', 'invocationParameters', 'maxConcurrency', 'maxErrors',
  'loggingInfo', 'name', 'description', 'cutoffBehavior', 'alarmConfiguration',
] as const;

export class TaskService {
  private readonly ctx: ServiceContext;

  constructor(ctx: ServiceContext) {
    this.ctx = ctx;
  }

  /** The role AWS reports when a task is registered without ServiceRoleArn (SPEC 1.2). */
  private serviceLinkedRole(scope: Scope): string {
    return `arn:aws:iam::${scope.account}:role/aws-service-role/ssm.amazonaws.com/AWSServiceRoleForAmazonSSM`;
  }

  async register(scope: Scope, input: RegisterTaskInput): Promise<string> {
    const now = this.ctx.clock.now();
    const { clientToken, ...request } = input;
    return this.ctx.store.transaction(async (tx) => {
      const window = await tx.getWindow(scope, input.windowId);
      if (!window) throw new DoesNotExistException({ kind: 'window', id: input.windowId });
      const draft: WindowTask = {
        ...request,
        id: this.ctx.ids.uuid(),
        targets: request.targets ?? [],
        priority: request.priority ?? DEFAULT_PRIORITY,
        serviceRoleArn: request.serviceRoleArn ?? this.serviceLinkedRole(scope),
      };
      const task = await this.checked(tx, scope, draft, window.allowUnassociatedTargets, {
        maxConcurrency: request.maxConcurrency !== undefined,
        maxErrors: request.maxErrors !== undefined,
      });
      return oncePerToken(tx, scope, 'RegisterTaskWithMaintenanceWindow', clientToken, request, now, async () => {
        if ((await tx.countTasks(scope, input.windowId)) >= this.ctx.quotas.tasksPerWindow) {
          throw new ResourceLimitExceededException('Tasks per maintenance window', this.ctx.quotas.tasksPerWindow);
        }
        await tx.insertTask(scope, task);
        return task.id;
      });
    });
  }

  async get(scope: Scope, windowId: string, taskId: string): Promise<WindowTask> {
    return this.existing(this.ctx.store, scope, windowId, taskId);
  }

  async update(scope: Scope, input: UpdateTaskInput): Promise<WindowTask> {
    const { windowId, taskId, replace, ...changes } = input;
    if (replace && changes.taskArn === undefined) {
      throw new ValidationException('When Replace is true, these parameters are required: TaskArn.');
    }
    return this.ctx.store.transaction(async (tx) => {
      const window = await tx.getWindow(scope, windowId);
      if (!window) throw new DoesNotExistException({ kind: 'window', id: windowId });
      const current = await this.existing(tx, scope, windowId, taskId);
      const updated: WindowTask = { ...current };
      if (replace) for (const field of clearedOnReplace) delete updated[field];
      // A supplied TaskInvocationParameters replaces the stored one wholesale (SPEC 1.2), as does every member.
      for (const [field, value] of Object.entries(changes)) {
        if (value !== undefined) (updated as unknown as Record<string, unknown>)[field] = value;
      }
      if (replace && changes.targets === undefined) updated.targets = [];
      if (replace && changes.priority === undefined) updated.priority = DEFAULT_PRIORITY;
      updated.serviceRoleArn ??= this.serviceLinkedRole(scope);
      const task = await this.checked(tx, scope, updated, window.allowUnassociatedTargets, {
        maxConcurrency: changes.maxConcurrency !== undefined,
        maxErrors: changes.maxErrors !== undefined,
      });
      await tx.updateTask(scope, task);
      return task;
    });
  }

  async deregister(scope: Scope, windowId: string, taskId: string): Promise<void> {
    await this.ctx.store.transaction(async (tx) => {
      await this.existing(tx, scope, windowId, taskId);
      await tx.deleteTask(scope, windowId, taskId);
    });
  }

  async list(scope: Scope, windowId: string, input: ListInput): Promise<{ tasks: WindowTask[]; nextToken?: string }> {
    const accept = buildFilter(taskFilters, input.filters);
    if (!(await this.ctx.store.getWindow(scope, windowId))) throw new DoesNotExistException({ kind: 'window', id: windowId });
    const listing = `DescribeMaintenanceWindowTasks|${scope.account}|${scope.region}|${windowId}`;
    const page = await listingPage(
      this.ctx.tokens,
      listing,
      { nextToken: input.nextToken, pageSize: pageSize(input.maxResults) },
      (key, limit) => this.ctx.store.listTasks(scope, windowId, key, limit), accept,
    );
    return { tasks: page.items, nextToken: page.nextToken };
  }

  /** Applies the cross-field rules and checks that referenced window targets exist in this window. */
  private async checked(
    tx: StoreOperations,
    scope: Scope,
    task: WindowTask,
    allowUnassociatedTargets: boolean,
    explicit: { maxConcurrency: boolean; maxErrors: boolean },
  ): Promise<WindowTask> {
    const kind = classifyTaskTargets(task.targets, allowUnassociatedTargets);
    for (const targetId of referencedWindowTargetIds(task.targets)) {
      if (!(await tx.getTarget(scope, task.windowId, targetId))) {
        throw new DoesNotExistException({ kind: 'target', id: targetId });
      }
    }
    return checkTask(task, kind, explicit);
  }

  private async existing(tx: StoreOperations, scope: Scope, windowId: string, taskId: string): Promise<WindowTask> {
    if (!(await tx.getWindow(scope, windowId))) throw new DoesNotExistException({ kind: 'window', id: windowId });
    const task = await tx.getTask(scope, windowId, taskId);
    if (!task) throw new DoesNotExistException({ kind: 'task', id: taskId });
    return task;
  }
}
