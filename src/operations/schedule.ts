// DescribeMaintenanceWindowSchedule, DescribeMaintenanceWindowsForTarget.

import type { ScheduleService } from '../service/schedule.ts';
import type { Handler } from '../wire/api.ts';
import { filtersIn, startingToken, targetsIn } from './mapping.ts';

export function scheduleHandlers(schedule: ScheduleService) {
  const DescribeMaintenanceWindowSchedule: Handler<'DescribeMaintenanceWindowSchedule'> = async (input, { scope }) => {
    const page = await schedule.upcoming(scope, {
      windowId: input.WindowId,
      targets: targetsIn(input.Targets),
      resourceType: input.ResourceType,
      filters: filtersIn(input.Filters),
      maxResults: input.MaxResults,
      nextToken: startingToken(input.NextToken),
    });
    return {
      ScheduledWindowExecutions: page.runs.map((run) => ({ WindowId: run.windowId, Name: run.name, ExecutionTime: run.executionTime })),
      NextToken: page.nextToken,
    };
  };

  const DescribeMaintenanceWindowsForTarget: Handler<'DescribeMaintenanceWindowsForTarget'> = async (input, { scope }) => {
    const page = await schedule.windowsForTarget(scope, {
      targets: targetsIn(input.Targets) ?? [],
      resourceType: input.ResourceType,
      maxResults: input.MaxResults,
      nextToken: startingToken(input.NextToken),
    });
    return { WindowIdentities: page.windows.map((w) => ({ WindowId: w.id, Name: w.name })), NextToken: page.nextToken };
  };

  return { DescribeMaintenanceWindowSchedule, DescribeMaintenanceWindowsForTarget };
}
