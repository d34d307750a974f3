// Two replicas on one PostgreSQL database running automation executions (issue 22): the executions move
// on whichever replica's engine steps first (each execution's row is held for its step), one replica is
// killed in the middle, and every execution still ends, each step run once and each aws:runCommand step
// having sent exactly one command.

import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, test } from 'node:test';
import { CreateDocumentCommand, GetAutomationExecutionCommand, ListCommandsCommand, StartAutomationExecutionCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { control } from '../support/control.ts';
import { eventually } from '../support/eventually.ts';
import { startServiceProcess, type ServiceProcess } from '../support/process.ts';
import { sdkClient, tempDataDir } from '../support/server.ts';

const url = process.env.MW_TEST_POSTGRES_URL;
const skip = !url && !process.env.CI && 'MW_TEST_POSTGRES_URL is not set';
const NODE = 'i-0000000000000a0b1';
const EXECUTIONS = 8;
const RUNBOOK = JSON.stringify({
  schemaVersion: '0.3',
  parameters: { N: { type: 'String' } },
  mainSteps: [
    { name: 'first', action: 'aws:sleep', inputs: { Duration: 'PT1S' } },
    { name: 'run', action: 'aws:runCommand', inputs: { DocumentName: 'AWS-RunShellScript', InstanceIds: [NODE], Parameters: { commands: ['echo {{ N }}'] } } },
    { name: 'last', action: 'aws:sleep', inputs: { Duration: 'PT2S' } },
  ],
});

test('automation on two replicas, one killed mid-run: every execution ends once, one command per runCommand step', { skip, timeout: 120_000 }, async () => {
  assert.ok(url, 'MW_TEST_POSTGRES_URL must be set (npm test starts PostgreSQL)');
  const schema = `mw_replica_automation_${process.pid}`;
  const dir = tempDataDir();
  const replicas: ServiceProcess[] = [];
  const clients: SSMClient[] = [];
  after(async () => {
    for (const client of clients) client.destroy();
    for (const replica of replicas) await replica.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  // One after the other: the first creates the schema.
  for (let i = 0; i < 2; i++) {
    replicas.push(await startServiceProcess(['--store', url, '--postgres-schema', schema, '--lease-seconds', '2', '--invocation-seconds', '1', '--quiet']));
    clients.push(sdkClient(replicas[i].endpoint));
  }
  const [a, b] = clients;
  await control(replicas[0].endpoint, 'PUT', `/_mw/nodes/${NODE}`, { body: {} });
  await a.send(new CreateDocumentCommand({ Name: 'TwoReplicas', Content: RUNBOOK, DocumentType: 'Automation' }));
  const ids: string[] = [];
  for (let i = 0; i < EXECUTIONS; i++) {
    const client = i % 2 === 0 ? a : b;
    ids.push((await client.send(new StartAutomationExecutionCommand({ DocumentName: 'TwoReplicas', Parameters: { N: [String(i)] } }))).AutomationExecutionId!);
  }
  // Killed while the executions sleep or run their commands.
  await eventually(async () => (await b.send(new ListCommandsCommand({}))).Commands!.length, (n) => n >= 1, 'a first command is sent', 30_000, 100);
  await replicas[0].stop('SIGKILL');

  const ended = await eventually(
    () => Promise.all(ids.map(async (AutomationExecutionId) => (await b.send(new GetAutomationExecutionCommand({ AutomationExecutionId }))).AutomationExecution!)),
    (all) => all.every((e) => !['Pending', 'InProgress', 'Waiting'].includes(e.AutomationExecutionStatus!)), 'every execution ends on the replica left', 60_000, 250,
  );
  for (const e of ended) {
    assert.equal(e.AutomationExecutionStatus, 'Success', JSON.stringify(e.StepExecutions));
    assert.deepEqual(e.StepExecutions!.map((s) => [s.StepName, s.StepStatus]), [['first', 'Success'], ['run', 'Success'], ['last', 'Success']]);
  }
  const commands = (await b.send(new ListCommandsCommand({ MaxResults: 50 }))).Commands!;
  assert.equal(commands.length, EXECUTIONS, 'one command per execution, none sent twice');
  const sent = new Set(ended.map((e) => e.StepExecutions![1].Outputs!.CommandId[0]));
  assert.deepEqual(new Set(commands.map((c) => c.CommandId)), sent, 'each step reports the one command it sent');
});
