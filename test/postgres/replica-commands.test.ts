// Two replicas on one PostgreSQL database and the Run Command path of a window: a user's CancelCommand
// sent to the replica that does not run the execution still reaches its invocation (the report waits in
// the store for the replica that runs it, and is applied once); and a command in flight when its
// replica is killed ends, after the takeover, with the status its nodes reported.

import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, test } from 'node:test';
import {
  CancelCommandCommand, CreateMaintenanceWindowCommand, ListCommandsCommand, RegisterTargetWithMaintenanceWindowCommand,
  RegisterTaskWithMaintenanceWindowCommand, type SSMClient,
} from '@aws-sdk/client-ssm';
import pg from 'pg';
import { executionTree, fire } from '../support/control.ts';
import { startServiceProcess, type ServiceProcess } from '../support/process.ts';
import { eventually } from '../support/eventually.ts';
import { sdkClient, tempDataDir } from '../support/server.ts';

const url = process.env.MW_TEST_POSTGRES_URL;

test('window commands across two replicas: a CancelCommand on either replica, and a takeover mid-command', { skip: !url && !process.env.CI && 'MW_TEST_POSTGRES_URL is not set', timeout: 90_000 }, async () => {
  assert.ok(url, 'MW_TEST_POSTGRES_URL must be set (npm test starts PostgreSQL)');
  const schema = `mw_replica_commands_${process.pid}`;
  const dir = tempDataDir();
  const args = ['--store', url, '--postgres-schema', schema, '--lease-seconds', '2', '--invocation-seconds', '6', '--quiet'];
  const replicas: ServiceProcess[] = [];
  const clients: SSMClient[] = [];
  const db = new pg.Client({ connectionString: url });
  after(async () => {
    for (const client of clients) client.destroy();
    for (const replica of replicas) await replica.stop('SIGKILL');
    await db.end().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });
  for (let i = 0; i < 2; i++) {
    replicas.push(await startServiceProcess(args));
    clients.push(sdkClient(replicas[i].endpoint));
  }
  await db.connect();
  const [a, b] = clients;

  async function commandWindow(name: string): Promise<string> {
    const { WindowId } = await a.send(new CreateMaintenanceWindowCommand({ Name: name, Schedule: 'rate(1 day)', Duration: 1, Cutoff: 0, AllowUnassociatedTargets: false }));
    const { WindowTargetId } = await a.send(new RegisterTargetWithMaintenanceWindowCommand({
      WindowId, ResourceType: 'INSTANCE', Targets: [{ Key: 'InstanceIds', Values: ['i-00000000000000001', 'i-00000000000000002'] }],
    }));
    await a.send(new RegisterTaskWithMaintenanceWindowCommand({
      WindowId, TaskArn: 'AWS-RunShellScript', TaskType: 'RUN_COMMAND', Targets: [{ Key: 'WindowTargetIds', Values: [WindowTargetId!] }],
      MaxConcurrency: '2', MaxErrors: '2', TaskInvocationParameters: { RunCommand: { Parameters: { commands: ['uptime'] } } },
    }));
    return WindowId!;
  }
  const invocationOf = async (client: SSMClient, executionId: string) => (await executionTree(client, executionId)).tasks[0]?.invocations[0];

  // 1. Replica A runs the execution; the user cancels its command through replica B.
  const cancelled = await fire(replicas[0].endpoint, await commandWindow('cancel-on-b'));
  const running = await eventually(() => invocationOf(b, cancelled), (i) => i?.Status === 'IN_PROGRESS', 'the command is running');
  await b.send(new CancelCommandCommand({ CommandId: running!.ExecutionId }));
  const ended = await eventually(() => invocationOf(b, cancelled), (i) => i?.Status === 'CANCELLED', 'the invocation follows the cancelled command');
  assert.equal(ended!.StatusDetails, 'Cancelled');
  assert.equal((await b.send(new ListCommandsCommand({ CommandId: running!.ExecutionId }))).Commands![0].Status, 'Cancelled');
  await eventually(async () => (await executionTree(a, cancelled)).execution.Status, (s) => s === 'FAILED', 'the execution ends');
  const waiting = Number((await db.query(`SELECT count(*)::int AS n FROM ${schema}.window_reports`)).rows[0].n);
  assert.equal(waiting, 0, 'every report was taken, once');

  // 2. Replica A runs a command and is killed mid-run: B takes the execution over and the command's end reaches it.
  const executionId = await fire(replicas[0].endpoint, await commandWindow('takeover'));
  const inFlight = await eventually(() => invocationOf(b, executionId), (i) => i?.Status === 'IN_PROGRESS', 'the command is running');
  await replicas[0].stop('SIGKILL');
  const done = await eventually(() => invocationOf(b, executionId), (i) => i?.Status === 'SUCCESS', 'the command ends after the takeover');
  assert.equal(done!.ExecutionId, inFlight!.ExecutionId, 'the same command, not a new one');
  const { execution } = await executionTree(b, executionId);
  assert.equal(execution.Status, 'SUCCESS');
  const runTime = done!.EndTime!.getTime() - done!.StartTime!.getTime();
  assert.ok(runTime >= 6000 && runTime < 6000 + 3000, `the invocation ends when its nodes did (${runTime} ms), not when the takeover noticed`);
});
