// The seed scenario through the real SDK: a window with three instances and a Run Command task, fired
// through the control API on the manual clock. Every member the seeds list for executions, task
// executions and invocations is checked, then the exact errors of the history operations.

import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import {
  CancelMaintenanceWindowExecutionCommand,
  CreateMaintenanceWindowCommand,
  DescribeMaintenanceWindowExecutionsCommand,
  DescribeMaintenanceWindowExecutionTaskInvocationsCommand,
  DescribeMaintenanceWindowExecutionTasksCommand,
  GetMaintenanceWindowExecutionCommand,
  GetMaintenanceWindowExecutionTaskCommand,
  GetMaintenanceWindowExecutionTaskInvocationCommand,
  RegisterTargetWithMaintenanceWindowCommand,
  RegisterTaskWithMaintenanceWindowCommand,
  paginateDescribeMaintenanceWindowExecutionTasks,
} from '@aws-sdk/client-ssm';
import { advance, fire, UUID } from '../support/control.ts';
import { rejectsWith } from '../support/errors.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const T0 = Date.parse('2026-03-01T00:00:00Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);
const U0 = '00000000-0000-4000-8000-000000000000';
const W0 = 'mw-00000000000000000';
const UUID_PATTERN = '^[0-9a-fA-F]{8}\\-[0-9a-fA-F]{4}\\-[0-9a-fA-F]{4}\\-[0-9a-fA-F]{4}\\-[0-9a-fA-F]{12}$';
const STATUSES = ['PENDING', 'IN_PROGRESS', 'SUCCESS', 'FAILED', 'TIMED_OUT', 'CANCELLING', 'CANCELLED'] as const;

/** AWS's message for a malformed execution/task/invocation id at `path`. */
function badId(path: string, value: string): string {
  const pattern = `Value '${value}' at '${path}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${UUID_PATTERN}`;
  if (value.length === 36) return `1 validation error detected: ${pattern}`;
  const bound = value.length < 36 ? 'greater than or equal to 36' : 'less than or equal to 36';
  return `2 validation errors detected: Value '${value}' at '${path}' failed to satisfy constraint: Member must have length ${bound}; ${pattern}`;
}

