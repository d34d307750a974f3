// Windows fire on their schedules as the manual clock moves: rate() occurrences, SKIPPED_OVERLAPPING
// when the previous run is still going (SPEC 3.5 item 2), and a cron window across a DST change.

import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import {
  CreateMaintenanceWindowCommand,
  DescribeMaintenanceWindowExecutionsCommand,
  DescribeMaintenanceWindowExecutionTasksCommand,
  DescribeMaintenanceWindowScheduleCommand,
  GetMaintenanceWindowCommand,
  GetMaintenanceWindowExecutionCommand,
  RegisterTaskWithMaintenanceWindowCommand,
} from '@aws-sdk/client-ssm';
import { advance, allExecutions, setClock, setOutcomes } from '../support/control.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const T0 = Date.parse('2026-03-01T00:00:00Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);
const minutes = (m: number) => at(m * 60);
const OVERLAPPING = 'The previous execution of this maintenance window was still running.';

describe('engine: schedules on the manual clock', () => {
  const servers: TestServer[] = [];
  afterEach(async () => {
    while (servers.length > 0) await servers.pop()!.stop();
  });
  async function start(clockStart = T0): Promise<{ server: TestServer; send: (command: any) => Promise<any> }> {
    const server = await startTestServer({ clockMode: 'manual', manualClockStart: clockStart, invocationSeconds: 30 });
    servers.push(server);
    return { server, send: (command: any) => server.client.send(command) };
  }
  async function rateWindowWithTask(send: (command: any) => Promise<any>, name: string) {
    const { WindowId } = await send(new CreateMaintenanceWindowCommand({ Name: name, Schedule: 'rate(5 minutes)', Duration: 1, Cutoff: 0, AllowUnassociatedTargets: true }));
    await send(new RegisterTaskWithMaintenanceWindowCommand({
      WindowId, TaskArn: 'AWS-RestartEC2Instance', TaskType: 'AUTOMATION', Targets: [{ Key: 'InstanceIds', Values: ['i-1'] }], MaxConcurrency: '1', MaxErrors: '0',
    }));
    return WindowId as string;
  }

  test('rate(5 minutes) advanced one hour: exactly 12 executions, newest first, with date filters', async () => {
    const { server, send } = await start();
    const windowId = await rateWindowWithTask(send, 'every-five');
    assert.equal((await send(new GetMaintenanceWindowCommand({ WindowId: windowId }))).NextExecutionTime, '2026-03-01T00:05Z');
    await advance(server, 3600);

    const executions = await allExecutions(server.client, windowId, 10);
    assert.equal(executions.length, 12);
    assert.deepEqual(executions.map((e) => e.StartTime), Array.from({ length: 12 }, (_, i) => minutes(60 - 5 * i)), 'newest first, one every 5 minutes');
    assert.deepEqual(executions[0], { WindowId: windowId, WindowExecutionId: executions[0].WindowExecutionId, Status: 'IN_PROGRESS', StartTime: minutes(60) }, 'the 01:00 run just fired');
    for (const execution of executions.slice(1)) {
      assert.equal(execution.Status, 'SUCCESS');
      assert.deepEqual(execution.EndTime, new Date(execution.StartTime!.getTime() + 30_000));
    }
    assert.equal(new Set(executions.map((e) => e.WindowExecutionId)).size, 12);
    assert.equal((await send(new GetMaintenanceWindowCommand({ WindowId: windowId }))).NextExecutionTime, '2026-03-01T01:05Z');

    const first = await send(new DescribeMaintenanceWindowExecutionsCommand({ WindowId: windowId, MaxResults: 10 }));
    assert.equal(first.WindowExecutions.length, 10);
    assert.ok(first.NextToken);
    const rest = await send(new DescribeMaintenanceWindowExecutionsCommand({ WindowId: windowId, MaxResults: 10, NextToken: first.NextToken }));
    assert.deepEqual([...first.WindowExecutions, ...rest.WindowExecutions], executions);
    assert.equal(rest.NextToken, undefined);

    const starts = async (Filters: { Key: string; Values: string[] }[]) =>
      (await send(new DescribeMaintenanceWindowExecutionsCommand({ WindowId: windowId, Filters }))).WindowExecutions.map((e: any) => e.StartTime);
    // Both bounds are strict comparisons with StartTime.
    assert.deepEqual(await starts([{ Key: 'ExecutedAfter', Values: ['2026-03-01T00:30:00Z'] }]), [60, 55, 50, 45, 40, 35].map(minutes));
    assert.deepEqual(await starts([{ Key: 'ExecutedBefore', Values: ['2026-03-01T00:30:00Z'] }]), [25, 20, 15, 10, 5].map(minutes));
    assert.deepEqual(await starts([{ Key: 'ExecutedAfter', Values: ['2026-03-01T00:12:00Z'] }, { Key: 'ExecutedBefore', Values: ['2026-03-01T00:31:00Z'] }]), [30, 25, 20, 15].map(minutes));
    assert.deepEqual(await starts([{ Key: 'ExecutedAfter', Values: ['2026-03-01T01:00:00Z'] }]), []);
    const paged = await send(new DescribeMaintenanceWindowExecutionsCommand({ WindowId: windowId, MaxResults: 10, Filters: [{ Key: 'ExecutedBefore', Values: ['2026-03-01T00:58:00Z'] }] }));
    assert.deepEqual(paged.WindowExecutions.map((e: any) => e.StartTime), [55, 50, 45, 40, 35, 30, 25, 20, 15, 10].map(minutes));
    const pagedRest = await send(new DescribeMaintenanceWindowExecutionsCommand({ WindowId: windowId, MaxResults: 10, NextToken: paged.NextToken, Filters: [{ Key: 'ExecutedBefore', Values: ['2026-03-01T00:58:00Z'] }] }));
    assert.deepEqual(pagedRest.WindowExecutions.map((e: any) => e.StartTime), [minutes(5)]);
  });

  test('a 7-minute run in a rate(5 minutes) window: every other occurrence SKIPPED_OVERLAPPING with StartTime = EndTime', async () => {
    const { server, send } = await start();
    const windowId = await rateWindowWithTask(send, 'overlapping');
    await setOutcomes(server, [{ match: { windowId }, status: 'SUCCESS', durationSeconds: 420 }]);
    await advance(server, 3600);
    const executions = (await allExecutions(server.client, windowId)).reverse();
    assert.equal(executions.length, 12);
    executions.forEach((execution, i) => {
      const fireMinute = 5 * (i + 1);
      assert.deepEqual(execution.StartTime, minutes(fireMinute));
      if (i % 2 === 1) {
        assert.deepEqual([execution.Status, execution.StatusDetails, execution.EndTime], ['SKIPPED_OVERLAPPING', OVERLAPPING, minutes(fireMinute)], `occurrence at minute ${fireMinute}`);
      } else if (fireMinute < 55) {
        assert.deepEqual([execution.Status, execution.StatusDetails, execution.EndTime], ['SUCCESS', undefined, minutes(fireMinute + 7)], `occurrence at minute ${fireMinute}`);
      } else {
        assert.equal(execution.Status, 'IN_PROGRESS', 'the 00:55 run is still going at 01:00');
      }
    });
    const skipped = executions[1].WindowExecutionId;
    assert.deepEqual((await send(new GetMaintenanceWindowExecutionCommand({ WindowExecutionId: skipped }))).TaskIds, [], 'a skipped occurrence runs no task');
    assert.deepEqual((await send(new DescribeMaintenanceWindowExecutionTasksCommand({ WindowExecutionId: skipped }))).WindowExecutionTaskIdentities, []);

    await advance(server, 120);
    const last = await send(new GetMaintenanceWindowExecutionCommand({ WindowExecutionId: executions[10].WindowExecutionId }));
    assert.deepEqual([last.Status, last.EndTime], ['SUCCESS', minutes(62)]);
  });

  test('an execution ending exactly when the next occurrence fires does not make it SKIPPED_OVERLAPPING', async () => {
    const { server, send } = await start();
    const windowId = await rateWindowWithTask(send, 'back-to-back');
    await setOutcomes(server, [{ match: { windowId }, status: 'SUCCESS', durationSeconds: 300 }]);
    await advance(server, 1800);
    const executions = (await allExecutions(server.client, windowId)).reverse();
    assert.equal(executions.length, 6);
    // The 00:05 run ends at 00:10:00: the 00:10 occurrence starts as it ends, it does not overlap it.
    assert.deepEqual([executions[0].Status, executions[0].EndTime], ['SUCCESS', minutes(10)]);
    assert.deepEqual(executions.map((e) => e.Status), ['SUCCESS', 'SUCCESS', 'SUCCESS', 'SUCCESS', 'SUCCESS', 'IN_PROGRESS']);
  });

  test('at() fires once, at its time, and then has no next run', async () => {
    const { server, send } = await start();
    const { WindowId } = await send(new CreateMaintenanceWindowCommand({ Name: 'once', Schedule: 'at(2026-03-01T02:00:00)', Duration: 1, Cutoff: 0, AllowUnassociatedTargets: true }));
    assert.equal((await send(new GetMaintenanceWindowCommand({ WindowId }))).NextExecutionTime, '2026-03-01T02:00Z');
    await advance(server, 7199);
    assert.deepEqual(await allExecutions(server.client, WindowId), []);
    await advance(server, 86_400);
    assert.deepEqual((await allExecutions(server.client, WindowId)).map((e) => [e.Status, e.StatusDetails, e.StartTime]), [['SUCCESS', 'No tasks to execute.', minutes(120)]]);
    assert.equal((await send(new GetMaintenanceWindowCommand({ WindowId }))).NextExecutionTime, undefined);
  });

  test('cron(30 2 ? * * *) in America/Los_Angeles: fires on 03-07 and 03-09, not on the DST day 03-08', async () => {
    const { server, send } = await start(Date.parse('2026-03-06T12:00:00Z'));
    const { WindowId } = await send(new CreateMaintenanceWindowCommand({
      Name: 'dst', Schedule: 'cron(30 2 ? * * *)', ScheduleTimezone: 'America/Los_Angeles', Duration: 1, Cutoff: 0, AllowUnassociatedTargets: true,
    }));
    assert.equal((await send(new GetMaintenanceWindowCommand({ WindowId }))).NextExecutionTime, '2026-03-07T02:30-08:00');
    const schedule = await send(new DescribeMaintenanceWindowScheduleCommand({ WindowId, MaxResults: 3 }));
    assert.deepEqual(schedule.ScheduledWindowExecutions.map((e: any) => e.ExecutionTime), ['2026-03-07T02:30-08:00', '2026-03-09T02:30-07:00', '2026-03-10T02:30-07:00']);

    await setClock(server, '2026-03-08T12:00:00Z');
    assert.deepEqual((await allExecutions(server.client, WindowId)).map((e) => e.StartTime), [new Date('2026-03-07T10:30:00Z')]);
    await setClock(server, '2026-03-10T00:00:00Z');
    const executions = await allExecutions(server.client, WindowId);
    assert.deepEqual(executions.map((e) => [e.Status, e.StatusDetails, e.StartTime, e.EndTime]), [
      ['SUCCESS', 'No tasks to execute.', new Date('2026-03-09T09:30:00Z'), new Date('2026-03-09T09:30:00Z')],
      ['SUCCESS', 'No tasks to execute.', new Date('2026-03-07T10:30:00Z'), new Date('2026-03-07T10:30:00Z')],
    ]);
    assert.equal((await send(new GetMaintenanceWindowCommand({ WindowId }))).NextExecutionTime, '2026-03-10T02:30-07:00');
  });
});
