// Where outside test suites disagreed with us (issue 11, part B), each case with the evidence it follows.
// docs/coverage.md records each decision.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CreateMaintenanceWindowCommand, DescribeMaintenanceWindowExecutionTasksCommand, DescribeMaintenanceWindowsCommand,
  DescribeMaintenanceWindowTargetsCommand, GetMaintenanceWindowCommand, GetMaintenanceWindowExecutionTaskCommand,
  GetMaintenanceWindowTaskCommand, RegisterTargetWithMaintenanceWindowCommand, RegisterTaskWithMaintenanceWindowCommand,
  UpdateMaintenanceWindowCommand, UpdateMaintenanceWindowTargetCommand,
} from '@aws-sdk/client-ssm';
import { advance, fire } from '../support/control.ts';
import { rejectsWith } from '../support/errors.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const T0 = Date.parse('2026-07-01T00:00:00Z');
let server: TestServer;
describe('AWS fidelity (issue 11, part B)', () => {
  before(async () => {
    server = await startTestServer({ clockMode: 'manual', manualClockStart: T0, invocationSeconds: 10 });
  });
  after(() => server.stop());
  const send: TestServer['client']['send'] = (command: any) => server.client.send(command);

  async function newWindow(extra: Record<string, unknown> = {}): Promise<string> {
    const created = await send(new CreateMaintenanceWindowCommand({ Name: 'fidelity', Schedule: 'rate(1 day)', Duration: 2, Cutoff: 0, AllowUnassociatedTargets: true, ...extra }));
    return created.WindowId!;
  }

  test('B.1 Priority left out is 0 (Terraform: optional, not computed, acceptance test without it passes on AWS); it runs before priority 1', async () => {
    const WindowId = await newWindow();
    const later = await send(new RegisterTaskWithMaintenanceWindowCommand({ WindowId, TaskArn: 'AWS-RestartEC2Instance', TaskType: 'AUTOMATION', Priority: 1, Targets: [{ Key: 'InstanceIds', Values: ['i-1'] }], MaxConcurrency: '1', MaxErrors: '1' }));
    const first = await send(new RegisterTaskWithMaintenanceWindowCommand({ WindowId, TaskArn: 'AWS-StopEC2Instance', TaskType: 'AUTOMATION', Targets: [{ Key: 'InstanceIds', Values: ['i-1'] }], MaxConcurrency: '1', MaxErrors: '1' }));
    assert.equal((await send(new GetMaintenanceWindowTaskCommand({ WindowId, WindowTaskId: first.WindowTaskId }))).Priority, 0);
    const executionId = await fire(server, WindowId);
    await advance(server, 60);
    const tasks = (await send(new DescribeMaintenanceWindowExecutionTasksCommand({ WindowExecutionId: executionId }))).WindowExecutionTaskIdentities ?? [];
    const byArn = Object.fromEntries(tasks.map((t) => [t.TaskArn, t]));
    assert.ok(byArn['AWS-StopEC2Instance'].EndTime! <= byArn['AWS-RestartEC2Instance'].StartTime!, 'priority 0 ran first');
    assert.ok(later.WindowTaskId);
  });

  test('B.2 TaskParameters of a Run Command task registered with TaskInvocationParameters: its parameters and aws:InstanceId (user guide CLI walkthrough)', async () => {
    const WindowId = await newWindow();
    const { WindowTargetId } = await send(new RegisterTargetWithMaintenanceWindowCommand({ WindowId, ResourceType: 'INSTANCE', Targets: [{ Key: 'InstanceIds', Values: ['i-02573cafcfEXAMPLE', 'i-0471e04240EXAMPLE'] }] }));
    await send(new RegisterTaskWithMaintenanceWindowCommand({
      WindowId, TaskArn: 'AWS-RunShellScript', TaskType: 'RUN_COMMAND', MaxConcurrency: '1', MaxErrors: '1',
      Targets: [{ Key: 'WindowTargetIds', Values: [WindowTargetId!] }],
      TaskInvocationParameters: { RunCommand: { Parameters: { commands: ['df'] } } },
    }));
    const automation = await send(new RegisterTaskWithMaintenanceWindowCommand({ WindowId, TaskArn: 'AWS-RestartEC2Instance', TaskType: 'AUTOMATION', Priority: 5, TaskInvocationParameters: { Automation: { Parameters: { InstanceId: ['{{RESOURCE_ID}}'] } } }, Targets: [{ Key: 'InstanceIds', Values: ['i-1'] }], MaxConcurrency: '1', MaxErrors: '1' }));
    const executionId = await fire(server, WindowId);
    await advance(server, 60);
    const tasks = (await send(new DescribeMaintenanceWindowExecutionTasksCommand({ WindowExecutionId: executionId }))).WindowExecutionTaskIdentities ?? [];
    const runCommand = tasks.find((t) => t.TaskType === 'RUN_COMMAND')!;
    const got = await send(new GetMaintenanceWindowExecutionTaskCommand({ WindowExecutionId: executionId, TaskId: runCommand.TaskExecutionId }));
    assert.deepEqual(got.TaskParameters, [{ 'aws:InstanceId': { Values: ['i-02573cafcfEXAMPLE', 'i-0471e04240EXAMPLE'] }, commands: { Values: ['df'] } }]);
    const other = tasks.find((t) => t.TaskType === 'AUTOMATION')!;
    const automationTask = await send(new GetMaintenanceWindowExecutionTaskCommand({ WindowExecutionId: executionId, TaskId: other.TaskExecutionId }));
    assert.deepEqual(automationTask.TaskParameters, [], 'no sample shows parameters for other task types: the deprecated TaskParameters only');
    assert.ok(automation.WindowTaskId);
  });

  test('B.3 StartDate "" gets the live service\'s length answer, quoted in the Terraform provider', async () => {
    const WindowId = await newWindow();
    await rejectsWith(send(new UpdateMaintenanceWindowCommand({ WindowId, StartDate: '' })), 'ValidationException',
      "1 validation error detected: Value '' at 'startDate' failed to satisfy constraint: Member must have length greater than or equal to 1");
    await rejectsWith(send(new UpdateMaintenanceWindowCommand({ WindowId, EndDate: '' })), 'ValidationException',
      "1 validation error detected: Value '' at 'endDate' failed to satisfy constraint: Member must have length greater than or equal to 1");
  });

  test('B.4 ids are exact: upper-case hex breaks the lower-case WindowId pattern, and an upper-cased UUID names no resource', async () => {
    const WindowId = await newWindow();
    const { WindowTargetId } = await send(new RegisterTargetWithMaintenanceWindowCommand({ WindowId, ResourceType: 'INSTANCE', Targets: [{ Key: 'InstanceIds', Values: ['i-1'] }] }));
    await rejectsWith(send(new GetMaintenanceWindowCommand({ WindowId: WindowId.toUpperCase().replace('MW-', 'mw-') })), 'ValidationException', /failed to satisfy constraint: Member must satisfy regular expression pattern: \^mw-\[0-9a-f\]\{17\}\$/);
    await rejectsWith(send(new UpdateMaintenanceWindowTargetCommand({ WindowId, WindowTargetId: WindowTargetId!.toUpperCase(), Name: 'renamed' })), 'DoesNotExistException');
    const targets = (await send(new DescribeMaintenanceWindowTargetsCommand({ WindowId }))).Targets ?? [];
    assert.deepEqual(targets.map((t) => [t.WindowTargetId, t.Name]), [[WindowTargetId, undefined]], 'nothing changed');
  });

  test('B.5 NextToken "" is the first page (the seeds: the last page\'s token "is empty"; the SDKs never send it)', async () => {
    await newWindow();
    const first = await send(new DescribeMaintenanceWindowsCommand({ NextToken: '' }));
    const plain = await send(new DescribeMaintenanceWindowsCommand({}));
    assert.deepEqual(first.WindowIdentities, plain.WindowIdentities);
  });

  test('B.6 an EndDate already past is accepted (no evidence AWS refuses it; moto\'s tests create one): the window has no next run', async () => {
    const WindowId = await newWindow({ EndDate: '2021-12-31T00:00:00Z' });
    const window = await send(new GetMaintenanceWindowCommand({ WindowId }));
    assert.equal(window.EndDate, '2021-12-31T00:00:00Z');
    assert.equal(window.NextExecutionTime, undefined);
    await send(new UpdateMaintenanceWindowCommand({ WindowId, EndDate: '2022-01-01T00:00:00Z' }));
    assert.equal((await send(new GetMaintenanceWindowCommand({ WindowId }))).EndDate, '2022-01-01T00:00:00Z');
  });
});
