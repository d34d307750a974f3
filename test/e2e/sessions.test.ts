// Session Manager's API driven with the SDK against the real server: a registered agent whose ssmmessages
// control channel is open (bench's simulated agent and control channel) is a connected node; one that only
// registered is not.
// Every operation, every filter, paging, the errors by their exception names, another account's caller,
// deregistration, and the Session documents.

import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { Agent } from 'node:http';
import { after, before, describe, test } from 'node:test';
import {
  CreateActivationCommand, CreateDocumentCommand, DeregisterManagedInstanceCommand, DescribeDocumentCommand, DescribeSessionsCommand,
  GetConnectionStatusCommand, GetDocumentCommand, ListDocumentsCommand, ResumeSessionCommand, type SSMClient, StartSessionCommand,
  TerminateSessionCommand,
} from '@aws-sdk/client-ssm';
import { AgentTransport, SimulatedAgent } from '../../bench/simulated-agent.ts';
import { SimulatedControlChannel } from '../../bench/simulated-control-channel.ts';
import { type AgentMessage, MessageType } from '../../src/wire/mgs/agent-message.ts';
import { readChannelClosed } from '../../src/wire/mgs/channel-closed.ts';
import { controlMessage } from '../../src/wire/mgs/control-message.ts';
import { readInteractiveShell, readTaskAcknowledgement, writeAgentTaskComplete } from '../../src/wire/mgs/session-task.ts';
import { eventually } from '../support/eventually.ts';
import { rejectsWith } from '../support/errors.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const OTHER = '210987654321';

