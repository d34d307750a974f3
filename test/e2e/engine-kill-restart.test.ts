// kill -9 on the manual clock, then a restart of the service on its own data (issue 11): the new process
// must take its running executions back at once, not after the dead process's lease runs out on the wall
// clock (during which clock moves would pass the executions by and leave them with invented outcomes). The
// history after the restart must be the one a run without the kill records.

import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { CreateMaintenanceWindowCommand, RegisterTaskWithMaintenanceWindowCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { advance, executionTree, fire } from '../support/control.ts';
import { startServiceProcess, type ServiceProcess } from '../support/process.ts';
import { sdkClient, tempDataDir } from '../support/server.ts';

const T0 = Date.parse('2026-05-01T00:00:00Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);
const dirs: string[] = [];
describe('engine: kill -9 and restart on the manual clock', () => {
  after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  function start(dataDir: string, clockStartSeconds: number): Promise<ServiceProcess> {
    return startServiceProcess(['--data-dir', dataDir, '--clock', 'manual', '--clock-start', at(clockStartSeconds).toISOString(), '--invocation-seconds', '60', '--simulate', 'AUTOMATION', '--quiet']);
  }

  async function windowWithThreeInstances(client: SSMClient): Promise<string> {
    const { WindowId } = await client.send(new CreateMaintenanceWindowCommand({ Name: 'killed', Schedule: 'rate(1 day)', Duration: 2, Cutoff: 1, AllowUnassociatedTargets: true }));
    await client.send(new RegisterTaskWithMaintenanceWindowCommand({
      WindowId, TaskArn: 'AWS-RestartEC2Instance', TaskType: 'AUTOMATION', Targets: [{ Key: 'InstanceIds', Values: ['i-1', 'i-2', 'i-3'] }],
      MaxConcurrency: '1', MaxErrors: '1',
    }));
    return WindowId!;
  }

  /** What a history looks like, without its ids: statuses and times of the execution, its task and invocations. */
  async function history(client: SSMClient, executionId: string) {
    const tree = await executionTree(client, executionId);
    return {
      execution: [tree.execution.Status, tree.execution.StartTime, tree.execution.EndTime],
      tasks: tree.tasks.map((t) => ({
        task: [t.task.Status, t.task.StartTime, t.task.EndTime],
        invocations: t.invocations.map((i) => [i.Status, i.StatusDetails, i.StartTime, i.EndTime]),
      })),
    };
  }

  test('after kill -9, a restarted service moves its executions with the very next clock advance, as if never killed', async () => {
    const expected = {
      execution: ['SUCCESS', at(0), at(180)],
      tasks: [{
        task: ['SUCCESS', at(0), at(180)],
        invocations: [['SUCCESS', 'Success', at(0), at(60)], ['SUCCESS', 'Success', at(60), at(120)], ['SUCCESS', 'Success', at(120), at(180)]],
      }],
    };

    // Reference: the same run without a kill.
    const referenceDir = tempDataDir();
    dirs.push(referenceDir);
    const reference = await start(referenceDir, 0);
    const referenceClient = sdkClient(reference.endpoint);
    try {
      const executionId = await fire(reference.endpoint, await windowWithThreeInstances(referenceClient));
      await advance(reference.endpoint, 30);
      await advance(reference.endpoint, 600);
      assert.deepEqual(await history(referenceClient, executionId), expected);
    } finally {
      referenceClient.destroy();
      await reference.stop();
    }

    const dataDir = tempDataDir();
    dirs.push(dataDir);
    const first = await start(dataDir, 0);
    const firstClient = sdkClient(first.endpoint);
    let executionId: string;
    try {
      executionId = await fire(first.endpoint, await windowWithThreeInstances(firstClient));
      await advance(first.endpoint, 30);
    } finally {
      firstClient.destroy();
      assert.equal(await first.stop('SIGKILL'), null);
    }

    const second = await start(dataDir, 30);
    const client = sdkClient(second.endpoint);
    try {
      await advance(second.endpoint, 600);
      assert.deepEqual(await history(client, executionId), expected, 'the same history as the run without the kill');
    } finally {
      client.destroy();
      assert.equal(await second.stop(), 0);
    }
  });
});
