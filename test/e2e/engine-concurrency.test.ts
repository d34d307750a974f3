// Priority groups (SPEC 3.5 item 4): equal priorities start together, the next group when the previous
// one has finished, failed or not. MaxConcurrency (item 6) held at every instant, as a number and as a
// percentage, over nodes resolved from the managed-node inventory by tag.

import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import {
  CreateMaintenanceWindowCommand,
  DescribeMaintenanceWindowExecutionTasksCommand,
  RegisterTargetWithMaintenanceWindowCommand,
  RegisterTaskWithMaintenanceWindowCommand,
} from '@aws-sdk/client-ssm';
import { advance, deleteNode, executionTree, fire, listNodes, maxOverlap, putNode, setOutcomes } from '../support/control.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const T0 = Date.parse('2026-03-01T00:00:00Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);
const TASKS_FAILED = 'One or more tasks in the orchestration failed.';

/** Start/end (seconds) of each item when at most `limit` run at once, started in order as soon as a slot frees. */
function expectedSchedule(durations: number[], limit: number): [number, number][] {
  let running: number[] = [];
  let t = 0;
  return durations.map((duration) => {
    if (running.length >= limit) {
      t = Math.max(t, Math.min(...running));
      running = running.filter((end) => end > t);
    }
    running.push(t + duration);
    return [t, t + duration];
  });
}

