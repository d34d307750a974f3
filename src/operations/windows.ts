// CreateMaintenanceWindow, GetMaintenanceWindow, UpdateMaintenanceWindow, DeleteMaintenanceWindow,
// DescribeMaintenanceWindows: AWS names <-> domain names.

import type { Window } from '../domain/model.ts';
import { nextExecutionTime } from '../domain/window-rules.ts';
import type { Clock } from '../service/ports.ts';
import type { WindowService } from '../service/windows.ts';
import type { Handler } from '../wire/api.ts';
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
    return {
      ...windowFields(window),
      NextExecutionTime: nextExecutionTime(window, clock.now()),
      CreatedDate: seconds(window.createdAt),
      ModifiedDate: seconds(window.modifiedAt),
    };
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
      WindowIdentities: page.windows.map((window) => {
        const { AllowUnassociatedTargets: _notListed, ...identity } = windowFields(window);
        return { ...identity, NextExecutionTime: nextExecutionTime(window, now) };
      }),
      NextToken: page.nextToken,
    };
  };

  return { CreateMaintenanceWindow, GetMaintenanceWindow, UpdateMaintenanceWindow, DeleteMaintenanceWindow, DescribeMaintenanceWindows };
}
