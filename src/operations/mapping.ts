// Field-by-field translation of the shapes several resources share. Timestamps leave as epoch seconds;
// undefined members vanish when the response is serialized, as AWS omits absent members.

import type { FilterInput } from '../domain/filters.ts';
import type { Tag, TargetSpec } from '../domain/model.ts';
import type { Target, Tag as WireTag, MaintenanceWindowFilter, PatchOrchestratorFilter } from '../wire/generated/types.ts';

export function targetsIn(targets: Target[] | undefined): TargetSpec[] | undefined {
  return targets?.map((t) => ({ key: t.Key ?? '', values: t.Values ?? [] }));
}

export function targetsOut(targets: TargetSpec[]): Target[] {
  return targets.map((t) => ({ Key: t.key, Values: t.values }));
}

export function filtersIn(filters: (MaintenanceWindowFilter | PatchOrchestratorFilter)[] | undefined): FilterInput[] | undefined {
  return filters?.map((f) => ({ key: f.Key ?? '', values: f.Values }));
}

export function tagsIn(tags: WireTag[] | undefined): Tag[] | undefined {
  return tags?.map((t) => ({ key: t.Key, value: t.Value }));
}

export function tagsOut(tags: Tag[]): WireTag[] {
  return tags.map((t) => ({ Key: t.key, Value: t.value }));
}

/**
 * The NextToken a Describe call continues from. An empty token is the first page: the seeds say the last
 * page's token "is empty", and no SDK sends one back (botocore and the JS SDK's paginators stop on it),
 * so a hand-written loop that echoes it must not get an error (issue 11, B.5).
 */
export function startingToken(token: string | undefined): string | undefined {
  return token === '' ? undefined : token;
}

/** Epoch milliseconds to the wire's epoch seconds (with millisecond fraction). */
export function seconds(ms: number): number {
  return ms / 1000;
}
