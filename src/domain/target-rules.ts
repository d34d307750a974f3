// Which target lists AWS accepts, for window targets (registered with a ResourceType) and for task
// targets (which point at registered window targets or, when the window allows it, at nodes directly).

import { ValidationException } from './errors.ts';
import type { ResourceType, TargetSpec } from './model.ts';

// AWS's message for a target list in the wrong shape (SPEC 7, medium confidence).
const INSTANCE_TARGET_FORMATS =
  'Targets must be specified in one of the following formats: 1) 1 target with "Key=InstanceIds" and "Values=" a list of up to 50 instance IDs, or 2) Up to 5 targets, each of which can be either "Key=tag:<key>,Values=<tag_values>" or "Key=tag-key,Values=<tag_keys>", and each with up to 5 unique tag keys/values.';

const RESOURCE_GROUP_TARGET_FORMATS =
  'Targets for resource type RESOURCE_GROUP must contain exactly one target with "Key=resource-groups:Name" and one resource group name, and optionally one target with "Key=resource-groups:ResourceTypeFilters".';

const MAX_TAG_VALUES_PER_TARGET = 5;

/** AWS's message for a target with no values (SPEC 1.2, [R]; note the two spaces). */
function requireValues(targets: TargetSpec[]): void {
  for (const target of targets) {
    if (target.values.length === 0) {
      throw new ValidationException(
        `Please specify at least one target.  Filter values can't be null and ${target.key} is.`,
      );
    }
  }
}

export function checkWindowTargets(resourceType: ResourceType, targets: TargetSpec[]): void {
  requireValues(targets);
  if (resourceType === 'RESOURCE_GROUP') {
    const names = targets.filter((t) => t.key === 'resource-groups:Name');
    const filters = targets.filter((t) => t.key === 'resource-groups:ResourceTypeFilters');
    const valid = names.length === 1 && names[0].values.length === 1 && filters.length <= 1 &&
      names.length + filters.length === targets.length;
    if (!valid) throw new ValidationException(RESOURCE_GROUP_TARGET_FORMATS);
    return;
  }
  if (targets.length === 0) throw new ValidationException(INSTANCE_TARGET_FORMATS);
  const byInstance = targets.some((t) => t.key === 'InstanceIds');
  if (byInstance) {
    if (targets.length !== 1) throw new ValidationException(INSTANCE_TARGET_FORMATS);
    return;
  }
  for (const target of targets) {
    const tagForm = target.key === 'tag-key' || (target.key.startsWith('tag:') && target.key.length > 4);
    if (!tagForm || target.values.length > MAX_TAG_VALUES_PER_TARGET) {
      throw new ValidationException(INSTANCE_TARGET_FORMATS);
    }
  }
}

export type TaskTargetKind = 'none' | 'window-targets' | 'instances';

/** Classifies a task's target list, throwing for forms a task cannot use. */
export function classifyTaskTargets(targets: TargetSpec[], allowUnassociatedTargets: boolean): TaskTargetKind {
  if (targets.length === 0) return 'none';
  requireValues(targets);
  for (const target of targets) {
    if (target.key === 'WindowTargetIds') continue;
    if (target.key === 'InstanceIds') {
      if (!allowUnassociatedTargets) {
        throw new ValidationException(
          'Targets with Key=InstanceIds are only allowed when the maintenance window allows unassociated targets (AllowUnassociatedTargets). Register the instances as a window target and use Key=WindowTargetIds.',
        );
      }
      continue;
    }
    throw new ValidationException(
      `Task targets must use Key=WindowTargetIds or Key=InstanceIds; ${target.key} is not supported.`,
    );
  }
  return targets.some((t) => t.key === 'WindowTargetIds') ? 'window-targets' : 'instances';
}

/** The window-target ids a task's targets reference. */
export function referencedWindowTargetIds(targets: TargetSpec[]): string[] {
  return targets.filter((t) => t.key === 'WindowTargetIds').flatMap((t) => t.values);
}

/** True when any of `wanted` names the same key and shares a value with `have` (used to find windows for a target). */
export function targetsOverlap(have: TargetSpec[], wanted: TargetSpec[]): boolean {
  return wanted.some((w) =>
    have.some((h) => h.key.toLowerCase() === w.key.toLowerCase() && h.values.some((v) => w.values.includes(v))),
  );
}
