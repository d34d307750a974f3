// The fleet the engine runs against (a `--nodes` inventory file) and the window + target + AUTOMATION task
// every section sets up through the real API.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AwsClient } from './aws-requests.ts';

export const FLEET_TAG = { Key: 'tag:Fleet', Values: ['bench'] };
/** Where the manual clock starts in every section; the windows fire at 03:00 that day. */
export const CLOCK_START = '2026-01-01T00:00:00Z';
export const FIRE_CRON = 'cron(0 3 ? * * *)';

export function nodeId(i: number): string {
  return `i-${i.toString(16).padStart(17, '0')}`;
}

/** Writes `count` managed nodes tagged Fleet=bench in `region` and returns the file's path. */
export function writeNodesFile(dir: string, count: number, region: string): string {
  const nodes = Array.from({ length: count }, (_, i) => ({
    id: nodeId(i),
    tags: { Fleet: 'bench', Env: i % 2 === 0 ? 'prod' : 'staging' },
    resourceGroups: [],
    region,
  }));
  const file = join(dir, `nodes-${region}-${count}.json`);
  writeFileSync(file, JSON.stringify(nodes));
  return file;
}

/** The CreateMaintenanceWindow input every section uses (a typical nightly patch window). */
export function windowInput(name: string, allowUnassociatedTargets = false): Record<string, unknown> {
  return {
    Name: name,
    Description: 'Nightly patching of the bench fleet',
    Schedule: FIRE_CRON,
    ScheduleTimezone: 'UTC',
    Duration: 4,
    Cutoff: 1,
    AllowUnassociatedTargets: allowUnassociatedTargets,
  };
}

export interface FleetWindow {
  windowId: string;
  windowTargetId: string;
  windowTaskId: string;
}

/** A window on FIRE_CRON with a `tag:Fleet=bench` target and an AUTOMATION task over it (100% / 100%). */
export async function createFleetWindow(client: AwsClient, name: string, region = 'us-east-1'): Promise<FleetWindow> {
  const { WindowId } = await client.call<{ WindowId: string }>('CreateMaintenanceWindow', windowInput(name, true), region);
  const { WindowTargetId } = await client.call<{ WindowTargetId: string }>('RegisterTargetWithMaintenanceWindow', {
    WindowId,
    ResourceType: 'INSTANCE',
    Targets: [FLEET_TAG],
    Name: 'bench-fleet',
  }, region);
  const { WindowTaskId } = await client.call<{ WindowTaskId: string }>('RegisterTaskWithMaintenanceWindow', {
    WindowId,
    TaskArn: 'AWS-RestartEC2Instance',
    TaskType: 'AUTOMATION',
    Targets: [{ Key: 'WindowTargetIds', Values: [WindowTargetId] }],
    MaxConcurrency: '100%',
    MaxErrors: '100%',
    Priority: 1,
    Name: 'restart',
    TaskInvocationParameters: { Automation: { DocumentVersion: '$DEFAULT', Parameters: { InstanceId: ['{{RESOURCE_ID}}'] } } },
  }, region);
  return { windowId: WindowId, windowTargetId: WindowTargetId, windowTaskId: WindowTaskId };
}

/** Every invocation of a task execution, page by page (MaxResults 100). */
export async function countInvocations(client: AwsClient, windowExecutionId: string, taskExecutionId: string, region: string): Promise<Record<string, number>> {
  const statuses: Record<string, number> = {};
  let nextToken: string | undefined;
  do {
    const page = await client.call<{ WindowExecutionTaskInvocationIdentities: { Status: string }[]; NextToken?: string }>(
      'DescribeMaintenanceWindowExecutionTaskInvocations',
      { WindowExecutionId: windowExecutionId, TaskId: taskExecutionId, MaxResults: 100, NextToken: nextToken },
      region,
    );
    for (const item of page.WindowExecutionTaskInvocationIdentities) statuses[item.Status] = (statuses[item.Status] ?? 0) + 1;
    nextToken = page.NextToken;
  } while (nextToken);
  return statuses;
}
