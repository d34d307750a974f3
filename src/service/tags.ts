// Tagging of maintenance windows (AddTagsToResource, ListTagsForResource, RemoveTagsFromResource).

import { InvalidResourceId, InvalidResourceType, TooManyTagsError } from '../domain/errors.ts';
import type { Scope, Tag } from '../domain/model.ts';
import type { ServiceContext } from './context.ts';

export const WINDOW_RESOURCE = 'MaintenanceWindow';

/** Adds or overwrites tags by key, keeping the first-seen order of keys. */
export function mergeTags(current: Tag[], added: Tag[]): Tag[] {
  const byKey = new Map(current.map((tag) => [tag.key, tag.value]));
  for (const tag of added) byKey.set(tag.key, tag.value);
  return [...byKey].map(([key, value]) => ({ key, value }));
}

export function checkTagCount(tags: Tag[], limit: number): void {
  if (tags.length > limit) throw new TooManyTagsError(limit);
}

export class TagService {
  private readonly ctx: ServiceContext;

  constructor(ctx: ServiceContext) {
    this.ctx = ctx;
  }

  // Other ResourceTypeForTagging values are valid for SSM but are not resources this service holds.
  private checkResourceType(resourceType: string): void {
    if (resourceType !== WINDOW_RESOURCE) throw new InvalidResourceType();
  }

  async add(scope: Scope, resourceType: string, resourceId: string, tags: Tag[]): Promise<void> {
    this.checkResourceType(resourceType);
    await this.ctx.store.transaction(async (tx) => {
      if (!(await tx.getWindow(scope, resourceId))) throw new InvalidResourceId();
      const merged = mergeTags(await tx.getTags(scope, resourceType, resourceId), tags);
      checkTagCount(merged, this.ctx.quotas.tagsPerResource);
      await tx.setTags(scope, resourceType, resourceId, merged);
    });
  }

  async list(scope: Scope, resourceType: string, resourceId: string): Promise<Tag[]> {
    this.checkResourceType(resourceType);
    if (!(await this.ctx.store.getWindow(scope, resourceId))) throw new InvalidResourceId();
    return this.ctx.store.getTags(scope, resourceType, resourceId);
  }

  async remove(scope: Scope, resourceType: string, resourceId: string, keys: string[]): Promise<void> {
    this.checkResourceType(resourceType);
    await this.ctx.store.transaction(async (tx) => {
      if (!(await tx.getWindow(scope, resourceId))) throw new InvalidResourceId();
      const removed = new Set(keys);
      const kept = (await tx.getTags(scope, resourceType, resourceId)).filter((tag) => !removed.has(tag.key));
      await tx.setTags(scope, resourceType, resourceId, kept);
    });
  }
}
