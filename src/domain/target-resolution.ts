// Turning a task's targets into the work a task execution does, at the moment it runs (SPEC 3.5):
// registered window targets resolve against the managed-node inventory; `InstanceIds` name nodes directly.

import type { PlanItem } from './execution.ts';
import type { ManagedNode } from './inventory.ts';
import type { TargetSpec, TaskType, WindowTarget } from './model.ts';

/** The node ids a window target's criteria select, in a stable order. */
export function resolveWindowTarget(target: WindowTarget, nodes: readonly ManagedNode[]): string[] {
  return resolveTargets(target.targets, nodes);
}

/** The node ids that target criteria select (InstanceIds, tags, tag keys, resource groups; all ANDed). */
export function resolveTargets(targets: readonly TargetSpec[], nodes: readonly ManagedNode[]): string[] {
  const byInstance = targets.find((t) => t.key === 'InstanceIds');
  if (byInstance) return [...new Set(byInstance.values)];
  const matches = (node: ManagedNode) =>
    targets.every((criterion) => {
      if (criterion.key === 'tag-key') return criterion.values.some((key) => key in node.tags);
      if (criterion.key.startsWith('tag:')) {
        const value = node.tags[criterion.key.slice(4)];
        return value !== undefined && criterion.values.includes(value);
      }
      if (criterion.key === 'resource-groups:Name') return criterion.values.some((g) => node.resourceGroups.includes(g));
      // ResourceTypeFilters narrows resource types; every inventory node is an instance, so it keeps them all.
      if (criterion.key === 'resource-groups:ResourceTypeFilters') return true;
      return false;
    });
  return nodes.filter(matches).map((node) => node.id);
}

/**
 * The invocations of one task execution. RUN_COMMAND: one per window target (one Run Command command
 * carrying all its instances), or one for the instances named directly. Other types: one per resource.
 * A targetless task: exactly one invocation with no resource.
 */
export function planInvocations(
  taskType: TaskType,
  targets: readonly TargetSpec[],
  windowTargets: ReadonlyMap<string, WindowTarget>,
  nodes: readonly ManagedNode[],
): PlanItem[] {
  if (targets.length === 0) return [{ resourceIds: [], group: 0 }];
  const items: PlanItem[] = [];
  let group = 0;
  for (const spec of targets) {
    if (spec.key === 'InstanceIds') {
      const ids = [...new Set(spec.values)];
      if (taskType === 'RUN_COMMAND') {
        if (ids.length > 0) items.push({ resourceIds: ids, targetType: 'INSTANCE', group });
      } else {
        for (const id of ids) items.push({ resourceIds: [id], targetType: 'INSTANCE', group });
      }
      group++;
      continue;
    }
    for (const windowTargetId of spec.values) {
      const target = windowTargets.get(windowTargetId);
      if (!target) continue; // deregistered since the task was registered
      const ids = resolveWindowTarget(target, nodes);
      const base = { windowTargetId, ownerInformation: target.ownerInformation, targetType: target.resourceType };
      if (taskType === 'RUN_COMMAND') {
        if (ids.length > 0) items.push({ ...base, resourceIds: ids, group });
      } else {
        for (const id of ids) items.push({ ...base, resourceIds: [id], group });
      }
      group++;
    }
  }
  return items;
}
