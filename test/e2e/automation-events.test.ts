// Automation's EventBridge events (issue 22, "Seen everywhere"): "EC2 Automation Execution Status-change
// Notification" for each status of an execution and "EC2 Automation Step Status-change Notification" for
// each status of each step, in AWS's shape (the user guide's samples), through the outbox to a webhook,
// in order and each once; an account's own target gets only its account's; a window's AUTOMATION task's
// execution is on the live stream filtered to that window; /metrics counts executions and steps.

import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import {
  CreateDocumentCommand, CreateMaintenanceWindowCommand, RegisterTargetWithMaintenanceWindowCommand, RegisterTaskWithMaintenanceWindowCommand,
  SendAutomationSignalCommand, StartAutomationExecutionCommand, StopAutomationExecutionCommand, type SSMClient,
} from '@aws-sdk/client-ssm';
import { advance, control, fire, putNode } from '../support/control.ts';
import { rmSync } from 'node:fs';
import { startTestServer, tempDataDir, type TestServer } from '../support/server.ts';
import { type ReceivedEvent, startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

const T0 = Date.parse('2026-11-01T18:00:00Z');
const NODE = 'i-0000000000000e001';
const EXECUTION = 'EC2 Automation Execution Status-change Notification';
const STEP = 'EC2 Automation Step Status-change Notification';

const RUNBOOK = `schemaVersion: '0.3'
parameters:
  InstanceId:
    type: String
mainSteps:
  - name: settle
    action: aws:sleep
    inputs:
      Duration: PT1M
  - name: approve
    action: aws:approve
    inputs:
      Approvers:
        - arn:aws:iam::000000000000:user/oncall
  - name: check
    action: aws:runCommand
    inputs:
      DocumentName: AWS-RunShellScript
      InstanceIds:
        - '{{ InstanceId }}'
      Parameters:
        commands:
          - uptime
`;

const SHORT = `schemaVersion: '0.3'
mainSteps:
  - name: nap
    action: aws:sleep
    inputs:
      Duration: PT10S
`;

const ofExecution = (events: ReceivedEvent[], id: string) => events.filter((e) => e.detail.ExecutionId === id);
const ended = (id: string) => (events: ReceivedEvent[]) => ofExecution(events, id).some((e) => e['detail-type'] === EXECUTION && ['Success', 'Failed', 'Cancelled', 'TimedOut'].includes(String(e.detail.Status)));
const summary = (events: ReceivedEvent[]) => events.map((e) => (e['detail-type'] === EXECUTION ? `execution ${e.detail.Status}` : `${e.detail.StepName} ${e.detail.Status}`));

describe('Automation events', () => {
  let hook: WebhookReceiver;
  let server: TestServer;
  before(async () => {
    hook = await startWebhookReceiver();
  });
  afterEach(async () => {
    await server?.stop();
    hook.received.length = 0;
  });
  after(() => hook.stop());

  async function start(dataDir?: string): Promise<TestServer> {
    server = await startTestServer({
      clockMode: 'manual', manualClockStart: T0, invocationSeconds: 5, simulatedTaskTypes: [], eventWebhooks: [hook.url], eventRetryMs: 20, eventRetryMaxMs: 200,
      ...(dataDir ? { dataDir } : {}),
    });
    return server;
  }

  test("each status of the execution and of each step, in order, once, in AWS's shape", async () => {
    await start();
    const client: SSMClient = server.client;
    await putNode(server, NODE);
    await client.send(new CreateDocumentCommand({ Name: 'CheckAfterApproval', Content: RUNBOOK, DocumentFormat: 'YAML', DocumentType: 'Automation' }));
    const { AutomationExecutionId: id } = await client.send(new StartAutomationExecutionCommand({ DocumentName: 'CheckAfterApproval', Parameters: { InstanceId: [NODE] } }));
    await advance(server, 60);
    await client.send(new SendAutomationSignalCommand({ AutomationExecutionId: id, SignalType: 'Approve' }));
    await advance(server, 5);
    const events = ofExecution(await hook.waitFor(ended(id!)), id!);

    assert.deepEqual(summary(events), [
      'execution InProgress',
      'settle InProgress', 'settle Success',
      'approve Waiting', 'execution Waiting',
      'approve Success', 'execution InProgress',
      'check InProgress', 'check Success',
      'execution Success',
    ]);
    assert.equal(new Set(events.map((e) => e.id)).size, events.length, 'every event has its own id');

    const last = events.at(-1)!;
    assert.deepEqual([last.source, last.account, last.region, (last as unknown as { version: string }).version], ['aws.ssm', '000000000000', 'us-east-1', '0']);
    assert.deepEqual(last.resources, [
      `arn:aws:ssm:us-east-1:000000000000:automation-execution/${id}`,
      'arn:aws:ssm:us-east-1:000000000000:automation-definition/CheckAfterApproval:1',
    ]);
    assert.deepEqual(last.detail, {
      ExecutionId: id, Definition: 'CheckAfterApproval', DefinitionVersion: 1, Status: 'Success',
      StartTime: 'Nov 1, 2026 6:00:00 PM', EndTime: 'Nov 1, 2026 6:01:05 PM', Time: 65_000, ExecutedBy: 'arn:aws:iam::000000000000:root',
    });
    assert.equal(last.time, '2026-11-01T18:01:05Z', 'the service clock');
    const settled = events.find((e) => e.detail.StepName === 'settle' && e.detail.Status === 'Success')!;
    assert.deepEqual(settled.detail, {
      ExecutionId: id, Definition: 'CheckAfterApproval', DefinitionVersion: 1, Status: 'Success',
      StartTime: 'Nov 1, 2026 6:00:00 PM', EndTime: 'Nov 1, 2026 6:01:00 PM', Time: 60_000, StepName: 'settle', Action: 'aws:sleep',
    });
    const started = events.find((e) => e.detail.StepName === 'check' && e.detail.Status === 'InProgress')!;
    assert.equal(started['detail-type'], STEP);
    assert.equal('EndTime' in started.detail || 'Time' in started.detail, false, 'a step still running has no end');

    const metrics = await (await fetch(`${server.app.endpoint}/metrics`)).text();
    assert.match(metrics, /mw_automation_executions_started_total\{started_by="api"\} 1/);
    assert.match(metrics, /mw_automation_executions_ended_total\{status="Success"\} 1/);
    assert.match(metrics, /mw_automation_steps_total\{action="aws:approve",status="Waiting"\} 1/);
    assert.match(metrics, /mw_automation_steps_total\{action="aws:runCommand",status="Success"\} 1/);
  });

  test("an account's own target receives its account's automation events only", async () => {
    await start();
    const other = await startWebhookReceiver();
    try {
      const mine = '111111111111';
      await control(server, 'POST', '/_mw/event-targets', { body: { kind: 'webhook', url: other.url }, scope: { account: mine } });
      const clients = [server.client, server.clientFor({ account: mine })];
      const ids: string[] = [];
      for (const client of clients) {
        await client.send(new CreateDocumentCommand({ Name: 'Nap', Content: SHORT, DocumentFormat: 'YAML', DocumentType: 'Automation' }));
        ids.push((await client.send(new StartAutomationExecutionCommand({ DocumentName: 'Nap' }))).AutomationExecutionId!);
      }
      await advance(server, 10);
      await hook.waitFor((all) => ended(ids[0])(all) && ended(ids[1])(all));
      const received = await other.waitFor(ended(ids[1]));
      assert.deepEqual(summary(received.filter((e) => e['detail-type'] === EXECUTION || e['detail-type'] === STEP)), ['execution InProgress', 'nap InProgress', 'nap Success', 'execution Success']);
      assert.deepEqual([...new Set(received.map((e) => e.account))], [mine]);
      assert.equal(received.some((e) => e.detail.ExecutionId === ids[0]), false);
    } finally {
      await other.stop();
    }
  });

  test("a window's AUTOMATION task: its execution's events are on the live stream filtered to the window", async () => {
    await start();
    const client: SSMClient = server.client;
    await putNode(server, NODE);
    await client.send(new CreateDocumentCommand({ Name: 'Nap', Content: SHORT, DocumentFormat: 'YAML', DocumentType: 'Automation' }));
    const { WindowId } = await client.send(new CreateMaintenanceWindowCommand({ Name: 'nap-window', Schedule: 'rate(1 day)', Duration: 2, Cutoff: 0, AllowUnassociatedTargets: false }));
    const { WindowTargetId } = await client.send(new RegisterTargetWithMaintenanceWindowCommand({ WindowId, ResourceType: 'INSTANCE', Targets: [{ Key: 'InstanceIds', Values: [NODE] }] }));
    await client.send(new RegisterTaskWithMaintenanceWindowCommand({
      WindowId, TaskType: 'AUTOMATION', TaskArn: 'Nap', Targets: [{ Key: 'WindowTargetIds', Values: [WindowTargetId!] }], MaxConcurrency: '1', MaxErrors: '1',
      TaskInvocationParameters: { Automation: { DocumentVersion: '$DEFAULT' } },
    }));
    const abort = new AbortController();
    const response = await fetch(`${server.app.endpoint}/_mw/events?window-id=${WindowId}&detail-type=${encodeURIComponent(STEP)}`, { signal: abort.signal });
    const seen: string[] = [];
    const reading = (async () => {
      const decoder = new TextDecoder();
      let buffer = '';
      for await (const chunk of response.body!) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        for (const line of buffer.split('\n')) if (line.startsWith('data: ')) seen.push(line.slice(6));
        buffer = buffer.slice(buffer.lastIndexOf('\n') + 1);
        if (seen.length >= 2) return;
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 200)); // the subscription starts before the run
    await fire(server, WindowId!);
    await advance(server, 10);
    await Promise.race([reading, new Promise((_, reject) => setTimeout(() => reject(new Error(`the stream gave ${JSON.stringify(seen)}`)), 15_000))]);
    abort.abort();
    const steps = seen.map((text) => JSON.parse(text) as ReceivedEvent);
    assert.deepEqual(steps.map((e) => `${e.detail.StepName} ${e.detail.Status}`), ['nap InProgress', 'nap Success']);
    const metrics = await (await fetch(`${server.app.endpoint}/metrics`)).text();
    assert.match(metrics, /mw_automation_executions_started_total\{started_by="window"\} 1/);
  });

  test('a restart in the middle of a sleep tells nothing twice; a stop tells the step and the execution Cancelled', async () => {
    const dir = tempDataDir();
    try {
      await start(dir);
      await server.client.send(new CreateDocumentCommand({ Name: 'TwoNaps', Content: `${SHORT}  - name: again\n    action: aws:sleep\n    inputs:\n      Duration: PT1H\n`, DocumentFormat: 'YAML', DocumentType: 'Automation' }));
      const { AutomationExecutionId: id } = await server.client.send(new StartAutomationExecutionCommand({ DocumentName: 'TwoNaps' }));
      await hook.waitFor((all) => ofExecution(all, id!).length === 2);
      await server.stop();
      await start(dir);
      await advance(server, 10);
      await server.client.send(new StopAutomationExecutionCommand({ AutomationExecutionId: id }));
      const events = ofExecution(await hook.waitFor(ended(id!)), id!);
      assert.deepEqual(summary(events), ['execution InProgress', 'nap InProgress', 'nap Success', 'again InProgress', 'again Cancelled', 'execution Cancelled']);
      assert.equal(new Set(events.map((e) => e.id)).size, events.length, 'each told once, across the restart');
    } finally {
      await server.stop();
      server = undefined as never;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