describe('engine: priority groups and MaxConcurrency', () => {
  let server: TestServer;
  const send = (command: any): Promise<any> => server.client.send(command);

  beforeEach(async () => {
    server = await startTestServer({ clockMode: 'manual', manualClockStart: T0, invocationSeconds: 30 });
  });
  afterEach(() => server.stop());

  async function task(windowId: string, name: string, priority: number, instances: string[]) {
    return (await send(new RegisterTaskWithMaintenanceWindowCommand({
      WindowId: windowId, Name: name, TaskArn: `doc-${name}`, TaskType: 'AUTOMATION', Priority: priority,
      Targets: [{ Key: 'InstanceIds', Values: instances }], MaxConcurrency: '5', MaxErrors: '0',
    }))).WindowTaskId as string;
  }

  test('priorities 0, 0, 1: the two 0s start together, the 1 starts when both have finished', async () => {
    const { WindowId } = await send(new CreateMaintenanceWindowCommand({ Name: 'groups', Schedule: 'rate(1 day)', Duration: 2, Cutoff: 1, AllowUnassociatedTargets: true }));
    // Registered out of order: the run order comes from Priority alone.
    await task(WindowId, 'later', 1, ['i-c']);
    const quick = await task(WindowId, 'quick', 0, ['i-a']);
    const slow = await task(WindowId, 'slow', 0, ['i-b1', 'i-b2']);
    await setOutcomes(server, [
      { match: { windowTaskId: quick }, status: 'SUCCESS', durationSeconds: 60 },
      { match: { windowTaskId: slow, resourceId: 'i-b2' }, status: 'SUCCESS', durationSeconds: 90 },
    ]);
    const executionId = await fire(server, WindowId);

    const early = (await send(new DescribeMaintenanceWindowExecutionTasksCommand({ WindowExecutionId: executionId }))).WindowExecutionTaskIdentities;
    assert.deepEqual(early.map((t: any) => [t.TaskArn, t.Status, t.StartTime]), [
      ['doc-quick', 'IN_PROGRESS', at(0)], ['doc-slow', 'IN_PROGRESS', at(0)], ['doc-later', 'PENDING', undefined],
    ]);
    await advance(server, 60);
    const pending = await send(new DescribeMaintenanceWindowExecutionTasksCommand({ WindowExecutionId: executionId, Filters: [{ Key: 'STATUS', Values: ['PENDING'] }] }));
    assert.deepEqual(pending.WindowExecutionTaskIdentities.map((t: any) => t.TaskArn), ['doc-later'], 'still waiting for the slow task of its group');
    await advance(server, 60);

    const { execution, tasks } = await executionTree(server.client, executionId);
    assert.deepEqual(tasks.map(({ task: t }) => [t.TaskArn, t.Status, t.StartTime, t.EndTime]), [
      ['doc-quick', 'SUCCESS', at(0), at(60)],
      ['doc-slow', 'SUCCESS', at(0), at(90)],
      ['doc-later', 'SUCCESS', at(90), at(120)],
    ]);
    const [quickRun, slowRun, laterRun] = tasks;
    assert.deepEqual(laterRun.task.StartTime, new Date(Math.max(quickRun.task.EndTime!.getTime(), slowRun.task.EndTime!.getTime())));
    assert.deepEqual(laterRun.invocations.map((i) => [i.StartTime, i.EndTime]), [[at(90), at(120)]]);
    assert.deepEqual(slowRun.invocations.map((i) => [i.StartTime, i.EndTime]), [[at(0), at(30)], [at(0), at(90)]]);
    assert.deepEqual([execution.Status, execution.StartTime, execution.EndTime], ['SUCCESS', at(0), at(120)]);
  });

  test('a failed task does not stop the later priority groups', async () => {
    const { WindowId } = await send(new CreateMaintenanceWindowCommand({ Name: 'failing-group', Schedule: 'rate(1 day)', Duration: 2, Cutoff: 1, AllowUnassociatedTargets: true }));
    const first = await task(WindowId, 'first', 0, ['i-a']);
    await task(WindowId, 'second', 1, ['i-b']);
    await task(WindowId, 'third', 2, ['i-c']);
    await setOutcomes(server, [{ match: { windowTaskId: first }, status: 'FAILED', durationSeconds: 10 }]);
    const executionId = await fire(server, WindowId);
    await advance(server, 300);
    const { execution, tasks } = await executionTree(server.client, executionId);
    assert.deepEqual(tasks.map(({ task: t }) => [t.TaskArn, t.Status, t.StartTime, t.EndTime]), [
      ['doc-first', 'FAILED', at(0), at(10)],
      ['doc-second', 'SUCCESS', at(10), at(40)],
      ['doc-third', 'SUCCESS', at(40), at(70)],
    ]);
    assert.equal(tasks[0].task.StatusDetails, 'The maximum error count was exceeded.');
    assert.deepEqual([execution.Status, execution.StatusDetails, execution.EndTime], ['FAILED', TASKS_FAILED, at(70)]);
  });

  /** The i-th tagged node: ids of the model's InstanceId pattern (17 characters), in index order. */
  const nodeId = (i: number) => `i-${String(i).padStart(17, '0')}`;
  for (const maxConcurrency of ['3', '30%', '25%']) {
    test(`MaxConcurrency ${maxConcurrency} over 10 tagged nodes: at most 3 in flight at every instant, and 3 reached`, async () => {
      for (let i = 0; i < 10; i++) await putNode(server, nodeId(i), { tags: { Env: 'prod', Role: 'web' } });
      await putNode(server, 'i-0000000000nodedev', { tags: { Env: 'dev' } });
      await putNode(server, 'i-000000000untagged');
      assert.equal((await listNodes(server)).length, 12);
      const { WindowId } = await send(new CreateMaintenanceWindowCommand({ Name: 'concurrency', Schedule: 'rate(1 day)', Duration: 2, Cutoff: 1, AllowUnassociatedTargets: false }));
      const { WindowTargetId } = await send(new RegisterTargetWithMaintenanceWindowCommand({ WindowId, ResourceType: 'INSTANCE', Targets: [{ Key: 'tag:Env', Values: ['prod'] }], OwnerInformation: 'prod-fleet' }));
      await send(new RegisterTaskWithMaintenanceWindowCommand({
        WindowId, TaskArn: 'AWS-RestartEC2Instance', TaskType: 'AUTOMATION', Targets: [{ Key: 'WindowTargetIds', Values: [WindowTargetId] }],
        MaxConcurrency: maxConcurrency, MaxErrors: '0', TaskInvocationParameters: { Automation: { Parameters: { InstanceId: ['{{RESOURCE_ID}}'] } } },
      }));
      const durations = [50, 20, 70, 10, 40, 30, 60, 20, 10, 50];
      await setOutcomes(server, durations.map((durationSeconds, i) => ({ match: { resourceId: nodeId(i) }, status: 'SUCCESS' as const, durationSeconds })));
      const executionId = await fire(server, WindowId);
      await advance(server, 600);

      const { execution, tasks: [run] } = await executionTree(server.client, executionId);
      assert.equal(run.invocations.length, 10, 'the dev and untagged nodes are not targets');
      const byResource = new Map(run.invocations.map((i) => [JSON.parse(i.Parameters!).parameters.InstanceId[0] as string, i]));
      assert.deepEqual([...byResource.keys()].sort(), durations.map((_, i) => nodeId(i)));
      for (const invocation of run.invocations) {
        assert.equal(invocation.Status, 'SUCCESS');
        assert.equal(invocation.WindowTargetId, WindowTargetId);
        assert.equal(invocation.OwnerInformation, 'prod-fleet');
      }
      assert.equal(maxOverlap(run.invocations), 3);
      const expected = expectedSchedule(durations, 3);
      expected.forEach(([start, end], i) => {
        const invocation = byResource.get(nodeId(i))!;
        assert.deepEqual([invocation.StartTime, invocation.EndTime], [at(start), at(end)], `node ${i} starts as soon as a slot frees`);
      });
      const last = Math.max(...expected.map(([, end]) => end));
      assert.deepEqual([run.task.Status, run.task.EndTime, execution.Status, execution.EndTime], ['SUCCESS', at(last), 'SUCCESS', at(last)]);
    });
  }

  test('the inventory is read when a task starts: a deleted node is no longer a target', async () => {
    for (const id of ['i-0000000000000000a', 'i-0000000000000000b', 'i-0000000000000000c']) await putNode(server, id, { tags: { Env: 'prod' } });
    const { WindowId } = await send(new CreateMaintenanceWindowCommand({ Name: 'inventory', Schedule: 'rate(1 day)', Duration: 2, Cutoff: 1, AllowUnassociatedTargets: false }));
    const { WindowTargetId } = await send(new RegisterTargetWithMaintenanceWindowCommand({ WindowId, ResourceType: 'INSTANCE', Targets: [{ Key: 'tag:Env', Values: ['prod'] }] }));
    await send(new RegisterTaskWithMaintenanceWindowCommand({ WindowId, TaskArn: 'doc', TaskType: 'AUTOMATION', Targets: [{ Key: 'WindowTargetIds', Values: [WindowTargetId] }], MaxConcurrency: '10', MaxErrors: '0' }));
    const first = await fire(server, WindowId);
    await advance(server, 30);
    await deleteNode(server, 'i-0000000000000000b');
    await deleteNode(server, 'i-0000000000000000b', undefined, 404);
    await putNode(server, 'i-0000000000000000c', { tags: { Env: 'dev' } });
    const second = await fire(server, WindowId);
    await advance(server, 30);
    assert.equal((await executionTree(server.client, first)).tasks[0].invocations.length, 3);
    assert.equal((await executionTree(server.client, second)).tasks[0].invocations.length, 1);
    assert.deepEqual(await listNodes(server), [
      { id: 'i-0000000000000000a', tags: { Env: 'prod' }, resourceGroups: [] },
      { id: 'i-0000000000000000c', tags: { Env: 'dev' }, resourceGroups: [] },
    ]);
  });
});
