// RegisterTargetWithMaintenanceWindow, UpdateMaintenanceWindowTarget, DeregisterTargetFromMaintenanceWindow,
// DescribeMaintenanceWindowTargets.

import type { WindowTarget } from '../domain/model.ts';
import type { TargetService } from '../service/targets.ts';
import type { Handler } from '../wire/api.ts';
import { filtersIn, startingToken, targetsIn, targetsOut } from './mapping.ts';

function targetFields(target: WindowTarget) {
  return {
    WindowId: target.windowId,
    WindowTargetId: target.id,
    Targets: targetsOut(target.targets),
    OwnerInformation: target.ownerInformation,
    Name: target.name,
    Description: target.description,
  };
}

export function targetHandlers(targets: TargetService) {
  const RegisterTargetWithMaintenanceWindow: Handler<'RegisterTargetWithMaintenanceWindow'> = async (input, { scope }) => ({
    WindowTargetId: await targets.register(scope, {
      windowId: input.WindowId,
      resourceType: input.ResourceType,
      targets: targetsIn(input.Targets) ?? [],
      ownerInformation: input.OwnerInformation,
      name: input.Name,
      description: input.Description,
      clientToken: input.ClientToken,
    }),
  });

  const UpdateMaintenanceWindowTarget: Handler<'UpdateMaintenanceWindowTarget'> = async (input, { scope }) =>
    targetFields(
      await targets.update(scope, {
        windowId: input.WindowId,
        targetId: input.WindowTargetId,
        targets: targetsIn(input.Targets),
        ownerInformation: input.OwnerInformation,
        name: input.Name,
        description: input.Description,
        replace: input.Replace,
      }),
    );

  const DeregisterTargetFromMaintenanceWindow: Handler<'DeregisterTargetFromMaintenanceWindow'> = async (input, { scope }) => {
    await targets.deregister(scope, input.WindowId, input.WindowTargetId, input.Safe ?? false);
    return { WindowId: input.WindowId, WindowTargetId: input.WindowTargetId };
  };

  const DescribeMaintenanceWindowTargets: Handler<'DescribeMaintenanceWindowTargets'> = async (input, { scope }) => {
    const page = await targets.list(scope, input.WindowId, {
      filters: filtersIn(input.Filters),
      maxResults: input.MaxResults,
      nextToken: startingToken(input.NextToken),
    });
    return {
      Targets: page.targets.map((target) => ({ ...targetFields(target), ResourceType: target.resourceType })),
      NextToken: page.nextToken,
    };
  };

  return { RegisterTargetWithMaintenanceWindow, UpdateMaintenanceWindowTarget, DeregisterTargetFromMaintenanceWindow, DescribeMaintenanceWindowTargets };
}
