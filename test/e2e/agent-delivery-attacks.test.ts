// Issue 28, findings 7 to 9, with the simulated agent (bench/simulated-agent.ts) on the manual clock:
// 7. a message taken by a poll whose connection died is delivered again after its visibility timeout (same
//    MessageId), runs once, and an acknowledged one is never delivered again;
// 8. DeregisterManagedInstance revokes the node: its credentials are refused, what it was sent but does
//    not have ends Failed/Undeliverable, and nothing it sends is recorded;
// 9. a SendReply payload no agent sends (null, an array, exit codes that are no int32) is refused with a
//    ValidationException and changes nothing; a valid one still ends the invocation.

import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject, randomUUID } from 'node:crypto';
import { Agent } from 'node:http';
import { afterEach, beforeEach, describe, test } from 'node:test';
import {
  CreateActivationCommand, DeregisterManagedInstanceCommand, GetCommandInvocationCommand, ListCommandsCommand, SendCommandCommand,
} from '@aws-sdk/client-ssm';
import { AgentTransport, type DeliveredMessage, SimulatedAgent, successReply } from '../../bench/simulated-agent.ts';
import { advance } from '../support/control.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const PLUGIN = 'aws:runShellScript';
const GET_MESSAGES = 'EC2WindowsMessageDeliveryService.GetMessages';

