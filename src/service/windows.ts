// Use cases for maintenance windows: create, read, update, delete, list.

import { windowStateEvent } from '../domain/events.ts';
import { DoesNotExistException, ResourceLimitExceededException, ValidationException } from '../domain/errors.ts';
import { anyOf, booleanFilter, buildFilter, type FilterInput, type FilterRules } from '../domain/filters.ts';
import type { Scope, Tag, Window } from '../domain/model.ts';
import { checkWindow, nextFireAfter } from '../domain/window-rules.ts';
import { rateAnchor, parseIsoDateTime } from '../schedule/index.ts';
import { type ServiceContext, pageSize } from './context.ts';
import type { Shared } from './ports.ts';
import { oncePerToken } from './idempotency.ts';
import { listingPage } from './keyset-pages.ts';
import { checkTagCount, mergeTags, WINDOW_RESOURCE } from './tags.ts';

export interface WindowFields {
  name: string;
  description?: string;
  startDate?: string;
  endDate?: string;
  schedule: string;
  timeZone?: string;
  offsetDays?: number;
  durationHours: number;
  cutoffHours: number;
  allowUnassociatedTargets: boolean;
}

export interface CreateWindowInput extends WindowFields {
  clientToken?: string;
  tags?: Tag[];
}

export type UpdateWindowInput = Partial<WindowFields> & {
  windowId: string;
  enabled?: boolean;
  replace?: boolean;
};

export interface ListInput {
  filters?: FilterInput[];
  maxResults?: number;
  nextToken?: string;
}

/** A listing that also keeps only windows whose name contains some text (the console's search). */
export interface SearchInput extends ListInput {
  nameContains?: string;
}

export interface WindowPage {
  windows: Shared<Window>[];
  nextToken?: string;
}

const windowFilters: FilterRules<Window> = {
  Name: anyOf((w) => w.name),
  Enabled: booleanFilter('Enabled', (w) => w.enabled),
};

// Members Create requires, which an Update with Replace=true must therefore carry (SPEC 1.2).
const requiredOnReplace = [
  ['name', 'Name'],
  ['schedule', 'Schedule'],
  ['durationHours', 'Duration'],
  ['cutoffHours', 'Cutoff'],
  ['allowUnassociatedTargets', 'AllowUnassociatedTargets'],
] as const;

function anchorFor(startDate: string | undefined, now: number): number {
  return rateAnchor(startDate === undefined ? undefined : parseIsoDateTime(startDate), now);
}

export class WindowService {
  private readonly ctx: ServiceContext;

  constructor(ctx: ServiceContext) {
    this.ctx = ctx;
  }

  async create(scope: Scope, input: CreateWindowInput): Promise<string> {
    const now = this.ctx.clock.now();
    const { clientToken, ...request } = input;
    const { tags, ...fields } = request;
    const window: Window = {
      id: this.ctx.ids.windowId(),
      ...fields,
      enabled: true,
      createdAt: now,
      modifiedAt: now,
      rateAnchorMs: anchorFor(fields.startDate, now),
      scheduleFromMs: now,
    };
    checkWindow(window, now);
    const initialTags = mergeTags([], tags ?? []);
    checkTagCount(initialTags, this.ctx.quotas.tagsPerResource);
    return this.ctx.store.transaction((tx) =>
      oncePerToken(tx, scope, 'CreateMaintenanceWindow', clientToken, request, now, async () => {
        if ((await tx.countWindows(scope)) >= this.ctx.quotas.windowsPerRegion) {
          throw new ResourceLimitExceededException('Maintenance windows per account and Region', this.ctx.quotas.windowsPerRegion);
        }
        await tx.insertWindow(scope, window, nextFireAfter(window, now));
        if (initialTags.length > 0) await tx.setTags(scope, WINDOW_RESOURCE, window.id, initialTags);
        return window.id;
      }),
    );
  }

  async get(scope: Scope, windowId: string): Promise<Shared<Window>> {
    const window = await this.ctx.store.getWindow(scope, windowId);
    if (!window) throw new DoesNotExistException({ kind: 'window', id: windowId });
    return window;
  }

  async update(scope: Scope, input: UpdateWindowInput): Promise<Window> {
    const now = this.ctx.clock.now();
    const { windowId, replace, ...changes } = input;
    if (replace) {
      const missing = requiredOnReplace.filter(([field]) => changes[field] === undefined).map(([, member]) => member);
      if (missing.length > 0) {
        throw new ValidationException(`When Replace is true, these parameters are required: ${missing.join(', ')}.`);
      }
    }
    return this.ctx.store.transaction(async (tx) => {
      const current = await tx.getWindow(scope, windowId);
      if (!current) throw new DoesNotExistException({ kind: 'window', id: windowId });
      const base: Window = replace
        ? { ...current, description: undefined, startDate: undefined, endDate: undefined, timeZone: undefined, offsetDays: undefined }
        : current;
      const updated: Window = { ...base, modifiedAt: now };
      for (const [field, value] of Object.entries(changes)) {
        if (value !== undefined) (updated as unknown as Record<string, unknown>)[field] = value;
      }
      if (updated.schedule !== current.schedule || updated.startDate !== current.startDate) {
        updated.rateAnchorMs = anchorFor(updated.startDate, now);
      }
      if (updated.schedule !== current.schedule || updated.offsetDays !== current.offsetDays || updated.timeZone !== current.timeZone) {
        updated.scheduleFromMs = now;
      }
      // The Cutoff < Duration rule and the schedule rules apply to the merged window (SPEC 1.2).
      checkWindow(updated, now);
      await tx.updateWindow(scope, updated, nextFireAfter(updated, now));
      if (updated.enabled !== current.enabled) await tx.appendEvents([windowStateEvent(scope, windowId, updated.enabled, now)]);
      return updated;
    });
  }

  /** Deletes the window with its targets, tasks and tags. An unknown id succeeds (the model lists no error). */
  async delete(scope: Scope, windowId: string): Promise<void> {
    await this.ctx.store.transaction((tx) => tx.deleteWindow(scope, windowId));
  }

  async list(scope: Scope, input: SearchInput): Promise<WindowPage> {
    const filtered = buildFilter(windowFilters, input.filters);
    const needle = input.nameContains?.toLowerCase();
    const accept = needle ? (w: Window) => filtered(w) && w.name.toLowerCase().includes(needle) : filtered;
    const listing = `DescribeMaintenanceWindows|${scope.account}|${scope.region}`;
    const page = await listingPage(
      this.ctx.tokens,
      listing,
      { nextToken: input.nextToken, pageSize: pageSize(input.maxResults) },
      (key, limit) => this.ctx.store.listWindows(scope, key, limit), accept,
    );
    return { windows: page.items, nextToken: page.nextToken };
  }
}
