// Events to an EventBridge endpoint (issue 13): the service PutEvents its state-change events with the
// real SDK client to moto's server, where a rule on source aws.ssm sends them to an SQS queue; the test
// reads them back there. Skipped, with the reason, where `moto_server` cannot run.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CreateEventBusCommand, EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { CreateMaintenanceWindowCommand, RegisterTargetWithMaintenanceWindowCommand, RegisterTaskWithMaintenanceWindowCommand } from '@aws-sdk/client-ssm';
import { motoVersion, type ServerProcess, startMoto } from '../../bench/servers.ts';
import { advance, fire, putNode } from '../support/control.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const moto = motoVersion();
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };

describe('events to EventBridge (moto_server)', { skip: moto ? false : 'moto_server cannot be run here' }, () => {
  let emulator: ServerProcess;
  let server: TestServer;
  let sqs: SQSClient;
  let queueUrl: string;
  let saved: { id?: string; secret?: string } | undefined;
  before(async () => {
    emulator = await startMoto();
    const eventBridge = new EventBridgeClient({ endpoint: emulator.endpoint, region: 'us-east-1', credentials });
    sqs = new SQSClient({ endpoint: emulator.endpoint, region: 'us-east-1', credentials });
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'ssm-events' }))).QueueUrl!;
    const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    await eventBridge.send(new CreateEventBusCommand({ Name: 'fleet' }));
    await eventBridge.send(new PutRuleCommand({ Name: 'ssm-failures', EventBusName: 'fleet', EventPattern: JSON.stringify({ source: ['aws.ssm'], 'detail-type': [{ prefix: 'Maintenance Window' }] }) }));
    // The whole envelope (moto's default target input leaves out `account`).
    await eventBridge.send(new PutTargetsCommand({ Rule: 'ssm-failures', EventBusName: 'fleet', Targets: [{ Id: 'queue', Arn: queueArn, InputTransformer: { InputPathsMap: {}, InputTemplate: '<aws.events.event.json>' } }] }));
    eventBridge.destroy();
    // The service's EventBridge client takes its keys from the environment, as the AWS SDK does.
    saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = credentials.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = credentials.secretAccessKey;
    server = await startTestServer({ clockMode: 'manual', manualClockStart: Date.parse('2026-06-01T02:00:00Z'), eventBridgeEndpoint: emulator.endpoint, eventBridgeBus: 'fleet', eventRetryMs: 20, eventRetryMaxMs: 200 });
  });
  after(async () => {
    await server?.stop();
    for (const [name, value] of [['AWS_ACCESS_KEY_ID', saved?.id], ['AWS_SECRET_ACCESS_KEY', saved?.secret]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    sqs?.destroy();
    await emulator?.stop();
  });

  test('a window execution: its events arrive on the EventBridge bus, where a rule routes them', async () => {
    await putNode(server, 'i-00000000000000001');
    const { WindowId } = await server.client.send(new CreateMaintenanceWindowCommand({ Name: 'eventbridge-window', Schedule: 'rate(1 day)', Duration: 1, Cutoff: 0, AllowUnassociatedTargets: false }));
    const { WindowTargetId } = await server.client.send(new RegisterTargetWithMaintenanceWindowCommand({ WindowId, ResourceType: 'INSTANCE', Targets: [{ Key: 'InstanceIds', Values: ['i-00000000000000001'] }] }));
    await server.client.send(new RegisterTaskWithMaintenanceWindowCommand({
      WindowId, TaskType: 'RUN_COMMAND', TaskArn: 'AWS-RunShellScript', Targets: [{ Key: 'WindowTargetIds', Values: [WindowTargetId!] }],
      MaxConcurrency: '1', MaxErrors: '0', TaskInvocationParameters: { RunCommand: { Parameters: { commands: ['uptime'] } } },
    }));
    const executionId = await fire(server, WindowId!);
    await advance(server, 2);

    const received: { 'detail-type': string; source: string; account: string; time: string; resources: string[]; detail: Record<string, string> }[] = [];
    const deadline = Date.now() + 20_000;
    while (!received.some((e) => e['detail-type'] === 'Maintenance Window Execution State-change Notification' && e.detail.status === 'SUCCESS')) {
      assert.ok(Date.now() < deadline, `the bus's queue got only ${JSON.stringify(received.map((e) => [e['detail-type'], e.detail.status]))}`);
      const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      for (const m of Messages ?? []) received.push(JSON.parse(m.Body!));
    }
    // The rule takes the maintenance-window events only; they come in the service's order.
    assert.deepEqual(received.map((e) => [e['detail-type'].replace('Maintenance Window ', ''), e.detail.status]), [
      ['Target Registration Notification', 'REGISTERED'],
      ['Execution State-change Notification', 'IN_PROGRESS'],
      ['Task Execution State-change Notification', 'IN_PROGRESS'],
      ['Task Target Invocation State-change Notification', 'IN_PROGRESS'],
      ['Task Target Invocation State-change Notification', 'SUCCESS'],
      ['Task Execution State-change Notification', 'SUCCESS'],
      ['Execution State-change Notification', 'SUCCESS'],
    ]);
    const ended = received.at(-1)!;
    assert.equal(ended.source, 'aws.ssm');
    assert.equal(ended.detail['window-execution-id'], executionId);
    assert.equal(ended.time, '2026-06-01T02:00:01Z', 'the service clock, sent as PutEvents Time');
    assert.deepEqual(ended.resources, [`arn:aws:ssm:us-east-1:000000000000:maintenancewindow/${WindowId}`]);
  });
});
