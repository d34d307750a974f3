// CreateMaintenanceWindow, GetMaintenanceWindow, UpdateMaintenanceWindow, DeleteMaintenanceWindow,
// DescribeMaintenanceWindows: AWS names <-> domain names.

import type { Window } from '../domain/model.ts';
import { nextExecutionTime } from '../domain/window-rules.ts';
import type { Clock } from '../service/ports.ts';
import type { WindowService } from '../service/windows.ts';
import type { Handler } from '../wire/api.ts';
import { JsonText } from '../wire/json-text.ts';
import { filtersIn, seconds, startingToken, tagsIn } from './mapping.ts';

function windowFields(window: Window) {
  return {
    WindowId: window.id,
    Name: window.name,
    Description: window.description,
    StartDate: window.startDate,
    EndDate: window.endDate,
    Schedule: window.schedule,
    ScheduleTimezone: window.timeZone,
    ScheduleOffset: window.offsetDays,
    Duration: window.durationHours,
    Cutoff: window.cutoffHours,
    AllowUnassociatedTargets: window.allowUnassociatedTargets,
    Enabled: window.enabled,
  };
}

/**
 * An answer about one window serialized once per window record and NextExecutionTime (wire/json-text.ts):
 * the store hands out the same frozen record while the window is unchanged.
 */
function perWindowJson(toWire: (window: Window, next: string | undefined) => unknown): (window: Window, next: string | undefined) => JsonText {
  const known = new WeakMap<Window, { next: string | undefined; json: JsonText }>();
  return (window, next) => {
    const found = known.get(window);
    if (found && found.next === next) return found.json;
    const json = new JsonText(JSON.stringify(toWire(window, next)));
    known.set(window, { next, json });
    return json;
  };
}

const getAnswer = perWindowJson((window, next) => ({
  ...windowFields(window),
  NextExecutionTime: next,
  CreatedDate: seconds(window.createdAt),
  ModifiedDate: seconds(window.modifiedAt),
}));

const identityJson = perWindowJson((window, next) => {
  const { AllowUnassociatedTargets: _notListed, ...identity } = windowFields(window);
  return { ...identity, NextExecutionTime: next };
});

export function windowHandlers(windows: WindowService, clock: Clock) {
  const CreateMaintenanceWindow: Handler<'CreateMaintenanceWindow'> = async (input, { scope }) => ({
    WindowId: await windows.create(scope, {
      name: input.Name,
      description: input.Description,
      startDate: input.StartDate,
      endDate: input.EndDate,
      schedule: input.Schedule,
      timeZone: input.ScheduleTimezone,
      offsetDays: input.ScheduleOffset,
      durationHours: input.Duration,
      cutoffHours: input.Cutoff,
      allowUnassociatedTargets: input.AllowUnassociatedTargets,
      clientToken: input.ClientToken,
      tags: tagsIn(input.Tags),
    }),
  });

  const GetMaintenanceWindow: Handler<'GetMaintenanceWindow'> = async (input, { scope }) => {
    const window = await windows.get(scope, input.WindowId);
    // Typed as the wire shape the text encodes.
    return getAnswer(window, nextExecutionTime(window, clock.now())) as never;
  };

  const UpdateMaintenanceWindow: Handler<'UpdateMaintenanceWindow'> = async (input, { scope }) =>
    windowFields(
      await windows.update(scope, {
        windowId: input.WindowId,
        name: input.Name,
        description: input.Description,
        startDate: input.StartDate,
        endDate: input.EndDate,
        schedule: input.Schedule,
        timeZone: input.ScheduleTimezone,
        offsetDays: input.ScheduleOffset,
        durationHours: input.Duration,
        cutoffHours: input.Cutoff,
        allowUnassociatedTargets: input.AllowUnassociatedTargets,
        enabled: input.Enabled,
        replace: input.Replace,
      }),
    );

  const DeleteMaintenanceWindow: Handler<'DeleteMaintenanceWindow'> = async (input, { scope }) => {
    await windows.delete(scope, input.WindowId);
    return { WindowId: input.WindowId };
  };

  const DescribeMaintenanceWindows: Handler<'DescribeMaintenanceWindows'> = async (input, { scope }) => {
    const page = await windows.list(scope, {
      filters: filtersIn(input.Filters),
      maxResults: input.MaxResults,
      nextToken: startingToken(input.NextToken),
    });
    const now = clock.now();
    return {
      WindowIdentities: page.windows.map((window) => identityJson(window, nextExecutionTime(window, now))) as never,
      NextToken: page.nextToken,
    };
  };

  return { CreateMaintenanceWindow, GetMaintenanceWindow, UpdateMaintenanceWindow, DeleteMaintenanceWindow, DescribeMaintenanceWindows };
}
