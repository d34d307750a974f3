// State-change events (issue 13): a webhook started by the test receives AWS's EventBridge-shaped events
// for a window execution that fails on one node, in AWS's order, with times from the manual clock; a
// receiver that is down gets everything afterwards, in order and once per id, across a service restart;
// the live stream (server-sent events) filters and resumes; non-Run Command tasks report only
// IN_PROGRESS and COMPLETE; registrations and enable/disable have their events too.

import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, afterEach, before, describe, test } from 'node:test';
import {
  CreateMaintenanceWindowCommand, DeregisterTargetFromMaintenanceWindowCommand, RegisterTargetWithMaintenanceWindowCommand,
  RegisterTaskWithMaintenanceWindowCommand, type SSMClient, UpdateMaintenanceWindowCommand, UpdateMaintenanceWindowTargetCommand,
} from '@aws-sdk/client-ssm';
import { advance, control, fire, putNode, setOutcomes, UUID } from '../support/control.ts';
import { startTestServer, tempDataDir, type TestServer } from '../support/server.ts';
import { type ReceivedEvent, startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

const T0 = Date.parse('2026-05-04T03:00:00Z');
const NODES = ['i-00000000000000001', 'i-00000000000000002'];
const MW = (type: string) => `Maintenance Window ${type}`;

async function failingWindow(server: TestServer, name: string, taskType: 'RUN_COMMAND' | 'AUTOMATION' = 'RUN_COMMAND') {
  const client: SSMClient = server.client;
  for (const node of NODES) await putNode(server, node);
  const { WindowId } = await client.send(new CreateMaintenanceWindowCommand({ Name: name, Schedule: 'rate(1 day)', Duration: 2, Cutoff: 0, AllowUnassociatedTargets: false }));
  const { WindowTargetId } = await client.send(new RegisterTargetWithMaintenanceWindowCommand({
    WindowId, ResourceType: 'INSTANCE', OwnerInformation: 'patch-team', Targets: [{ Key: 'InstanceIds', Values: NODES }],
  }));
  await client.send(new RegisterTaskWithMaintenanceWindowCommand({
    WindowId, TaskType: taskType, TaskArn: taskType === 'RUN_COMMAND' ? 'AWS-RunShellScript' : 'AWS-RestartEC2Instance',
    Targets: [{ Key: 'WindowTargetIds', Values: [WindowTargetId!] }], MaxConcurrency: '2', MaxErrors: '1',
    TaskInvocationParameters: taskType === 'RUN_COMMAND' ? { RunCommand: { Parameters: { commands: ['uptime'] } } } : { Automation: { DocumentVersion: '$DEFAULT' } },
  }));
  await setOutcomes(server, [{ match: { windowId: WindowId, resourceId: NODES[1] }, status: 'FAILED' }]);
  return { windowId: WindowId!, windowTargetId: WindowTargetId! };
}

/** Runs the window's execution to its end on the manual clock (1 s invocations). */
async function runToEnd(server: TestServer, windowId: string): Promise<string> {
  const executionId = await fire(server, windowId);
  for (let i = 0; i < 3; i++) await advance(server, 1);
  return executionId;
}

const summary = (events: ReceivedEvent[]) => events.map((e) => [e['detail-type'], e.detail.status, e.detail['instance-id']].filter((x) => x !== undefined).join(' '));
const ofExecution = (events: ReceivedEvent[], executionId: string) => events.filter((e) => e.detail['window-execution-id'] === executionId);
const executionEnded = (executionId: string) => (events: ReceivedEvent[]) =>
  events.some((e) => e['detail-type'] === MW('Execution State-change Notification') && e.detail['window-execution-id'] === executionId && e.detail.status !== 'IN_PROGRESS');

describe('state-change events through a webhook', () => {
  let hook: WebhookReceiver;
  const servers: TestServer[] = [];
  const dirs: string[] = [];
  before(async () => {
    hook = await startWebhookReceiver();
  });
  afterEach(async () => {
    while (servers.length > 0) await servers.pop()!.stop();
    while (dirs.length > 0) rmSync(dirs.pop()!, { recursive: true, force: true });
    hook.received.length = 0;
    hook.down = false;
  });
  after(() => hook.stop());

  async function start(dataDir?: string): Promise<TestServer> {
    const server = await startTestServer({ clockMode: 'manual', manualClockStart: T0, eventWebhooks: [hook.url], eventRetryMs: 20, eventRetryMaxMs: 200, ...(dataDir ? { dataDir } : {}) });
    servers.push(server);
    return server;
  }

  test("a window that fails on one node: AWS's detail-types and statuses, in order, in AWS's shape", async () => {
    const server = await start();
    const { windowId, windowTargetId } = await failingWindow(server, 'events-failing');
    const executionId = await runToEnd(server, windowId);
    const events = await hook.waitFor((all) => all.filter((e) => e['detail-type'] === 'EC2 Command Status-change Notification').length === 2 && executionEnded(executionId)(all));

    assert.deepEqual(summary(events), [
      `${MW('Target Registration Notification')} REGISTERED`,
      `${MW('Execution State-change Notification')} IN_PROGRESS`,
      `${MW('Task Execution State-change Notification')} IN_PROGRESS`,
      `EC2 Command Invocation Status-change Notification InProgress ${NODES[0]}`,
      `EC2 Command Invocation Status-change Notification InProgress ${NODES[1]}`,
      'EC2 Command Status-change Notification InProgress',
      `${MW('Task Target Invocation State-change Notification')} IN_PROGRESS`,
      `EC2 Command Invocation Status-change Notification Success ${NODES[0]}`,
      `EC2 Command Invocation Status-change Notification Failed ${NODES[1]}`,
      'EC2 Command Status-change Notification Failed',
      `${MW('Task Target Invocation State-change Notification')} FAILED`,
      `${MW('Task Execution State-change Notification')} FAILED`,
      `${MW('Execution State-change Notification')} FAILED`,
    ]);
    const windowArn = `arn:aws:ssm:us-east-1:000000000000:maintenancewindow/${windowId}`;
    for (const e of events) {
      assert.deepEqual([e.source, e.account, e.region, (e as unknown as { version: string }).version], ['aws.ssm', '000000000000', 'us-east-1', '0']);
      assert.match(e.id, UUID);
      assert.match(e.time, /^2026-05-04T03:00:0\dZ$/, 'the manual clock, to the second');
    }
    assert.equal(new Set(events.map((e) => e.id)).size, events.length, 'one id per event');
    const [registration] = events;
    assert.deepEqual(registration.resources, [windowArn, `arn:aws:ssm:us-east-1:000000000000:windowtarget/${windowTargetId}`]);
    assert.deepEqual(registration.detail, { 'window-target-id': windowTargetId, 'window-id': windowId, status: 'REGISTERED' });

    const failedInvocation = events[10];
    assert.deepEqual(failedInvocation.resources, [windowArn]);
    assert.deepEqual(Object.keys(failedInvocation.detail), ['start-time', 'end-time', 'window-id', 'window-execution-id', 'task-execution-id', 'window-target-id', 'status', 'owner-information']);
    assert.deepEqual([failedInvocation.detail['window-target-id'], failedInvocation.detail['owner-information'], failedInvocation.detail['window-execution-id']], [windowTargetId, 'patch-team', executionId]);
    assert.equal(failedInvocation.detail['start-time'], '2026-05-04T03:00:00.000Z');
    assert.equal(failedInvocation.detail['end-time'], '2026-05-04T03:00:01.000Z');
    const ended = events.at(-1)!;
    assert.deepEqual(Object.keys(ended.detail), ['start-time', 'end-time', 'window-id', 'window-execution-id', 'status']);
    assert.equal(events[1].detail['end-time'], undefined, 'a running execution has no end-time yet');

    const command = events[9];
    assert.deepEqual(command.resources, NODES.map((n) => `arn:aws:ec2:us-east-1:000000000000:instance/${n}`));
    assert.deepEqual(Object.keys(command.detail), ['command-id', 'document-name', 'expire-after', 'parameters', 'requested-date-time', 'status']);
    assert.deepEqual((command.detail.parameters as Record<string, string[]>).commands, ['uptime']);
    const nodeEvent = events[8];
    assert.deepEqual(nodeEvent.resources, [`arn:aws:ec2:us-east-1:000000000000:instance/${NODES[1]}`]);
    assert.deepEqual(Object.keys(nodeEvent.detail), ['command-id', 'document-name', 'instance-id', 'requested-date-time', 'status']);
  });

  test('Automation tasks: the target invocation reports only IN_PROGRESS and COMPLETE, whatever the outcome', async () => {
    const server = await start();
    const { windowId } = await failingWindow(server, 'events-automation', 'AUTOMATION');
    const executionId = await runToEnd(server, windowId);
    const events = ofExecution(await hook.waitFor(executionEnded(executionId)), executionId);
    const invocations = events.filter((e) => e['detail-type'] === MW('Task Target Invocation State-change Notification')).map((e) => e.detail.status);
    assert.deepEqual(invocations.sort(), ['COMPLETE', 'COMPLETE', 'IN_PROGRESS', 'IN_PROGRESS']);
    assert.equal(events.at(-1)!.detail.status, 'FAILED', 'the execution itself still says FAILED');
  });

  test('a receiver down for a while, then a restart of the service: everything arrives afterwards, in order, once per id', async () => {
    const dataDir = tempDataDir();
    dirs.push(dataDir);
    let server = await start(dataDir);
    const { windowId } = await failingWindow(server, 'events-outage');
    hook.down = true;
    const first = await runToEnd(server, windowId);
    // Refused at least twice (retried with backoff), and nothing taken.
    await new Promise<void>((resolve) => {
      const check = setInterval(() => { if (hook.refused >= 2) { clearInterval(check); resolve(); } }, 10);
    });
    assert.equal(hook.received.length, 0);
    // The service restarts while the receiver is still down; the next execution runs on the new one.
    servers.splice(servers.indexOf(server), 1);
    await server.stop();
    server = await start(dataDir);
    const second = await runToEnd(server, windowId);
    hook.down = false;
    const events = await hook.waitFor((all) => executionEnded(first)(all) && executionEnded(second)(all));
    assert.equal(new Set(events.map((e) => e.id)).size, events.length, 'no event twice');
    // Execution, task and target invocation: IN_PROGRESS and FAILED each.
    assert.equal(summary(ofExecution(events, first)).length, 6, 'every maintenance-window event of the first execution');
    assert.deepEqual(summary(ofExecution(events, first)), summary(ofExecution(events, second)), 'the same sequence for both');
    // In order: the first execution's events all came before the second's.
    const position = (id: string) => events.findIndex((e) => e.detail['window-execution-id'] === id);
    const lastOf = (id: string) => events.findLastIndex((e) => e.detail['window-execution-id'] === id);
    assert.ok(lastOf(first) < position(second));
    const targets = (await control<{ targets: { deliveredSeq: number; failures: number }[] }>(server, 'GET', '/_mw/event-targets')).targets;
    assert.equal(targets.length, 1, 'the flag names the same target after the restart');
    assert.equal(targets[0].failures, 0);
  });

  test('registrations and window state: REGISTERED, UPDATED, DEREGISTERED; DISABLED and ENABLED', async () => {
    const server = await start();
    const { WindowId } = await server.client.send(new CreateMaintenanceWindowCommand({ Name: 'events-state', Schedule: 'rate(1 day)', Duration: 1, Cutoff: 0, AllowUnassociatedTargets: true }));
    const { WindowTargetId } = await server.client.send(new RegisterTargetWithMaintenanceWindowCommand({ WindowId, ResourceType: 'INSTANCE', Targets: [{ Key: 'InstanceIds', Values: ['i-00000000000000009'] }] }));
    await server.client.send(new UpdateMaintenanceWindowTargetCommand({ WindowId, WindowTargetId, OwnerInformation: 'x' }));
    await server.client.send(new DeregisterTargetFromMaintenanceWindowCommand({ WindowId, WindowTargetId }));
    await server.client.send(new UpdateMaintenanceWindowCommand({ WindowId, Enabled: false }));
    await server.client.send(new UpdateMaintenanceWindowCommand({ WindowId, Description: 'no state change' }));
    await server.client.send(new UpdateMaintenanceWindowCommand({ WindowId, Enabled: true }));
    const events = await hook.waitFor((all) => all.length === 5);
    assert.deepEqual(summary(events), [
      `${MW('Target Registration Notification')} REGISTERED`, `${MW('Target Registration Notification')} UPDATED`, `${MW('Target Registration Notification')} DEREGISTERED`,
      `${MW('State-change Notification')} DISABLED`, `${MW('State-change Notification')} ENABLED`,
    ]);
    assert.deepEqual(events[3].detail, { 'window-id': WindowId, status: 'DISABLED' });
  });
});

describe('the live event stream (/_mw/events)', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ clockMode: 'manual', manualClockStart: T0 });
  });
  after(() => server.stop());

  /** Reads server-sent events until `count` arrived; each with its `id:` line. */
  async function readStream(query: string, count: number, headers: Record<string, string> = {}): Promise<{ seq: number; event: ReceivedEvent }[]> {
    const controller = new AbortController();
    const response = await fetch(`${server.app.endpoint}/_mw/events${query}`, { headers, signal: AbortSignal.any([controller.signal, AbortSignal.timeout(20_000)]) });
    assert.equal(response.headers.get('content-type'), 'text/event-stream');
    const got: { seq: number; event: ReceivedEvent }[] = [];
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body!) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const id = /^id: (\d+)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (id && data) got.push({ seq: Number(id), event: JSON.parse(data) as ReceivedEvent });
      }
      if (got.length >= count) break;
    }
    controller.abort();
    return got;
  }

  test('filtered by detail-type and window; resumed after a Last-Event-ID with what was missed', async () => {
    // (Outcome rules are replaced by each call: the window made last is the one that fails.)
    const other = await failingWindow(server, 'events-other');
    const { windowId } = await failingWindow(server, 'events-stream');
    const executions = readStream(`?detail-type=${encodeURIComponent(MW('Execution State-change Notification'))}&window-id=${windowId}`, 2);
    // Let the subscription start before the run (the stream only has what comes after it, unless resumed).
    await new Promise((resolve) => setTimeout(resolve, 100));
    await runToEnd(server, other.windowId);
    const executionId = await runToEnd(server, windowId);
    const live = await executions;
    assert.deepEqual(live.map((e) => [e.event.detail['window-execution-id'], e.event.detail.status]), [[executionId, 'IN_PROGRESS'], [executionId, 'FAILED']]);
    // Resumed after the first: the second comes again, from the store.
    const resumed = await readStream(`?window-id=${windowId}`, 1, { 'last-event-id': String(live[0].seq) });
    assert.equal(resumed[0].seq > live[0].seq, true);
    assert.equal(resumed[0].event.detail['window-id'], windowId);
  });

  test('a bad filter is a ValidationException; targets are added and removed through the control route', async () => {
    const bad = await fetch(`${server.app.endpoint}/_mw/events?detail-type=Nope`);
    assert.equal(bad.status, 400);
    assert.equal((await bad.json() as { __type: string }).__type, 'ValidationException');
    const added = await control<{ target: { id: string; url: string } }>(server, 'POST', '/_mw/event-targets', { body: { kind: 'webhook', url: 'http://127.0.0.1:9/hook' } });
    assert.match(added.target.id, /^webhook-[0-9a-f]{16}$/);
    const listed = await control<{ targets: { target: { id: string } }[] }>(server, 'GET', '/_mw/event-targets');
    assert.deepEqual(listed.targets.map((t) => t.target.id), [added.target.id]);
    await control(server, 'DELETE', `/_mw/event-targets/${added.target.id}`);
    assert.deepEqual((await control<{ targets: unknown[] }>(server, 'GET', '/_mw/event-targets')).targets, []);
    const refused = await fetch(`${server.app.endpoint}/_mw/event-targets`, { method: 'POST', body: JSON.stringify({ kind: 'email', url: 'x' }) });
    assert.equal(refused.status, 400);
  });
});