describe('agent delivery: redelivery, deregistration, reply validation', () => {
  let server: TestServer;
  let sockets: Agent;
  let transport: AgentTransport;
  let keys: { publicKeyText: string; privateKey: KeyObject };
  // The manual clock, and a 3 s ping timeout: an empty poll is held at most 1 s of real time.
  beforeEach(async () => {
    server = await startTestServer({ clockMode: 'manual', pingTimeoutSeconds: 3 });
    sockets = new Agent({ keepAlive: true });
    transport = new AgentTransport(server.app.endpoint, sockets, 'us-east-1');
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    keys = { publicKeyText: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'), privateKey };
  });
  afterEach(async () => {
    sockets.destroy();
    await server.stop();
  });

  async function agents(count: number): Promise<SimulatedAgent[]> {
    const activation = await server.client.send(new CreateActivationCommand({ IamRole: 'SSMServiceRole', RegistrationLimit: count }));
    const a = { ActivationId: activation.ActivationId!, ActivationCode: activation.ActivationCode! };
    const joined: SimulatedAgent[] = [];
    for (let i = 0; i < count; i++) joined.push(await SimulatedAgent.register(transport, a, keys.publicKeyText, keys.privateKey, `machine-${i}`));
    return joined;
  }
  async function send(instanceIds: string[], extra: { TimeoutSeconds?: number; MaxConcurrency?: string } = {}): Promise<string> {
    const { Command } = await server.client.send(new SendCommandCommand({
      DocumentName: 'AWS-RunShellScript', InstanceIds: instanceIds, Parameters: { commands: ['echo hi'] }, ...extra,
    }));
    return Command!.CommandId!;
  }
  const invocation = async (commandId: string, instanceId: string) => {
    const { $metadata: _, ...shape } = await server.client.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId }));
    return shape;
  };
  const commandOf = async (commandId: string) => (await server.client.send(new ListCommandsCommand({ CommandId: commandId }))).Commands![0];
  const shown = async (commandId: string, instanceId: string) => {
    const i = await invocation(commandId, instanceId);
    return [i.Status, i.StatusDetails, i.ResponseCode, i.StandardOutputContent];
  };
  const messageIdOf = (commandId: string, nodeId: string) => `aws.ssm.${commandId}.${nodeId}`;

  test('(7) a message whose poll died unread is taken again after its visibility timeout, same MessageId, and runs once', async () => {
    const [agent] = await agents(1);
    const commandId = await send([agent.nodeId]);
    assert.equal(await agent.pollAbandoned(), 200, 'the poll was answered (with the message) and its connection then died');
    assert.deepEqual((await shown(commandId, agent.nodeId)).slice(0, 2), ['InProgress', 'InProgress'], 'InProgress from the first take');
    assert.deepEqual(await agent.poll(), [], 'invisible during its visibility timeout');

    await advance(server, 11);
    const again = await agent.poll();
    assert.deepEqual(again.map((m) => m.MessageId), [messageIdOf(commandId, agent.nodeId)], 'visible again: the same message');
    await agent.runAndReply(again[0], PLUGIN, 'hi\n');
    assert.deepEqual(await shown(commandId, agent.nodeId), ['Success', 'Success', 0, 'hi\n']);

    await advance(server, 60);
    assert.deepEqual(await agent.poll(), [], 'acknowledged and ended: never delivered again');
    assert.equal((await commandOf(commandId)).Status, 'Success');
  });

  test('(7) an acknowledged message is never delivered again, however long it runs; its unacknowledged sibling is', async () => {
    const [agent] = await agents(1);
    const acked = await send([agent.nodeId]);
    const lost = await send([agent.nodeId]);
    const taken = await agent.poll();
    assert.deepEqual(taken.map((m) => m.MessageId).sort(), [messageIdOf(acked, agent.nodeId), messageIdOf(lost, agent.nodeId)].sort());
    assert.equal((await agent.acknowledge(messageIdOf(acked, agent.nodeId))).status, 200);
    await advance(server, 11);
    const again = await agent.poll();
    assert.deepEqual(again.map((m) => m.MessageId), [messageIdOf(lost, agent.nodeId)], 'only the unacknowledged one is visible again');
    assert.equal((await agent.acknowledge(again[0].MessageId)).status, 200);
    await advance(server, 600);
    assert.deepEqual(await agent.poll(), [], 'both acknowledged: neither is visible again');
    for (const commandId of [acked, lost]) {
      assert.deepEqual((await shown(commandId, agent.nodeId)).slice(0, 2), ['InProgress', 'InProgress']);
      const reply = await agent.sendReplyText(messageIdOf(commandId, agent.nodeId), JSON.stringify(successReply(PLUGIN, 'late\n', new Date())));
      assert.equal(reply.status, 200);
      assert.deepEqual(await shown(commandId, agent.nodeId), ['Success', 'Success', 0, 'late\n']);
    }
  });

  test('(7) a message never acknowledged by its delivery deadline ends DeliveryTimedOut and is not handed out again', async () => {
    const [agent] = await agents(1);
    const commandId = await send([agent.nodeId], { TimeoutSeconds: 30 });
    assert.equal(await agent.pollAbandoned(), 200);
    await advance(server, 11);
    assert.equal(await agent.pollAbandoned(), 200, 'taken again, and lost again');
    await advance(server, 25);
    assert.deepEqual((await shown(commandId, agent.nodeId)).slice(0, 2), ['TimedOut', 'DeliveryTimedOut']);
    assert.deepEqual(await agent.poll(), []);
    const command = await commandOf(commandId);
    assert.deepEqual([command.Status, command.DeliveryTimedOutCount, command.ErrorCount], ['TimedOut', 1, 0]);
  });

  test('(8) a deregistered node is refused, its undelivered invocations end Undeliverable, and nothing it sends is recorded', async () => {
    const [gone, other] = await agents(2);
    // MaxConcurrency 1: the deregistered node's invocation holds the only slot until it ends.
    const queued = await send([gone.nodeId, other.nodeId], { MaxConcurrency: '1' });
    const taken = await send([gone.nodeId]);
    assert.equal(await gone.pollAbandoned(), 200, 'a poll took the first message and died; both wait for the node');
    const acked = await send([gone.nodeId]);
    const messages = await gone.poll();
    const running = messages.find((m) => m.MessageId === messageIdOf(acked, gone.nodeId)) as DeliveredMessage;
    assert.ok(running, JSON.stringify(messages.map((m) => m.MessageId)));
    assert.equal((await gone.acknowledge(running.MessageId)).status, 200);

    await server.client.send(new DeregisterManagedInstanceCommand({ InstanceId: gone.nodeId }));
    for (const commandId of [queued, taken]) {
      assert.deepEqual(await shown(commandId, gone.nodeId), ['Failed', 'Undeliverable', -1, ''], `${commandId} was never in its agent's hands`);
    }
    assert.deepEqual((await shown(acked, gone.nodeId)).slice(0, 2), ['InProgress', 'InProgress'], 'acknowledged: left to its own deadline');
    const takenCommand = await commandOf(taken);
    assert.deepEqual([takenCommand.Status, takenCommand.ErrorCount, takenCommand.CompletedCount], ['Failed', 0, 1], 'all undeliverable: Failed, no error counted');

    // Its credentials are refused from now on, for polls, replies and new tokens.
    const poll = await gone.call('ec2messages', GET_MESSAGES, { Destination: gone.nodeId, MessagesRequestId: randomUUID() });
    assert.deepEqual([poll.status, poll.body.__type], [400, 'UnrecognizedClientException']);
    for (const commandId of [taken, acked]) {
      const reply = await gone.sendReplyText(messageIdOf(commandId, gone.nodeId), JSON.stringify(successReply(PLUGIN, 'ran anyway\n', new Date())));
      assert.deepEqual([reply.status, reply.body.__type], [400, 'UnrecognizedClientException']);
    }
    assert.deepEqual((await shown(acked, gone.nodeId)).slice(0, 2), ['InProgress', 'InProgress'], 'nothing recorded');
    const token = await transport.rsaSigned('AmazonSSM.RequestManagedInstanceRoleToken', { Fingerprint: 'machine-0' }, gone.nodeId, keys.privateKey);
    assert.deepEqual([token.status, token.body.__type], [400, 'UnrecognizedClientException']);

    // The slot it held is free: the other node gets its message, and the command ends Success.
    await advance(server, 1);
    const [forOther] = await other.poll();
    assert.equal(forOther?.MessageId, messageIdOf(queued, other.nodeId));
    await other.runAndReply(forOther, PLUGIN, 'hi\n');
    const queuedCommand = await commandOf(queued);
    assert.deepEqual([queuedCommand.Status, queuedCommand.ErrorCount, queuedCommand.CompletedCount], ['Success', 0, 2], 'undeliverable ones do not decide the status');

    // The acknowledged one ends when its agent's time limit and a grace have passed without word.
    await advance(server, 3600 + 61);
    assert.deepEqual((await shown(acked, gone.nodeId)).slice(0, 2), ['TimedOut', 'ExecutionTimedOut']);
  });

  test('(9) reply payloads no agent sends are refused with ValidationException and change nothing; a valid one ends it', async () => {
    const [agent] = await agents(1);
    const commandId = await send([agent.nodeId]);
    const [message] = await agent.poll();
    assert.equal((await agent.acknowledge(message.MessageId)).status, 200);
    const before = await invocation(commandId, agent.nodeId);
    const valid = JSON.stringify(successReply(PLUGIN, 'hi\n', new Date()));
    assert.match(valid, /"code":0,/);
    const withCode = (code: string) => valid.replace('"code":0,', `"code":${code},`);
    const bad = ['null', '[]', '"text"', '{}', withCode('1.5'), withCode('1e20'), withCode('-2147483649'), withCode('1e999'), withCode('"0"'), 'not json'];
    for (const payload of bad) {
      const answer = await agent.sendReplyText(message.MessageId, payload);
      assert.deepEqual([answer.status, answer.body.__type], [400, 'ValidationException'], payload.slice(0, 60));
    }
    assert.deepEqual(await invocation(commandId, agent.nodeId), before, 'nothing stored changed');

    // The other ec2messages inputs are checked too.
    const fail = await agent.call('ec2messages', 'EC2WindowsMessageDeliveryService.FailMessage', { MessageId: message.MessageId, FailureType: 'Whatever' });
    assert.deepEqual([fail.status, fail.body.__type], [400, 'ValidationException']);
    const short = await agent.acknowledge('aws.ssm.x.y');
    assert.deepEqual([short.status, short.body.__type], [400, 'ValidationException']);
    const foreign = await agent.acknowledge('not-a-message-of-this-service');
    assert.deepEqual([foreign.status, foreign.body.__type], [400, 'InvalidMessageIdException']);
    const poll = await agent.call('ec2messages', GET_MESSAGES, { Destination: agent.nodeId, MessagesRequestId: randomUUID(), VisibilityTimeoutInSeconds: 0 });
    assert.deepEqual([poll.status, poll.body.__type], [400, 'ValidationException']);
    assert.deepEqual(await invocation(commandId, agent.nodeId), before, 'still nothing changed');

    // A Windows exit code (a uint32 NTSTATUS) is kept as the int32 of the same bits.
    const crashed = valid.replace('"code":0,', '"code":3221225477,').replace(/"Success"/g, '"Failed"');
    assert.equal((await agent.sendReplyText(message.MessageId, crashed)).status, 200);
    assert.deepEqual((await shown(commandId, agent.nodeId)).slice(0, 3), ['Failed', 'Failed', -1073741819]);
  });

  test('GetEndpoint refuses a body that is not a JSON object, as every other agent call does', async () => {
    const [agent] = await agents(1);
    for (const input of [null, []] as unknown as object[]) {
      const answer = await agent.call('ec2messages', 'EC2WindowsMessageDeliveryService.GetEndpoint', input);
      assert.equal(answer.status, 400, JSON.stringify(input));
      assert.equal(answer.body.__type, 'SerializationException');
    }
    const ok = await agent.call('ec2messages', 'EC2WindowsMessageDeliveryService.GetEndpoint', { Destination: agent.nodeId });
    assert.equal(ok.status, 200);
    assert.equal(typeof ok.body.Endpoint, 'string');
  });

  test('(9) a valid reply still works: InProgress with a null runtimeStatus, then Success', async () => {
    const [agent] = await agents(1);
    const commandId = await send([agent.nodeId]);
    const [message] = await agent.poll();
    await agent.runAndReply(message, PLUGIN, 'ok\n');
    assert.deepEqual(await shown(commandId, agent.nodeId), ['Success', 'Success', 0, 'ok\n']);
  });
});
