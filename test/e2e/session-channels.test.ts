// Session Manager's data channels against the real server (issue 24): the agent's (signed POST, signed upgrade,
// OpenDataChannelInput with its token) and the client's (StartSession's StreamUrl and token), simulated as the
// stock agent and session-manager-plugin open them (bench/simulated-session.ts), the API through the SDK. The
// relay passes frames unchanged and in order both ways, holds the agent's until the client attaches, tells both
// sides when the session ends however it ends, opens a token's channel once, refuses other nodes and other
// sessions' tokens, and bounds frames and what it holds for a peer that stopped reading.

import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { Agent } from 'node:http';
import { after, before, describe, test } from 'node:test';
import {
  CreateActivationCommand, DeregisterManagedInstanceCommand, GetConnectionStatusCommand, DescribeSessionsCommand, ResumeSessionCommand, type Session, StartSessionCommand,
  type StartSessionCommandOutput, TerminateSessionCommand,
} from '@aws-sdk/client-ssm';
import { AgentTransport, SimulatedAgent } from '../../bench/simulated-agent.ts';
import { SimulatedControlChannel } from '../../bench/simulated-control-channel.ts';
import {
  agentSessionState, type ChannelClose, createDataChannel, inputStream, openAgentDataChannel, openClientDataChannel, outputStream,
  signedDataChannelSocket, type SimulatedDataChannel, UpgradeRefused,
} from '../../bench/simulated-session.ts';
import { readAcknowledgement } from '../../src/wire/mgs/acknowledge.ts';
import { type AgentMessage, encodeAgentMessage, MessageType, PayloadType } from '../../src/wire/mgs/agent-message.ts';
import { readChannelClosed } from '../../src/wire/mgs/channel-closed.ts';
import { controlMessage } from '../../src/wire/mgs/control-message.ts';
import { writeTerminalSize } from '../../src/wire/mgs/session-stream.ts';
import { readInteractiveShell, readTaskAcknowledgement, writeAgentTaskComplete } from '../../src/wire/mgs/session-task.ts';
import { eventually } from '../support/eventually.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/** The relay's bound on a frame (DATA_FRAME_LIMIT, maxFrameBytes). */
const FRAME_LIMIT = 131_072;
/** How long a socket may take to be told and closed once the session ended. */
const CLOSE_WITHIN_MS = 10_000;

/** A node: its agent and its open control channel, with the control messages not yet taken. */
interface Node {
  agent: SimulatedAgent;
  control: SimulatedControlChannel;
  stash: AgentMessage[];
}

