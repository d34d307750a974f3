// A history worth looking at, built with the SDK on the manual clock: three declared nodes tagged
// Env=prod, the second of which fails (an outcome rule with its output and exit code), a nightly window in
// Asia/Tokyo whose RUN_COMMAND task runs over the three with MaxConcurrency 1 / MaxErrors 0, and an
// AUTOMATION task at a later priority over the nodes two at a time.

import {
  CreateMaintenanceWindowCommand, RegisterTargetWithMaintenanceWindowCommand, RegisterTaskWithMaintenanceWindowCommand, type SSMClient,
} from '@aws-sdk/client-ssm';
import { putNode, setOutcomes, type Target } from '../support/control.ts';

export const T0 = Date.parse('2026-03-01T00:00:00Z');
export const NODES = ['i-0aaaaaaaaaaaaaaa1', 'i-0aaaaaaaaaaaaaaa2', 'i-0aaaaaaaaaaaaaaa3'];
export const FAILING_NODE = NODES[1];
export const FAILING_OUTPUT = 'Checking /var ...\nERROR: /var is 100% full, refusing to patch\n';

export interface Fixture {
  windowId: string;
  otherWindowId: string;
}

export async function buildFixture(server: Target, client: SSMClient): Promise<Fixture> {
  for (const id of NODES) await putNode(server, id, { tags: { Env: 'prod', Name: `web-${id.slice(-1)}` } });
  await setOutcomes(server, [
    { match: { resourceId: FAILING_NODE, taskType: 'RUN_COMMAND' }, status: 'FAILED', stdout: FAILING_OUTPUT, stderr: 'patch: exit 2\n', responseCode: 2 },
  ]);
  const { WindowId } = await client.send(new CreateMaintenanceWindowCommand({
    Name: 'nightly-patching', Description: 'Patch the web fleet', Schedule: 'cron(0 2 ? * * *)', ScheduleTimezone: 'Asia/Tokyo',
    Duration: 3, Cutoff: 1, AllowUnassociatedTargets: false, Tags: [{ Key: 'Team', Value: 'platform' }],
  }));
  const { WindowTargetId } = await client.send(new RegisterTargetWithMaintenanceWindowCommand({
    WindowId, ResourceType: 'INSTANCE', Targets: [{ Key: 'tag:Env', Values: ['prod'] }], OwnerInformation: 'team-platform', Name: 'web-fleet',
  }));
  await client.send(new RegisterTaskWithMaintenanceWindowCommand({
    WindowId, Name: 'patch', TaskArn: 'AWS-RunShellScript', TaskType: 'RUN_COMMAND', Priority: 1,
    Targets: [{ Key: 'WindowTargetIds', Values: [WindowTargetId!] }], MaxConcurrency: '1', MaxErrors: '0',
    TaskInvocationParameters: { RunCommand: { Parameters: { commands: ['hostname; id -u'] }, TimeoutSeconds: 600 } },
  }));
  await client.send(new RegisterTaskWithMaintenanceWindowCommand({
    WindowId, Name: 'verify', TaskArn: 'AWS-RestartEC2Instance', TaskType: 'AUTOMATION', Priority: 2,
    Targets: [{ Key: 'WindowTargetIds', Values: [WindowTargetId!] }], MaxConcurrency: '2', MaxErrors: '1',
    TaskInvocationParameters: { Automation: { Parameters: { InstanceId: ['{{RESOURCE_ID}}'] } } },
  }));
  const other = await client.send(new CreateMaintenanceWindowCommand({
    Name: 'hourly-inventory', Schedule: 'rate(1 hour)', Duration: 1, Cutoff: 0, AllowUnassociatedTargets: true,
  }));
  return { windowId: WindowId!, otherWindowId: other.WindowId! };
}
