// The managed-node inventory as AWS lists it (DescribeInstanceInformation). A node's tags, settable the
// AWS way with ResourceType ManagedInstance, are kept by TagService (tags.ts).

import { InvalidInstanceId, InvalidNextToken, ValidationException } from '../domain/errors.ts';
import {
  type InstanceFilterInput,
  type InstanceInfo,
  instanceInfo,
  instanceQuery,
} from '../domain/managed-instances.ts';
import type { Scope } from '../domain/model.ts';
import { pageSize, type ServiceContext } from './context.ts';

export interface DescribeInstancesInput {
  legacyFilters?: InstanceFilterInput[];
  filters?: InstanceFilterInput[];
  maxResults?: number;
  nextToken?: string;
}

/** AWS's default page: "The default value is 10 items" (the model's range is 5 to 50). */
const DEFAULT_PAGE = 10;
const MAX_PAGE = 50;

export class InstanceService {
  private readonly ctx: ServiceContext;

  constructor(ctx: ServiceContext) {
    this.ctx = ctx;
  }

  /**
   * One page of the inventory in node-id order (byte order, as the store lists it). The token holds the
   * last id returned, so nodes added or removed between pages neither repeat nor shift the rest.
   */
  async describe(scope: Scope, input: DescribeInstancesInput): Promise<{ instances: InstanceInfo[]; nextToken?: string }> {
    const query = instanceQuery(input.legacyFilters, input.filters);
    const listing = `DescribeInstanceInformation|${scope.account}|${scope.region}|${query.canonical}`;
    let after: string | undefined;
    if (input.nextToken !== undefined) {
      try {
        after = String(this.ctx.tokens.decode(listing, input.nextToken));
      } catch (error) {
        if (error instanceof ValidationException) throw new InvalidNextToken();
        throw error;
      }
    }
    const nodes = await this.ctx.store.listNodes(scope);
    if (query.instanceIds.length > 0) {
      const known = new Set(nodes.map((node) => node.id));
      const unknown = query.instanceIds.filter((id) => !known.has(id));
      if (unknown.length > 0) throw InvalidInstanceId.notValid(unknown, scope.account);
    }
    const limit = pageSize(input.maxResults, DEFAULT_PAGE, MAX_PAGE);
    const page: InstanceInfo[] = [];
    let more = false;
    const now = this.ctx.clock.now();
    for (const node of nodes) {
      if (after !== undefined && !(node.id > after)) continue; // ids are ASCII: JS order is byte order
      const info = instanceInfo(node, now, this.ctx.pingTimeoutMs);
      if (!query.accept(node, info)) continue;
      if (page.length === limit) {
        more = true;
        break;
      }
      page.push(info);
    }
    return {
      instances: page,
      nextToken: more ? this.ctx.tokens.encode(listing, page.at(-1)!.instanceId) : undefined,
    };
  }
}