/** `promise`, or a rejection naming `what` after `ms`. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms); }),
  ]);
}

const isType = (type: string) => (m: AgentMessage) => m.messageType === type;

describe('Session Manager data channels', () => {
  let server: TestServer;
  let sockets: Agent;
  let transport: AgentTransport;
  let node: Node;
  const channels: SimulatedDataChannel[] = [];
  const controls: SimulatedControlChannel[] = [];

  async function register(name: string): Promise<Node> {
    const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const activation = await server.client.send(new CreateActivationCommand({ IamRole: 'SSMServiceRole', RegistrationLimit: 1 }));
    const agent = await SimulatedAgent.register(transport, { ActivationId: activation.ActivationId!, ActivationCode: activation.ActivationCode! },
      keys.publicKey.export({ format: 'der', type: 'spki' }).toString('base64'), keys.privateKey, name);
    const control = await SimulatedControlChannel.open(agent, server.app.endpoint);
    controls.push(control);
    // The service takes the channel once it has checked the first frame's token: connected from then on.
    await eventually(() => server.client.send(new GetConnectionStatusCommand({ Target: agent.nodeId })), (got) => got.Status === 'connected', 'the node\'s channel is taken', 10_000, 20);
    return { agent, control, stash: [] };
  }

  /** The next control message of `type` about `sessionId` on `n`'s channel; others are kept for later calls. */
  async function controlMessageFor(n: Node, sessionId: string, type: string): Promise<AgentMessage> {
    const about = (m: AgentMessage) => m.messageType === type && m.payload.toString('utf8').includes(sessionId);
    const stashed = n.stash.findIndex(about);
    if (stashed >= 0) return n.stash.splice(stashed, 1)[0];
    for (;;) {
      const message = await n.control.nextOther();
      if (about(message)) return message;
      n.stash.push(message);
    }
  }

  /** StartSession on `n`, and the interactive_shell its agent is sent for it. */
  async function start(n: Node): Promise<StartSessionCommandOutput & { SessionId: string; TokenValue: string; StreamUrl: string }> {
    const started = await server.client.send(new StartSessionCommand({ Target: n.agent.nodeId }));
    const task = readInteractiveShell(await controlMessageFor(n, started.SessionId!, MessageType.InteractiveShell));
    assert.equal(task.sessionId, started.SessionId);
    return started as StartSessionCommandOutput & { SessionId: string; TokenValue: string; StreamUrl: string };
  }

  const agentChannel = async (n: Node, sessionId: string, options?: Parameters<typeof openAgentDataChannel>[3]) => {
    const channel = await openAgentDataChannel(n.agent, server.app.endpoint, sessionId, options);
    channels.push(channel);
    return channel;
  };
  const clientChannel = async (streamUrl: string, token: string) => {
    const channel = await openClientDataChannel(streamUrl, token);
    channels.push(channel);
    return channel;
  };

  /** The session as DescribeSessions shows it, Active or History; undefined when neither has it. */
  async function sessionOf(sessionId: string): Promise<Session | undefined> {
    for (const State of ['Active', 'History'] as const) {
      const found = (await server.client.send(new DescribeSessionsCommand({ State, Filters: [{ key: 'SessionId', value: sessionId }] }))).Sessions!;
      if (found.length > 0) return found[0];
    }
    return undefined;
  }
  const statusBecomes = (sessionId: string, statuses: string[], timeoutMs = 15_000) =>
    eventually(() => sessionOf(sessionId), (s) => statuses.includes(s?.Status ?? ''), `session ${sessionId} becomes ${statuses.join(' or ')}`, timeoutMs, 50);
  /** In History, ended as `status`. */
  async function endedAs(sessionId: string, status: 'Terminated' | 'Failed'): Promise<Session> {
    const s = await eventually(async () => (await server.client.send(new DescribeSessionsCommand({ State: 'History', Filters: [{ key: 'SessionId', value: sessionId }] }))).Sessions!,
      (found) => found.length === 1, `session ${sessionId} is in the history`, 15_000, 50);
    assert.equal(s[0].Status, status);
    assert.ok(s[0].EndDate instanceof Date);
    return s[0];
  }

  /** A session with both channels open and Connected; the agent said Connected, as the stock agent does on opening. */
  async function connected(n: Node = node) {
    const started = await start(n);
    const agent = await agentChannel(n, started.SessionId);
    agent.send(agentSessionState(started.SessionId, 'Connected'));
    const client = await clientChannel(started.StreamUrl, started.TokenValue);
    await statusBecomes(started.SessionId, ['Connected']);
    return { started, sessionId: started.SessionId, agent, client };
  }

  /** The bytes the relay has carried from `from` (the service's metrics). */
  async function relayedFrom(from: 'agent' | 'client'): Promise<number> {
    const text = await (await fetch(`${server.app.endpoint}/metrics`)).text();
    const m = new RegExp(`^mw_session_bytes_relayed_total\\{from="${from}"\\} (\\d+)`, 'm').exec(text);
    return m ? Number(m[1]) : 0;
  }

  const sendTaskComplete = (n: Node, sessionId: string): string => {
    const id = randomUUID();
    n.control.sendMessage(controlMessage(MessageType.AgentTaskComplete, writeAgentTaskComplete({
      schemaVersion: 1, taskId: sessionId, topic: 'agent_task_complete', finalTaskStatus: 'Success', isRoutingFailure: false, awsAccountId: '000000000000',
      instanceId: n.agent.nodeId, output: '', s3Bucket: '', s3UrlSuffix: '', cwlGroup: '', cwlStream: '', retryNumber: 1,
    }), id, Date.now()));
    return id;
  };

  /** A channel's channel_closed for `sessionId`, then its socket closed. */
  async function toldAndClosed(channel: SimulatedDataChannel, sessionId: string, what: string): Promise<{ destinationId: string; output?: string; close: ChannelClose }> {
    const closed = readChannelClosed(await channel.next(isType(MessageType.ChannelClosed), CLOSE_WITHIN_MS));
    assert.equal(closed.sessionId, sessionId, `${what}: channel_closed names the session`);
    const close = await within(channel.closed, CLOSE_WITHIN_MS, `${what}'s socket closes`);
    return { destinationId: closed.destinationId, ...(closed.output === undefined ? {} : { output: closed.output }), close };
  }

  before(async () => {
    server = await startTestServer();
    sockets = new Agent({ keepAlive: true });
    transport = new AgentTransport(server.app.endpoint, sockets, 'us-east-1');
    node = await register('machine-1');
  });
  after(async () => {
    for (const channel of channels) channel.ws.terminate();
    for (const control of controls) control.ws.terminate();
    sockets.destroy();
    await server.stop();
  });

  test('a full session: 200 output frames reach the client unchanged and in order, input reaches the agent, acknowledgements pass both ways', async () => {
    const { sessionId, agent, client } = await connected();
    const [shown] = (await server.client.send(new DescribeSessionsCommand({ State: 'Active', Filters: [{ key: 'SessionId', value: sessionId }] }))).Sessions!;
    assert.deepEqual([shown.Status, shown.Target], ['Connected', node.agent.nodeId]);

    // Output: 200 frames of 0 to 1024 random bytes, then what the client received, byte for byte.
    const received: Buffer[] = [];
    client.onMessage = (message, frame) => { if (message.messageType === MessageType.OutputStreamData) received.push(Buffer.from(frame)); };
    const output = outputStream();
    const sent = Array.from({ length: 200 }, (_, i) => encodeAgentMessage(output.next(randomBytes(i === 0 ? 0 : (i * 37) % 1025))));
    for (const frame of sent) agent.sendRaw(frame);
    const outputs = await client.take(MessageType.OutputStreamData, 200);
    assert.deepEqual(outputs.map((m) => m.sequenceNumber), Array.from({ length: 200 }, (_, i) => i));
    assert.equal(received.length, 200);
    for (let i = 0; i < 200; i++) assert.ok(received[i].equals(sent[i]), `output frame ${i} arrived unchanged`);

    // The client acknowledges each; the agent gets the acknowledgements, in order.
    for (const m of outputs) client.acknowledge(m);
    const acks = (await agent.take(MessageType.Acknowledge, 200)).map(readAcknowledgement);
    assert.deepEqual(acks.map((a) => [a.messageType, a.messageId, a.sequenceNumber]), outputs.map((m) => [m.messageType, m.messageId, m.sequenceNumber]));

    // Input: keystrokes and a terminal size, in order, then acknowledged by the agent.
    const input = inputStream();
    const typed = [input.next(writeTerminalSize({ cols: 120, rows: 40 }), PayloadType.Size), ...Array.from({ length: 50 }, (_, i) => input.next(`echo ${i}\r`))];
    for (const m of typed) client.send(m);
    const inputs = await agent.take(MessageType.InputStreamData, typed.length);
    assert.deepEqual(inputs.map((m) => [m.sequenceNumber, m.messageId, m.payloadType, m.payload.toString('hex')]),
      typed.map((m) => [m.sequenceNumber, m.messageId, m.payloadType, m.payload.toString('hex')]));
    for (const m of inputs) agent.acknowledge(m);
    const inputAcks = (await client.take(MessageType.Acknowledge, typed.length)).map(readAcknowledgement);
    assert.deepEqual(inputAcks.map((a) => [a.messageId, a.sequenceNumber]), typed.map((m) => [m.messageId, m.sequenceNumber]));

    // Nothing else reached either side: the service acknowledges no session frame itself, and agent_session_state stops at it.
    assert.deepEqual([...client.pending(), ...agent.pending()].map((m) => m.messageType), []);
    await server.client.send(new TerminateSessionCommand({ SessionId: sessionId }));
    await toldAndClosed(client, sessionId, 'the client');
  });

  test('the agent\'s frames sent before the client attaches are held and delivered in order when it does', async () => {
    const started = await start(node);
    const agent = await agentChannel(node, started.SessionId);
    const before = await relayedFrom('agent');
    const output = outputStream();
    const early = Array.from({ length: 20 }, (_, i) => encodeAgentMessage(output.next(`early line ${i}\n`)));
    for (const frame of early) agent.sendRaw(frame);
    const total = early.reduce((sum, f) => sum + f.length, 0);
    // The relay has taken them all (it counts what it relays), with no client to send them to.
    await eventually(() => relayedFrom('agent'), (n) => n >= before + total, 'the relay took the early frames', 10_000, 20);
    assert.equal((await sessionOf(started.SessionId))?.Status, 'Connecting');

    const received: Buffer[] = [];
    const client = await openClientDataChannel(started.StreamUrl, started.TokenValue);
    channels.push(client);
    client.onMessage = (message, frame) => { if (message.messageType === MessageType.OutputStreamData) received.push(Buffer.from(frame)); };
    const got = await client.take(MessageType.OutputStreamData, 20);
    assert.deepEqual(got.map((m) => m.payload.toString()), Array.from({ length: 20 }, (_, i) => `early line ${i}\n`));
    for (let i = 0; i < 20; i++) assert.ok(received[i].equals(early[i]), `held frame ${i} arrived unchanged`);
    // Later output follows the held frames.
    agent.send(output.next('after attach\n'));
    assert.deepEqual([(await client.next(isType(MessageType.OutputStreamData))).sequenceNumber], [20]);
    await statusBecomes(started.SessionId, ['Connected']);
    await server.client.send(new TerminateSessionCommand({ SessionId: started.SessionId }));
    await toldAndClosed(client, started.SessionId, 'the client');
  });

  test('the agent says Terminating and closes its channel: the client is told and closed, the session is Terminated', async () => {
    const { sessionId, agent, client } = await connected();
    const output = outputStream();
    agent.send(output.next('logout\n'));
    agent.send(agentSessionState(sessionId, 'Terminating'));
    await agent.close(1000, '');
    const told = await toldAndClosed(client, sessionId, 'the client');
    // The last output came before channel_closed.
    assert.deepEqual(client.pending().map((m) => m.messageType), [MessageType.OutputStreamData]);
    assert.equal(told.output, undefined, 'no message for an ordinary end');
    assert.equal(told.close.code, 1000);
    await endedAs(sessionId, 'Terminated');
  });

  test('TerminateSession: both data channels and the control channel are told; Terminated once the agent reports the end', async () => {
    const { sessionId, agent, client } = await connected();
    await server.client.send(new TerminateSessionCommand({ SessionId: sessionId }));
    const [toClient, toAgent] = await Promise.all([toldAndClosed(client, sessionId, 'the client'), toldAndClosed(agent, sessionId, 'the agent')]);
    assert.equal(toAgent.destinationId, node.agent.nodeId);
    assert.notEqual(toClient.destinationId, '');
    assert.deepEqual([toClient.close.code, toAgent.close.code], [1000, 1000]);
    assert.equal(readChannelClosed(await controlMessageFor(node, sessionId, MessageType.ChannelClosed)).destinationId, node.agent.nodeId);
    const completeId = sendTaskComplete(node, sessionId);
    assert.equal(readTaskAcknowledgement(await controlMessageFor(node, sessionId, MessageType.AgentTaskAcknowledge)).messageId, completeId);
    await endedAs(sessionId, 'Terminated');
    // An ended session's channels do not open again.
    const late = await agentChannel(node, sessionId).catch((error: unknown) => error);
    assert.ok(late instanceof UpgradeRefused && late.status === 403, `the agent's channel for an ended session is refused: ${String(late)}`);
  });

  test('a token opens one client channel once; a wrong token is refused; ResumeSession\'s token opens a channel that replaces the old one', async () => {
    const { started, sessionId, agent, client } = await connected();
    const again = await clientChannel(started.StreamUrl, started.TokenValue);
    assert.equal((await within(again.closed, CLOSE_WITHIN_MS, 'a second socket with the same token')).code, 1008);
    const wrong = await clientChannel(started.StreamUrl, `${started.TokenValue.slice(0, -4)}AAAA`);
    assert.equal((await within(wrong.closed, CLOSE_WITHIN_MS, 'a wrong token')).code, 1008);
    assert.equal(client.ws.readyState, client.ws.OPEN, 'the first client channel is still open');
    assert.equal((await sessionOf(sessionId))?.Status, 'Connected');

    // The client goes away: Disconnected, and the agent is paused.
    await client.close();
    await statusBecomes(sessionId, ['Disconnected']);
    await agent.next(isType(MessageType.PausePublication));
    // Output the agent sends meanwhile waits for the resumed client.
    const output = outputStream();
    agent.send(output.next('while away\n'));

    const resumed = await server.client.send(new ResumeSessionCommand({ SessionId: sessionId }));
    const second = await clientChannel(resumed.StreamUrl!, resumed.TokenValue!);
    await statusBecomes(sessionId, ['Connected']);
    await agent.next(isType(MessageType.StartPublication));
    assert.equal((await second.next(isType(MessageType.OutputStreamData))).payload.toString(), 'while away\n');
    const reused = await clientChannel(resumed.StreamUrl!, resumed.TokenValue!);
    assert.equal((await within(reused.closed, CLOSE_WITHIN_MS, 'the resumed token used twice')).code, 1008);

    // Resumed again while the second is still open: the new channel replaces it.
    const third = await clientChannel(resumed.StreamUrl!, (await server.client.send(new ResumeSessionCommand({ SessionId: sessionId }))).TokenValue!);
    assert.equal((await within(second.closed, CLOSE_WITHIN_MS, 'the replaced client channel')).code, 1000);
    agent.send(output.next('to the newest\n'));
    assert.equal((await third.next(isType(MessageType.OutputStreamData))).payload.toString(), 'to the newest\n');
    const input = inputStream();
    third.send(input.next('pwd\r'));
    assert.equal((await agent.next(isType(MessageType.InputStreamData))).payload.toString(), 'pwd\r');
    assert.equal((await sessionOf(sessionId))?.Status, 'Connected');
    await server.client.send(new TerminateSessionCommand({ SessionId: sessionId }));
    await toldAndClosed(third, sessionId, 'the newest client');
  });

  test('the agent\'s data channel: another node\'s credentials get 403 on the POST and the upgrade; another session\'s token is refused', async () => {
    const other = await register('machine-other');
    const started = await start(node);
    const post = await createDataChannel(other.agent, server.app.endpoint, started.SessionId);
    assert.equal(post.status, 403);
    assert.match(post.body, /<AccessDeniedException>/);
    const upgrade = await signedDataChannelSocket(other.agent, server.app.endpoint, started.SessionId).catch((error: unknown) => error);
    assert.ok(upgrade instanceof UpgradeRefused, String(upgrade));
    assert.equal(upgrade.status, 403);

    // The token CreateDataChannel gave for one session does not open another's.
    const second = await start(node);
    const own = await createDataChannel(node.agent, server.app.endpoint, second.SessionId);
    assert.equal(own.status, 201);
    const tokenOfSecond = /<TokenValue>([^<]*)<\/TokenValue>/.exec(own.body)![1];
    const crossed = await agentChannel(node, started.SessionId, { token: tokenOfSecond });
    assert.equal((await within(crossed.closed, CLOSE_WITHIN_MS, 'another session\'s token')).code, 1008);
    // Nor does the client's token, nor the instance id of another node with this node's signature.
    const clientToken = await agentChannel(node, started.SessionId, { token: started.TokenValue });
    assert.equal((await within(clientToken.closed, CLOSE_WITHIN_MS, 'the client\'s token on the agent\'s channel')).code, 1008);
    const impostor = await agentChannel(node, started.SessionId, { clientInstanceId: other.agent.nodeId });
    assert.equal((await within(impostor.closed, CLOSE_WITHIN_MS, 'another instance id')).code, 1008);
    // The session is unharmed: its own agent and client still connect.
    const agent = await agentChannel(node, started.SessionId);
    await clientChannel(started.StreamUrl, started.TokenValue);
    await statusBecomes(started.SessionId, ['Connected']);
    for (const s of [started, second]) await server.client.send(new TerminateSessionCommand({ SessionId: s.SessionId }));
    await within(agent.closed, CLOSE_WITHIN_MS, 'the agent\'s channel after TerminateSession');
  });

  test('a frame of exactly the relay\'s bound passes, unchanged', async () => {
    const { sessionId, agent, client } = await connected();
    const output = outputStream();
    const largest = encodeAgentMessage(output.next(randomBytes(FRAME_LIMIT - 120)));
    assert.equal(largest.length, FRAME_LIMIT);
    let received: Buffer | undefined;
    client.onMessage = (message, frame) => { if (message.messageType === MessageType.OutputStreamData) received = Buffer.from(frame); };
    agent.sendRaw(largest);
    await client.next(isType(MessageType.OutputStreamData));
    assert.ok(received?.equals(largest));
    assert.equal((await sessionOf(sessionId))?.Status, 'Connected');
    await server.client.send(new TerminateSessionCommand({ SessionId: sessionId }));
    await toldAndClosed(client, sessionId, 'the client');
  });

  // Bug: the data channels' WebSocketServer has maxPayload DATA_FRAME_LIMIT (src/wire/mgs-routes.ts:57), the same
  // bound as the relay's check (src/runtime/session-relay.ts:193), so `ws` itself closes an oversized frame's socket
  // with 1009 before the relay sees the frame: the relay's check never runs and it takes the close as a socket lost
  // (#lost, session-relay.ts:276). From the agent: the session stays Connected, the client's socket open, until the
  // 30 s agentReconnectMs ends it Failed. From the client: Disconnected and resumable, the agent's socket left open.
  test('a frame larger than the relay\'s bound from the agent ends the session Failed, both sockets closed', async () => {
    const { sessionId, agent, client } = await connected();
    const big = encodeAgentMessage(outputStream().next(randomBytes(FRAME_LIMIT)));
    assert.ok(big.length > FRAME_LIMIT);
    agent.sendRaw(big);
    await within(agent.closed, CLOSE_WITHIN_MS, 'the agent\'s socket closes');
    await within(client.closed, CLOSE_WITHIN_MS, 'the client\'s socket closes');
    await endedAs(sessionId, 'Failed');
  });

  test('a frame larger than the relay\'s bound from the client ends the session Failed, both sockets closed', async () => {
    const { sessionId, agent, client } = await connected();
    client.sendRaw(encodeAgentMessage(inputStream().next(randomBytes(FRAME_LIMIT))));
    await within(client.closed, CLOSE_WITHIN_MS, 'the client\'s socket closes');
    await within(agent.closed, CLOSE_WITHIN_MS, 'the agent\'s socket closes');
    await endedAs(sessionId, 'Failed');
  });

  test('a client that stops reading while the agent sends MiBs is dropped: its socket closed, the session Disconnected or Failed', async () => {
    const { sessionId, agent, client } = await connected();
    client.ws.pause();
    const output = outputStream();
    const chunk = randomBytes(120_000);
    const bound = 256 * 1024 * 1024;
    let sentBytes = 0;
    // Sends until the service pauses the agent (it dropped the client) or ends the session; bounded.
    while (sentBytes < bound && agent.ws.readyState === agent.ws.OPEN
      && !agent.pending().some((m) => m.messageType === MessageType.PausePublication || m.messageType === MessageType.ChannelClosed)) {
      const frame = output.next(chunk);
      await agent.sent(frame);
      sentBytes += chunk.length;
    }
    assert.ok(sentBytes < bound, `the client was not dropped after ${sentBytes} bytes`);
    const s = await statusBecomes(sessionId, ['Disconnected', 'Failed']);
    if (process.env.MW_TEST_VERBOSE) console.log(`slow reader dropped after ${sentBytes} bytes sent; session ${s?.Status}`);
    // The client, reading again, finds its socket closed by the service.
    client.ws.resume();
    await within(client.closed, CLOSE_WITHIN_MS, 'the dropped client\'s socket closes');
    if (s?.Status === 'Disconnected') {
      await agent.next(isType(MessageType.PausePublication));
      await server.client.send(new TerminateSessionCommand({ SessionId: sessionId }));
    }
    await within(agent.closed, CLOSE_WITHIN_MS, 'the agent\'s socket closes once the session ends');
  });

  test('DeregisterManagedInstance ends the node\'s session: both sockets closed, Terminated', async () => {
    const doomed = await register('machine-doomed');
    const { sessionId, agent, client } = await connected(doomed);
    await server.client.send(new DeregisterManagedInstanceCommand({ InstanceId: doomed.agent.nodeId }));
    await Promise.all([
      within(agent.closed, CLOSE_WITHIN_MS, 'the agent\'s socket closes'),
      within(client.closed, CLOSE_WITHIN_MS, 'the client\'s socket closes'),
    ]);
    assert.equal(readChannelClosed(await client.next(isType(MessageType.ChannelClosed))).sessionId, sessionId);
    await endedAs(sessionId, 'Terminated');
  });
});
