// Two replicas on one PostgreSQL database and a STEP_FUNCTIONS task on moto_server (issue 23): the replica
// that started the execution is killed while it runs; the other takes the window execution over and
// follows the same execution (by the ARN recorded as the invocation's ExecutionId) to its end, starting
// no second one.

import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, test } from 'node:test';
import { CreateStateMachineCommand, DescribeExecutionCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { CreateMaintenanceWindowCommand, RegisterTargetWithMaintenanceWindowCommand, RegisterTaskWithMaintenanceWindowCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { motoVersion, type ServerProcess, startMoto } from '../../bench/servers.ts';
import { executionTree, fire } from '../support/control.ts';
import { eventually } from '../support/eventually.ts';
import { startServiceProcess, type ServiceProcess } from '../support/process.ts';
import { sdkClient, tempDataDir } from '../support/server.ts';

const url = process.env.MW_TEST_POSTGRES_URL;
const moto = motoVersion();
// A Region of its own: moto 5 refuses a second StartExecution in a Region (see e2e/remote-tasks.test.ts).
const REGION = 'ap-southeast-2';
const skip = !url ? !process.env.CI && 'MW_TEST_POSTGRES_URL is not set' : !moto && 'moto_server cannot be run here';

test('a replica killed while its state machine runs: the other follows the same execution to its end', { skip, timeout: 90_000 }, async () => {
  assert.ok(url, 'MW_TEST_POSTGRES_URL must be set (npm test starts PostgreSQL)');
  const schema = `mw_replica_remote_${process.pid}`;
  const dir = tempDataDir();
  const replicas: ServiceProcess[] = [];
  const clients: SSMClient[] = [];
  let emulator: ServerProcess | undefined;
  let sfn: SFNClient | undefined;
  after(async () => {
    for (const client of clients) client.destroy();
    for (const replica of replicas) await replica.stop('SIGKILL');
    sfn?.destroy();
    await emulator?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  emulator = await startMoto();
  const config = await fetch(`${emulator.endpoint}/moto-api/config`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ stepfunctions: { execute_state_machine: true } }) });
  assert.equal(config.status, 201);
  sfn = new SFNClient({ endpoint: emulator.endpoint, region: REGION, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const definition = { StartAt: 'Wait', States: { Wait: { Type: 'Wait', Seconds: 8, Next: 'Done' }, Done: { Type: 'Pass', End: true } } };
  const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: 'takeover', roleArn: 'arn:aws:iam::123456789012:role/runner', definition: JSON.stringify(definition) }));

  // The endpoint variables reach the replicas only: they are put back once the processes are spawned.
  const saved = { ...process.env };
  Object.assign(process.env, { AWS_ENDPOINT_URL: emulator.endpoint, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' });
  const starting: Promise<ServiceProcess>[] = [];
  try {
    for (let i = 0; i < 2; i++) starting.push(startServiceProcess(['--store', url, '--postgres-schema', schema, '--lease-seconds', '2', '--quiet']));
  } finally {
    for (const name of ['AWS_ENDPOINT_URL', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
  }
  for (const replica of await Promise.all(starting)) {
    replicas.push(replica);
    clients.push(sdkClient(replica.endpoint));
  }
  const [a, b] = clients;

  const { WindowId } = await a.send(new CreateMaintenanceWindowCommand({ Name: 'takeover', Schedule: 'rate(1 day)', Duration: 1, Cutoff: 0, AllowUnassociatedTargets: false }));
  const { WindowTargetId } = await a.send(new RegisterTargetWithMaintenanceWindowCommand({ WindowId, ResourceType: 'INSTANCE', Targets: [{ Key: 'InstanceIds', Values: ['i-00000000000000001'] }] }));
  await a.send(new RegisterTaskWithMaintenanceWindowCommand({
    WindowId, TaskArn: stateMachineArn, TaskType: 'STEP_FUNCTIONS', Targets: [{ Key: 'WindowTargetIds', Values: [WindowTargetId!] }], MaxConcurrency: '1', MaxErrors: '1',
    TaskInvocationParameters: { StepFunctions: { Input: '{"node":"{{RESOURCE_ID}}"}' } },
  }));
  const executionId = await fire(replicas[0].endpoint, WindowId!);
  const listed = async () => (await sfn!.send(new ListExecutionsCommand({ stateMachineArn }))).executions ?? [];
  const [running] = await eventually(listed, (e) => e.length === 1 && e[0].status === 'RUNNING', 'the execution runs');
  await replicas[0].stop('SIGKILL');

  const invocationOf = async () => (await executionTree(b, executionId)).tasks[0]?.invocations[0];
  const done = await eventually(invocationOf, (i) => i?.Status !== 'IN_PROGRESS', 'the invocation ends after the takeover', 60_000, 250);
  assert.deepEqual([done!.Status, done!.ExecutionId], ['SUCCESS', running.executionArn]);
  assert.equal(done!.StatusDetails, `SUCCEEDED: ${(await sfn.send(new DescribeExecutionCommand({ executionArn: running.executionArn }))).output}`);
  assert.equal((await listed()).length, 1, 'no second execution was started');
  assert.equal((await executionTree(b, executionId)).execution.Status, 'SUCCESS');
});
