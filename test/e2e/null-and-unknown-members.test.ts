// JSON null and unknown members, as outside testing sent them (issue 11). The SDK never sends either, so
// the requests go over raw HTTP; what was stored is read back with the SDK. AWS's deserializer leaves a
// null member unset and ignores members the model does not list, at any depth: nothing of either may be
// stored, echoed or crash a handler.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GetMaintenanceWindowCommand, GetMaintenanceWindowTaskCommand } from '@aws-sdk/client-ssm';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
describe('null and unknown members', () => {
  before(async () => {
    server = await startTestServer({ engine: false });
  });
  after(() => server.stop());

  async function call(operation: string, body: unknown): Promise<{ status: number; body: any }> {
    const response = await fetch(server.app.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AmazonSSM.${operation}` },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    return { status: response.status, body: JSON.parse(await response.text()) };
  }

  async function ok(operation: string, body: unknown): Promise<any> {
    const answer = await call(operation, body);
    assert.equal(answer.status, 200, `${operation} ${JSON.stringify(body).slice(0, 200)} -> ${JSON.stringify(answer.body)}`);
    return answer.body;
  }

  const window = { Name: 'nulls', Schedule: 'rate(1 day)', Duration: 2, Cutoff: 0, AllowUnassociatedTargets: true };

  test('"Name": null on UpdateMaintenanceWindow changes nothing; every other optional member too', async () => {
    const { WindowId } = await ok('CreateMaintenanceWindow', { ...window, Description: 'kept', ClientToken: null, Tags: null, EndDate: null });
    await ok('UpdateMaintenanceWindow', {
      WindowId, Name: null, Description: null, Schedule: null, Duration: null, Cutoff: null, Enabled: null,
      AllowUnassociatedTargets: null, StartDate: null, EndDate: null, ScheduleTimezone: null, ScheduleOffset: null, Replace: null,
    });
    const got = await server.client.send(new GetMaintenanceWindowCommand({ WindowId }));
    assert.deepEqual([got.Name, got.Description, got.Schedule, got.Duration, got.Cutoff, got.Enabled], ['nulls', 'kept', 'rate(1 day)', 2, 0, true]);
    const raw = await ok('GetMaintenanceWindow', { WindowId });
    assert.ok(!Object.values(raw).includes(null), `no member is null: ${JSON.stringify(raw)}`);
  });

  test('"NextToken": null on every paged Describe, and "ClientToken": null on every create, answer 200', async () => {
    const { WindowId } = await ok('CreateMaintenanceWindow', { ...window, ClientToken: null });
    const { WindowTargetId } = await ok('RegisterTargetWithMaintenanceWindow', { WindowId, ResourceType: 'INSTANCE', Targets: [{ Key: 'InstanceIds', Values: ['i-0123456789abcdef0'] }], ClientToken: null });
    await ok('RegisterTaskWithMaintenanceWindow', { WindowId, TaskArn: 'AWS-RestartEC2Instance', TaskType: 'AUTOMATION', ClientToken: null });
    assert.ok(WindowTargetId);
    const paged: [string, object][] = [
      ['DescribeMaintenanceWindows', {}],
      ['DescribeMaintenanceWindowTargets', { WindowId }],
      ['DescribeMaintenanceWindowTasks', { WindowId }],
      ['DescribeMaintenanceWindowExecutions', { WindowId }],
      ['DescribeMaintenanceWindowSchedule', { WindowId }],
      ['DescribeMaintenanceWindowsForTarget', { ResourceType: 'INSTANCE', Targets: [{ Key: 'InstanceIds', Values: ['i-0123456789abcdef0'] }] }],
    ];
    for (const [operation, body] of paged) await ok(operation, { ...body, NextToken: null, MaxResults: null, Filters: null });
    // The history operations need an execution: with unknown ids they must still answer as AWS does, not 500.
    for (const [operation, body] of [
      ['DescribeMaintenanceWindowExecutionTasks', { WindowExecutionId: '00000000-0000-4000-8000-000000000000' }],
      ['DescribeMaintenanceWindowExecutionTaskInvocations', { WindowExecutionId: '00000000-0000-4000-8000-000000000000', TaskId: '00000000-0000-4000-8000-000000000001' }],
    ] as const) {
      const answer = await call(operation, { ...body, NextToken: null });
      assert.equal(answer.status, 400);
      assert.equal(answer.body.__type, 'DoesNotExistException');
    }
  });

  test('MaxConcurrency: null is absent, so the RUN_COMMAND rule that requires it applies', async () => {
    const { WindowId } = await ok('CreateMaintenanceWindow', window);
    const { WindowTargetId } = await ok('RegisterTargetWithMaintenanceWindow', { WindowId, ResourceType: 'INSTANCE', Targets: [{ Key: 'InstanceIds', Values: ['i-0123456789abcdef0'] }] });
    const answer = await call('RegisterTaskWithMaintenanceWindow', {
      WindowId, TaskArn: 'AWS-RunShellScript', TaskType: 'RUN_COMMAND', Targets: [{ Key: 'WindowTargetIds', Values: [WindowTargetId] }],
      MaxConcurrency: null, MaxErrors: '1',
    });
    const without = await call('RegisterTaskWithMaintenanceWindow', {
      WindowId, TaskArn: 'AWS-RunShellScript', TaskType: 'RUN_COMMAND', Targets: [{ Key: 'WindowTargetIds', Values: [WindowTargetId] }], MaxErrors: '1',
    });
    assert.equal(answer.status, 400);
    assert.deepEqual(answer.body, without.body, 'null answers exactly as leaving the member out');
  });

  test('unknown members inside TaskInvocationParameters, LoggingInfo and AlarmConfiguration are dropped, not stored', async () => {
    const { WindowId } = await ok('CreateMaintenanceWindow', window);
    const junk = 'j'.repeat(900_000); // one 900 KB member: the body stays under the 1 MiB limit
    const { WindowTaskId } = await ok('RegisterTaskWithMaintenanceWindow', {
      WindowId, TaskArn: 'AWS-RestartEC2Instance', TaskType: 'AUTOMATION', Junk: 'top', Priority: null,
      TaskInvocationParameters: { Automation: { DocumentVersion: '$LATEST', Parameters: { InstanceId: ['i-1'] }, Junk: junk }, Junk: { a: 1 } },
      LoggingInfo: { S3BucketName: 'bucket', S3Region: 'us-east-1', Junk: 'logging' },
      AlarmConfiguration: { IgnorePollAlarmFailure: false, Alarms: [{ Name: 'alarm', Junk: ['alarm'] }], Junk: { deep: { deeper: 1 } } },
    });
    const task = await server.client.send(new GetMaintenanceWindowTaskCommand({ WindowId, WindowTaskId }));
    assert.deepEqual(task.TaskInvocationParameters, { Automation: { DocumentVersion: '$LATEST', Parameters: { InstanceId: ['i-1'] } } });
    assert.deepEqual(task.LoggingInfo, { S3BucketName: 'bucket', S3Region: 'us-east-1' });
    assert.deepEqual(task.AlarmConfiguration, { IgnorePollAlarmFailure: false, Alarms: [{ Name: 'alarm' }] });
    const raw = await call('GetMaintenanceWindowTask', { WindowId, WindowTaskId });
    assert.ok(!JSON.stringify(raw.body).includes('Junk'), 'no unknown member is echoed');
  });

  test('Priority beyond Java\'s int range is held at 2147483647 (Kinesis evidence), never echoed with lost precision', async () => {
    const { WindowId } = await ok('CreateMaintenanceWindow', window);
    for (const Priority of [2147483648, 1e20]) {
      const { WindowTaskId } = await ok('RegisterTaskWithMaintenanceWindow', { WindowId, TaskArn: 'AWS-RestartEC2Instance', TaskType: 'AUTOMATION', Priority });
      const task = await server.client.send(new GetMaintenanceWindowTaskCommand({ WindowId, WindowTaskId }));
      assert.equal(task.Priority, 2147483647);
    }
    const negative = await call('RegisterTaskWithMaintenanceWindow', { WindowId, TaskArn: 'AWS-RestartEC2Instance', TaskType: 'AUTOMATION', Priority: -1e20 });
    assert.equal(negative.status, 400);
    assert.equal(negative.body.__type, 'ValidationException');
  });
});
