// Window targets and tasks through the real AWS SDK: every member round-trips, cross-field rules,
// Safe deregistration, quotas, idempotency and pagination.

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import {
  CreateMaintenanceWindowCommand,
  DeleteMaintenanceWindowCommand,
  DeregisterTargetFromMaintenanceWindowCommand,
  DeregisterTaskFromMaintenanceWindowCommand,
  DescribeMaintenanceWindowTargetsCommand,
  DescribeMaintenanceWindowTasksCommand,
  GetMaintenanceWindowTaskCommand,
  RegisterTargetWithMaintenanceWindowCommand,
  RegisterTaskWithMaintenanceWindowCommand,
  UpdateMaintenanceWindowTargetCommand,
  UpdateMaintenanceWindowTaskCommand,
  paginateDescribeMaintenanceWindowTargets,
} from '@aws-sdk/client-ssm';
import { rejectsWith } from '../support/errors.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const W0 = 'mw-00000000000000000';
const U0 = '00000000-0000-4000-8000-000000000000';

describe('targets and tasks', () => {
  let server: TestServer;
  let windowId: string;
  let openWindowId: string;
  // The SDK's send() is typed per command; these tests look at responses loosely.
  const send = (command: any): Promise<any> => server.client.send(command);

  before(async () => {
    server = await startTestServer({ quotas: { windowsPerRegion: 50, targetsPerWindow: 30, tasksPerWindow: 5, tagsPerResource: 50, documentsPerRegion: 500 } });
  });
  after(() => server.stop());
  beforeEach(async () => {
    windowId = (await send(new CreateMaintenanceWindowCommand({ Name: 'tt-window', Schedule: 'rate(1 day)', Duration: 2, Cutoff: 1, AllowUnassociatedTargets: false }))).WindowId;
    openWindowId = (await send(new CreateMaintenanceWindowCommand({ Name: 'open', Schedule: 'rate(1 day)', Duration: 2, Cutoff: 1, AllowUnassociatedTargets: true }))).WindowId;
  });

  const registerInstances = async (ids = ['i-0123456789abcdef0'], extra: object = {}) =>
    (await send(new RegisterTargetWithMaintenanceWindowCommand({
      WindowId: windowId, ResourceType: 'INSTANCE', Targets: [{ Key: 'InstanceIds', Values: ids }], ...extra,
    }))).WindowTargetId as string;

  test('register a target and read it back with every member', async () => {
    const id = await registerInstances(['i-0123456789abcdef0', 'i-1'], { OwnerInformation: 'owner-1', Name: 'web-servers', Description: 'the web tier' });
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const { Targets } = await send(new DescribeMaintenanceWindowTargetsCommand({ WindowId: windowId }));
    assert.deepEqual(Targets, [{
      WindowId: windowId, WindowTargetId: id, ResourceType: 'INSTANCE',
      Targets: [{ Key: 'InstanceIds', Values: ['i-0123456789abcdef0', 'i-1'] }],
      OwnerInformation: 'owner-1', Name: 'web-servers', Description: 'the web tier',
    }]);
  });

  test('target validation: AWS messages, enum, list sizes, unknown window', async () => {
    await rejectsWith(send(new RegisterTargetWithMaintenanceWindowCommand({ WindowId: windowId, ResourceType: 'EC2' as never, Targets: [{ Key: 'InstanceIds', Values: ['i-1'] }] })),
      'ValidationException', "1 validation error detected: Value 'EC2' at 'resourceType' failed to satisfy constraint: Member must satisfy enum value set: [INSTANCE, RESOURCE_GROUP]");
    await rejectsWith(send(new RegisterTargetWithMaintenanceWindowCommand({ WindowId: windowId, ResourceType: 'INSTANCE', Targets: [{ Key: 'tag:Patch Group', Values: [] }] })),
      'ValidationException', "Please specify at least one target.  Filter values can't be null and tag:Patch Group is.");
    const many = Array.from({ length: 51 }, (_, i) => `i-${i}`);
    await rejectsWith(send(new RegisterTargetWithMaintenanceWindowCommand({ WindowId: windowId, ResourceType: 'INSTANCE', Targets: [{ Key: 'InstanceIds', Values: many }] })),
      'ValidationException', /at 'targets.1.member.values' failed to satisfy constraint: Member must have length less than or equal to 50$/);
    const six = Array.from({ length: 6 }, (_, i) => ({ Key: `tag:k${i}`, Values: ['v'] }));
    await rejectsWith(send(new RegisterTargetWithMaintenanceWindowCommand({ WindowId: windowId, ResourceType: 'INSTANCE', Targets: six })),
      'ValidationException', /at 'targets' failed to satisfy constraint: Member must have length less than or equal to 5$/);
    await rejectsWith(send(new RegisterTargetWithMaintenanceWindowCommand({ WindowId: W0, ResourceType: 'INSTANCE', Targets: [{ Key: 'InstanceIds', Values: ['i-1'] }] })),
      'DoesNotExistException', `Maintenance window ${W0} does not exist`);
    await rejectsWith(send(new RegisterTargetWithMaintenanceWindowCommand({ WindowId: windowId, ResourceType: 'INSTANCE', Targets: [{ Key: 'InstanceIds', Values: ['i-1'] }, { Key: 'tag:a', Values: ['b'] }] })),
      'ValidationException', /^Targets must be specified in one of the following formats/);
    const tagged = await send(new RegisterTargetWithMaintenanceWindowCommand({ WindowId: windowId, ResourceType: 'INSTANCE', Targets: [{ Key: 'tag:Patch Group', Values: ['web'] }, { Key: 'tag-key', Values: ['Env'] }] }));
    assert.ok(tagged.WindowTargetId);
    const group = await send(new RegisterTargetWithMaintenanceWindowCommand({ WindowId: windowId, ResourceType: 'RESOURCE_GROUP', Targets: [{ Key: 'resource-groups:Name', Values: ['prod'] }, { Key: 'resource-groups:ResourceTypeFilters', Values: ['AWS::EC2::Instance'] }] }));
    assert.ok(group.WindowTargetId);
    await rejectsWith(send(new RegisterTargetWithMaintenanceWindowCommand({ WindowId: windowId, ResourceType: 'RESOURCE_GROUP', Targets: [{ Key: 'InstanceIds', Values: ['i-1'] }] })), 'ValidationException');
  });

  test('update target: partial, Replace, and unknown ids', async () => {
    const id = await registerInstances(['i-1'], { OwnerInformation: 'o', Name: 'first', Description: 'desc' });
    const partial = await send(new UpdateMaintenanceWindowTargetCommand({ WindowId: windowId, WindowTargetId: id, Name: 'second' }));
    assert.equal(partial.Name, 'second');
    assert.equal(partial.OwnerInformation, 'o');
    assert.deepEqual(partial.Targets, [{ Key: 'InstanceIds', Values: ['i-1'] }]);
    await rejectsWith(send(new UpdateMaintenanceWindowTargetCommand({ WindowId: windowId, WindowTargetId: id, Replace: true, Name: 'x-y' })), 'ValidationException');
    const replaced = await send(new UpdateMaintenanceWindowTargetCommand({ WindowId: windowId, WindowTargetId: id, Replace: true, Targets: [{ Key: 'InstanceIds', Values: ['i-2'] }] }));
    assert.equal(replaced.Name, undefined);
    assert.equal(replaced.OwnerInformation, undefined);
    assert.deepEqual(replaced.Targets, [{ Key: 'InstanceIds', Values: ['i-2'] }]);
    await rejectsWith(send(new UpdateMaintenanceWindowTargetCommand({ WindowId: windowId, WindowTargetId: U0, Name: 'abc' })), 'DoesNotExistException', `Maintenance window target ${U0} does not exist`);
  });

  test('register a RUN_COMMAND task and read every member back', async () => {
    const targetId = await registerInstances();
    const { WindowTaskId } = await send(new RegisterTaskWithMaintenanceWindowCommand({
      WindowId: windowId,
      TaskArn: 'AWS-RunShellScript',
      TaskType: 'RUN_COMMAND',
      Targets: [{ Key: 'WindowTargetIds', Values: [targetId] }],
      MaxConcurrency: '2',
      MaxErrors: '1',
      Priority: 1,
      Name: 'disk-free',
      Description: 'disk usage',
      CutoffBehavior: 'CANCEL_TASK',
      ServiceRoleArn: 'arn:aws:iam::123456789012:role/MW',
      AlarmConfiguration: { IgnorePollAlarmFailure: true, Alarms: [{ Name: 'cpu-high' }] },
      LoggingInfo: { S3BucketName: 'logs-bucket', S3KeyPrefix: 'mw', S3Region: 'us-east-1' },
      TaskInvocationParameters: {
        RunCommand: {
          Comment: 'run {{WINDOW_ID}}',
          DocumentVersion: '$LATEST',
          Parameters: { commands: ['df'] },
          TimeoutSeconds: 600,
          OutputS3BucketName: 'out',
          NotificationConfig: { NotificationArn: 'arn:aws:sns:us-east-1:123456789012:t', NotificationEvents: ['Failed'], NotificationType: 'Command' },
          CloudWatchOutputConfig: { CloudWatchLogGroupName: 'grp', CloudWatchOutputEnabled: true },
        },
      },
    }));
    const task = await send(new GetMaintenanceWindowTaskCommand({ WindowId: windowId, WindowTaskId }));
    assert.equal(task.TaskType, 'RUN_COMMAND');
    assert.equal(task.TaskArn, 'AWS-RunShellScript');
    assert.deepEqual(task.Targets, [{ Key: 'WindowTargetIds', Values: [targetId] }]);
    assert.equal(task.MaxConcurrency, '2');
    assert.equal(task.MaxErrors, '1');
    assert.equal(task.Priority, 1);
    assert.equal(task.CutoffBehavior, 'CANCEL_TASK');
    assert.deepEqual(task.TaskParameters, {});
    assert.deepEqual(task.AlarmConfiguration, { IgnorePollAlarmFailure: true, Alarms: [{ Name: 'cpu-high' }] });
    assert.deepEqual(task.LoggingInfo, { S3BucketName: 'logs-bucket', S3KeyPrefix: 'mw', S3Region: 'us-east-1' });
    assert.equal(task.TaskInvocationParameters.RunCommand.Comment, 'run {{WINDOW_ID}}');
    assert.deepEqual(task.TaskInvocationParameters.RunCommand.Parameters, { commands: ['df'] });
    assert.equal(task.TaskInvocationParameters.RunCommand.TimeoutSeconds, 600);
    assert.deepEqual(task.TaskInvocationParameters.RunCommand.NotificationConfig.NotificationEvents, ['Failed']);
    assert.equal(task.ServiceRoleArn, 'arn:aws:iam::123456789012:role/MW');

    const { Tasks } = await send(new DescribeMaintenanceWindowTasksCommand({ WindowId: windowId }));
    assert.equal(Tasks.length, 1);
    assert.equal(Tasks[0].Type, 'RUN_COMMAND');
    assert.equal(Tasks[0].TaskInvocationParameters, undefined);
    assert.equal(Tasks[0].WindowTaskId, WindowTaskId);
  });

  test('targetless tasks get the "1" placeholders and refuse rate controls', async () => {
    await rejectsWith(send(new RegisterTaskWithMaintenanceWindowCommand({ WindowId: windowId, TaskArn: 'AWS-RestartEC2Instance', TaskType: 'AUTOMATION', MaxConcurrency: '1' })),
      'ValidationException', 'Maintenance window tasks without targets do not support MaxConcurrency values.');
    await rejectsWith(send(new RegisterTaskWithMaintenanceWindowCommand({ WindowId: windowId, TaskArn: 'AWS-RestartEC2Instance', TaskType: 'AUTOMATION', MaxConcurrency: '1', MaxErrors: '1' })),
      'ValidationException', 'Maintenance window tasks without targets do not support MaxErrors values. Maintenance window tasks without targets do not support MaxConcurrency values.');
    const { WindowTaskId } = await send(new RegisterTaskWithMaintenanceWindowCommand({ WindowId: windowId, TaskArn: 'AWS-RestartEC2Instance', TaskType: 'AUTOMATION',
      TaskInvocationParameters: { Automation: { DocumentVersion: '1', Parameters: { InstanceId: ['{{RESOURCE_ID}}'] } } } }));
    const task = await send(new GetMaintenanceWindowTaskCommand({ WindowId: windowId, WindowTaskId }));
    assert.equal(task.MaxConcurrency, '1');
    assert.equal(task.MaxErrors, '1');
    assert.deepEqual(task.Targets, []);
    assert.equal(task.ServiceRoleArn, 'arn:aws:iam::000000000000:role/aws-service-role/ssm.amazonaws.com/AWSServiceRoleForAmazonSSM');
    assert.deepEqual(task.TaskInvocationParameters.Automation.Parameters, { InstanceId: ['{{RESOURCE_ID}}'] });
    await rejectsWith(send(new RegisterTaskWithMaintenanceWindowCommand({ WindowId: windowId, TaskArn: 'AWS-RunShellScript', TaskType: 'RUN_COMMAND' })), 'ValidationException');
  });

  test('Lambda payloads round-trip as bytes', async () => {
    const { WindowTaskId } = await send(new RegisterTaskWithMaintenanceWindowCommand({
      WindowId: windowId, TaskArn: 'arn:aws:lambda:us-east-1:123456789012:function:f', TaskType: 'LAMBDA',
      TaskInvocationParameters: { Lambda: { Payload: new TextEncoder().encode('{"a":1}'), Qualifier: '1', ClientContext: 'ctx' } },
    }));
    const task = await send(new GetMaintenanceWindowTaskCommand({ WindowId: windowId, WindowTaskId }));
    assert.equal(new TextDecoder().decode(task.TaskInvocationParameters.Lambda.Payload), '{"a":1}');
    assert.equal(task.TaskInvocationParameters.Lambda.Qualifier, '1');
    const big = new Uint8Array(4097);
    await rejectsWith(send(new RegisterTaskWithMaintenanceWindowCommand({ WindowId: windowId, TaskArn: 'f', TaskType: 'LAMBDA', TaskInvocationParameters: { Lambda: { Payload: big } } })), 'ValidationException', /payload/);
  });

  test('task shape and cross-field validation', async () => {
    const targetId = await registerInstances();
    const base = { WindowId: windowId, TaskArn: 'AWS-RunShellScript', TaskType: 'RUN_COMMAND', Targets: [{ Key: 'WindowTargetIds', Values: [targetId] }], MaxConcurrency: '1', MaxErrors: '1' } as any;
    for (const MaxConcurrency of ['0', '0%', '101%', '12345678']) {
      await rejectsWith(send(new RegisterTaskWithMaintenanceWindowCommand({ ...base, MaxConcurrency })), 'ValidationException', /maxConcurrency/);
    }
    for (const [MaxConcurrency, MaxErrors] of [['100%', '0'], ['10', '0%']]) {
      assert.ok((await send(new RegisterTaskWithMaintenanceWindowCommand({ ...base, MaxConcurrency, MaxErrors }))).WindowTaskId);
    }
    await rejectsWith(send(new RegisterTaskWithMaintenanceWindowCommand({ ...base, Priority: -1 })), 'ValidationException', "1 validation error detected: Value '-1' at 'priority' failed to satisfy constraint: Member must have value greater than or equal to 0");
    await rejectsWith(send(new RegisterTaskWithMaintenanceWindowCommand({ ...base, TaskType: 'SHELL' as never })), 'ValidationException', /Member must satisfy enum value set: \[RUN_COMMAND, AUTOMATION, STEP_FUNCTIONS, LAMBDA\]$/);
    await rejectsWith(send(new RegisterTaskWithMaintenanceWindowCommand({ ...base, AlarmConfiguration: { Alarms: [{ Name: 'a' }, { Name: 'b' }] } })), 'ValidationException', /at 'alarmConfiguration.alarms' failed to satisfy constraint: Member must have length less than or equal to 1$/);
    await rejectsWith(send(new RegisterTaskWithMaintenanceWindowCommand({ ...base, Targets: [{ Key: 'WindowTargetIds', Values: [U0] }] })), 'DoesNotExistException');
    await rejectsWith(send(new RegisterTaskWithMaintenanceWindowCommand({ ...base, Targets: [{ Key: 'InstanceIds', Values: ['i-1'] }] })), 'ValidationException', /AllowUnassociatedTargets/);
    await rejectsWith(send(new RegisterTaskWithMaintenanceWindowCommand({ ...base, TaskInvocationParameters: { Lambda: { Qualifier: '1' } } })), 'ValidationException');
    assert.ok((await send(new RegisterTaskWithMaintenanceWindowCommand({ ...base, WindowId: openWindowId, Targets: [{ Key: 'InstanceIds', Values: ['i-1'] }] }))).WindowTaskId);
    await rejectsWith(send(new RegisterTaskWithMaintenanceWindowCommand({ ...base, WindowId: W0 })), 'DoesNotExistException', `Maintenance window ${W0} does not exist`);
    await rejectsWith(send(new GetMaintenanceWindowTaskCommand({ WindowId: windowId, WindowTaskId: 'not-a-uuid' })), 'ValidationException', /^2 validation errors detected: .*length greater than or equal to 36; .*regular expression pattern/);
    await rejectsWith(send(new DeregisterTaskFromMaintenanceWindowCommand({ WindowId: windowId, WindowTaskId: U0 })), 'DoesNotExistException', `Maintenance window task ${U0} does not exist`);
  });

  test('update task: partial, wholesale invocation parameters, Replace', async () => {
    const targetId = await registerInstances();
    const { WindowTaskId } = await send(new RegisterTaskWithMaintenanceWindowCommand({
      WindowId: windowId, TaskArn: 'AWS-RunShellScript', TaskType: 'RUN_COMMAND', Targets: [{ Key: 'WindowTargetIds', Values: [targetId] }],
      MaxConcurrency: '1', MaxErrors: '1', Name: 'first', Description: 'd',
      TaskInvocationParameters: { RunCommand: { Comment: 'c', TimeoutSeconds: 60 } },
    }));
    const updated = await send(new UpdateMaintenanceWindowTaskCommand({ WindowId: windowId, WindowTaskId, Priority: 5, TaskInvocationParameters: { RunCommand: { Comment: 'only comment' } } }));
    assert.equal(updated.Priority, 5);
    assert.equal(updated.Name, 'first');
    assert.deepEqual(updated.TaskInvocationParameters, { RunCommand: { Comment: 'only comment' } });
    const replaced = await send(new UpdateMaintenanceWindowTaskCommand({ WindowId: windowId, WindowTaskId, Replace: true, TaskArn: 'AWS-RunPowerShellScript', Targets: [{ Key: 'WindowTargetIds', Values: [targetId] }], MaxConcurrency: '3', MaxErrors: '2' }));
    assert.equal(replaced.Name, undefined);
    assert.equal(replaced.Description, undefined);
    assert.equal(replaced.TaskInvocationParameters, undefined);
    assert.equal(replaced.TaskArn, 'AWS-RunPowerShellScript');
    const filtered = await send(new DescribeMaintenanceWindowTasksCommand({ WindowId: windowId, Filters: [{ Key: 'Priority', Values: ['0'] }, { Key: 'TaskType', Values: ['RUN_COMMAND'] }] }));
    // Replace without Priority resets it to the default, 0 (issue 11, B.1).
    assert.equal(filtered.Tasks.length, 1);
    const none = await send(new DescribeMaintenanceWindowTasksCommand({ WindowId: windowId, Filters: [{ Key: 'Priority', Values: ['5'] }] }));
    assert.equal(none.Tasks.length, 0);
    await rejectsWith(send(new UpdateMaintenanceWindowTaskCommand({ WindowId: windowId, WindowTaskId: U0, Priority: 1 })), 'DoesNotExistException');
  });

  test('Safe deregistration refuses a referenced target; unsafe removes it from the task', async () => {
    const targetId = await registerInstances();
    const other = await registerInstances(['i-2']);
    const { WindowTaskId } = await send(new RegisterTaskWithMaintenanceWindowCommand({
      WindowId: windowId, TaskArn: 'AWS-RunShellScript', TaskType: 'RUN_COMMAND', Targets: [{ Key: 'WindowTargetIds', Values: [targetId, other] }], MaxConcurrency: '1', MaxErrors: '1',
    }));
    await rejectsWith(send(new DeregisterTargetFromMaintenanceWindowCommand({ WindowId: windowId, WindowTargetId: targetId, Safe: true })),
      'TargetInUseException', `This Target cannot be deregistered because it is still referenced in Task: ${WindowTaskId}`);
    const done = await send(new DeregisterTargetFromMaintenanceWindowCommand({ WindowId: windowId, WindowTargetId: targetId }));
    assert.deepEqual({ WindowId: done.WindowId, WindowTargetId: done.WindowTargetId }, { WindowId: windowId, WindowTargetId: targetId });
    const task = await send(new GetMaintenanceWindowTaskCommand({ WindowId: windowId, WindowTaskId }));
    assert.deepEqual(task.Targets, [{ Key: 'WindowTargetIds', Values: [other] }]);
    await rejectsWith(send(new DeregisterTargetFromMaintenanceWindowCommand({ WindowId: windowId, WindowTargetId: targetId })), 'DoesNotExistException');
  });

  test('a task left without targets by an unsafe deregistration keeps its rate controls through later updates (fuzzer seed 560912223)', async () => {
    const targetId = await registerInstances();
    const { WindowTaskId } = await send(new RegisterTaskWithMaintenanceWindowCommand({
      WindowId: windowId, TaskArn: 'AWS-RestartEC2Instance', TaskType: 'AUTOMATION', Targets: [{ Key: 'WindowTargetIds', Values: [targetId] }], MaxConcurrency: '100%', MaxErrors: '1',
    }));
    await send(new DeregisterTargetFromMaintenanceWindowCommand({ WindowId: windowId, WindowTargetId: targetId, Safe: false }));
    const left = await send(new GetMaintenanceWindowTaskCommand({ WindowId: windowId, WindowTaskId }));
    assert.deepEqual([left.Targets, left.MaxConcurrency, left.MaxErrors], [[], '1', '1'], 'stored as a targetless task is');
    await send(new UpdateMaintenanceWindowTaskCommand({ WindowId: windowId, WindowTaskId, Name: 'renamed' }));
    const renamed = await send(new GetMaintenanceWindowTaskCommand({ WindowId: windowId, WindowTaskId }));
    assert.deepEqual([renamed.Name, renamed.MaxConcurrency, renamed.MaxErrors], ['renamed', left.MaxConcurrency, left.MaxErrors], 'renaming changes nothing else');
  });

  test('targets page, filter, and obey the quota; tasks obey theirs', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) ids.push(await registerInstances([`i-${i}`], { OwnerInformation: i % 2 ? 'odd' : 'even' }));
    await rejectsWith(send(new RegisterTargetWithMaintenanceWindowCommand({ WindowId: windowId, ResourceType: 'INSTANCE', Targets: [{ Key: 'InstanceIds', Values: ['i-x'] }] })), 'ResourceLimitExceededException');
    const seen: string[] = [];
    for await (const page of paginateDescribeMaintenanceWindowTargets({ client: server.client, pageSize: 10 }, { WindowId: windowId, Filters: [{ Key: 'OwnerInformation', Values: ['odd'] }] })) {
      seen.push(...page.Targets!.map((t) => t.WindowTargetId!));
    }
    assert.deepEqual(seen, ids.filter((_, i) => i % 2 === 1));
    const byId = await send(new DescribeMaintenanceWindowTargetsCommand({ WindowId: windowId, Filters: [{ Key: 'WindowTargetId', Values: [ids[3]] }, { Key: 'Type', Values: ['INSTANCE'] }] }));
    assert.deepEqual(byId.Targets.map((t: any) => t.WindowTargetId), [ids[3]]);
    await rejectsWith(send(new DescribeMaintenanceWindowTargetsCommand({ WindowId: W0 })), 'DoesNotExistException');
    for (let i = 0; i < 5; i++) await send(new RegisterTaskWithMaintenanceWindowCommand({ WindowId: windowId, TaskArn: 'AWS-RestartEC2Instance', TaskType: 'AUTOMATION' }));
    await rejectsWith(send(new RegisterTaskWithMaintenanceWindowCommand({ WindowId: windowId, TaskArn: 'AWS-RestartEC2Instance', TaskType: 'AUTOMATION' })), 'ResourceLimitExceededException');
  });

  test('ClientToken makes register idempotent', async () => {
    const a = await registerInstances(['i-1'], { ClientToken: 'tok-1' });
    const b = await registerInstances(['i-1'], { ClientToken: 'tok-1' });
    assert.equal(a, b);
    await rejectsWith(send(new RegisterTargetWithMaintenanceWindowCommand({ WindowId: windowId, ResourceType: 'INSTANCE', Targets: [{ Key: 'InstanceIds', Values: ['i-2'] }], ClientToken: 'tok-1' })), 'IdempotentParameterMismatch');
    const taskInput = { WindowId: windowId, TaskArn: 'AWS-RestartEC2Instance', TaskType: 'AUTOMATION', ClientToken: 'tok-2' } as const;
    const t1 = await send(new RegisterTaskWithMaintenanceWindowCommand(taskInput));
    const t2 = await send(new RegisterTaskWithMaintenanceWindowCommand(taskInput));
    assert.equal(t1.WindowTaskId, t2.WindowTaskId);
    await rejectsWith(send(new RegisterTaskWithMaintenanceWindowCommand({ ...taskInput, Priority: 9 })), 'IdempotentParameterMismatch');
  });

  test('deleting a window removes its targets and tasks', async () => {
    const targetId = await registerInstances();
    await send(new RegisterTaskWithMaintenanceWindowCommand({ WindowId: windowId, TaskArn: 'AWS-RunShellScript', TaskType: 'RUN_COMMAND', Targets: [{ Key: 'WindowTargetIds', Values: [targetId] }], MaxConcurrency: '1', MaxErrors: '1' }));
    await send(new DeleteMaintenanceWindowCommand({ WindowId: windowId }));
    await rejectsWith(send(new DescribeMaintenanceWindowTargetsCommand({ WindowId: windowId })), 'DoesNotExistException');
    await rejectsWith(send(new DescribeMaintenanceWindowTasksCommand({ WindowId: windowId })), 'DoesNotExistException');
  });
});
