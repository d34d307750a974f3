// Use cases for window targets: register, update, deregister, list.

import { targetRegistrationEvent } from '../domain/events.ts';
import { DoesNotExistException, ResourceLimitExceededException, TargetInUseException, ValidationException } from '../domain/errors.ts';
import { anyOf, buildFilter, type FilterRules } from '../domain/filters.ts';
import type { ResourceType, Scope, TargetSpec, WindowTarget } from '../domain/model.ts';
import { checkWindowTargets, referencedWindowTargetIds } from '../domain/target-rules.ts';
import { TARGETLESS_PLACEHOLDER } from '../domain/task-rules.ts';
import { type ServiceContext, pageSize } from './context.ts';
import { oncePerToken } from './idempotency.ts';
import type { StoreOperations } from './ports.ts';
import { listingPage } from './keyset-pages.ts';
import type { ListInput } from './windows.ts';

export interface RegisterTargetInput {
  windowId: string;
  resourceType: ResourceType;
  targets: TargetSpec[];
  ownerInformation?: string;
  name?: string;
  description?: string;
  clientToken?: string;
}

export interface UpdateTargetInput {
  windowId: string;
  targetId: string;
  targets?: TargetSpec[];
  ownerInformation?: string;
  name?: string;
  description?: string;
  replace?: boolean;
}

const targetFilters: FilterRules<WindowTarget> = {
  Type: anyOf((t) => t.resourceType),
  WindowTargetId: anyOf((t) => t.id),
  OwnerInformation: anyOf((t) => t.ownerInformation),
};

export class TargetService {
  private readonly ctx: ServiceContext;

  constructor(ctx: ServiceContext) {
    this.ctx = ctx;
  }

  async register(scope: Scope, input: RegisterTargetInput): Promise<string> {
    const now = this.ctx.clock.now();
    const { clientToken, ...request } = input;
    const target: WindowTarget = { id: this.ctx.ids.uuid(), ...request };
    return this.ctx.store.transaction(async (tx) => {
      if (!(await tx.getWindow(scope, input.windowId))) throw new DoesNotExistException({ kind: 'window', id: input.windowId });
      checkWindowTargets(target.resourceType, target.targets);
      return oncePerToken(tx, scope, 'RegisterTargetWithMaintenanceWindow', clientToken, request, now, async () => {
        if ((await tx.countTargets(scope, input.windowId)) >= this.ctx.quotas.targetsPerWindow) {
          throw new ResourceLimitExceededException('Targets per maintenance window', this.ctx.quotas.targetsPerWindow);
        }
        await tx.insertTarget(scope, target);
        await tx.appendEvents([targetRegistrationEvent(scope, input.windowId, target.id, 'REGISTERED', now, '')]);
        return target.id;
      });
    });
  }

  async update(scope: Scope, input: UpdateTargetInput): Promise<WindowTarget> {
    const { windowId, targetId, replace, ...changes } = input;
    if (replace && changes.targets === undefined) {
      throw new ValidationException('When Replace is true, these parameters are required: Targets.');
    }
    const now = this.ctx.clock.now();
    return this.ctx.store.transaction(async (tx) => {
      const current = await this.existing(tx, scope, windowId, targetId);
      const base: WindowTarget = replace
        ? { ...current, ownerInformation: undefined, name: undefined, description: undefined }
        : current;
      const updated: WindowTarget = { ...base };
      if (changes.targets !== undefined) updated.targets = changes.targets;
      if (changes.ownerInformation !== undefined) updated.ownerInformation = changes.ownerInformation;
      if (changes.name !== undefined) updated.name = changes.name;
      if (changes.description !== undefined) updated.description = changes.description;
      checkWindowTargets(updated.resourceType, updated.targets);
      await tx.updateTarget(scope, updated);
      await tx.appendEvents([targetRegistrationEvent(scope, windowId, targetId, 'UPDATED', now, this.ctx.ids.uuid())]);
      return updated;
    });
  }

  /**
   * With `safe`, a target that a task still references is refused (TargetInUseException); without it the
   * target is removed and dropped from the referencing tasks' target lists.
   */
  async deregister(scope: Scope, windowId: string, targetId: string, safe: boolean): Promise<void> {
    const now = this.ctx.clock.now();
    await this.ctx.store.transaction(async (tx) => {
      await this.existing(tx, scope, windowId, targetId);
      const tasks = (await tx.listTasks(scope, windowId, 0, Number.MAX_SAFE_INTEGER)).map((row) => row.item);
      const referencing = tasks.filter((task) => referencedWindowTargetIds(task.targets).includes(targetId));
      if (safe && referencing.length > 0) throw new TargetInUseException(referencing[0].id);
      for (const task of referencing) {
        const targets = task.targets
          .map((t) => (t.key === 'WindowTargetIds' ? { ...t, values: t.values.filter((v) => v !== targetId) } : t))
          .filter((t) => t.values.length > 0);
        // A task left with no targets is stored as a targetless one is, with the rate-control placeholders,
        // so a later update of any other member does not change them behind the caller's back.
        const left = targets.length === 0 ? { maxConcurrency: TARGETLESS_PLACEHOLDER, maxErrors: TARGETLESS_PLACEHOLDER } : {};
        await tx.updateTask(scope, { ...task, targets, ...left });
      }
      await tx.deleteTarget(scope, windowId, targetId);
      await tx.appendEvents([targetRegistrationEvent(scope, windowId, targetId, 'DEREGISTERED', now, '')]);
    });
  }

  async list(scope: Scope, windowId: string, input: ListInput): Promise<{ targets: WindowTarget[]; nextToken?: string }> {
    const accept = buildFilter(targetFilters, input.filters);
    if (!(await this.ctx.store.getWindow(scope, windowId))) throw new DoesNotExistException({ kind: 'window', id: windowId });
    const listing = `DescribeMaintenanceWindowTargets|${scope.account}|${scope.region}|${windowId}`;
    const page = await listingPage(
      this.ctx.tokens,
      listing,
      { nextToken: input.nextToken, pageSize: pageSize(input.maxResults) },
      (key, limit) => this.ctx.store.listTargets(scope, windowId, key, limit), accept,
    );
    return { targets: page.items, nextToken: page.nextToken };
  }

  private async existing(tx: StoreOperations, scope: Scope, windowId: string, targetId: string): Promise<WindowTarget> {
    if (!(await tx.getWindow(scope, windowId))) throw new DoesNotExistException({ kind: 'window', id: windowId });
    const target = await tx.getTarget(scope, windowId, targetId);
    if (!target) throw new DoesNotExistException({ kind: 'target', id: targetId });
    return target;
  }
}
