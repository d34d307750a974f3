// Looking ahead: the upcoming runs of a window (or of every window a target belongs to), and the windows
// a target belongs to.

import { DoesNotExistException, ValidationException } from '../domain/errors.ts';
import { buildFilter, dateFilter, type FilterInput, type FilterRules } from '../domain/filters.ts';
import type { ResourceType, Scope, TargetSpec, Window } from '../domain/model.ts';
import { targetsOverlap } from '../domain/target-rules.ts';
import { fireTimesBetween } from '../domain/window-rules.ts';
import { formatExecutionTime, parseIsoDateTime } from '../schedule/index.ts';
import { type ServiceContext, pageSize } from './context.ts';
import { listingPage } from './keyset-pages.ts';
import type { StoreOperations } from './ports.ts';

export interface ScheduledRun {
  windowId: string;
  name: string;
  executionTime: string;
}

export interface ScheduleInput {
  windowId?: string;
  targets?: TargetSpec[];
  resourceType?: ResourceType;
  filters?: FilterInput[];
  maxResults?: number;
  nextToken?: string;
}

export interface ForTargetInput {
  targets: TargetSpec[];
  resourceType: ResourceType;
  maxResults?: number;
  nextToken?: string;
}

/** How far ahead the schedule is listed when no ScheduledBefore filter bounds it ([I]; AWS does not say). */
export const SCHEDULE_HORIZON_MS = 366 * 24 * 60 * 60 * 1000;

interface Bounds {
  after: number;
  until: number;
}

// The schedule filters bound the time range rather than test items, so they are turned into bounds.
function scheduleBounds(filters: FilterInput[] | undefined, now: number): Bounds {
  const bounds: Bounds = { after: now, until: now + SCHEDULE_HORIZON_MS };
  const rules: FilterRules<Bounds> = {
    ScheduledBefore: dateFilter('ScheduledBefore', parseIsoDateTime, () => 0, () => true),
    ScheduledAfter: dateFilter('ScheduledAfter', parseIsoDateTime, () => 0, () => true),
  };
  buildFilter(rules, filters); // validates keys and values
  for (const filter of filters ?? []) {
    for (const value of filter.values ?? []) {
      const ms = parseIsoDateTime(value)!;
      if (filter.key === 'ScheduledBefore') bounds.until = Math.min(bounds.until, ms - 1);
      else bounds.after = Math.max(bounds.after, ms);
    }
  }
  return bounds;
}

/** A window belongs to a target when one of its registered targets (or task instance lists) overlaps it. */
async function windowHasTarget(tx: StoreOperations, scope: Scope, window: Window, resourceType: ResourceType, targets: TargetSpec[]): Promise<boolean> {
  const registered = await tx.listTargets(scope, window.id, 0, Number.MAX_SAFE_INTEGER);
  if (registered.some(({ item }) => item.resourceType === resourceType && targetsOverlap(item.targets, targets))) return true;
  if (resourceType !== 'INSTANCE') return false;
  const tasks = await tx.listTasks(scope, window.id, 0, Number.MAX_SAFE_INTEGER);
  return tasks.some(({ item }) => targetsOverlap(item.targets.filter((t) => t.key === 'InstanceIds'), targets));
}

export class ScheduleService {
  private readonly ctx: ServiceContext;

  constructor(ctx: ServiceContext) {
    this.ctx = ctx;
  }

  async upcoming(scope: Scope, input: ScheduleInput): Promise<{ runs: ScheduledRun[]; nextToken?: string }> {
    const hasTargets = input.targets !== undefined && input.targets.length > 0;
    if (input.windowId === undefined && !hasTargets) {
      throw new ValidationException('Either WindowId or Targets must be specified.');
    }
    if (input.windowId !== undefined && hasTargets) {
      throw new ValidationException('Specify either WindowId or Targets, not both.');
    }
    if (hasTargets && input.resourceType === undefined) {
      throw new ValidationException('ResourceType must be specified with Targets.');
    }
    const now = this.ctx.clock.now();
    const bounds = scheduleBounds(input.filters, now);
    const limit = pageSize(input.maxResults);
    const listing = `DescribeMaintenanceWindowSchedule|${scope.account}|${scope.region}|${input.windowId ?? JSON.stringify([input.resourceType, input.targets])}`;
    // Position: the last run returned, as [epoch ms, window id], so merged runs of several windows page exactly.
    const position = input.nextToken === undefined ? undefined : (this.ctx.tokens.decode(listing, input.nextToken) as [number, string]);

    let windows: Window[];
    if (input.windowId !== undefined) {
      const window = await this.ctx.store.getWindow(scope, input.windowId);
      if (!window) throw new DoesNotExistException({ kind: 'window', id: input.windowId });
      windows = [window];
    } else {
      windows = await this.windowsFor(scope, input.resourceType!, input.targets!);
    }

    const runs: { ms: number; window: Window }[] = [];
    for (const window of windows.filter((w) => w.enabled)) {
      // Runs at the position's instant may remain for windows ordered after the position's window id.
      const from = position ? position[0] - 1 : bounds.after;
      for (const ms of fireTimesBetween(window, Math.max(from, bounds.after), bounds.until, limit + 1 + windows.length)) {
        if (position && (ms < position[0] || (ms === position[0] && window.id <= position[1]))) continue;
        runs.push({ ms, window });
      }
    }
    runs.sort((a, b) => a.ms - b.ms || (a.window.id < b.window.id ? -1 : a.window.id > b.window.id ? 1 : 0));
    const page = runs.slice(0, limit);
    const last = page.at(-1);
    return {
      runs: page.map(({ ms, window }) => ({
        windowId: window.id,
        name: window.name,
        executionTime: formatExecutionTime(ms, window.timeZone),
      })),
      nextToken: runs.length > limit && last ? this.ctx.tokens.encode(listing, [last.ms, last.window.id]) : undefined,
    };
  }

  async windowsForTarget(scope: Scope, input: ForTargetInput): Promise<{ windows: Window[]; nextToken?: string }> {
    const listing = `DescribeMaintenanceWindowsForTarget|${scope.account}|${scope.region}|${JSON.stringify([input.resourceType, input.targets])}`;
    const store = this.ctx.store;
    const page = await listingPage(
      this.ctx.tokens,
      listing,
      { nextToken: input.nextToken, pageSize: pageSize(input.maxResults) },
      async (key, limit) => {
        const rows = await store.listWindows(scope, key, limit);
        const matches = await Promise.all(rows.map(({ item }) => windowHasTarget(store, scope, item, input.resourceType, input.targets)));
        // Non-matching rows stay in the batch (as keys to skip) so the page token still moves past them.
        return rows.map((row, i) => ({ key: row.key, item: { window: row.item, match: matches[i] } }));
      },
      (row) => row.match,
    );
    return { windows: page.items.map((row) => row.window), nextToken: page.nextToken };
  }

  private async windowsFor(scope: Scope, resourceType: ResourceType, targets: TargetSpec[]): Promise<Window[]> {
    const all = (await this.ctx.store.listWindows(scope, 0, Number.MAX_SAFE_INTEGER)).map((row) => row.item);
    const matches = await Promise.all(all.map((w) => windowHasTarget(this.ctx.store, scope, w, resourceType, targets)));
    return all.filter((_, i) => matches[i]);
  }
}
