// CreateMaintenanceWindow, GetMaintenanceWindow, UpdateMaintenanceWindow, DeleteMaintenanceWindow,
// DescribeMaintenanceWindows: AWS names <-> domain names.

import type { Window } from '../domain/model.ts';
import { nextExecutionTime } from '../domain/window-rules.ts';
import type { Clock } from '../service/ports.ts';
import type { WindowService } from '../service/windows.ts';
import type { Handler } from '../wire/api.ts';
import type { GetMaintenanceWindowResult, MaintenanceWindowIdentity } from '../wire/generated/types.ts';
import { RecordTexts } from '../wire/json-text.ts';
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

function getAnswer(window: Window, next: string | undefined): GetMaintenanceWindowResult {
  return {
    ...windowFields(window),
    NextExecutionTime: next,
    CreatedDate: seconds(window.createdAt),
    ModifiedDate: seconds(window.modifiedAt),
  };
}

function identity(window: Window, next: string | undefined): MaintenanceWindowIdentity {
  const { AllowUnassociatedTargets: _notListed, ...fields } = windowFields(window);
  return { ...fields, NextExecutionTime: next };
}

export function windowHandlers(windows: WindowService, clock: Clock) {
  // A window's answers are the same text while its version and NextExecutionTime stay (wire/json-text.ts).
  const getTexts = new RecordTexts<GetMaintenanceWindowResult>();
  const identityTexts = new RecordTexts<MaintenanceWindowIdentity>();

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
    const next = nextExecutionTime(window, clock.now());
    return getTexts.text(scope, window, () => getAnswer(window, next), next);
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
        const next = nextExecutionTime(window, now);
        return identityTexts.text(scope, window, () => identity(window, next), next);
      }),
      NextToken: page.nextToken,
    };
  };

  return { CreateMaintenanceWindow, GetMaintenanceWindow, UpdateMaintenanceWindow, DeleteMaintenanceWindow, DescribeMaintenanceWindows };
}
