// The control API itself (/_mw/...): firing, the manual clock, nodes and outcome rules, with their
// refusals, and the account/Region partitioning they share with the AWS API.

import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import {
  CreateMaintenanceWindowCommand,
  DescribeMaintenanceWindowExecutionsCommand,
  RegisterTargetWithMaintenanceWindowCommand,
  RegisterTaskWithMaintenanceWindowCommand,
} from '@aws-sdk/client-ssm';
import {
  advance, clearOutcomes, control, executionTree, fire, getClock, getOutcomes, listNodes, putNode, setClock, setOutcomes,
} from '../support/control.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const T0 = Date.parse('2026-03-01T00:00:00Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);
const OTHER = { account: '111111111111', region: 'eu-west-1' };

describe('engine: the control API', () => {
  let server: TestServer;
  const send = (command: any): Promise<any> => server.client.send(command);

  beforeEach(async () => {
    server = await startTestServer({ clockMode: 'manual', manualClockStart: T0, invocationSeconds: 30 });
  });
  afterEach(() => server.stop());

  test('the manual clock: read, advance, set; it never goes back', async () => {
    assert.deepEqual(await getClock(server), { mode: 'manual', now: '2026-03-01T00:00:00.000Z', epochMillis: T0 });
    assert.equal((await advance(server, 90.5)).now, '2026-03-01T00:01:30.500Z');
    assert.equal((await setClock(server, '2026-03-02T00:00:00Z')).now, '2026-03-02T00:00:00.000Z');
    const refused = await control<{ __type: string; message: string }>(server, 'POST', '/_mw/clock', { body: { setTo: '2026-03-01T00:00:00Z' }, expect: 400 });
    assert.deepEqual(refused, { __type: 'ValidationException', message: 'setTo must not be before the current time 2026-03-02T00:00:00.000Z: the clock does not go back.' });
    await control(server, 'POST', '/_mw/clock', { body: { advanceSeconds: -1 }, expect: 400 });
    await control(server, 'POST', '/_mw/clock', { body: { advanceSeconds: 1, setTo: '2026-03-03T00:00:00Z' }, expect: 400 });
    await control(server, 'POST', '/_mw/clock', { body: { setTo: 'tomorrow' }, expect: 400 });
    await control(server, 'PUT', '/_mw/clock', { body: {}, expect: 405 });
    assert.equal((await getClock(server)).epochMillis, Date.parse('2026-03-02T00:00:00Z'));
  });

  test('a service on the system clock refuses to move it (409)', async () => {
    const system = await startTestServer();
    try {
      assert.equal((await getClock(system)).mode, 'system');
      const refused = await control<{ __type: string }>(system, 'POST', '/_mw/clock', { body: { advanceSeconds: 1 }, expect: 409 });
      assert.equal(refused.__type, 'ClockNotManual');
    } finally {
      await system.stop();
    }
  });

  test('fire: unknown windows are 404; firing while the window runs records SKIPPED_OVERLAPPING', async () => {
    const missing = await control<{ __type: string; message: string }>(server, 'POST', '/_mw/windows/mw-00000000000000000/executions', { expect: 404 });
    assert.deepEqual(missing, { __type: 'DoesNotExistException', message: 'Maintenance window mw-00000000000000000 does not exist' });
    const { WindowId } = await send(new CreateMaintenanceWindowCommand({ Name: 'fire-twice', Schedule: 'rate(1 day)', Duration: 1, Cutoff: 0, AllowUnassociatedTargets: true }));
    await send(new RegisterTaskWithMaintenanceWindowCommand({ WindowId, TaskArn: 'doc', TaskType: 'AUTOMATION', Targets: [{ Key: 'InstanceIds', Values: ['i-1'] }], MaxConcurrency: '1', MaxErrors: '0' }));
    const first = await fire(server, WindowId);
    await advance(server, 10);
    const second = await fire(server, WindowId);
    await advance(server, 20);
    const third = await fire(server, WindowId);
    const { WindowExecutions } = await send(new DescribeMaintenanceWindowExecutionsCommand({ WindowId }));
    assert.deepEqual(WindowExecutions.map((e: any) => [e.WindowExecutionId, e.Status, e.StartTime, e.EndTime]), [
      [third, 'IN_PROGRESS', at(30), undefined],
      [second, 'SKIPPED_OVERLAPPING', at(10), at(10)],
      [first, 'SUCCESS', at(0), at(30)],
    ]);
  });

  test('fire with a 0-second invocation: it has ended by the time fire answers', async () => {
    const { WindowId } = await send(new CreateMaintenanceWindowCommand({ Name: 'instant', Schedule: 'rate(1 day)', Duration: 1, Cutoff: 0, AllowUnassociatedTargets: true }));
    await send(new RegisterTaskWithMaintenanceWindowCommand({ WindowId, TaskArn: 'doc', TaskType: 'AUTOMATION', Targets: [{ Key: 'InstanceIds', Values: ['i-1'] }], MaxConcurrency: '1', MaxErrors: '0' }));
    await setOutcomes(server, [{ status: 'SUCCESS', durationSeconds: 0 }]);
    const executionId = await fire(server, WindowId);
    const { execution, tasks: [run] } = await executionTree(server.client, executionId);
    assert.deepEqual(run.invocations.map((i) => [i.Status, i.StartTime, i.EndTime]), [['SUCCESS', at(0), at(0)]]);
    assert.deepEqual([execution.Status, execution.EndTime], ['SUCCESS', at(0)]);
  });

  test('a window with no tasks: SUCCESS at once with "No tasks to execute."', async () => {
    const { WindowId } = await send(new CreateMaintenanceWindowCommand({ Name: 'empty', Schedule: 'rate(1 day)', Duration: 1, Cutoff: 0, AllowUnassociatedTargets: true }));
    const executionId = await fire(server, WindowId);
    const { execution, tasks } = await executionTree(server.client, executionId);
    assert.deepEqual(execution, { WindowExecutionId: executionId, TaskIds: [], Status: 'SUCCESS', StatusDetails: 'No tasks to execute.', StartTime: at(0), EndTime: at(0) });
    assert.deepEqual(tasks, []);
  });

  test('nodes and outcome rules: validation, replacement, clearing', async () => {
    assert.deepEqual(await putNode(server, 'i-00000000000000001', { tags: { Env: 'prod' }, resourceGroups: ['web', 'web'] }), { id: 'i-00000000000000001', tags: { Env: 'prod' }, resourceGroups: ['web'] });
    assert.deepEqual(await putNode(server, 'i-00000000000000001', { tags: { Env: 'dev' } }), { id: 'i-00000000000000001', tags: { Env: 'dev' }, resourceGroups: [] }, 'PUT replaces the node');
    await control(server, 'PUT', '/_mw/nodes/bad%20id', { body: {}, expect: 400 });
    await control(server, 'PUT', '/_mw/nodes/i-00000000000000002', { body: { tags: { Env: 1 } }, expect: 400 });
    await control(server, 'PUT', '/_mw/nodes/i-00000000000000002', { body: { resourceGroups: 'web' }, expect: 400 });
    assert.deepEqual(await listNodes(server), [{ id: 'i-00000000000000001', tags: { Env: 'dev' }, resourceGroups: [] }]);

    const rules = [{ match: { taskType: 'AUTOMATION' }, status: 'FAILED' as const, durationSeconds: 5, statusDetails: 'boom', times: 2 }, { status: 'SUCCESS' as const }];
    assert.deepEqual(await setOutcomes(server, rules), [rules[0], { match: {}, status: 'SUCCESS' }]);
    assert.deepEqual(await getOutcomes(server), [rules[0], { match: {}, status: 'SUCCESS' }]);
    for (const bad of [[{ status: 'BROKEN' }], [{ match: { instance: 'i-1' }, status: 'FAILED' }], [{ status: 'FAILED', times: 0 }], [{ status: 'FAILED', durationSeconds: -1 }], { status: 'FAILED' }]) {
      const refused = await control<{ __type: string }>(server, 'PUT', '/_mw/outcomes', { body: bad, expect: 400 });
      assert.equal(refused.__type, 'ValidationException', JSON.stringify(bad));
    }
    assert.equal((await getOutcomes(server)).length, 2, 'a refused PUT changes nothing');
    await clearOutcomes(server);
    assert.deepEqual(await getOutcomes(server), []);
    await control(server, 'GET', '/_mw/nodes', { scope: { account: '12' }, expect: 400 });
  });

  test('account and Region partitioning: windows, nodes and rules of another scope are its own', async () => {
    const other = server.clientFor(OTHER);
    const { WindowId } = await other.send(new CreateMaintenanceWindowCommand({ Name: 'elsewhere', Schedule: 'rate(1 day)', Duration: 1, Cutoff: 0, AllowUnassociatedTargets: false }));
    const { WindowTargetId } = await other.send(new RegisterTargetWithMaintenanceWindowCommand({ WindowId, ResourceType: 'INSTANCE', Targets: [{ Key: 'tag:Env', Values: ['prod'] }] }));
    await other.send(new RegisterTaskWithMaintenanceWindowCommand({ WindowId, TaskArn: 'doc', TaskType: 'AUTOMATION', Targets: [{ Key: 'WindowTargetIds', Values: [WindowTargetId!] }], MaxConcurrency: '5', MaxErrors: '5' }));
    await putNode(server, 'i-0000000000000here', { tags: { Env: 'prod' } });
    await putNode(server, 'i-000000000000there', { tags: { Env: 'prod' } }, OTHER);
    await setOutcomes(server, [{ status: 'FAILED' }]);
    await setOutcomes(server, [{ status: 'SUCCESS', durationSeconds: 45 }], OTHER);

    await control(server, 'POST', `/_mw/windows/${WindowId}/executions`, { expect: 404 });
    const executionId = await fire(server, WindowId!, OTHER);
    await advance(server, 60);
    const { execution, tasks: [run] } = await executionTree(other, executionId);
    assert.deepEqual([execution.Status, execution.EndTime], ['SUCCESS', at(45)]);
    assert.equal(run.invocations.length, 1);
    assert.equal(JSON.parse(run.invocations[0].Parameters!).documentName, 'doc');
    assert.deepEqual((await listNodes(server, OTHER)).map((n) => n.id), ['i-000000000000there']);
    assert.deepEqual((await listNodes(server)).map((n) => n.id), ['i-0000000000000here']);
    const { WindowExecutions } = await send(new DescribeMaintenanceWindowExecutionsCommand({ WindowId }));
    assert.deepEqual(WindowExecutions, [], 'the default account does not see the other account\'s history');
  });
});
