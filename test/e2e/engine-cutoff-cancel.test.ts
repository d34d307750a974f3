// The window's end and cutoff (SPEC 3.4, 3.7) and CancelMaintenanceWindowExecution (SPEC 3.5 item 8),
// with exact statuses, StatusDetails and the instants at which they happen on the manual clock.

import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import {
  CancelMaintenanceWindowExecutionCommand,
  CreateMaintenanceWindowCommand,
  GetMaintenanceWindowExecutionCommand,
  RegisterTargetWithMaintenanceWindowCommand,
  RegisterTaskWithMaintenanceWindowCommand,
} from '@aws-sdk/client-ssm';
import { advance, executionTree, fire, setOutcomes } from '../support/control.ts';
import { rejectsWith } from '../support/errors.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const T0 = Date.parse('2026-03-01T00:00:00Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);
const min = (m: number) => at(m * 60);
const U0 = '00000000-0000-4000-8000-000000000000';
const WINDOW_TIMED_OUT = 'The maintenance window ended before all tasks completed.';
const INVOCATION_TIMED_OUT = 'The invocation did not finish before the maintenance window ended.';
const NOT_STARTED = 'The task did not start because the maintenance window cutoff was reached.';
const CUTOFF_REACHED = 'The maintenance window cutoff was reached before the task completed.';
const CANCELLED = 'The maintenance window execution was cancelled.';

