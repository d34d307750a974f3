// Events with two replicas on one PostgreSQL database (issue 13): one replica delivers to a webhook at a
// time, so each event arrives once, in order, whichever replica ran the change; when the delivering
// replica is killed while the receiver is down, the other takes the target over and delivers what was
// recorded, nothing lost and nothing twice.

import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, test } from 'node:test';
import { CreateMaintenanceWindowCommand, RegisterTaskWithMaintenanceWindowCommand, type SSMClient } from '@aws-sdk/client-ssm';
import pg from 'pg';
import { fire } from '../support/control.ts';
import { eventually } from '../support/eventually.ts';
import { startServiceProcess, type ServiceProcess } from '../support/process.ts';
import { sdkClient, tempDataDir } from '../support/server.ts';
import { type ReceivedEvent, startWebhookReceiver } from '../support/webhook-receiver.ts';

const url = process.env.MW_TEST_POSTGRES_URL;
const ended = (executionId: string) => (events: ReceivedEvent[]) =>
  events.some((e) => e.detail['window-execution-id'] === executionId && e['detail-type'] === 'Maintenance Window Execution State-change Notification' && e.detail.status === 'SUCCESS');

test('events across two replicas: delivered once by one of them, and taken over when it dies', { skip: !url && !process.env.CI && 'MW_TEST_POSTGRES_URL is not set', timeout: 90_000 }, async () => {
  assert.ok(url, 'MW_TEST_POSTGRES_URL must be set (npm test starts PostgreSQL)');
  const schema = `mw_replica_events_${process.pid}`;
  const dir = tempDataDir();
  const hook = await startWebhookReceiver();
  const args = ['--store', url, '--postgres-schema', schema, '--lease-seconds', '2', '--invocation-seconds', '1', '--event-webhook', hook.url, '--quiet'];
  const replicas: ServiceProcess[] = [];
  const clients: SSMClient[] = [];
  const db = new pg.Client({ connectionString: url });
  after(async () => {
    for (const client of clients) client.destroy();
    for (const replica of replicas) await replica.stop('SIGKILL');
    await hook.stop();
    await db.end().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });
  for (let i = 0; i < 2; i++) {
    replicas.push(await startServiceProcess([...args, '--simulate', 'AUTOMATION']));
    clients.push(sdkClient(replicas[i].endpoint));
  }
  await db.connect();

  async function window(name: string): Promise<string> {
    const { WindowId } = await clients[0].send(new CreateMaintenanceWindowCommand({ Name: name, Schedule: 'rate(1 day)', Duration: 1, Cutoff: 0, AllowUnassociatedTargets: true }));
    await clients[1].send(new RegisterTaskWithMaintenanceWindowCommand({
      WindowId, TaskArn: 'AWS-RestartEC2Instance', TaskType: 'AUTOMATION', Targets: [{ Key: 'InstanceIds', Values: ['i-00000000000000001', 'i-00000000000000002'] }],
      MaxConcurrency: '2', MaxErrors: '0',
    }));
    return WindowId!;
  }

  // 1. Executions fired on each replica: every event once, each execution's in its own order.
  const onA = await fire(replicas[0].endpoint, await window('events-on-a'));
  const onB = await fire(replicas[1].endpoint, await window('events-on-b'));
  const first = await hook.waitFor((all) => ended(onA)(all) && ended(onB)(all), 30_000);
  assert.equal(new Set(first.map((e) => e.id)).size, first.length, 'no event twice');
  for (const executionId of [onA, onB]) {
    const statuses = first.filter((e) => e.detail['window-execution-id'] === executionId).map((e) => `${e['detail-type'].replace('Maintenance Window ', '')} ${e.detail.status}`);
    assert.deepEqual(statuses, [
      'Execution State-change Notification IN_PROGRESS', 'Task Execution State-change Notification IN_PROGRESS',
      'Task Target Invocation State-change Notification IN_PROGRESS', 'Task Target Invocation State-change Notification IN_PROGRESS',
      'Task Target Invocation State-change Notification COMPLETE', 'Task Target Invocation State-change Notification COMPLETE',
      'Task Execution State-change Notification SUCCESS', 'Execution State-change Notification SUCCESS',
    ]);
  }

  // 2. The receiver goes down; the replica holding the target is killed; the other delivers afterwards.
  hook.down = true;
  const holder = String((await db.query(`SELECT owner FROM ${schema}.event_targets`)).rows[0].owner);
  const holderIndex = replicas.findIndex((r) => holder.split(':').at(-2) === String(r.child.pid));
  assert.ok(holderIndex >= 0, `the lease holder ${holder} is one of the replicas`);
  const survivor = 1 - holderIndex;
  const during = await fire(replicas[survivor].endpoint, await window('events-takeover'));
  await eventually(async () => hook.refused, (n) => n > 0, 'the holder tries and fails');
  await replicas[holderIndex].stop('SIGKILL');
  hook.down = false;
  const all = await hook.waitFor(ended(during), 30_000);
  assert.equal(new Set(all.map((e) => e.id)).size, all.length, 'no event twice across the takeover');
  assert.equal(all.filter((e) => e.detail['window-execution-id'] === during).length, 8, 'every event of the execution');
  const newHolder = String((await db.query(`SELECT owner FROM ${schema}.event_targets`)).rows[0].owner);
  assert.ok(newHolder.split(':').at(-2) === String(replicas[survivor].child.pid), `the survivor delivers now (${newHolder})`);
});
