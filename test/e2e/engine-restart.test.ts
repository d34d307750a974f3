// A restart with executions in flight: the server is stopped mid-run and a new one started on the same
// data folder with its manual clock past the invocations' planned end. After the first clock advance
// the execution must not stay IN_PROGRESS forever: it completes with an honest status, and the history
// recorded before the restart is still there.

import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { afterEach, describe, test } from 'node:test';
import {
  CreateMaintenanceWindowCommand,
  GetMaintenanceWindowCommand,
  GetMaintenanceWindowExecutionCommand,
  RegisterTaskWithMaintenanceWindowCommand,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import { advance, allExecutions, executionTree, fire, getOutcomes, setOutcomes } from '../support/control.ts';
import { startTestServer, tempDataDir, type TestServer } from '../support/server.ts';

const T0 = Date.parse('2026-03-01T00:00:00Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);

describe('engine: restart with executions in flight', () => {
  const servers: TestServer[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    while (servers.length > 0) await servers.pop()!.stop();
    while (dirs.length > 0) rmSync(dirs.pop()!, { recursive: true, force: true });
  });

  async function start(dataDir: string, clockStart: number): Promise<TestServer> {
    const server = await startTestServer({ dataDir, clockMode: 'manual', manualClockStart: clockStart, invocationSeconds: 60 });
    servers.push(server);
    return server;
  }
  async function stop(server: TestServer): Promise<void> {
    servers.splice(servers.indexOf(server), 1);
    await server.stop();
  }
  function newDataDir(): string {
    const dir = tempDataDir();
    dirs.push(dir);
    return dir;
  }
  async function automationWindow(client: SSMClient, options: { duration: number; cutoff: number; instances: string[]; cutoffBehavior?: 'CANCEL_TASK' | 'CONTINUE_TASK' }) {
    const { WindowId } = await client.send(new CreateMaintenanceWindowCommand({
      Name: 'restart', Schedule: 'rate(1 day)', Duration: options.duration, Cutoff: options.cutoff, AllowUnassociatedTargets: true,
    }));
    await client.send(new RegisterTaskWithMaintenanceWindowCommand({
      WindowId, TaskArn: 'AWS-RestartEC2Instance', TaskType: 'AUTOMATION', Targets: [{ Key: 'InstanceIds', Values: options.instances }],
      MaxConcurrency: '1', MaxErrors: '1', CutoffBehavior: options.cutoffBehavior,
    }));
    return WindowId!;
  }
  const status = async (client: SSMClient, id: string) => (await client.send(new GetMaintenanceWindowExecutionCommand({ WindowExecutionId: id }))).Status;

  test('the in-flight invocation ends as planned, the rest start after the restart, the execution completes; history survives', async () => {
    const dataDir = newDataDir();
    const first = await start(dataDir, T0);
    const windowId = await automationWindow(first.client, { duration: 2, cutoff: 1, instances: ['i-1', 'i-2', 'i-3'] });
    await setOutcomes(first, [{ match: { resourceId: 'i-3' }, status: 'FAILED', statusDetails: 'disk full' }]);
    const finished = await fire(first, windowId);
    await advance(first, 180);
    const finishedBefore = await executionTree(first.client, finished);
    assert.equal(finishedBefore.execution.Status, 'FAILED');
    const running = await fire(first, windowId); // at 180: i-1 runs until 240
    await advance(first, 30);
    const runningBefore = await executionTree(first.client, running);
    assert.deepEqual(runningBefore.tasks[0].invocations.map((i) => [i.Status, i.StartTime]), [['IN_PROGRESS', at(180)]]);
    await stop(first);

    const second = await start(dataDir, T0 + 600_000);
    assert.equal(await status(second.client, running), 'IN_PROGRESS', 'nothing moves before the clock does');
    assert.deepEqual(await executionTree(second.client, finished), finishedBefore, 'finished history survives the restart unchanged');
    assert.deepEqual(await getOutcomes(second), [{ match: { resourceId: 'i-3' }, status: 'FAILED', statusDetails: 'disk full' }]);

    await advance(second, 1);
    const resumed = await executionTree(second.client, running);
    assert.equal(resumed.execution.Status, 'IN_PROGRESS');
    assert.deepEqual(resumed.tasks[0].invocations.map((i) => [i.Status, i.StatusDetails, i.StartTime, i.EndTime]), [
      ['SUCCESS', 'Success', at(180), at(240)], // ended while the service was down, at its planned end
      ['IN_PROGRESS', undefined, at(600), undefined], // the next one could only start once the service was back
    ]);
    assert.equal(resumed.tasks[0].invocations[0].InvocationId, runningBefore.tasks[0].invocations[0].InvocationId);

    await advance(second, 600);
    const done = await executionTree(second.client, running);
    assert.deepEqual(done.tasks[0].invocations.map((i) => [i.Status, i.StatusDetails, i.StartTime, i.EndTime]), [
      ['SUCCESS', 'Success', at(180), at(240)],
      ['SUCCESS', 'Success', at(600), at(660)],
      ['FAILED', 'disk full', at(660), at(720)],
    ]);
    assert.deepEqual([done.tasks[0].task.Status, done.tasks[0].task.EndTime], ['FAILED', at(720)]);
    assert.deepEqual([done.execution.Status, done.execution.StatusDetails, done.execution.StartTime, done.execution.EndTime],
      ['FAILED', 'One or more tasks in the orchestration failed.', at(180), at(720)]);
    assert.deepEqual((await allExecutions(second.client, windowId)).map((e) => [e.WindowExecutionId, e.Status]), [[running, 'FAILED'], [finished, 'FAILED']]);
  });

  test('restarted past the window end: no longer IN_PROGRESS after the first advance; the finished invocation keeps its outcome', async () => {
    const dataDir = newDataDir();
    const first = await start(dataDir, T0);
    const windowId = await automationWindow(first.client, { duration: 1, cutoff: 0, instances: ['i-1', 'i-2'] });
    const running = await fire(first, windowId);
    await advance(first, 30);
    await stop(first);

    const second = await start(dataDir, T0 + 3 * 3600_000);
    await advance(second, 1);
    const { execution, tasks: [run] } = await executionTree(second.client, running);
    assert.notEqual(execution.Status, 'IN_PROGRESS');
    assert.deepEqual([execution.Status, execution.EndTime], ['TIMED_OUT', at(3600)], 'the second invocation never ran before the window ended');
    assert.deepEqual(run.invocations.map((i) => [i.Status, i.StartTime, i.EndTime]), [['SUCCESS', at(0), at(60)]]);
    assert.deepEqual([run.task.Status, run.task.EndTime], ['TIMED_OUT', at(3600)]);
  });

  test('runs missed while the service was down are not replayed; the schedule picks up from the restart', async () => {
    const dataDir = newDataDir();
    const first = await start(dataDir, T0);
    const { WindowId } = await first.client.send(new CreateMaintenanceWindowCommand({ Name: 'missed', Schedule: 'rate(5 minutes)', Duration: 1, Cutoff: 0, AllowUnassociatedTargets: true }));
    await advance(first, 420);
    await stop(first);

    const second = await start(dataDir, T0 + 61 * 60_000);
    assert.equal((await second.client.send(new GetMaintenanceWindowCommand({ WindowId }))).NextExecutionTime, '2026-03-01T01:05Z');
    await advance(second, 600);
    assert.deepEqual((await allExecutions(second.client, WindowId!)).map((e) => e.StartTime), [at(70 * 60), at(65 * 60), at(5 * 60)]);
  });

  test('restarted past the window end: a task whose every invocation succeeded before the end is SUCCESS, not TIMED_OUT', async () => {
    const dataDir = newDataDir();
    const first = await start(dataDir, T0);
    const windowId = await automationWindow(first.client, { duration: 1, cutoff: 0, instances: ['i-1'] });
    const running = await fire(first, windowId);
    await advance(first, 30);
    await stop(first);

    const second = await start(dataDir, T0 + 3 * 3600_000);
    await advance(second, 1);
    const { execution, tasks: [run] } = await executionTree(second.client, running);
    assert.deepEqual(run.invocations.map((i) => [i.Status, i.StartTime, i.EndTime]), [['SUCCESS', at(0), at(60)]]);
    assert.deepEqual([run.task.Status, run.task.StatusDetails], ['SUCCESS', undefined], 'its only invocation succeeded 59 minutes before the window ended');
    assert.deepEqual([execution.Status, execution.StatusDetails], ['SUCCESS', undefined]);
  });

  test('restarted after the invocations ended: the task and window end when their last invocation did, not at the restart', async () => {
    const dataDir = newDataDir();
    const first = await start(dataDir, T0);
    const windowId = await automationWindow(first.client, { duration: 2, cutoff: 1, instances: ['i-1'] });
    const running = await fire(first, windowId);
    await advance(first, 30);
    await stop(first);

    const second = await start(dataDir, T0 + 600_000);
    await advance(second, 1);
    const { execution, tasks: [run] } = await executionTree(second.client, running);
    assert.deepEqual([execution.Status, run.task.Status, run.invocations[0].Status], ['SUCCESS', 'SUCCESS', 'SUCCESS']);
    assert.deepEqual(run.invocations[0].EndTime, at(60));
    assert.deepEqual(run.task.EndTime, at(60), 'nothing of the task ran after 00:01:00');
    assert.deepEqual(execution.EndTime, at(60));
  });

  test('CANCEL_TASK restarted after the cutoff: no invocation starts after the cutoff', async () => {
    const dataDir = newDataDir();
    const first = await start(dataDir, T0);
    const windowId = await automationWindow(first.client, { duration: 3, cutoff: 2, instances: ['i-1', 'i-2', 'i-3'], cutoffBehavior: 'CANCEL_TASK' });
    const running = await fire(first, windowId);
    await advance(first, 30);
    await stop(first);

    // The cutoff is at 01:00; the service is back at 01:30.
    const second = await start(dataDir, T0 + 90 * 60_000);
    await advance(second, 600);
    const { execution, tasks: [run] } = await executionTree(second.client, running);
    assert.deepEqual(run.invocations.map((i) => [i.Status, i.StartTime, i.EndTime]), [['SUCCESS', at(0), at(60)]], 'nothing may start after the cutoff');
    assert.deepEqual([run.task.Status, run.task.StatusDetails], ['TIMED_OUT', 'The maintenance window cutoff was reached before the task completed.']);
    assert.equal(execution.Status, 'TIMED_OUT');
  });
});
