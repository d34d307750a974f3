// Tagging (AddTagsToResource, ListTagsForResource, RemoveTagsFromResource) of maintenance windows, of
// managed nodes (ResourceType ManagedInstance) and of the documents an account writes (ResourceType
// Document, ResourceId the document's name). A node's tags are the inventory's own, the ones window
// targets such as `tag:Env` resolve against, whether set here or through the control API; a document's
// are kept on its record (UserDocument.tags), the ones DescribeDocument and ListDocuments show and filter.

import { InvalidResourceId, InvalidResourceType, TooManyTagsError } from '../domain/errors.ts';
import type { ManagedNode } from '../domain/inventory.ts';
import type { Scope, Tag } from '../domain/model.ts';
import type { ServiceContext } from './context.ts';
import { isBuiltIn } from './user-documents.ts';

export const WINDOW_RESOURCE = 'MaintenanceWindow';
export const NODE_RESOURCE = 'ManagedInstance';
export const DOCUMENT_RESOURCE = 'Document';

/** Adds or overwrites tags by key, keeping the first-seen order of keys. */
export function mergeTags(current: Tag[], added: Tag[]): Tag[] {
  const byKey = new Map(current.map((tag) => [tag.key, tag.value]));
  for (const tag of added) byKey.set(tag.key, tag.value);
  return [...byKey].map(([key, value]) => ({ key, value }));
}

export function checkTagCount(tags: Tag[], limit: number): void {
  if (tags.length > limit) throw new TooManyTagsError(limit);
}

function nodeTags(node: ManagedNode): Tag[] {
  return Object.entries(node.tags).map(([key, value]) => ({ key, value }));
}

export class TagService {
  private readonly ctx: ServiceContext;

  constructor(ctx: ServiceContext) {
    this.ctx = ctx;
  }

  // Other ResourceTypeForTagging values are valid for SSM but are not resources this service holds.
  private checkResourceType(resourceType: string): void {
    if (resourceType !== WINDOW_RESOURCE && resourceType !== NODE_RESOURCE && resourceType !== DOCUMENT_RESOURCE) {
      throw new InvalidResourceType();
    }
  }

  async add(scope: Scope, resourceType: string, resourceId: string, tags: Tag[]): Promise<void> {
    this.checkResourceType(resourceType);
    const limit = this.ctx.quotas.tagsPerResource;
    if (resourceType === NODE_RESOURCE) {
      return this.changeNodeTags(scope, resourceId, (current) => {
        const merged = mergeTags(current, tags);
        checkTagCount(merged, limit);
        return merged;
      });
    }
    if (resourceType === DOCUMENT_RESOURCE) {
      return this.changeDocumentTags(scope, resourceId, (current) => {
        const merged = mergeTags(current, tags);
        checkTagCount(merged, limit);
        return merged;
      });
    }
    await this.ctx.store.transaction(async (tx) => {
      if (!(await tx.getWindow(scope, resourceId))) throw new InvalidResourceId();
      const merged = mergeTags(await tx.getTags(scope, resourceType, resourceId), tags);
      checkTagCount(merged, limit);
      await tx.setTags(scope, resourceType, resourceId, merged);
    });
  }

  async list(scope: Scope, resourceType: string, resourceId: string): Promise<Tag[]> {
    this.checkResourceType(resourceType);
    if (resourceType === NODE_RESOURCE) {
      const node = await this.ctx.store.getNode(scope, resourceId);
      if (!node) throw new InvalidResourceId();
      return nodeTags(node);
    }
    if (resourceType === DOCUMENT_RESOURCE) {
      if (isBuiltIn(resourceId)) throw new InvalidResourceId();
      const document = await this.ctx.store.getDocument(scope, resourceId);
      if (!document) throw new InvalidResourceId();
      return document.tags;
    }
    if (!(await this.ctx.store.getWindow(scope, resourceId))) throw new InvalidResourceId();
    return this.ctx.store.getTags(scope, resourceType, resourceId);
  }

  async remove(scope: Scope, resourceType: string, resourceId: string, keys: string[]): Promise<void> {
    this.checkResourceType(resourceType);
    const removed = new Set(keys);
    if (resourceType === NODE_RESOURCE) {
      return this.changeNodeTags(scope, resourceId, (current) => current.filter((tag) => !removed.has(tag.key)));
    }
    if (resourceType === DOCUMENT_RESOURCE) {
      return this.changeDocumentTags(scope, resourceId, (current) => current.filter((tag) => !removed.has(tag.key)));
    }
    await this.ctx.store.transaction(async (tx) => {
      if (!(await tx.getWindow(scope, resourceId))) throw new InvalidResourceId();
      const kept = (await tx.getTags(scope, resourceType, resourceId)).filter((tag) => !removed.has(tag.key));
      await tx.setTags(scope, resourceType, resourceId, kept);
    });
  }

  /** Read-modify-write of a node's tags; tx.getNode holds the node until commit, so changes take turns. */
  private async changeNodeTags(scope: Scope, nodeId: string, change: (current: Tag[]) => Tag[]): Promise<void> {
    await this.ctx.store.transaction(async (tx) => {
      const node = await tx.getNode(scope, nodeId);
      if (!node) throw new InvalidResourceId();
      const tags = change(nodeTags(node));
      // fromEntries: every key becomes an own property, even one named like a member of Object.prototype.
      await tx.putNode(scope, { ...node, tags: Object.fromEntries(tags.map((tag) => [tag.key, tag.value])) });
    });
  }

  /**
   * Read-modify-write of a user document's tags; tx.getDocument holds the document until commit. Amazon's
   * documents are not the account's to tag: InvalidResourceId, as for a name that does not exist [I] (the
   * error AWS's tagging answers for a resource it cannot find; AddTagsToResource lists no other that fits).
   */
  private async changeDocumentTags(scope: Scope, name: string, change: (current: Tag[]) => Tag[]): Promise<void> {
    if (isBuiltIn(name)) throw new InvalidResourceId();
    await this.ctx.store.transaction(async (tx) => {
      const document = await tx.getDocument(scope, name);
      if (!document) throw new InvalidResourceId();
      await tx.updateDocument(scope, { ...document, tags: change(document.tags) });
    });
  }
}