describe('Session Manager API', () => {
  let server: TestServer;
  let sockets: Agent;
  let node: string;
  let otherClient: SSMClient;

  const channels: SimulatedControlChannel[] = [];
  const nodeChannel = () => channels[0];
  /** The next control message of `type` about `sessionId` on the node's channel (others, from earlier tests, are passed over). */
  async function controlMessageFor(sessionId: string, type: string): Promise<AgentMessage> {
    for (;;) {
      const message = await nodeChannel().nextOther();
      if (message.messageType === type && message.payload.toString('utf8').includes(sessionId)) return message;
    }
  }
  async function register(client: SSMClient, name: string, options: { channel?: boolean } = {}): Promise<string> {
    const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const activation = await client.send(new CreateActivationCommand({ IamRole: 'SSMServiceRole', RegistrationLimit: 1 }));
    const agent = await SimulatedAgent.register(new AgentTransport(server.app.endpoint, sockets, 'us-east-1'),
      { ActivationId: activation.ActivationId!, ActivationCode: activation.ActivationCode! },
      keys.publicKey.export({ format: 'der', type: 'spki' }).toString('base64'), keys.privateKey, name);
    if (options.channel !== false) {
      channels.push(await SimulatedControlChannel.open(agent, server.app.endpoint));
      // The service takes the channel once it has checked the first frame's token: connected from then on.
      await eventually(() => client.send(new GetConnectionStatusCommand({ Target: agent.nodeId })), (got) => got.Status === 'connected', 'the node\'s channel is taken', 10_000, 20);
    }
    return agent.nodeId;
  }

  before(async () => {
    server = await startTestServer();
    sockets = new Agent({ keepAlive: true });
    otherClient = server.clientFor({ account: OTHER });
    node = await register(server.client, 'machine-1');
  });
  after(async () => {
    for (const channel of channels) channel.ws.terminate();
    sockets.destroy();
    await server.stop();
  });

  const describeSessions = (input: Partial<ConstructorParameters<typeof DescribeSessionsCommand>[0]> & { State: 'Active' | 'History' }, client = server.client) =>
    client.send(new DescribeSessionsCommand(input));

  test('StartSession answers an id, a token and the stream URL where the client reached the service', async () => {
    const started = await server.client.send(new StartSessionCommand({ Target: node, Reason: 'look at the disk' }));
    assert.match(started.SessionId!, /^root-[0-9a-f]{17}$/);
    assert.ok(started.TokenValue!.length >= 40);
    const { host } = new URL(server.app.endpoint);
    assert.equal(started.StreamUrl, `ws://${host}/v1/data-channel/${started.SessionId}?role=publish_subscribe`);
    const { Sessions } = await describeSessions({ State: 'Active', Filters: [{ key: 'SessionId', value: started.SessionId! }] });
    assert.equal(Sessions!.length, 1);
    const [s] = Sessions!;
    assert.equal(s.Target, node);
    assert.equal(s.Status, 'Connecting');
    assert.equal(s.DocumentName, 'SSM-SessionManagerRunShell');
    assert.equal(s.Owner, 'arn:aws:iam::000000000000:root');
    assert.equal(s.Reason, 'look at the disk');
    assert.equal(s.AccessType, 'Standard');
    assert.ok(s.StartDate instanceof Date);
    assert.equal(s.EndDate, undefined);
    assert.equal(s.OutputUrl, undefined);
  });

  test('GetConnectionStatus: connected for the node, notconnected for another account or an unknown id', async () => {
    assert.deepEqual((await server.client.send(new GetConnectionStatusCommand({ Target: node }))).Status, 'connected');
    assert.equal((await otherClient.send(new GetConnectionStatusCommand({ Target: node }))).Status, 'notconnected');
    const unknown = await server.client.send(new GetConnectionStatusCommand({ Target: 'mi-00000000000000009' }));
    assert.deepEqual([unknown.Target, unknown.Status], ['mi-00000000000000009', 'notconnected']);
    const polling = await register(server.client, 'machine-polling', { channel: false });
    assert.equal((await server.client.send(new GetConnectionStatusCommand({ Target: polling }))).Status, 'notconnected', 'registered, but no control channel');
    await rejectsWith(server.client.send(new StartSessionCommand({ Target: polling })), 'TargetNotConnected', `${polling} is not connected.`);
  });

  test('StartSession errors: TargetNotConnected, InvalidDocument, InvalidParameters, ValidationException', async () => {
    await rejectsWith(server.client.send(new StartSessionCommand({ Target: 'mi-00000000000000009' })), 'TargetNotConnected', 'mi-00000000000000009 is not connected.');
    await rejectsWith(otherClient.send(new StartSessionCommand({ Target: node })), 'TargetNotConnected', `${node} is not connected.`);
    await rejectsWith(server.client.send(new StartSessionCommand({ Target: node, DocumentName: 'AWS-RunShellScript' })), 'InvalidDocument');
    await rejectsWith(server.client.send(new StartSessionCommand({ Target: node, DocumentName: 'No-Such-Document' })), 'InvalidDocument');
    await rejectsWith(server.client.send(new StartSessionCommand({ Target: node, DocumentName: 'AWS-StartPortForwardingSession', Parameters: { portNumber: ['0'] } })), 'InvalidParameters');
    await rejectsWith(server.client.send(new StartSessionCommand({ Target: node, DocumentName: 'AWS-StartInteractiveCommand' })), 'InvalidParameters');
    await rejectsWith(server.client.send(new StartSessionCommand({ Target: node, DocumentName: 'a b' })), 'ValidationException');
    await rejectsWith(server.client.send(new StartSessionCommand({ Target: '' })), 'ValidationException');
  });

  test('a user Session document starts sessions; its maxSessionDuration is shown', async () => {
    await server.client.send(new CreateDocumentCommand({
      Name: 'Team-Shell', DocumentType: 'Session',
      Content: JSON.stringify({ schemaVersion: '1.0', sessionType: 'Standard_Stream', inputs: { idleSessionTimeout: '10', maxSessionDuration: '60' } }),
    }));
    await rejectsWith(server.client.send(new CreateDocumentCommand({
      Name: 'Bad-Shell', DocumentType: 'Session', Content: JSON.stringify({ schemaVersion: '1.0', sessionType: 'Telnet' }),
    })), 'InvalidDocumentContent');
    const { SessionId } = await server.client.send(new StartSessionCommand({ Target: node, DocumentName: 'Team-Shell' }));
    const [s] = (await describeSessions({ State: 'Active', Filters: [{ key: 'SessionId', value: SessionId! }] })).Sessions!;
    assert.deepEqual([s.DocumentName, s.MaxSessionDuration], ['Team-Shell', '60']);
    await server.client.send(new TerminateSessionCommand({ SessionId }));
  });

  test('TerminateSession: Terminating until the agent, told on its control channel, reports the end; the same answer for ended and unknown ids', async () => {
    const { SessionId } = await server.client.send(new StartSessionCommand({ Target: node, DocumentName: 'AWS-StartPortForwardingSession', Parameters: { portNumber: ['22'] } }));
    const task = readInteractiveShell(await controlMessageFor(SessionId!, MessageType.InteractiveShell));
    assert.deepEqual([task.documentName, task.documentContent.sessionType, task.parameters.portNumber, task.sessionOwner],
      ['AWS-StartPortForwardingSession', 'Port', '22', 'arn:aws:iam::000000000000:root'], 'a String parameter as a string, as the agent substitutes it');
    assert.equal((await server.client.send(new TerminateSessionCommand({ SessionId }))).SessionId, SessionId);
    const [ending] = (await describeSessions({ State: 'Active', Filters: [{ key: 'SessionId', value: SessionId! }] })).Sessions!;
    assert.equal(ending.Status, 'Terminating');
    assert.equal(readChannelClosed(await controlMessageFor(SessionId!, MessageType.ChannelClosed)).destinationId, node);
    // The agent ends the session and says so (agent_task_complete), which the service acknowledges.
    const completeId = randomUUID();
    nodeChannel().sendMessage(controlMessage(MessageType.AgentTaskComplete, writeAgentTaskComplete({
      schemaVersion: 1, taskId: SessionId!, topic: 'agent_task_complete', finalTaskStatus: 'Success', isRoutingFailure: false, awsAccountId: '000000000000',
      instanceId: node, output: '', s3Bucket: '', s3UrlSuffix: '', cwlGroup: '', cwlStream: '', retryNumber: 1,
    }), completeId, Date.now()));
    assert.equal(readTaskAcknowledgement(await controlMessageFor(SessionId!, MessageType.AgentTaskAcknowledge)).messageId, completeId);
    const [s] = await eventually(async () => (await describeSessions({ State: 'History', Filters: [{ key: 'SessionId', value: SessionId! }] })).Sessions!,
      (found) => found.length === 1, 'the session is in the history');
    assert.equal(s.Status, 'Terminated');
    assert.ok(s.EndDate instanceof Date);
    assert.equal((await server.client.send(new TerminateSessionCommand({ SessionId }))).SessionId, SessionId);
    assert.equal((await server.client.send(new TerminateSessionCommand({ SessionId: 'root-00000000000000000' }))).SessionId, 'root-00000000000000000');
    assert.equal((await describeSessions({ State: 'Active', Filters: [{ key: 'SessionId', value: SessionId! }] })).Sessions!.length, 0);
  });

  test('ResumeSession: a new token for an active session; DoesNotExistException for ended, unknown, or another account\'s', async () => {
    const started = await server.client.send(new StartSessionCommand({ Target: node }));
    const resumed = await server.client.send(new ResumeSessionCommand({ SessionId: started.SessionId }));
    assert.equal(resumed.SessionId, started.SessionId);
    assert.notEqual(resumed.TokenValue, started.TokenValue);
    assert.equal(resumed.StreamUrl, started.StreamUrl);
    await rejectsWith(otherClient.send(new ResumeSessionCommand({ SessionId: started.SessionId })), 'DoesNotExistException');
    await rejectsWith(server.client.send(new ResumeSessionCommand({ SessionId: 'root-00000000000000000' })), 'DoesNotExistException');
    await server.client.send(new TerminateSessionCommand({ SessionId: started.SessionId }));
    await rejectsWith(server.client.send(new ResumeSessionCommand({ SessionId: started.SessionId })), 'DoesNotExistException');
  });

  test('DescribeSessions: every filter, newest first, pages, validation', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await server.client.send(new StartSessionCommand({ Target: node }))).SessionId!);
    const active = (await describeSessions({ State: 'Active' })).Sessions!.map((s) => s.SessionId);
    assert.deepEqual(active.slice(0, 3), [...ids].reverse());
    // Pages of one, newest first, across every active session.
    const paged: string[] = [];
    let token: string | undefined;
    do {
      const page = await describeSessions({ State: 'Active', MaxResults: 1, NextToken: token });
      paged.push(...page.Sessions!.map((s) => s.SessionId!));
      token = page.NextToken;
    } while (token);
    assert.deepEqual(paged, active);
    const only = async (key: string, value: string, state: 'Active' | 'History' = 'Active') =>
      (await describeSessions({ State: state, Filters: [{ key: key as never, value }] })).Sessions!.map((s) => s.SessionId);
    assert.deepEqual((await only('Target', node)).slice(0, 3), [...ids].reverse());
    assert.deepEqual(await only('Target', 'mi-00000000000000009'), []);
    assert.deepEqual((await only('Owner', 'arn:aws:iam::000000000000:root')).length, active.length);
    assert.deepEqual(await only('Owner', 'arn:aws:iam::000000000000:user/alice'), []);
    const statuses = (await describeSessions({ State: 'Active' })).Sessions!.map((x) => x.Status!);
    for (const status of new Set(statuses)) assert.equal((await only('Status', status)).length, statuses.filter((x) => x === status).length, status);
    assert.deepEqual(await only('Status', 'Connected'), [], 'no data channel was opened');
    assert.deepEqual((await only('AccessType', 'Standard')).length, active.length);
    assert.deepEqual(await only('AccessType', 'JustInTime'), []);
    assert.deepEqual((await only('InvokedAfter', '2000-01-01T00:00:00Z')).length, active.length);
    assert.deepEqual(await only('InvokedBefore', '2000-01-01T00:00:00Z'), []);
    assert.deepEqual(await only('InvokedAfter', '2999-01-01T00:00:00Z'), []);
    assert.ok((await only('InvokedBefore', '2999-01-01T00:00:00Z')).length >= 3);
    assert.deepEqual(await only('SessionId', ids[1]), [ids[1]]);
    await rejectsWith(describeSessions({ State: 'Active', Filters: [{ key: 'InvokedAfter', value: 'yesterday' }] }), 'ValidationException');
    await rejectsWith(describeSessions({ State: 'Active', Filters: [{ key: 'Status', value: 'Gone' }] }), 'ValidationException');
    await rejectsWith(describeSessions({ State: 'Active', Filters: [{ key: 'Colour' as never, value: 'x' }] }), 'ValidationException');
    await rejectsWith(describeSessions({ State: 'Active', MaxResults: 201 }), 'ValidationException');
    await rejectsWith(describeSessions({ State: 'Active', MaxResults: 0 }), 'ValidationException');
    await rejectsWith(describeSessions({ State: 'Sometime' as never }), 'ValidationException');
    await rejectsWith(describeSessions({ State: 'Active', NextToken: 'not-a-token' }), 'InvalidNextToken');
    // Another account sees none of them.
    assert.deepEqual((await describeSessions({ State: 'Active' }, otherClient)).Sessions, []);
    assert.deepEqual((await describeSessions({ State: 'History' }, otherClient)).Sessions, []);
  });

  test('the Session documents are readable', async () => {
    for (const [name, type] of [['SSM-SessionManagerRunShell', 'Standard_Stream'], ['AWS-StartInteractiveCommand', 'InteractiveCommands'],
      ['AWS-StartNonInteractiveCommand', 'NonInteractiveCommands'], ['AWS-StartPortForwardingSession', 'Port']]) {
      const got = await server.client.send(new GetDocumentCommand({ Name: name }));
      assert.equal(got.DocumentType, 'Session');
      assert.equal(JSON.parse(got.Content!).sessionType, type);
      const described = (await server.client.send(new DescribeDocumentCommand({ Name: name }))).Document!;
      assert.deepEqual([described.DocumentType, described.SchemaVersion, described.Owner], ['Session', '1.0', 'Amazon']);
    }
    const port = (await server.client.send(new DescribeDocumentCommand({ Name: 'AWS-StartPortForwardingSession' }))).Document!;
    assert.deepEqual(port.Parameters!.map((p) => [p.Name, p.DefaultValue]), [['portNumber', '80'], ['localPortNumber', '0']]);
    const shell = JSON.parse((await server.client.send(new GetDocumentCommand({ Name: 'SSM-SessionManagerRunShell' }))).Content!);
    assert.deepEqual([shell.inputs.idleSessionTimeout, shell.inputs.maxSessionDuration, shell.inputs.runAsEnabled], ['20', '', false]);
    const listed = await server.client.send(new ListDocumentsCommand({ Filters: [{ Key: 'DocumentType', Values: ['Session'] }, { Key: 'Owner', Values: ['Amazon'] }] }));
    assert.deepEqual(listed.DocumentIdentifiers!.map((d) => d.Name).sort(),
      ['AWS-StartInteractiveCommand', 'AWS-StartNonInteractiveCommand', 'AWS-StartPortForwardingSession', 'SSM-SessionManagerRunShell']);
  });

  test('DeregisterManagedInstance ends the node\'s sessions', async () => {
    const second = await register(server.client, 'machine-2');
    const ids = [
      (await server.client.send(new StartSessionCommand({ Target: second }))).SessionId!,
      (await server.client.send(new StartSessionCommand({ Target: second }))).SessionId!,
    ];
    await server.client.send(new DeregisterManagedInstanceCommand({ InstanceId: second }));
    const history = (await describeSessions({ State: 'History', Filters: [{ key: 'Target', value: second }] })).Sessions!;
    assert.deepEqual(history.map((s) => [s.SessionId, s.Status]), [[ids[1], 'Terminated'], [ids[0], 'Terminated']]);
    assert.deepEqual((await describeSessions({ State: 'Active', Filters: [{ key: 'Target', value: second }] })).Sessions, []);
    await rejectsWith(server.client.send(new StartSessionCommand({ Target: second })), 'TargetNotConnected');
  });
});
