// On the system clock the engine's timer fires a window at its time, within a second. This is the one
// test that waits on the real clock (a few seconds, bounded); every other engine test moves a manual clock.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { CreateMaintenanceWindowCommand, DescribeMaintenanceWindowExecutionsCommand, GetMaintenanceWindowCommand } from '@aws-sdk/client-ssm';
import { startTestServer, type TestServer } from '../support/server.ts';

describe('system clock', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());

  test('an at() window fires within a second of its time', async () => {
    const fireAt = Math.ceil((Date.now() + 2500) / 1000) * 1000;
    const at = new Date(fireAt).toISOString().slice(0, 19);
    const { WindowId } = await server.client.send(new CreateMaintenanceWindowCommand({
      Name: 'one-shot', Schedule: `at(${at})`, Duration: 1, Cutoff: 0, AllowUnassociatedTargets: false,
    }));
    const window = await server.client.send(new GetMaintenanceWindowCommand({ WindowId }));
    // AWS's format drops zero seconds: 12:00:00 prints as 12:00Z.
    assert.equal(window.NextExecutionTime, at.endsWith(':00') ? `${at.slice(0, -3)}Z` : `${at}Z`);
    let executions: any[] = [];
    const deadline = fireAt + 5000;
    while (Date.now() < deadline) {
      executions = (await server.client.send(new DescribeMaintenanceWindowExecutionsCommand({ WindowId }))).WindowExecutions!;
      if (executions.length > 0) break;
      await sleep(100);
    }
    const seenAt = Date.now();
    assert.equal(executions.length, 1, 'the window fired once');
    assert.equal(executions[0].StartTime.getTime(), fireAt, 'recorded at its scheduled time');
    assert.ok(seenAt - fireAt < 1500, `visible ${seenAt - fireAt} ms after its time`);
    assert.equal(executions[0].Status, 'SUCCESS');
    assert.equal(executions[0].StatusDetails, 'No tasks to execute.');
    const after = await server.client.send(new GetMaintenanceWindowCommand({ WindowId }));
    assert.equal(after.NextExecutionTime, undefined, 'a one-time window has no next run once it ran');
  });
});
