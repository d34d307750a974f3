// Concurrent writers through the API on PostgreSQL, where transactions really run side by side: the
// races outside testing found losing acknowledged updates (issue 11). Every acknowledged write must be
// visible afterwards, quotas must hold, and a Safe deregistration must never leave a task pointing at a
// target that is gone.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  AddTagsToResourceCommand, CreateMaintenanceWindowCommand, DeregisterTargetFromMaintenanceWindowCommand,
  DescribeMaintenanceWindowTargetsCommand, DescribeMaintenanceWindowTasksCommand, GetMaintenanceWindowCommand,
  ListTagsForResourceCommand, RegisterTargetWithMaintenanceWindowCommand, RegisterTaskWithMaintenanceWindowCommand,
  UpdateMaintenanceWindowCommand,
} from '@aws-sdk/client-ssm';
import { startTestServer, type TestServer } from '../support/server.ts';

const url = process.env.MW_TEST_POSTGRES_URL;
const skip = !url && !process.env.CI && 'MW_TEST_POSTGRES_URL is not set';
let server: TestServer;

before(async () => {
  if (skip) return;
  assert.ok(url, 'MW_TEST_POSTGRES_URL must be set (npm test starts PostgreSQL)');
  server = await startTestServer({ store: url, postgresSchema: `mw_concurrent_${process.pid}`, engine: false });
});
after(() => server?.stop());

async function newWindow(): Promise<string> {
  const created = await server.client.send(new CreateMaintenanceWindowCommand({ Name: 'racing', Schedule: 'rate(1 day)', Duration: 2, Cutoff: 0, AllowUnassociatedTargets: false }));
  return created.WindowId!;
}

test('concurrent UpdateMaintenanceWindow calls on different members all survive', { skip }, async () => {
  const WindowId = await newWindow();
  for (let round = 0; round < 10; round++) {
    await Promise.all([
      server.client.send(new UpdateMaintenanceWindowCommand({ WindowId, Name: `name-${round}` })),
      server.client.send(new UpdateMaintenanceWindowCommand({ WindowId, Description: `description-${round}` })),
      server.client.send(new UpdateMaintenanceWindowCommand({ WindowId, Duration: 3 + round })),
    ]);
    const window = await server.client.send(new GetMaintenanceWindowCommand({ WindowId }));
    assert.deepEqual([window.Name, window.Description, window.Duration], [`name-${round}`, `description-${round}`, 3 + round], `round ${round}`);
  }
});

test('20 concurrent AddTagsToResource calls keep all 20 tags; 70 more stop at the quota of 50', { skip }, async () => {
  const ResourceId = await newWindow();
  const addTag = (Key: string) => server.client.send(new AddTagsToResourceCommand({ ResourceType: 'MaintenanceWindow', ResourceId, Tags: [{ Key, Value: Key }] }));
  await Promise.all(Array.from({ length: 20 }, (_, i) => addTag(`k${i}`)));
  const listed = async () => (await server.client.send(new ListTagsForResourceCommand({ ResourceType: 'MaintenanceWindow', ResourceId }))).TagList ?? [];
  assert.equal((await listed()).length, 20);
  const results = await Promise.allSettled(Array.from({ length: 70 }, (_, i) => addTag(`q${i}`)));
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 30);
  for (const r of results) if (r.status === 'rejected') assert.equal((r.reason as Error).name, 'TooManyTagsError');
  assert.equal((await listed()).length, 50);
});

test('Safe DeregisterTarget racing RegisterTask against that target: never a task on a missing target', { skip }, async () => {
  for (let round = 0; round < 10; round++) {
    const WindowId = await newWindow();
    const { WindowTargetId } = await server.client.send(new RegisterTargetWithMaintenanceWindowCommand({ WindowId, ResourceType: 'INSTANCE', Targets: [{ Key: 'InstanceIds', Values: ['i-0123456789abcdef0'] }] }));
    await Promise.allSettled([
      server.client.send(new DeregisterTargetFromMaintenanceWindowCommand({ WindowId, WindowTargetId, Safe: true })),
      server.client.send(new RegisterTaskWithMaintenanceWindowCommand({
        WindowId, TaskArn: 'AWS-RunShellScript', TaskType: 'RUN_COMMAND', MaxConcurrency: '1', MaxErrors: '0',
        Targets: [{ Key: 'WindowTargetIds', Values: [WindowTargetId!] }],
      })),
    ]);
    const targets = (await server.client.send(new DescribeMaintenanceWindowTargetsCommand({ WindowId }))).Targets ?? [];
    const tasks = (await server.client.send(new DescribeMaintenanceWindowTasksCommand({ WindowId }))).Tasks ?? [];
    const existing = new Set(targets.map((t) => t.WindowTargetId));
    for (const task of tasks) {
      for (const id of task.Targets?.flatMap((t) => t.Values ?? []) ?? []) assert.ok(existing.has(id), `round ${round}: a task references the deregistered target ${id}`);
    }
    assert.equal(targets.length, tasks.length, `round ${round}: either the task registered and the target stayed, or the target went and no task came`);
  }
});
