// Outcome rules (PUT /_mw/outcomes) make chosen invocations fail or time out; the engine rolls the
// statuses up (SPEC 3.5 item 7) and stops a task whose errors exceed MaxErrors (item 6), numbers and
// percentages alike, letting invocations already in flight finish.

import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import {
  CreateMaintenanceWindowCommand,
  RegisterTargetWithMaintenanceWindowCommand,
  RegisterTaskWithMaintenanceWindowCommand,
} from '@aws-sdk/client-ssm';
import { advance, executionTree, fire, getOutcomes, setOutcomes } from '../support/control.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const T0 = Date.parse('2026-03-01T00:00:00Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);
const TASKS_FAILED = 'One or more tasks in the orchestration failed.';
const MAX_ERRORS = 'The maximum error count was exceeded.';

const ids = (n: number) => Array.from({ length: n }, (_, i) => `i-${String(i + 1).padStart(2, '0')}`);
const resourceOf = (parameters: string | undefined) => JSON.parse(parameters!).parameters.InstanceId[0] as string;

describe('engine: outcome rules, status roll-up and MaxErrors', () => {
  let server: TestServer;
  const send = (command: any): Promise<any> => server.client.send(command);

  beforeEach(async () => {
    server = await startTestServer({ clockMode: 'manual', manualClockStart: T0, invocationSeconds: 30 });
  });
  afterEach(() => server.stop());

  /** A window with one window target naming `instances`, and one task over it. */
  async function windowWithTask(instances: string[], task: { type?: 'AUTOMATION' | 'RUN_COMMAND'; maxConcurrency: string; maxErrors: string }) {
    const { WindowId } = await send(new CreateMaintenanceWindowCommand({ Name: 'outcomes', Schedule: 'rate(1 day)', Duration: 2, Cutoff: 1, AllowUnassociatedTargets: false }));
    const { WindowTargetId } = await send(new RegisterTargetWithMaintenanceWindowCommand({ WindowId, ResourceType: 'INSTANCE', Targets: [{ Key: 'InstanceIds', Values: instances }] }));
    const type = task.type ?? 'AUTOMATION';
    const { WindowTaskId } = await send(new RegisterTaskWithMaintenanceWindowCommand({
      WindowId, TaskArn: type === 'AUTOMATION' ? 'AWS-RestartEC2Instance' : 'AWS-RunShellScript', TaskType: type,
      Targets: [{ Key: 'WindowTargetIds', Values: [WindowTargetId] }], MaxConcurrency: task.maxConcurrency, MaxErrors: task.maxErrors,
      TaskInvocationParameters: type === 'AUTOMATION'
        ? { Automation: { Parameters: { InstanceId: ['{{RESOURCE_ID}}'] } } }
        : { RunCommand: { Parameters: { commands: ['uptime'] } } },
    }));
    return { windowId: WindowId as string, windowTaskId: WindowTaskId as string };
  }

  test('one failing resource: that invocation FAILED, the task FAILED, the window FAILED', async () => {
    const { windowId } = await windowWithTask(ids(4), { maxConcurrency: '4', maxErrors: '1' });
    await setOutcomes(server, [{ match: { resourceId: 'i-02' }, status: 'FAILED', statusDetails: 'exit code 1' }]);
    const executionId = await fire(server, windowId);
    await advance(server, 30);
    const { execution, tasks: [run] } = await executionTree(server.client, executionId);
    assert.equal(execution.Status, 'FAILED');
    assert.equal(execution.StatusDetails, TASKS_FAILED);
    assert.deepEqual([execution.StartTime, execution.EndTime], [at(0), at(30)]);
    assert.equal(run.task.Status, 'FAILED');
    assert.equal(run.task.StatusDetails, undefined, 'one error is within MaxErrors 1: no threshold message');
    assert.deepEqual(run.invocations.map((i) => [resourceOf(i.Parameters), i.Status, i.StatusDetails, i.StartTime, i.EndTime]), [
      ['i-01', 'SUCCESS', 'Success', at(0), at(30)],
      ['i-02', 'FAILED', 'exit code 1', at(0), at(30)],
      ['i-03', 'SUCCESS', 'Success', at(0), at(30)],
      ['i-04', 'SUCCESS', 'Success', at(0), at(30)],
    ]);
  });

  test('a Run Command invocation takes the worst outcome of its instances; TIMED_OUT by a rule counts as a failure', async () => {
    const { windowId } = await windowWithTask(['i-1', 'i-2', 'i-3'], { type: 'RUN_COMMAND', maxConcurrency: '3', maxErrors: '3' });
    await setOutcomes(server, [
      { match: { resourceId: 'i-2' }, status: 'FAILED', durationSeconds: 40 },
      { match: { resourceId: 'i-3' }, status: 'SUCCESS', durationSeconds: 50 },
    ]);
    const first = await fire(server, windowId);
    await advance(server, 50);
    const one = await executionTree(server.client, first);
    assert.equal(one.tasks[0].invocations.length, 1);
    const [command] = one.tasks[0].invocations;
    assert.deepEqual([command.Status, command.StatusDetails, command.StartTime, command.EndTime], ['FAILED', 'Failed', at(0), at(50)], 'worst status, longest run time');
    assert.deepEqual([one.tasks[0].task.Status, one.execution.Status, one.execution.StatusDetails], ['FAILED', 'FAILED', TASKS_FAILED]);

    await setOutcomes(server, [{ match: { resourceId: 'i-1' }, status: 'TIMED_OUT', durationSeconds: 20 }]);
    const second = await fire(server, windowId);
    await advance(server, 30);
    const two = await executionTree(server.client, second);
    const [timedOut] = two.tasks[0].invocations;
    assert.deepEqual([timedOut.Status, timedOut.StatusDetails, timedOut.StartTime, timedOut.EndTime], ['TIMED_OUT', 'ExecutionTimedOut', at(50), at(80)], "Run Command's details for a run past its time");
    assert.deepEqual([two.tasks[0].task.Status, two.execution.Status, two.execution.StatusDetails], ['FAILED', 'FAILED', TASKS_FAILED]);
  });

  test('RUN_COMMAND MaxErrors counts failed invocations (commands): one failed command of two stays within MaxErrors 1', async () => {
    const { WindowId } = await send(new CreateMaintenanceWindowCommand({ Name: 'two-commands', Schedule: 'rate(1 day)', Duration: 2, Cutoff: 1, AllowUnassociatedTargets: false }));
    const web = (await send(new RegisterTargetWithMaintenanceWindowCommand({ WindowId, ResourceType: 'INSTANCE', Targets: [{ Key: 'InstanceIds', Values: ['i-1', 'i-2', 'i-3'] }] }))).WindowTargetId;
    const db = (await send(new RegisterTargetWithMaintenanceWindowCommand({ WindowId, ResourceType: 'INSTANCE', Targets: [{ Key: 'InstanceIds', Values: ['i-4', 'i-5', 'i-6'] }] }))).WindowTargetId;
    await send(new RegisterTaskWithMaintenanceWindowCommand({
      WindowId, TaskArn: 'AWS-RunShellScript', TaskType: 'RUN_COMMAND', Targets: [{ Key: 'WindowTargetIds', Values: [web, db] }], MaxConcurrency: '1', MaxErrors: '1',
      TaskInvocationParameters: { RunCommand: { Parameters: { commands: ['uptime'] } } },
    }));
    await setOutcomes(server, [{ match: { resourceId: 'i-2' }, status: 'FAILED' }]);
    const executionId = await fire(server, WindowId);
    await advance(server, 600);
    const { tasks: [run] } = await executionTree(server.client, executionId);
    assert.deepEqual(run.invocations.map((i) => [i.WindowTargetId, i.Status]), [[web, 'FAILED'], [db, 'SUCCESS']], 'one failed invocation does not exceed MaxErrors 1 (SPEC 3.5 item 6)');
    assert.deepEqual([run.task.Status, run.task.StatusDetails], ['FAILED', undefined]);
  });

  test('MaxErrors 0, MaxConcurrency 1, 5 resources, the 2nd fails: only 2 invocations exist', async () => {
    const { windowId } = await windowWithTask(ids(5), { maxConcurrency: '1', maxErrors: '0' });
    await setOutcomes(server, [{ match: { resourceId: 'i-02' }, status: 'FAILED' }]);
    const executionId = await fire(server, windowId);
    await advance(server, 600);
    const { execution, tasks: [run] } = await executionTree(server.client, executionId);
    assert.deepEqual(run.invocations.map((i) => [resourceOf(i.Parameters), i.Status, i.StartTime, i.EndTime]), [
      ['i-01', 'SUCCESS', at(0), at(30)],
      ['i-02', 'FAILED', at(30), at(60)],
    ]);
    assert.deepEqual([run.task.Status, run.task.StatusDetails, run.task.StartTime, run.task.EndTime], ['FAILED', MAX_ERRORS, at(0), at(60)]);
    assert.deepEqual([execution.Status, execution.StatusDetails, execution.EndTime], ['FAILED', TASKS_FAILED, at(60)]);
  });

  test('invocations already in flight finish after the threshold is crossed', async () => {
    const { windowId } = await windowWithTask(ids(6), { maxConcurrency: '3', maxErrors: '0' });
    await setOutcomes(server, [{ match: { resourceId: 'i-01' }, status: 'FAILED', durationSeconds: 10 }]);
    const executionId = await fire(server, windowId);
    await advance(server, 600);
    const { tasks: [run] } = await executionTree(server.client, executionId);
    assert.deepEqual(run.invocations.map((i) => [resourceOf(i.Parameters), i.Status, i.StartTime, i.EndTime]), [
      ['i-01', 'FAILED', at(0), at(10)],
      ['i-02', 'SUCCESS', at(0), at(30)],
      ['i-03', 'SUCCESS', at(0), at(30)],
    ]);
    assert.deepEqual([run.task.Status, run.task.StatusDetails, run.task.EndTime], ['FAILED', MAX_ERRORS, at(30)]);
  });

  test('percentages: MaxErrors 20% of 10 stops at the 3rd error, 30% at the 4th, 40% never', async () => {
    const failing = ['i-02', 'i-04', 'i-06', 'i-08'];
    const rules = failing.map((resourceId) => ({ match: { resourceId }, status: 'FAILED' as const }));
    const expectations = [
      { maxErrors: '20%', invocations: 6, details: MAX_ERRORS },
      { maxErrors: '30%', invocations: 8, details: MAX_ERRORS },
      { maxErrors: '40%', invocations: 10, details: undefined },
    ];
    let clock = 0;
    for (const { maxErrors, invocations, details } of expectations) {
      const { windowId } = await windowWithTask(ids(10), { maxConcurrency: '1', maxErrors });
      await setOutcomes(server, rules);
      const executionId = await fire(server, windowId);
      await advance(server, 400);
      const { execution, tasks: [run] } = await executionTree(server.client, executionId);
      assert.equal(run.invocations.length, invocations, `MaxErrors ${maxErrors}`);
      assert.deepEqual(run.invocations.map((i) => resourceOf(i.Parameters)), ids(10).slice(0, invocations));
      assert.deepEqual(run.invocations.filter((i) => i.Status === 'FAILED').map((i) => resourceOf(i.Parameters)), failing.filter((id) => ids(invocations).includes(id)));
      run.invocations.forEach((invocation, n) => assert.deepEqual([invocation.StartTime, invocation.EndTime], [at(clock + n * 30), at(clock + (n + 1) * 30)]));
      assert.deepEqual([run.task.Status, run.task.StatusDetails, run.task.EndTime], ['FAILED', details, at(clock + invocations * 30)], `MaxErrors ${maxErrors}`);
      assert.deepEqual([execution.Status, execution.StatusDetails], ['FAILED', TASKS_FAILED]);
      clock += 400;
    }
  });

  test('a rule with `times` applies to that many invocations, and the count left is kept', async () => {
    const { windowId, windowTaskId } = await windowWithTask(ids(2), { maxConcurrency: '1', maxErrors: '1' });
    await setOutcomes(server, [{ match: { windowTaskId, resourceId: 'i-01' }, status: 'FAILED', times: 1 }]);
    const first = await fire(server, windowId);
    await advance(server, 60);
    assert.deepEqual(await getOutcomes(server), [{ match: { windowTaskId, resourceId: 'i-01' }, status: 'FAILED', times: 0 }]);
    const second = await fire(server, windowId);
    await advance(server, 60);
    const one = await executionTree(server.client, first);
    const two = await executionTree(server.client, second);
    assert.deepEqual(one.tasks[0].invocations.map((i) => i.Status), ['FAILED', 'SUCCESS']);
    assert.equal(one.execution.Status, 'FAILED');
    assert.deepEqual(two.tasks[0].invocations.map((i) => i.Status), ['SUCCESS', 'SUCCESS']);
    assert.equal(two.execution.Status, 'SUCCESS');
  });
});
