// DescribeInstanceInformation: the managed-node inventory as AWS shows managed nodes.

import type { InstanceInfo } from '../domain/managed-instances.ts';
import type { InstanceService } from '../service/instances.ts';
import type { Handler } from '../wire/api.ts';
import type { InstanceInformation } from '../wire/generated/types.ts';
import { seconds, startingToken } from './mapping.ts';

function instanceOut(info: InstanceInfo): InstanceInformation {
  return {
    InstanceId: info.instanceId,
    PingStatus: info.pingStatus,
    LastPingDateTime: seconds(info.lastPingAt),
    AgentVersion: info.agentVersion,
    IsLatestVersion: info.isLatestVersion,
    PlatformType: info.platformType,
    PlatformName: info.platformName,
    PlatformVersion: info.platformVersion,
    ResourceType: info.resourceType,
    Name: info.name,
    IPAddress: info.ipAddress,
    ComputerName: info.computerName,
    SourceId: info.sourceId,
    SourceType: info.sourceType,
    ActivationId: info.activationId,
    IamRole: info.iamRole,
    RegistrationDate: info.registeredAt === undefined ? undefined : seconds(info.registeredAt),
  };
}

export function instanceHandlers(instances: InstanceService) {
  const DescribeInstanceInformation: Handler<'DescribeInstanceInformation'> = async (input, { scope }) => {
    const page = await instances.describe(scope, {
      legacyFilters: input.InstanceInformationFilterList?.map((f) => ({ key: f.key, values: f.valueSet })),
      filters: input.Filters?.map((f) => ({ key: f.Key, values: f.Values })),
      maxResults: input.MaxResults,
      nextToken: startingToken(input.NextToken),
    });
    return { InstanceInformationList: page.instances.map(instanceOut), NextToken: page.nextToken };
  };

  return { DescribeInstanceInformation };
}