describe('engine: the seed scenario and the history operations', () => {
  let server: TestServer;
  const send = (command: any): Promise<any> => server.client.send(command);
  let windowId: string;
  let windowTargetId: string;

  beforeEach(async () => {
    server = await startTestServer({ clockMode: 'manual', manualClockStart: T0, invocationSeconds: 30 });
    windowId = (await send(new CreateMaintenanceWindowCommand({ Name: 'seed', Schedule: 'rate(1 day)', Duration: 2, Cutoff: 1, AllowUnassociatedTargets: false }))).WindowId;
    windowTargetId = (await send(new RegisterTargetWithMaintenanceWindowCommand({
      WindowId: windowId, ResourceType: 'INSTANCE', OwnerInformation: 'team-a', Targets: [{ Key: 'InstanceIds', Values: ['i-1', 'i-2', 'i-3'] }],
    }))).WindowTargetId;
    await send(new RegisterTaskWithMaintenanceWindowCommand({
      WindowId: windowId, TaskArn: 'AWS-RunShellScript', TaskType: 'RUN_COMMAND', Priority: 3,
      // MaxConcurrency 3: the command runs its three instances at once (rate control is inside the command, SPEC 3.5).
      Targets: [{ Key: 'WindowTargetIds', Values: [windowTargetId] }], MaxConcurrency: '3', MaxErrors: '1',
      ServiceRoleArn: 'arn:aws:iam::123456789012:role/MW',
      TaskParameters: { commands: { Values: ['df -h'] } },
      AlarmConfiguration: { IgnorePollAlarmFailure: true, Alarms: [{ Name: 'cpu-high' }] },
    }));
  });
  afterEach(() => server.stop());

  test('one execution, one task execution, ONE Run Command invocation carrying the three instances; SUCCESS after 30 s', async () => {
    const executionId = await fire(server, windowId);
    const running = await send(new GetMaintenanceWindowExecutionCommand({ WindowExecutionId: executionId }));
    assert.equal(running.WindowExecutionId, executionId);
    assert.equal(running.Status, 'IN_PROGRESS');
    assert.equal(running.StatusDetails, undefined);
    assert.deepEqual(running.StartTime, at(0));
    assert.equal(running.EndTime, undefined);
    assert.equal(running.TaskIds.length, 1);
    const taskExecutionId = running.TaskIds[0];
    assert.match(taskExecutionId, UUID);

    const [invocation] = (await send(new DescribeMaintenanceWindowExecutionTaskInvocationsCommand({ WindowExecutionId: executionId, TaskId: taskExecutionId }))).WindowExecutionTaskInvocationIdentities;
    assert.equal(invocation.Status, 'IN_PROGRESS');
    assert.equal(invocation.EndTime, undefined);
    assert.equal(invocation.StatusDetails, 'InProgress', "the invocation's details are its command's");

    await advance(server, 29);
    assert.equal((await send(new GetMaintenanceWindowExecutionCommand({ WindowExecutionId: executionId }))).Status, 'IN_PROGRESS');
    await advance(server, 1);

    const done = await send(new GetMaintenanceWindowExecutionCommand({ WindowExecutionId: executionId }));
    const { $metadata: _m1, ...execution } = done;
    assert.deepEqual(execution, { WindowExecutionId: executionId, TaskIds: [taskExecutionId], Status: 'SUCCESS', StartTime: at(0), EndTime: at(30) });

    const listed = await send(new DescribeMaintenanceWindowExecutionsCommand({ WindowId: windowId }));
    assert.deepEqual(listed.WindowExecutions, [{ WindowId: windowId, WindowExecutionId: executionId, Status: 'SUCCESS', StartTime: at(0), EndTime: at(30) }]);
    assert.equal(listed.NextToken, undefined);

    const alarm = { IgnorePollAlarmFailure: true, Alarms: [{ Name: 'cpu-high' }] };
    const tasks = await send(new DescribeMaintenanceWindowExecutionTasksCommand({ WindowExecutionId: executionId }));
    assert.deepEqual(tasks.WindowExecutionTaskIdentities, [{
      WindowExecutionId: executionId, TaskExecutionId: taskExecutionId, Status: 'SUCCESS', StartTime: at(0), EndTime: at(30),
      TaskArn: 'AWS-RunShellScript', TaskType: 'RUN_COMMAND', AlarmConfiguration: alarm,
    }]);

    const { $metadata: _m2, ...task } = await send(new GetMaintenanceWindowExecutionTaskCommand({ WindowExecutionId: executionId, TaskId: taskExecutionId }));
    // No alarm went off: the model's 1..1 list is left out rather than sent empty. SUCCESS has no details.
    assert.equal(task.TriggeredAlarms, undefined);
    assert.equal(task.StatusDetails, undefined);
    assert.deepEqual(task, {
      WindowExecutionId: executionId,
      TaskExecutionId: taskExecutionId,
      TaskArn: 'AWS-RunShellScript',
      ServiceRole: 'arn:aws:iam::123456789012:role/MW',
      Type: 'RUN_COMMAND',
      // As AWS's CLI example shows it: the parameters and every instance of the execution (issue 11, B.2).
      TaskParameters: [{ 'aws:InstanceId': { Values: ['i-1', 'i-2', 'i-3'] }, commands: { Values: ['df -h'] } }],
      Priority: 3,
      MaxConcurrency: '3',
      MaxErrors: '1',
      Status: 'SUCCESS',
      StartTime: at(0),
      EndTime: at(30),
      AlarmConfiguration: alarm,
    });

    const invocations = (await send(new DescribeMaintenanceWindowExecutionTaskInvocationsCommand({ WindowExecutionId: executionId, TaskId: taskExecutionId }))).WindowExecutionTaskInvocationIdentities;
    assert.equal(invocations.length, 1, 'RUN_COMMAND: one invocation per window target (SPEC 3.5 correction)');
    const [item] = invocations;
    assert.match(item.InvocationId, UUID);
    assert.match(item.ExecutionId, UUID);
    assert.notEqual(item.ExecutionId, item.InvocationId);
    assert.equal(item.InvocationId, invocation.InvocationId);
    assert.equal(item.ExecutionId, invocation.ExecutionId, 'the command id does not change while it runs');
    assert.deepEqual(JSON.parse(item.Parameters), {
      comment: '', documentName: 'AWS-RunShellScript', instanceIds: ['i-1', 'i-2', 'i-3'], maxConcurrency: '3', maxErrors: '1',
      parameters: { commands: ['df -h'] }, timeoutSeconds: 600,
    });
    assert.deepEqual({ ...item, Parameters: undefined }, {
      WindowExecutionId: executionId, TaskExecutionId: taskExecutionId, InvocationId: item.InvocationId, ExecutionId: item.ExecutionId,
      TaskType: 'RUN_COMMAND', Parameters: undefined, Status: 'SUCCESS', StatusDetails: 'Success', StartTime: at(0), EndTime: at(30),
      OwnerInformation: 'team-a', WindowTargetId: windowTargetId,
    });
    const { $metadata: _m3, ...got } = await send(new GetMaintenanceWindowExecutionTaskInvocationCommand({ WindowExecutionId: executionId, TaskId: taskExecutionId, InvocationId: item.InvocationId }));
    assert.deepEqual(got, item, 'Get returns exactly the Describe item');
  });

  test('STATUS filters on task executions and invocations, with each value', async () => {
    const executionId = await fire(server, windowId);
    const { TaskIds: [taskId] } = await send(new GetMaintenanceWindowExecutionCommand({ WindowExecutionId: executionId }));
    const count = async (status: string | string[]) => {
      const Filters = [{ Key: 'STATUS', Values: Array.isArray(status) ? status : [status] }];
      const tasks = (await send(new DescribeMaintenanceWindowExecutionTasksCommand({ WindowExecutionId: executionId, Filters }))).WindowExecutionTaskIdentities;
      const invocations = (await send(new DescribeMaintenanceWindowExecutionTaskInvocationsCommand({ WindowExecutionId: executionId, TaskId: taskId, Filters }))).WindowExecutionTaskInvocationIdentities;
      return [tasks.length, invocations.length];
    };
    for (const status of STATUSES) assert.deepEqual(await count(status), status === 'IN_PROGRESS' ? [1, 1] : [0, 0], `while running, STATUS=${status}`);
    await advance(server, 30);
    for (const status of STATUSES) assert.deepEqual(await count(status), status === 'SUCCESS' ? [1, 1] : [0, 0], `when done, STATUS=${status}`);
    assert.deepEqual(await count(['FAILED', 'SUCCESS']), [1, 1], 'the values of one filter are ORed');
    assert.deepEqual(await count(['PENDING', 'CANCELLED']), [0, 0]);
  });

  test('malformed ids: ValidationException with AWS text (length and pattern)', async () => {
    const executionId = await fire(server, windowId);
    const { TaskIds: [taskId] } = await send(new GetMaintenanceWindowExecutionCommand({ WindowExecutionId: executionId }));
    const short = executionId.slice(1); // 35 characters
    const long = `${executionId}0`; // 37
    const notHex = 'z'.repeat(36);
    for (const bad of [short, long, notHex]) {
      await rejectsWith(send(new GetMaintenanceWindowExecutionCommand({ WindowExecutionId: bad })), 'ValidationException', badId('windowExecutionId', bad));
      await rejectsWith(send(new DescribeMaintenanceWindowExecutionTasksCommand({ WindowExecutionId: bad })), 'ValidationException', badId('windowExecutionId', bad));
      await rejectsWith(send(new CancelMaintenanceWindowExecutionCommand({ WindowExecutionId: bad })), 'ValidationException', badId('windowExecutionId', bad));
      await rejectsWith(send(new GetMaintenanceWindowExecutionTaskCommand({ WindowExecutionId: executionId, TaskId: bad })), 'ValidationException', badId('taskId', bad));
      await rejectsWith(send(new DescribeMaintenanceWindowExecutionTaskInvocationsCommand({ WindowExecutionId: executionId, TaskId: bad })), 'ValidationException', badId('taskId', bad));
      await rejectsWith(send(new GetMaintenanceWindowExecutionTaskInvocationCommand({ WindowExecutionId: executionId, TaskId: taskId, InvocationId: bad })), 'ValidationException', badId('invocationId', bad));
    }
    await rejectsWith(send(new DescribeMaintenanceWindowExecutionsCommand({ WindowId: 'mw-1' })), 'ValidationException',
      "2 validation errors detected: Value 'mw-1' at 'windowId' failed to satisfy constraint: Member must have length greater than or equal to 20; Value 'mw-1' at 'windowId' failed to satisfy constraint: Member must satisfy regular expression pattern: ^mw-[0-9a-f]{17}$");
  });

  test('unknown well-formed ids: DoesNotExistException naming the first missing level', async () => {
    const executionId = await fire(server, windowId);
    const { TaskIds: [taskId] } = await send(new GetMaintenanceWindowExecutionCommand({ WindowExecutionId: executionId }));
    const [invocation] = (await send(new DescribeMaintenanceWindowExecutionTaskInvocationsCommand({ WindowExecutionId: executionId, TaskId: taskId }))).WindowExecutionTaskInvocationIdentities;
    const noExecution = `Maintenance window execution ${U0} does not exist`;
    const noTask = `Maintenance window execution task ${U0} does not exist`;
    await rejectsWith(send(new GetMaintenanceWindowExecutionCommand({ WindowExecutionId: U0 })), 'DoesNotExistException', noExecution);
    await rejectsWith(send(new DescribeMaintenanceWindowExecutionTasksCommand({ WindowExecutionId: U0 })), 'DoesNotExistException', noExecution);
    await rejectsWith(send(new CancelMaintenanceWindowExecutionCommand({ WindowExecutionId: U0 })), 'DoesNotExistException', noExecution);
    await rejectsWith(send(new GetMaintenanceWindowExecutionTaskCommand({ WindowExecutionId: U0, TaskId: taskId })), 'DoesNotExistException', noExecution);
    await rejectsWith(send(new GetMaintenanceWindowExecutionTaskCommand({ WindowExecutionId: executionId, TaskId: U0 })), 'DoesNotExistException', noTask);
    await rejectsWith(send(new DescribeMaintenanceWindowExecutionTaskInvocationsCommand({ WindowExecutionId: U0, TaskId: taskId })), 'DoesNotExistException', noExecution);
    await rejectsWith(send(new DescribeMaintenanceWindowExecutionTaskInvocationsCommand({ WindowExecutionId: executionId, TaskId: U0 })), 'DoesNotExistException', noTask);
    await rejectsWith(send(new GetMaintenanceWindowExecutionTaskInvocationCommand({ WindowExecutionId: executionId, TaskId: taskId, InvocationId: U0 })),
      'DoesNotExistException', `Maintenance window execution task invocation ${U0} does not exist`);
    await rejectsWith(send(new GetMaintenanceWindowExecutionTaskInvocationCommand({ WindowExecutionId: executionId, TaskId: U0, InvocationId: invocation.InvocationId })), 'DoesNotExistException', noTask);

    // A task execution of another window execution does not exist as far as this one is concerned.
    await advance(server, 30);
    const second = await fire(server, windowId);
    await rejectsWith(send(new GetMaintenanceWindowExecutionTaskCommand({ WindowExecutionId: second, TaskId: taskId })), 'DoesNotExistException', `Maintenance window execution task ${taskId} does not exist`);
    const { TaskIds: [secondTask] } = await send(new GetMaintenanceWindowExecutionCommand({ WindowExecutionId: second }));
    await rejectsWith(send(new GetMaintenanceWindowExecutionTaskInvocationCommand({ WindowExecutionId: second, TaskId: secondTask, InvocationId: invocation.InvocationId })),
      'DoesNotExistException', `Maintenance window execution task invocation ${invocation.InvocationId} does not exist`);

    // The model lists no DoesNotExistException for DescribeMaintenanceWindowExecutions: an unknown window has none.
    const none = await send(new DescribeMaintenanceWindowExecutionsCommand({ WindowId: W0 }));
    assert.deepEqual(none.WindowExecutions, []);
  });

  test('task executions page in priority order; GetMaintenanceWindowExecution names them all', async () => {
    for (let priority = 12; priority >= 1; priority--) {
      await send(new RegisterTaskWithMaintenanceWindowCommand({
        WindowId: windowId, TaskArn: `doc-${priority}`, TaskType: 'AUTOMATION', Priority: priority, Targets: [{ Key: 'WindowTargetIds', Values: [windowTargetId] }], MaxConcurrency: '3', MaxErrors: '0',
      }));
    }
    const executionId = await fire(server, windowId);
    await advance(server, 3600);
    const { TaskIds, Status } = await send(new GetMaintenanceWindowExecutionCommand({ WindowExecutionId: executionId }));
    assert.equal(Status, 'SUCCESS');
    assert.equal(TaskIds.length, 13);
    const pages = [];
    for await (const page of paginateDescribeMaintenanceWindowExecutionTasks({ client: server.client, pageSize: 10 }, { WindowExecutionId: executionId })) pages.push(page.WindowExecutionTaskIdentities!);
    assert.deepEqual(pages.map((p) => p.length), [10, 3]);
    const listed = pages.flat();
    assert.deepEqual(listed.map((t) => t.TaskExecutionId), TaskIds);
    // By Priority; within priority 3, the seed's Run Command task (registered first) before doc-3.
    assert.deepEqual(listed.map((t) => t.TaskArn), ['doc-1', 'doc-2', 'AWS-RunShellScript', ...Array.from({ length: 10 }, (_, i) => `doc-${i + 3}`)]);
    assert.deepEqual(listed.map((t) => t.Status), Array(13).fill('SUCCESS'));
    const starts = listed.map((t) => t.StartTime!.getTime());
    assert.deepEqual(starts, [...starts].sort((a, b) => a - b), 'start order');
  });

  test('MaxResults bounds and filter validation', async () => {
    const executionId = await fire(server, windowId);
    const { TaskIds: [taskId] } = await send(new GetMaintenanceWindowExecutionCommand({ WindowExecutionId: executionId }));
    const operations = [
      (extra: object) => new DescribeMaintenanceWindowExecutionsCommand({ WindowId: windowId, ...extra }),
      (extra: object) => new DescribeMaintenanceWindowExecutionTasksCommand({ WindowExecutionId: executionId, ...extra }),
      (extra: object) => new DescribeMaintenanceWindowExecutionTaskInvocationsCommand({ WindowExecutionId: executionId, TaskId: taskId, ...extra }),
    ];
    for (const make of operations) {
      await rejectsWith(send(make({ MaxResults: 9 })), 'ValidationException', "1 validation error detected: Value '9' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 10");
      await rejectsWith(send(make({ MaxResults: 101 })), 'ValidationException', "1 validation error detected: Value '101' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100");
      await send(make({ MaxResults: 10 }));
      await send(make({ MaxResults: 100 }));
      const six = Array.from({ length: 6 }, () => ({ Key: 'STATUS', Values: ['SUCCESS'] }));
      await rejectsWith(send(make({ Filters: six })), 'ValidationException', /^1 validation error detected: Value '.*' at 'filters' failed to satisfy constraint: Member must have length less than or equal to 5$/);
    }
    const [, tasksOp, invocationsOp] = operations;
    for (const make of [tasksOp, invocationsOp]) {
      await rejectsWith(send(make({ Filters: [{ Key: 'Status', Values: ['SUCCESS'] }] })), 'ValidationException', 'The filter key Status is not valid. Valid filter keys are: STATUS.');
      await rejectsWith(send(make({ Filters: [{ Key: 'STATUS', Values: ['DONE'] }] })), 'ValidationException',
        'The filter STATUS value DONE is not valid. Valid values are: PENDING, IN_PROGRESS, SUCCESS, FAILED, TIMED_OUT, CANCELLING, CANCELLED.');
      await rejectsWith(send(make({ Filters: [{ Key: 'STATUS', Values: ['SKIPPED_OVERLAPPING'] }] })), 'ValidationException',
        'The filter STATUS value SKIPPED_OVERLAPPING is not valid. Valid values are: PENDING, IN_PROGRESS, SUCCESS, FAILED, TIMED_OUT, CANCELLING, CANCELLED.');
      await rejectsWith(send(make({ Filters: [{ Key: 'STATUS', Values: [] }] })), 'ValidationException', 'The filter STATUS must have at least one value.');
    }
    const [executionsOp] = operations;
    await rejectsWith(send(executionsOp({ Filters: [{ Key: 'STATUS', Values: ['SUCCESS'] }] })), 'ValidationException', 'The filter key STATUS is not valid. Valid filter keys are: ExecutedBefore, ExecutedAfter.');
    await rejectsWith(send(executionsOp({ Filters: [{ Key: 'ExecutedBefore', Values: ['yesterday'] }] })), 'ValidationException', 'The filter ExecutedBefore value yesterday is not a valid ISO-8601 date-time.');
  });
});
