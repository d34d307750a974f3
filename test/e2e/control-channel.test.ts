// Issue 24, part 2: Run Command over the agents' ssmmessages control channel, with a simulated agent that
// speaks the stock agent's protocol (bench/simulated-control-channel.ts) and the real SDK on the other side.
// A command and a cancel go down as agent_job frames, the agent's acks and replies drive the invocation as
// ec2messages' calls do, an unacknowledged job comes again with the same JobId, replies are acknowledged,
// only the node's own credentials open its channel, and a closed channel leaves delivery to the polls.

import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { Agent } from 'node:http';
import { afterEach, beforeEach, describe, test } from 'node:test';
import {
  CancelCommandCommand, CreateActivationCommand, CreateDocumentCommand, DescribeInstanceInformationCommand, GetCommandInvocationCommand, SendCommandCommand,
} from '@aws-sdk/client-ssm';
import WebSocket from 'ws';
import { AgentTransport, SimulatedAgent, successReply } from '../../bench/simulated-agent.ts';
import { SimulatedControlChannel } from '../../bench/simulated-control-channel.ts';
import { advance } from '../support/control.ts';
import { eventually } from '../support/eventually.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const PLUGIN = 'aws:runShellScript';

describe('the ssmmessages control channel', () => {
  let server: TestServer;
  let sockets: Agent;
  let transport: AgentTransport;
  const open: SimulatedControlChannel[] = [];

  beforeEach(async () => {
    server = await startTestServer({ clockMode: 'manual' });
    sockets = new Agent({ keepAlive: true });
    transport = new AgentTransport(server.app.endpoint, sockets, 'us-east-1');
  });
  afterEach(async () => {
    for (const channel of open.splice(0)) channel.ws.terminate();
    sockets.destroy();
    await server.stop();
  });

  async function agents(count: number): Promise<SimulatedAgent[]> {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const activation = await server.client.send(new CreateActivationCommand({ IamRole: 'SSMServiceRole', RegistrationLimit: count }));
    const joined: SimulatedAgent[] = [];
    for (let i = 0; i < count; i++) {
      joined.push(await SimulatedAgent.register(transport, { ActivationId: activation.ActivationId!, ActivationCode: activation.ActivationCode! },
        publicKey.export({ format: 'der', type: 'spki' }).toString('base64'), privateKey, `machine-${i}`));
    }
    return joined;
  }
  async function channelOf(agent: SimulatedAgent): Promise<SimulatedControlChannel> {
    const channel = await SimulatedControlChannel.open(agent, server.app.endpoint);
    open.push(channel);
    return channel;
  }
  async function send(nodeId: string, commands = ['echo hi']): Promise<string> {
    const { Command } = await server.client.send(new SendCommandCommand({ DocumentName: 'AWS-RunShellScript', InstanceIds: [nodeId], Parameters: { commands } }));
    return Command!.CommandId!;
  }
  const shown = async (commandId: string, nodeId: string) => {
    const i = await server.client.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: nodeId }));
    return [i.Status, i.StatusDetails, i.ResponseCode, i.StandardOutputContent];
  };

  test('a command goes down as an agent_job carrying the ec2messages payload; ack and replies drive the invocation', async () => {
    const [agent] = await agents(1);
    const channel = await channelOf(agent);
    const commandId = await send(agent.nodeId, ['echo over-mgs']);
    const received = await channel.nextJob();
    assert.equal(received.job.jobId, `aws.ssm.${commandId}.${agent.nodeId}`, 'JobId is the ec2messages MessageId');
    assert.match(received.job.topic, /^aws\.ssm\.sendCommand\./);
    const payload = JSON.parse(received.job.content) as { CommandId: string; DocumentName: string; Parameters: { commands: string[] } };
    assert.deepEqual([payload.CommandId, payload.DocumentName, payload.Parameters.commands], [commandId, 'AWS-RunShellScript', ['echo over-mgs']]);

    channel.ack(received);
    await eventuallyShown(commandId, agent.nodeId, ['InProgress', 'InProgress']);
    const first = await channel.reply(received, successReply(PLUGIN, 'over-mgs\n', new Date()));
    assert.deepEqual(await shown(commandId, agent.nodeId), ['Success', 'Success', 0, 'over-mgs\n']);
    // The same reply again (the agent resends until acknowledged): acknowledged again, recorded once.
    await channel.reply(received, successReply(PLUGIN, 'over-mgs\n', new Date()), 10_000, first);
    assert.deepEqual(await shown(commandId, agent.nodeId), ['Success', 'Success', 0, 'over-mgs\n']);

    const info = (await server.client.send(new DescribeInstanceInformationCommand({}))).InstanceInformationList!.find((i) => i.InstanceId === agent.nodeId)!;
    assert.equal(info.PingStatus, 'Online', 'the open channel is word that the agent is alive');
    const metrics = await (await fetch(`${server.app.endpoint}/metrics`)).text();
    assert.match(metrics, /^mw_control_channels_open 1$/m);
    assert.match(metrics, /^mw_control_channel_jobs_total\{kind="command"\} 1$/m);
  });

  test('a cancel goes down as an agent_job of the cancelCommand topic naming the command\'s message', async () => {
    const [agent] = await agents(1);
    const channel = await channelOf(agent);
    const commandId = await send(agent.nodeId, ['sleep 600']);
    const received = await channel.nextJob();
    channel.ack(received);
    await eventuallyShown(commandId, agent.nodeId, ['InProgress', 'InProgress']);
    await server.client.send(new CancelCommandCommand({ CommandId: commandId }));
    const cancel = await channel.nextJob();
    assert.match(cancel.job.topic, /^aws\.ssm\.cancelCommand\./);
    assert.deepEqual(JSON.parse(cancel.job.content), { CancelMessageId: `aws.ssm.${commandId}.${agent.nodeId}` });
    channel.ack(cancel);
    assert.deepEqual((await shown(commandId, agent.nodeId)).slice(0, 2), ['Cancelled', 'Cancelled']);
  });

  test('a job the agent does not acknowledge comes again with the same JobId once its visibility ends, and only then', async () => {
    const [agent] = await agents(1);
    const channel = await channelOf(agent);
    const commandId = await send(agent.nodeId);
    const first = await channel.nextJob();
    await advance(server, 10);
    await assert.rejects(channel.nextJob(1_500), /no an agent_job/, 'not again within its 30 s');
    await advance(server, 21);
    const again = await channel.nextJob();
    assert.equal(again.job.jobId, first.job.jobId);
    assert.notEqual(again.frame.messageId, first.frame.messageId, 'a new frame for the same job');
    channel.ack(again, '51405', 'DuplicateCommand');
    await advance(server, 60);
    await assert.rejects(channel.nextJob(1_500), /no an agent_job/, 'a duplicate acknowledged is taken: never again');
    assert.equal((await shown(commandId, agent.nodeId))[0], 'InProgress');
  });

  test('an agent_job_ack refusing the document fails the invocation; a closed processor leaves it to be sent again', async () => {
    const [agent] = await agents(1);
    const channel = await channelOf(agent);
    const refused = await send(agent.nodeId);
    channel.ack(await channel.nextJob(), '51406', 'InvalidDocument');
    await eventuallyShown(refused, agent.nodeId, ['Failed', 'Failed']);
    const later = await send(agent.nodeId);
    const first = await channel.nextJob();
    channel.ack(first, '51401', 'ClosedProcessor');
    await advance(server, 31);
    assert.equal((await channel.nextJob()).job.jobId, `aws.ssm.${later}.${agent.nodeId}`);
  });

  test('a reply no agent would send, or about another node\'s job, is acknowledged (the agent stops resending it) and changes nothing', async () => {
    const [agent, other] = await agents(2);
    const channel = await channelOf(agent);
    const commandId = await send(agent.nodeId);
    const received = await channel.nextJob();
    channel.ack(received);
    await channel.reply(received, { documentStatus: 42 });
    const theirs = await send(other.nodeId);
    await channel.reply({ ...received, job: { ...received.job, jobId: `aws.ssm.${theirs}.${other.nodeId}` } }, successReply(PLUGIN, 'not mine\n', new Date()));
    assert.deepEqual((await shown(commandId, agent.nodeId)).slice(0, 2), ['InProgress', 'InProgress']);
    assert.deepEqual((await shown(theirs, other.nodeId)).slice(0, 1), ['Pending']);
  });

  test('only the node\'s own credentials open its channel; a bad token closes it; refusals are XML', async () => {
    const [mine, other] = await agents(2);
    const created = await SimulatedControlChannel.createControlChannel(other, server.app.endpoint, mine.nodeId);
    assert.equal(created.status, 403);
    assert.match(created.body, /^<AccessDeniedException><Message>/);
    await assert.rejects(SimulatedControlChannel.open(other, server.app.endpoint, { nodeId: mine.nodeId }), /403/);

    // An unsigned upgrade.
    const unsigned = new WebSocket(`${server.app.endpoint.replace('http', 'ws')}/v1/control-channel/${mine.nodeId}?role=subscribe&stream=input`);
    const status = await new Promise<number>((resolve) => {
      unsigned.once('unexpected-response', (_req, res) => resolve(res.statusCode!));
      unsigned.once('open', () => resolve(101));
      unsigned.once('error', () => resolve(0));
    });
    assert.equal(status, 403);

    // Another node's token, in a channel signed by this node.
    const theirs = await SimulatedControlChannel.createControlChannel(other, server.app.endpoint);
    const token = /<TokenValue>([^<]*)<\/TokenValue>/.exec(theirs.body)![1];
    const channel = await SimulatedControlChannel.open(mine, server.app.endpoint, { token });
    open.push(channel);
    const closed = await channel.closed;
    assert.equal(closed.code, 1008);
    const commandId = await send(mine.nodeId);
    assert.deepEqual((await shown(commandId, mine.nodeId)).slice(0, 1), ['Pending'], 'nothing was delivered down the refused channel');
    // A token that is not ours at all.
    const forged = await SimulatedControlChannel.open(mine, server.app.endpoint, { token: randomUUID() });
    open.push(forged);
    assert.equal((await forged.closed).code, 1008);
  });

  test('once the channel closes, a command queued for the node is taken by its next poll; a reopened channel gets the rest', async () => {
    const [agent] = await agents(1);
    const channel = await channelOf(agent);
    await channel.close();
    const polled = await send(agent.nodeId);
    const messages = await agent.poll();
    assert.deepEqual(messages.map((m) => m.MessageId), [`aws.ssm.${polled}.${agent.nodeId}`]);
    await agent.runAndReply(messages[0], PLUGIN, 'polled\n');
    assert.deepEqual(await shown(polled, agent.nodeId), ['Success', 'Success', 0, 'polled\n']);

    const again = await channelOf(agent);
    const pushed = await send(agent.nodeId);
    const received = await again.nextJob();
    assert.equal(received.job.jobId, `aws.ssm.${pushed}.${agent.nodeId}`);
  });

  test('an agent that stops reading its channel is dropped once a few MB wait for it, and its jobs go back to waiting', async () => {
    const [agent] = await agents(1);
    const channel = await channelOf(agent);
    // A document of ~60 KB, so that each agent_job frame is that big.
    const big = JSON.stringify({ schemaVersion: '2.2', description: 'x'.repeat(60_000), mainSteps: [{ action: 'aws:runShellScript', name: 'run', inputs: { runCommand: ['true'] } }] });
    await server.client.send(new CreateDocumentCommand({ Name: 'big-doc', Content: big, DocumentType: 'Command' }));
    channel.ws.pause();
    for (let i = 0; i < 200; i++) await server.client.send(new SendCommandCommand({ DocumentName: 'big-doc', InstanceIds: [agent.nodeId] }));
    await eventually(async () => (await (await fetch(`${server.app.endpoint}/metrics`)).text()), (text) => /^mw_control_channels_open 0$/m.test(text), 'the service drops the channel', 30_000);
    channel.ws.resume();
    await channel.closed;
    // Reopened, the agent gets what it had not acknowledged again, once its visibility ends.
    const again = await channelOf(agent);
    await advance(server, 31);
    const job = await again.nextJob();
    assert.match(job.job.jobId, /^aws\.ssm\./);
  });

  test('a second channel of the same node replaces the first', async () => {
    const [agent] = await agents(1);
    const first = await channelOf(agent);
    const second = await channelOf(agent);
    assert.equal((await first.closed).code, 1001);
    const commandId = await send(agent.nodeId);
    assert.equal((await second.nextJob()).job.jobId, `aws.ssm.${commandId}.${agent.nodeId}`);
  });

  async function eventuallyShown(commandId: string, nodeId: string, expected: unknown[]): Promise<void> {
    await eventually(async () => (await shown(commandId, nodeId)).slice(0, expected.length), (got) => JSON.stringify(got) === JSON.stringify(expected), `the invocation shows ${expected.join('/')}`, 10_000);
  }
});
