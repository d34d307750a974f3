// AddTagsToResource, ListTagsForResource, RemoveTagsFromResource (ResourceType MaintenanceWindow,
// ManagedInstance or Document).

import type { TagService } from '../service/tags.ts';
import type { Handler } from '../wire/api.ts';
import { tagsIn, tagsOut } from './mapping.ts';

export function tagHandlers(tags: TagService) {
  const AddTagsToResource: Handler<'AddTagsToResource'> = async (input, { scope }) => {
    await tags.add(scope, input.ResourceType, input.ResourceId, tagsIn(input.Tags) ?? []);
    return {};
  };

  const ListTagsForResource: Handler<'ListTagsForResource'> = async (input, { scope }) => ({
    TagList: tagsOut(await tags.list(scope, input.ResourceType, input.ResourceId)),
  });

  const RemoveTagsFromResource: Handler<'RemoveTagsFromResource'> = async (input, { scope }) => {
    await tags.remove(scope, input.ResourceType, input.ResourceId, input.TagKeys);
    return {};
  };

  return { AddTagsToResource, ListTagsForResource, RemoveTagsFromResource };
}
