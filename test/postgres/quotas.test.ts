// Quotas hold under concurrent requests on PostgreSQL, where transactions really run side by side
// (READ COMMITTED): of N simultaneous creates, exactly the quota's worth succeed.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CreateMaintenanceWindowCommand, RegisterTaskWithMaintenanceWindowCommand } from '@aws-sdk/client-ssm';
import { startTestServer } from '../support/server.ts';

const url = process.env.MW_TEST_POSTGRES_URL;

test('window and task quotas under concurrent requests', { skip: !url && !process.env.CI && 'MW_TEST_POSTGRES_URL is not set' }, async () => {
  assert.ok(url, 'MW_TEST_POSTGRES_URL must be set (npm test starts PostgreSQL)');
  const server = await startTestServer({
    store: url,
    postgresSchema: `mw_quotas_${process.pid}`,
    engine: false,
    quotas: { windowsPerRegion: 4, targetsPerWindow: 100, tasksPerWindow: 3, tagsPerResource: 50, documentsPerRegion: 500 },
  });
  try {
    const create = () => server.client.send(new CreateMaintenanceWindowCommand({ Name: 'racing', Schedule: 'rate(1 day)', Duration: 1, Cutoff: 0, AllowUnassociatedTargets: false }));
    const windows = await Promise.allSettled(Array.from({ length: 12 }, create));
    const created = windows.filter((r) => r.status === 'fulfilled');
    assert.equal(created.length, 4);
    for (const r of windows) if (r.status === 'rejected') assert.equal((r.reason as Error).name, 'ResourceLimitExceededException');

    const windowId = (created[0] as PromiseFulfilledResult<{ WindowId?: string }>).value.WindowId!;
    const register = () => server.client.send(new RegisterTaskWithMaintenanceWindowCommand({ WindowId: windowId, TaskArn: 'AWS-RestartEC2Instance', TaskType: 'AUTOMATION' }));
    const tasks = await Promise.allSettled(Array.from({ length: 10 }, register));
    assert.equal(tasks.filter((r) => r.status === 'fulfilled').length, 3);
  } finally {
    await server.stop();
  }
});
