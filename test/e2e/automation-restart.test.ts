// An automation execution survives kill -9 (issue 22): killed in the middle of a sleeping step and again
// while its aws:runCommand step's command runs, the service restarted on its own data carries on with
// the next clock advance: the sleep ends when it was due, the command is sent once and reported once, and
// the steps' history is the one a run without kills records.

import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { CreateDocumentCommand, GetAutomationExecutionCommand, ListCommandsCommand, StartAutomationExecutionCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { advance, control } from '../support/control.ts';
import { startServiceProcess, type ServiceProcess } from '../support/process.ts';
import { sdkClient, tempDataDir } from '../support/server.ts';

const T0 = Date.parse('2026-11-03T00:00:00Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);
const NODE = 'i-0000000000000f001';
const RUNBOOK = JSON.stringify({
  schemaVersion: '0.3',
  mainSteps: [
    { name: 'wait', action: 'aws:sleep', inputs: { Duration: 'PT10M' } },
    { name: 'run', action: 'aws:runCommand', inputs: { DocumentName: 'AWS-RunShellScript', InstanceIds: [NODE], Parameters: { commands: ['uptime'] } } },
    { name: 'cool', action: 'aws:sleep', inputs: { Duration: 'PT1M' } },
  ],
});

describe('automation: kill -9 and restart', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  const start = (dataDir: string, clockStartSeconds: number): Promise<ServiceProcess> =>
    startServiceProcess(['--data-dir', dataDir, '--clock', 'manual', '--clock-start', at(clockStartSeconds).toISOString(), '--invocation-seconds', '60', '--quiet']);

  async function history(client: SSMClient, id: string) {
    const e = (await client.send(new GetAutomationExecutionCommand({ AutomationExecutionId: id }))).AutomationExecution!;
    return {
      status: e.AutomationExecutionStatus, end: e.ExecutionEndTime,
      steps: e.StepExecutions!.map((s) => [s.StepName, s.StepStatus, s.ExecutionStartTime, s.ExecutionEndTime]),
      commands: (await client.send(new ListCommandsCommand({}))).Commands!.map((c) => [c.Status, c.RequestedDateTime]),
    };
  }

  async function begin(endpoint: string, client: SSMClient): Promise<string> {
    await control(endpoint, 'PUT', `/_mw/nodes/${NODE}`, { body: {} });
    await client.send(new CreateDocumentCommand({ Name: 'SleepRunSleep', Content: RUNBOOK, DocumentType: 'Automation' }));
    return (await client.send(new StartAutomationExecutionCommand({ DocumentName: 'SleepRunSleep' }))).AutomationExecutionId!;
  }

  test('killed while sleeping and while its command runs, it ends as a run without kills does', async () => {
    const expected = {
      status: 'Success', end: at(720),
      steps: [['wait', 'Success', at(0), at(600)], ['run', 'Success', at(600), at(660)], ['cool', 'Success', at(660), at(720)]],
      commands: [['Success', at(600)]],
    };
    const referenceDir = tempDataDir();
    dirs.push(referenceDir);
    const reference = await start(referenceDir, 0);
    const referenceClient = sdkClient(reference.endpoint);
    try {
      const id = await begin(reference.endpoint, referenceClient);
      await advance(reference.endpoint, 900);
      assert.deepEqual(await history(referenceClient, id), expected);
    } finally {
      referenceClient.destroy();
      await reference.stop();
    }

    const dataDir = tempDataDir();
    dirs.push(dataDir);
    let service = await start(dataDir, 0);
    let client = sdkClient(service.endpoint);
    const id = await begin(service.endpoint, client);
    await advance(service.endpoint, 300); // in the middle of the sleep
    client.destroy();
    assert.equal(await service.stop('SIGKILL'), null);

    service = await start(dataDir, 300);
    client = sdkClient(service.endpoint);
    await advance(service.endpoint, 330); // the sleep ended at 600; the command runs until 660
    const midway = await history(client, id);
    assert.deepEqual(midway.steps.map((s) => s.slice(0, 2)), [['wait', 'Success'], ['run', 'InProgress']]);
    client.destroy();
    assert.equal(await service.stop('SIGKILL'), null);

    service = await start(dataDir, 630);
    client = sdkClient(service.endpoint);
    try {
      await advance(service.endpoint, 270);
      assert.deepEqual(await history(client, id), expected, 'the same history, one command');
    } finally {
      client.destroy();
      assert.equal(await service.stop(), 0);
    }
  });
});
