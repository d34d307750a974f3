// Maintenance-window RUN_COMMAND tasks send real Run Command commands (issue 8, item 4): the invocation's
// ExecutionId is the command id, the command shows every instance, rate control happens inside the
// command, the invocation follows the command's status, CANCEL_TASK cancels at the cutoff, a user's
// CancelCommand cancels the invocation, and a restart loses nothing in flight. Manual clock, real SDK.

import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { afterEach, describe, test } from 'node:test';
import {
  CancelCommandCommand, CancelMaintenanceWindowExecutionCommand, CreateMaintenanceWindowCommand, GetCommandInvocationCommand,
  ListCommandInvocationsCommand, ListCommandsCommand, RegisterTargetWithMaintenanceWindowCommand, RegisterTaskWithMaintenanceWindowCommand,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import { advance, executionTree, fire, setOutcomes } from '../support/control.ts';
import { startTestServer, tempDataDir, type TestServer } from '../support/server.ts';

const T0 = Date.parse('2026-09-01T00:00:00Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);
const CUTOFF_REACHED = 'The maintenance window cutoff was reached before the task completed.';

describe('maintenance-window RUN_COMMAND tasks send Run Command commands', () => {
  const servers: TestServer[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    while (servers.length > 0) await servers.pop()!.stop();
    while (dirs.length > 0) rmSync(dirs.pop()!, { recursive: true, force: true });
  });
  async function start(options: { dataDir?: string; clockStart?: number } = {}): Promise<TestServer> {
    const server = await startTestServer({ dataDir: options.dataDir, clockMode: 'manual', manualClockStart: options.clockStart ?? T0, invocationSeconds: 30 });
    servers.push(server);
    return server;
  }

  /** A window (Duration 2, Cutoff 1) with one window target of `instances` and a RUN_COMMAND task over it. */
  async function windowWithCommand(client: SSMClient, instances: string[], task: Record<string, unknown> = {}) {
    const { WindowId } = await client.send(new CreateMaintenanceWindowCommand({ Name: 'patching', Schedule: 'rate(1 day)', Duration: 2, Cutoff: 1, AllowUnassociatedTargets: false }));
    const { WindowTargetId } = await client.send(new RegisterTargetWithMaintenanceWindowCommand({
      WindowId, ResourceType: 'INSTANCE', OwnerInformation: 'web-team', Targets: [{ Key: 'InstanceIds', Values: instances }],
    }));
    const { WindowTaskId } = await client.send(new RegisterTaskWithMaintenanceWindowCommand({
      WindowId, TaskArn: 'AWS-RunShellScript', TaskType: 'RUN_COMMAND', Targets: [{ Key: 'WindowTargetIds', Values: [WindowTargetId!] }],
      MaxConcurrency: '2', MaxErrors: '1',
      TaskInvocationParameters: { RunCommand: { Parameters: { commands: ['yum -y update'] }, Comment: 'nightly {{WINDOW_EXECUTION_ID}}', TimeoutSeconds: 900 } },
      ...task,
    }));
    return { windowId: WindowId!, windowTargetId: WindowTargetId!, windowTaskId: WindowTaskId! };
  }

  test('drill-down: the ExecutionId is a command with every instance, rate-controlled by the task, with each node\'s output', async () => {
    const server = await start();
    const send = (command: any): Promise<any> => server.client.send(command);
    const { windowId } = await windowWithCommand(server.client, ['i-00000000000000001', 'i-00000000000000002', 'i-00000000000000003']);
    await setOutcomes(server, [
      { match: { windowId, resourceId: 'i-00000000000000002' }, status: 'FAILED', stdout: 'Loaded plugins\n', stderr: 'No space left on device', responseCode: 28 },
      { match: { windowId }, status: 'SUCCESS', stdout: 'Complete!\n' },
    ] as never);
    const executionId = await fire(server, windowId);
    await advance(server, 120);

    const { execution, tasks: [run] } = await executionTree(server.client, executionId);
    assert.equal(run.invocations.length, 1, 'one invocation (one command) per window target');
    const [invocation] = run.invocations;
    // MaxConcurrency 2 inside the command: i-1 and i-2 run first, i-3 when one of them is done.
    assert.deepEqual([invocation.Status, invocation.StatusDetails, invocation.StartTime, invocation.EndTime], ['FAILED', 'Failed', at(0), at(60)]);
    assert.deepEqual([run.task.Status, execution.Status], ['FAILED', 'FAILED']);

    const { Commands } = await send(new ListCommandsCommand({ CommandId: invocation.ExecutionId }));
    assert.equal(Commands.length, 1);
    const [command] = Commands;
    assert.deepEqual(
      [command.CommandId, command.DocumentName, command.Status, command.StatusDetails, command.TargetCount, command.CompletedCount, command.ErrorCount],
      [invocation.ExecutionId, 'AWS-RunShellScript', 'Failed', 'Failed', 3, 3, 1],
    );
    assert.deepEqual([command.MaxConcurrency, command.MaxErrors, command.TimeoutSeconds], ['2', '1', 900], "the task's rate control and timeout flow into the command");
    assert.equal(command.Comment, `nightly ${executionId}`, 'pseudo parameters are substituted before the command is sent');
    assert.deepEqual(command.InstanceIds, ['i-00000000000000001', 'i-00000000000000002', 'i-00000000000000003']);
    assert.deepEqual(command.Parameters, { commands: ['yum -y update'] }, 'as the task sent them: the defaults apply to the run, not the echo');
    assert.deepEqual(command.RequestedDateTime, at(0));

    const listed = (await send(new ListCommandInvocationsCommand({ CommandId: command.CommandId, Details: true }))).CommandInvocations;
    assert.deepEqual(listed.map((i: any) => [i.InstanceId, i.Status, i.CommandPlugins[0].Name, i.CommandPlugins[0].ResponseCode]), [
      ['i-00000000000000001', 'Success', 'aws:runShellScript', 0],
      ['i-00000000000000002', 'Failed', 'aws:runShellScript', 28],
      ['i-00000000000000003', 'Success', 'aws:runShellScript', 0],
    ]);
    const got = async (instance: string) => send(new GetCommandInvocationCommand({ CommandId: command.CommandId, InstanceId: instance }));
    const failed = await got('i-00000000000000002');
    assert.deepEqual([failed.Status, failed.ResponseCode, failed.StandardOutputContent, failed.StandardErrorContent], ['Failed', 28, 'Loaded plugins\n', 'No space left on device']);
    assert.deepEqual([failed.ExecutionStartDateTime, failed.ExecutionEndDateTime], ['2026-09-01T00:00:00.000Z', '2026-09-01T00:00:30.000Z']);
    const third = await got('i-00000000000000003');
    assert.deepEqual([third.Status, third.StandardOutputContent, third.ExecutionStartDateTime, third.ExecutionEndDateTime],
      ['Success', 'Complete!\n', '2026-09-01T00:00:30.000Z', '2026-09-01T00:01:00.000Z'], 'the third instance waited for a free slot');
  });

  test('the invocation follows its command while it runs: IN_PROGRESS with the command\'s details', async () => {
    const server = await start();
    const { windowId } = await windowWithCommand(server.client, ['i-00000000000000001']);
    const executionId = await fire(server, windowId);
    await advance(server, 10);
    const [invocation] = (await executionTree(server.client, executionId)).tasks[0].invocations;
    assert.deepEqual([invocation.Status, invocation.StatusDetails, invocation.EndTime], ['IN_PROGRESS', 'InProgress', undefined]);
    const command = (await server.client.send(new ListCommandsCommand({ CommandId: invocation.ExecutionId }))).Commands![0];
    assert.deepEqual([command.Status, command.StatusDetails], ['InProgress', 'InProgress']);
  });

  test('a request Run Command refuses fails the invocation at once, with the error, and sends nothing', async () => {
    const server = await start();
    const { windowId } = await windowWithCommand(server.client, ['i-00000000000000001'], { TaskInvocationParameters: { RunCommand: { Parameters: { command: ['uptime'] } } } });
    const executionId = await fire(server, windowId);
    const { execution, tasks: [run] } = await executionTree(server.client, executionId);
    const [invocation] = run.invocations;
    assert.equal(invocation.Status, 'FAILED');
    assert.match(invocation.StatusDetails!, /^InvalidParameters: /);
    assert.deepEqual([invocation.StartTime, invocation.EndTime, execution.Status], [at(0), at(0), 'FAILED']);
    assert.deepEqual((await server.client.send(new ListCommandsCommand({}))).Commands, []);
  });

  test('CANCEL_TASK at the cutoff: CancelCommand for the running command, which ends Cancelled, and the invocation TIMED_OUT', async () => {
    const server = await start();
    const send = (command: any): Promise<any> => server.client.send(command);
    const { windowId } = await windowWithCommand(server.client, ['i-00000000000000001', 'i-00000000000000002'], {
      CutoffBehavior: 'CANCEL_TASK',
      TaskInvocationParameters: { RunCommand: { Parameters: { commands: ['long-job'], executionTimeout: ['7200'] } } },
    });
    await setOutcomes(server, [{ match: { windowId }, status: 'SUCCESS', durationSeconds: 5400 }]);
    const executionId = await fire(server, windowId);
    await advance(server, 3599);
    assert.equal((await executionTree(server.client, executionId)).tasks[0].invocations[0].Status, 'IN_PROGRESS');
    await advance(server, 7200);

    const { execution, tasks: [run] } = await executionTree(server.client, executionId);
    const [invocation] = run.invocations;
    assert.deepEqual([invocation.Status, invocation.StatusDetails, invocation.EndTime], ['TIMED_OUT', CUTOFF_REACHED, at(3600)]);
    assert.deepEqual([run.task.Status, run.task.StatusDetails, run.task.EndTime], ['TIMED_OUT', CUTOFF_REACHED, at(3600)]);
    assert.deepEqual([execution.Status, execution.EndTime], ['TIMED_OUT', at(3600)]);
    const command = (await send(new ListCommandsCommand({ CommandId: invocation.ExecutionId }))).Commands[0];
    assert.deepEqual([command.Status, command.CompletedCount], ['Cancelled', 2]);
    const node = await send(new GetCommandInvocationCommand({ CommandId: invocation.ExecutionId, InstanceId: 'i-00000000000000001' }));
    assert.deepEqual([node.Status, node.StatusDetails, node.ExecutionEndDateTime], ['Cancelled', 'Cancelled', '2026-09-01T01:00:00.000Z']);
  });

  test('CancelMaintenanceWindowExecution: the running command is left to finish; the execution ends CANCELLED', async () => {
    const server = await start();
    const { windowId } = await windowWithCommand(server.client, ['i-00000000000000001']);
    const executionId = await fire(server, windowId);
    await advance(server, 10);
    await server.client.send(new CancelMaintenanceWindowExecutionCommand({ WindowExecutionId: executionId }));
    await advance(server, 60);
    const { execution, tasks: [run] } = await executionTree(server.client, executionId);
    assert.deepEqual([run.invocations[0].Status, run.invocations[0].EndTime], ['SUCCESS', at(30)]);
    assert.deepEqual([execution.Status, execution.EndTime], ['CANCELLED', at(30)]);
    const command = (await server.client.send(new ListCommandsCommand({ CommandId: run.invocations[0].ExecutionId }))).Commands![0];
    assert.equal(command.Status, 'Success');
  });

  test("a user's CancelCommand on a window's command: the command and the invocation end CANCELLED", async () => {
    const server = await start();
    const { windowId } = await windowWithCommand(server.client, ['i-00000000000000001', 'i-00000000000000002'], { MaxErrors: '5' });
    await setOutcomes(server, [{ match: { windowId }, status: 'SUCCESS', durationSeconds: 600 }]);
    const executionId = await fire(server, windowId);
    await advance(server, 100);
    const [running] = (await executionTree(server.client, executionId)).tasks[0].invocations;
    await server.client.send(new CancelCommandCommand({ CommandId: running.ExecutionId }));
    const { execution, tasks: [run] } = await executionTree(server.client, executionId);
    assert.deepEqual([run.invocations[0].Status, run.invocations[0].StatusDetails, run.invocations[0].EndTime], ['CANCELLED', 'Cancelled', at(100)]);
    assert.deepEqual([run.task.Status, execution.Status, execution.EndTime], ['FAILED', 'FAILED', at(100)]);
    const command = (await server.client.send(new ListCommandsCommand({ CommandId: running.ExecutionId }))).Commands![0];
    assert.deepEqual([command.Status, command.StatusDetails], ['Cancelled', 'Cancelled']);
  });

  test('a restart with a command in flight: the command goes on and its end reaches the invocation', async () => {
    const dataDir = tempDataDir();
    dirs.push(dataDir);
    const first = await start({ dataDir });
    const { windowId } = await windowWithCommand(first.client, ['i-00000000000000001', 'i-00000000000000002', 'i-00000000000000003']);
    const executionId = await fire(first, windowId);
    await advance(first, 40);
    servers.splice(servers.indexOf(first), 1);
    await first.stop();

    const second = await start({ dataDir, clockStart: T0 + 40_000 });
    const [before] = (await executionTree(second.client, executionId)).tasks[0].invocations;
    assert.equal(before.Status, 'IN_PROGRESS');
    await advance(second, 60);
    const { execution, tasks: [run] } = await executionTree(second.client, executionId);
    assert.deepEqual([run.invocations[0].Status, run.invocations[0].ExecutionId, run.invocations[0].EndTime], ['SUCCESS', before.ExecutionId, at(60)]);
    assert.deepEqual([execution.Status, execution.EndTime], ['SUCCESS', at(60)]);
    const nodes = (await second.client.send(new ListCommandInvocationsCommand({ CommandId: before.ExecutionId }))).CommandInvocations!;
    assert.deepEqual(nodes.map((n) => n.Status), ['Success', 'Success', 'Success']);
  });
});