describe('engine: window end, cutoff and cancel', () => {
  let server: TestServer;
  const send = (command: any): Promise<any> => server.client.send(command);

  beforeEach(async () => {
    server = await startTestServer({ clockMode: 'manual', manualClockStart: T0, invocationSeconds: 30 });
  });
  afterEach(() => server.stop());

  async function window(name: string, duration: number, cutoff: number) {
    return (await send(new CreateMaintenanceWindowCommand({ Name: name, Schedule: 'rate(1 day)', Duration: duration, Cutoff: cutoff, AllowUnassociatedTargets: true }))).WindowId as string;
  }
  async function automation(windowId: string, name: string, priority: number, instances: string[], extra: object = {}) {
    return (await send(new RegisterTaskWithMaintenanceWindowCommand({
      WindowId: windowId, TaskArn: `doc-${name}`, TaskType: 'AUTOMATION', Priority: priority,
      Targets: [{ Key: 'InstanceIds', Values: instances }], MaxConcurrency: '1', MaxErrors: '0', ...extra,
    }))).WindowTaskId as string;
  }

  test('Duration 1 / Cutoff 0 with a 2-hour invocation: TIMED_OUT at the window end at every level', async () => {
    const windowId = await window('two-hour-run', 1, 0);
    await automation(windowId, 'auto', 0, ['i-1']);
    const { WindowTargetId } = await send(new RegisterTargetWithMaintenanceWindowCommand({ WindowId: windowId, ResourceType: 'INSTANCE', Targets: [{ Key: 'InstanceIds', Values: ['i-2', 'i-3'] }] }));
    await send(new RegisterTaskWithMaintenanceWindowCommand({
      WindowId: windowId, TaskArn: 'AWS-RunShellScript', TaskType: 'RUN_COMMAND', Priority: 0, Targets: [{ Key: 'WindowTargetIds', Values: [WindowTargetId] }], MaxConcurrency: '2', MaxErrors: '0',
      TaskInvocationParameters: { RunCommand: { Parameters: { commands: ['sleep 7200'], executionTimeout: ['10800'] } } },
    }));
    await setOutcomes(server, [{ match: { windowId }, status: 'SUCCESS', durationSeconds: 7200 }]);
    const executionId = await fire(server, windowId);
    await advance(server, 3599);
    assert.equal((await send(new GetMaintenanceWindowExecutionCommand({ WindowExecutionId: executionId }))).Status, 'IN_PROGRESS');
    await advance(server, 1);

    const { execution, tasks } = await executionTree(server.client, executionId);
    assert.deepEqual([execution.Status, execution.StatusDetails, execution.StartTime, execution.EndTime], ['TIMED_OUT', WINDOW_TIMED_OUT, at(0), at(3600)]);
    assert.equal(tasks.length, 2);
    for (const { task, invocations } of tasks) {
      assert.deepEqual([task.Status, task.StatusDetails, task.StartTime, task.EndTime], ['TIMED_OUT', WINDOW_TIMED_OUT, at(0), at(3600)], task.TaskArn);
      assert.equal(invocations.length, 1);
      assert.deepEqual([invocations[0].Status, invocations[0].StatusDetails, invocations[0].StartTime, invocations[0].EndTime], ['TIMED_OUT', INVOCATION_TIMED_OUT, at(0), at(3600)], task.TaskArn);
    }
    await advance(server, 7200);
    assert.deepEqual((await executionTree(server.client, executionId)).execution, execution, 'nothing changes after the end');
  });

  test('an invocation ending exactly at the window end: SUCCESS, and so are its task and the window', async () => {
    const windowId = await window('ends-on-time', 1, 0);
    await automation(windowId, 'on-time', 0, ['i-1']);
    await setOutcomes(server, [{ status: 'SUCCESS', durationSeconds: 3600 }]);
    const executionId = await fire(server, windowId);
    await advance(server, 4000);
    const { execution, tasks: [run] } = await executionTree(server.client, executionId);
    assert.deepEqual(run.invocations.map((i) => [i.Status, i.EndTime]), [['SUCCESS', at(3600)]]);
    assert.deepEqual([run.task.Status, run.task.StatusDetails, run.task.EndTime], ['SUCCESS', undefined, at(3600)], 'its only invocation succeeded');
    assert.deepEqual([execution.Status, execution.StatusDetails, execution.EndTime], ['SUCCESS', undefined, at(3600)]);
  });

  test('Duration 2 / Cutoff 1: a first group running past the cutoff keeps the second group from ever starting', async () => {
    const windowId = await window('past-cutoff', 2, 1);
    const first = await automation(windowId, 'first', 0, ['i-1']);
    await automation(windowId, 'second', 1, ['i-2']);
    await setOutcomes(server, [{ match: { windowTaskId: first }, status: 'SUCCESS', durationSeconds: 5400 }]);
    const executionId = await fire(server, windowId);
    await advance(server, 3 * 3600);
    const { execution, tasks: [one, two] } = await executionTree(server.client, executionId);
    assert.deepEqual([one.task.Status, one.task.StatusDetails, one.task.StartTime, one.task.EndTime], ['SUCCESS', undefined, at(0), min(90)], 'CONTINUE_TASK: the running task goes on past the cutoff');
    assert.deepEqual([two.task.Status, two.task.StatusDetails, two.task.StartTime, two.task.EndTime], ['TIMED_OUT', NOT_STARTED, min(90), min(90)]);
    assert.deepEqual(two.invocations, [], 'a task that never started has no invocation');
    assert.deepEqual([execution.Status, execution.StatusDetails, execution.EndTime], ['TIMED_OUT', WINDOW_TIMED_OUT, min(90)]);
  });

  test('CutoffBehavior CANCEL_TASK: no new invocation after the cutoff; CONTINUE_TASK keeps starting them', async () => {
    const five = ['i-1', 'i-2', 'i-3', 'i-4', 'i-5'];
    const cancelWindow = await window('cancel-task', 2, 1);
    await automation(cancelWindow, 'cancel', 0, five, { CutoffBehavior: 'CANCEL_TASK' });
    const continueWindow = await window('continue-task', 2, 1);
    await automation(continueWindow, 'continue', 0, five, { CutoffBehavior: 'CONTINUE_TASK' });
    // All started before the cutoff: CANCEL_TASK lets them finish and the task succeeds.
    const startedWindow = await window('all-started', 2, 1);
    await automation(startedWindow, 'started', 0, ['i-1', 'i-2', 'i-3'], { CutoffBehavior: 'CANCEL_TASK', MaxConcurrency: '3' });
    await setOutcomes(server, [
      { match: { windowId: startedWindow }, status: 'SUCCESS', durationSeconds: 90 * 60 },
      { status: 'SUCCESS', durationSeconds: 22 * 60 },
    ]);
    const cancelled = await fire(server, cancelWindow);
    const continued = await fire(server, continueWindow);
    const started = await fire(server, startedWindow);
    await advance(server, 3 * 3600);

    const c = await executionTree(server.client, cancelled);
    assert.deepEqual(c.tasks[0].invocations.map((i) => [i.Status, i.StartTime, i.EndTime]), [
      ['SUCCESS', min(0), min(22)], ['SUCCESS', min(22), min(44)], ['SUCCESS', min(44), min(66)],
    ]);
    assert.deepEqual([c.tasks[0].task.Status, c.tasks[0].task.StatusDetails, c.tasks[0].task.EndTime], ['TIMED_OUT', CUTOFF_REACHED, min(66)]);
    assert.deepEqual([c.execution.Status, c.execution.StatusDetails, c.execution.EndTime], ['TIMED_OUT', WINDOW_TIMED_OUT, min(66)]);

    const k = await executionTree(server.client, continued);
    assert.deepEqual(k.tasks[0].invocations.map((i) => [i.Status, i.StartTime]), [0, 22, 44, 66, 88].map((m) => ['SUCCESS', min(m)]));
    assert.deepEqual([k.tasks[0].task.Status, k.tasks[0].task.EndTime, k.execution.Status, k.execution.EndTime], ['SUCCESS', min(110), 'SUCCESS', min(110)]);

    const s = await executionTree(server.client, started);
    assert.deepEqual(s.tasks[0].invocations.map((i) => [i.Status, i.StartTime, i.EndTime]), Array(3).fill(['SUCCESS', min(0), min(90)]));
    assert.deepEqual([s.tasks[0].task.Status, s.tasks[0].task.StatusDetails, s.execution.Status, s.execution.EndTime], ['SUCCESS', undefined, 'SUCCESS', min(90)]);
  });

  test('cancel while running: CANCELLING, pending tasks CANCELLED at once, then CANCELLED when in-flight invocations end', async () => {
    const windowId = await window('cancel-me', 2, 1);
    await automation(windowId, 'running', 0, ['i-1', 'i-2', 'i-3']);
    await automation(windowId, 'pending', 1, ['i-4']);
    await setOutcomes(server, [{ status: 'SUCCESS', durationSeconds: 60 }]);
    const executionId = await fire(server, windowId);
    await advance(server, 30);
    const answer = await send(new CancelMaintenanceWindowExecutionCommand({ WindowExecutionId: executionId }));
    assert.equal(answer.WindowExecutionId, executionId);

    const cancelling = await executionTree(server.client, executionId);
    assert.deepEqual([cancelling.execution.Status, cancelling.execution.EndTime], ['CANCELLING', undefined]);
    const [running, pending] = cancelling.tasks;
    assert.deepEqual([running.task.Status, running.task.EndTime], ['IN_PROGRESS', undefined], 'the running task is left to finish its in-flight work');
    assert.deepEqual(running.invocations.map((i) => [i.Status, i.StartTime]), [['IN_PROGRESS', at(0)]]);
    assert.deepEqual([pending.task.Status, pending.task.StatusDetails, pending.task.StartTime, pending.task.EndTime], ['CANCELLED', CANCELLED, at(30), at(30)]);
    assert.deepEqual(pending.invocations, []);
    // Cancelling again while CANCELLING answers the same and changes nothing.
    assert.equal((await send(new CancelMaintenanceWindowExecutionCommand({ WindowExecutionId: executionId }))).WindowExecutionId, executionId);

    await advance(server, 30);
    const done = await executionTree(server.client, executionId);
    assert.deepEqual([done.execution.Status, done.execution.StatusDetails, done.execution.StartTime, done.execution.EndTime], ['CANCELLED', CANCELLED, at(0), at(60)]);
    assert.deepEqual(done.tasks[0].invocations.map((i) => [i.Status, i.StatusDetails, i.StartTime, i.EndTime]), [['SUCCESS', 'Success', at(0), at(60)]], 'no new invocation after the cancel');
    assert.deepEqual([done.tasks[0].task.Status, done.tasks[0].task.StatusDetails, done.tasks[0].task.EndTime], ['CANCELLED', CANCELLED, at(60)]);
    assert.deepEqual(done.tasks[1].task, pending.task);

    await advance(server, 600);
    assert.deepEqual(await executionTree(server.client, executionId), done, 'a cancelled execution stays as it is');
  });

  test('cancelling a finished execution returns its id and changes nothing; an unknown id is DoesNotExistException', async () => {
    const windowId = await window('finished', 2, 1);
    await automation(windowId, 'quick', 0, ['i-1']);
    const executionId = await fire(server, windowId);
    await advance(server, 30);
    const before = await executionTree(server.client, executionId);
    assert.equal(before.execution.Status, 'SUCCESS');
    const answer = await send(new CancelMaintenanceWindowExecutionCommand({ WindowExecutionId: executionId }));
    assert.equal(answer.WindowExecutionId, executionId);
    await advance(server, 30);
    assert.deepEqual(await executionTree(server.client, executionId), before);
    await rejectsWith(send(new CancelMaintenanceWindowExecutionCommand({ WindowExecutionId: U0 })), 'DoesNotExistException', `Maintenance window execution ${U0} does not exist`);
  });
});
