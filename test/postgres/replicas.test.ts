// Three service replicas on one PostgreSQL database, 200 windows due in the same second, and one replica
// killed with SIGKILL while their invocations run: every window still has exactly one execution, and every
// invocation exists exactly once and ends SUCCESS, the killed replica's share taken over by the others.

import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateMaintenanceWindowCommand, DescribeMaintenanceWindowExecutionsCommand, DescribeMaintenanceWindowExecutionTasksCommand,
  RegisterTargetWithMaintenanceWindowCommand, RegisterTaskWithMaintenanceWindowCommand, type SSMClient,
} from '@aws-sdk/client-ssm';
import pg from 'pg';
import { allInvocations } from '../support/control.ts';
import { startServiceProcess, type ServiceProcess } from '../support/process.ts';
import { sdkClient, tempDataDir } from '../support/server.ts';

const url = process.env.MW_TEST_POSTGRES_URL;
const WINDOWS = 200;
const NODES = 5;
const nodeId = (i: number) => `i-${String(i).padStart(17, '0')}`;

test('three replicas, 200 windows due together, one replica killed mid-run', { skip: !url && !process.env.CI && 'MW_TEST_POSTGRES_URL is not set', timeout: 180_000 }, async () => {
  assert.ok(url, 'MW_TEST_POSTGRES_URL must be set (npm test starts PostgreSQL)');
  const schema = `mw_replicas_${process.pid}`;
  const dir = tempDataDir();
  const nodesFile = join(dir, 'nodes.json');
  writeFileSync(nodesFile, JSON.stringify(Array.from({ length: NODES }, (_, i) => ({ id: nodeId(i), tags: { Fleet: 'replicas' } }))));
  const args = ['--store', url, '--postgres-schema', schema, '--lease-seconds', '2', '--invocation-seconds', '4', '--nodes', nodesFile, '--max-windows', '1000', '--quiet'];
  const replicas: ServiceProcess[] = [];
  const clients: SSMClient[] = [];
  const db = new pg.Client({ connectionString: url });
  after(async () => {
    for (const client of clients) client.destroy();
    for (const replica of replicas) await replica.stop('SIGKILL');
    await db.end().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });
  // Start them one after another: the first creates the schema and runs the migrations.
  for (let i = 0; i < 3; i++) {
    replicas.push(await startServiceProcess([...args, '--simulate', 'AUTOMATION']));
    clients.push(sdkClient(replicas[i].endpoint));
  }
  await db.connect();

  // Every window runs once, at the same second, some seconds from now: 600 API calls come first, and on a
  // machine busy with the rest of the suite they took over 11 s.
  const fireAt = Math.ceil((Date.now() + 25_000) / 1000) * 1000;
  const at = new Date(fireAt).toISOString().slice(0, 19);
  const windowIds: string[] = [];
  await Promise.all(Array.from({ length: WINDOWS }, async (_, i) => {
    const client = clients[i % 3];
    const { WindowId } = await client.send(new CreateMaintenanceWindowCommand({ Name: `replica-${i}`, Schedule: `at(${at})`, Duration: 1, Cutoff: 0, AllowUnassociatedTargets: false }));
    const { WindowTargetId } = await client.send(new RegisterTargetWithMaintenanceWindowCommand({ WindowId, ResourceType: 'INSTANCE', Targets: [{ Key: 'tag:Fleet', Values: ['replicas'] }] }));
    await client.send(new RegisterTaskWithMaintenanceWindowCommand({
      WindowId, TaskArn: 'AWS-RestartEC2Instance', TaskType: 'AUTOMATION', Targets: [{ Key: 'WindowTargetIds', Values: [WindowTargetId!] }],
      MaxConcurrency: '100%', MaxErrors: '100%', TaskInvocationParameters: { Automation: { Parameters: { InstanceId: ['{{RESOURCE_ID}}'] } } },
    }));
    windowIds.push(WindowId!);
  }));
  assert.ok(Date.now() < fireAt - 1000, 'the windows were set up before they were due');

  // Mid-run: every execution has started and its 4-second invocations are running.
  await sleep(fireAt + 2000 - Date.now());
  const owners = (await db.query(`SELECT owner, count(*)::int AS n FROM ${schema}.window_executions GROUP BY owner`)).rows as { owner: string; n: number }[];
  assert.equal(owners.reduce((n, row) => n + row.n, 0), WINDOWS, 'all 200 fired within two seconds');
  const victimPid = replicas[1].child.pid!;
  const victim = owners.find((row) => row.owner?.includes(`:${victimPid}:`));
  assert.ok(victim && victim.n > 0, `the replica to be killed holds running executions: ${JSON.stringify(owners)}`);
  assert.ok(owners.filter((row) => row.owner).length >= 2, `the firing was shared between replicas: ${JSON.stringify(owners)}`);
  await replicas[1].stop('SIGKILL');

  // The survivors take the killed replica's executions over once its lease ends, and finish them.
  const deadline = Date.now() + 40_000;
  let unfinished = WINDOWS;
  while (Date.now() < deadline) {
    unfinished = Number((await db.query(`SELECT count(*)::int AS n FROM ${schema}.window_executions WHERE status <> 'SUCCESS'`)).rows[0].n);
    if (unfinished === 0) break;
    await sleep(250);
  }
  assert.equal(unfinished, 0, 'every execution finished');

  const client = clients[0];
  for (const windowId of windowIds) {
    const { WindowExecutions } = await client.send(new DescribeMaintenanceWindowExecutionsCommand({ WindowId: windowId }));
    assert.equal(WindowExecutions!.length, 1, `${windowId} ran exactly once`);
    const [execution] = WindowExecutions!;
    assert.equal(execution.Status, 'SUCCESS');
    assert.equal(execution.StartTime!.getTime(), fireAt);
    const tasks = (await client.send(new DescribeMaintenanceWindowExecutionTasksCommand({ WindowExecutionId: execution.WindowExecutionId }))).WindowExecutionTaskIdentities!;
    assert.equal(tasks.length, 1);
    const invocations = await allInvocations(client, execution.WindowExecutionId!, tasks[0].TaskExecutionId!);
    const resources = invocations.map((i) => JSON.parse(i.Parameters!).parameters.InstanceId[0]).sort();
    assert.deepEqual(resources, Array.from({ length: NODES }, (_, i) => nodeId(i)), `${windowId}: one invocation per node, none twice`);
    assert.ok(invocations.every((i) => i.Status === 'SUCCESS'));
  }
  const total = Number((await db.query(`SELECT count(*)::int AS n FROM ${schema}.invocations`)).rows[0].n);
  assert.equal(total, WINDOWS * NODES, 'no invocation was run twice');
});
