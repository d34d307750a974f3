// Two replicas (A and B) on one PostgreSQL database, system clock, and an agent whose ssmmessages control
// channel is open on A (issue 24, part 2): a command sent through B reaches the node down A's channel,
// once (B's commit wakes A through LISTEN/NOTIFY), the agent's ack and replies go to A, and B reports
// the outcome; B answers GetConnectionStatus from the channel's state A keeps on the node; a job A took
// but the agent never acknowledged comes again, with the same JobId, down the channel the agent reopens on
// B once A is killed and the job's visibility ends (real time, shortened to 5 s with
// --job-visibility-seconds: each replica's manual clock is its own, not shared through the database); a
// cancel sent through B goes down A's channel.

import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { Agent } from 'node:http';
import { after, before, describe, test } from 'node:test';
import {
  CancelCommandCommand, CreateActivationCommand, GetCommandInvocationCommand, GetConnectionStatusCommand, ListCommandsCommand, SendCommandCommand, type SSMClient,
} from '@aws-sdk/client-ssm';
import { AgentTransport, SimulatedAgent, successReply } from '../../bench/simulated-agent.ts';
import { type ReceivedJob, SimulatedControlChannel } from '../../bench/simulated-control-channel.ts';
import { eventually } from '../support/eventually.ts';
import { startServiceProcess, type ServiceProcess } from '../support/process.ts';
import { sdkClient } from '../support/server.ts';

const url = process.env.MW_TEST_POSTGRES_URL;
const skip = !url && !process.env.CI && 'MW_TEST_POSTGRES_URL is not set';
const PLUGIN = 'aws:runShellScript';
const CONCURRENT = 20;
/** After the last ack, how long nothing more may come down the channel (the one negative wait). */
const QUIET_MS = 1_500;
/** The replicas' visibility of a job taken but not acknowledged (--job-visibility-seconds; 30 s by default). */
const VISIBILITY_MS = 5_000;
const NO_JOB = /no an agent_job within/;

const inProgress = () => ({
  additionalInfo: { agent: { lang: 'en-US', name: 'amazon-ssm-agent', os: '', osver: '1', ver: '' }, dateTime: new Date().toISOString(), runId: '', runtimeStatusCounts: {} },
  documentStatus: 'InProgress', documentTraceOutput: '', runtimeStatus: null,
});

describe('a node whose control channel is open on one replica, commands sent through the other', { skip, timeout: 240_000 }, () => {
  const replicas: ServiceProcess[] = [];
  const clients: SSMClient[] = [];
  const channels: SimulatedControlChannel[] = [];
  const sockets = new Agent({ keepAlive: true });
  const agents: SimulatedAgent[] = [];
  let a: SSMClient;
  let b: SSMClient;

  before(async () => {
    assert.ok(url, 'MW_TEST_POSTGRES_URL must be set (npm test starts PostgreSQL)');
    const schema = `mw_replica_control_channel_${process.pid}`;
    // One after the other: the first creates the schema.
    for (let i = 0; i < 2; i++) {
      replicas.push(await startServiceProcess(['--store', url, '--postgres-schema', schema, '--lease-seconds', '2', '--job-visibility-seconds', String(VISIBILITY_MS / 1000), '--quiet']));
      clients.push(sdkClient(replicas[i].endpoint));
    }
    [a, b] = clients;
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const activation = await a.send(new CreateActivationCommand({ IamRole: 'SSMServiceRole', RegistrationLimit: 4 }));
    const transport = new AgentTransport(replicas[0].endpoint, sockets, 'us-east-1');
    for (let i = 0; i < 4; i++) {
      agents.push(await SimulatedAgent.register(transport, { ActivationId: activation.ActivationId!, ActivationCode: activation.ActivationCode! },
        publicKey.export({ format: 'der', type: 'spki' }).toString('base64'), privateKey, `replica-channel-${i}`));
    }
  });
  after(async () => {
    for (const channel of channels) channel.ws.terminate();
    for (const client of clients) client.destroy();
    sockets.destroy();
    for (const replica of replicas) await replica.stop('SIGKILL');
  });

  /** The agent's channel opened on `replica`, once the other replica reads it as connected from the store. */
  async function openOn(replica: number, agent: SimulatedAgent, other: SSMClient): Promise<SimulatedControlChannel> {
    const channel = await SimulatedControlChannel.open(agent, replicas[replica].endpoint);
    channels.push(channel);
    await eventually(() => status(other, agent.nodeId), (s) => s === 'connected', `${agent.nodeId} connected`, 10_000, 100);
    return channel;
  }
  const status = async (client: SSMClient, nodeId: string) => (await client.send(new GetConnectionStatusCommand({ Target: nodeId }))).Status;
  const send = async (client: SSMClient, nodeId: string, commands: string[]) =>
    (await client.send(new SendCommandCommand({ DocumentName: 'AWS-RunShellScript', InstanceIds: [nodeId], Parameters: { commands } }))).Command!.CommandId!;
  const shown = async (client: SSMClient, commandId: string, nodeId: string) => {
    const i = await client.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: nodeId }));
    return [i.Status, i.StatusDetails, i.ResponseCode, i.StandardOutputContent];
  };
  const eventuallyShown = (client: SSMClient, commandId: string, nodeId: string, expected: unknown[]) =>
    eventually(async () => (await shown(client, commandId, nodeId)).slice(0, expected.length), (got) => JSON.stringify(got) === JSON.stringify(expected),
      `${commandId} shows ${expected.join('/')}`, 10_000, 100);
  /** What the simulated agent prints for a job: the text after `echo `. */
  const outputOf = (received: ReceivedJob) => `${(JSON.parse(received.job.content) as { Parameters: { commands: string[] } }).Parameters.commands[0].replace(/^echo /, '')}\n`;
  const jobIdOf = (commandId: string, nodeId: string) => `aws.ssm.${commandId}.${nodeId}`;

  test('a command sent through B arrives once down the channel open on A; ack and replies go to A; B shows Success (1, then 20 through A and B at once)', async () => {
    const agent = agents[0];
    const channel = await openOn(0, agent, b);

    const sentAt = performance.now();
    const commandId = await send(b, agent.nodeId, ['echo through-b']);
    const received = await channel.nextJob(10_000);
    const latencyMs = Math.round(performance.now() - sentAt);
    assert.equal(received.job.jobId, jobIdOf(commandId, agent.nodeId));
    assert.match(received.job.topic, /^aws\.ssm\.sendCommand\./);
    assert.ok(latencyMs < 5_000, `A took B's command from the store within its recheck (took ${latencyMs} ms)`);
    channel.ack(received);
    // The reply frames are acknowledged by the replica they went to: A, the only one the channel speaks to.
    await channel.reply(received, inProgress());
    await channel.reply(received, successReply(PLUGIN, outputOf(received), new Date()));
    assert.deepEqual(await shown(b, commandId, agent.nodeId), ['Success', 'Success', 0, 'through-b\n']);
    await assert.rejects(channel.nextJob(QUIET_MS), NO_JOB, 'not delivered a second time');
    console.log(`one command sent through B reached A's channel in ${latencyMs} ms`);

    // 20 commands, alternately through A and B, all at once; the agent acks and replies as jobs come.
    const started = performance.now();
    const sending = Promise.all(Array.from({ length: CONCURRENT }, (_, i) => send(i % 2 === 0 ? a : b, agent.nodeId, [`echo c${i}`])));
    const arrivals = new Map<string, number>();
    const replies: Promise<string>[] = [];
    while (arrivals.size < CONCURRENT) {
      const job = await channel.nextJob(15_000);
      arrivals.set(job.job.jobId, (arrivals.get(job.job.jobId) ?? 0) + 1);
      if (arrivals.get(job.job.jobId)! > 1) continue; // counted; asserted below
      channel.ack(job);
      replies.push(channel.reply(job, successReply(PLUGIN, outputOf(job), new Date())));
    }
    const ids = await sending;
    await Promise.all(replies);
    const deliveredMs = Math.round(performance.now() - started);
    await assert.rejects(channel.nextJob(QUIET_MS), NO_JOB, 'nothing delivered a second time after the acks');
    assert.deepEqual([...arrivals.keys()].sort(), ids.map((id) => jobIdOf(id, agent.nodeId)).sort(), 'the jobs are the commands sent');
    assert.deepEqual([...arrivals.values()].filter((n) => n !== 1), [], 'every job came once');
    const results = await Promise.all(ids.map((id) => shown(b, id, agent.nodeId)));
    assert.deepEqual(results, ids.map((_, i) => ['Success', 'Success', 0, `c${i}\n`]));
    console.log(`${CONCURRENT} commands through A and B delivered once each and answered in ${deliveredMs} ms`);
  });

  test('GetConnectionStatus on B: connected while the channel is open on A, notconnected once A recorded its close', async () => {
    const agent = agents[1];
    assert.equal(await status(b, agent.nodeId), 'notconnected', 'no channel yet');
    const channel = await openOn(0, agent, b);
    assert.equal(await status(a, agent.nodeId), 'connected');
    assert.equal(await status(b, agent.nodeId), 'connected');
    await channel.close();
    await eventually(() => status(b, agent.nodeId), (s) => s === 'notconnected', 'B reads the close A recorded', 10_000, 100);
    assert.equal(await status(a, agent.nodeId), 'notconnected');
  });

  test('CancelCommand through B for a command running on the node: the cancel agent_job comes down A\'s channel', async () => {
    const agent = agents[2];
    const channel = await openOn(0, agent, b);
    const commandId = await send(b, agent.nodeId, ['sleep 600']);
    const received = await channel.nextJob(10_000);
    channel.ack(received);
    await channel.reply(received, inProgress());
    await eventuallyShown(b, commandId, agent.nodeId, ['InProgress', 'InProgress']);
    await b.send(new CancelCommandCommand({ CommandId: commandId }));
    const cancel = await channel.nextJob(10_000);
    assert.match(cancel.job.topic, /^aws\.ssm\.cancelCommand\./);
    assert.deepEqual(JSON.parse(cancel.job.content), { CancelMessageId: jobIdOf(commandId, agent.nodeId) });
    channel.ack(cancel);
    await eventuallyShown(b, commandId, agent.nodeId, ['Cancelled', 'Cancelled']);
    await assert.rejects(channel.nextJob(QUIET_MS), NO_JOB, 'the cancel came once');
  });

  // Last: it kills A. A few seconds, most of it the job's visibility in real time.
  test('A killed with a job taken but not acknowledged: the job comes again with the same JobId down the channel reopened on B, and ends Success once', { timeout: 60_000 }, async () => {
    const agent = agents[3];
    const onA = await openOn(0, agent, b);
    const commandId = await send(b, agent.nodeId, ['echo survived']);
    const first = await onA.nextJob(10_000);
    const takenBy = performance.now(); // A took it before this
    assert.equal(first.job.jobId, jobIdOf(commandId, agent.nodeId));
    await replicas[0].stop('SIGKILL');
    await onA.closed; // the socket ends with the process

    // The agent reconnects to the replica left; its channel there takes the job once its visibility ends.
    const onB = await SimulatedControlChannel.open(agent, replicas[1].endpoint);
    channels.push(onB);
    const again = await onB.nextJob(VISIBILITY_MS + 15_000);
    const afterMs = Math.round(performance.now() - takenBy);
    assert.equal(again.job.jobId, first.job.jobId, 'the same JobId');
    assert.notEqual(again.frame.messageId, first.frame.messageId, 'a new frame');
    assert.ok(afterMs >= VISIBILITY_MS - 1_000, `not before its visibility ended (came ${afterMs} ms after A took it)`);
    onB.ack(again);
    await onB.reply(again, inProgress());
    await onB.reply(again, successReply(PLUGIN, outputOf(again), new Date()));
    assert.deepEqual(await shown(b, commandId, agent.nodeId), ['Success', 'Success', 0, 'survived\n']);
    await assert.rejects(onB.nextJob(QUIET_MS), NO_JOB, 'not delivered again once acknowledged');
    const [command] = (await b.send(new ListCommandsCommand({ CommandId: commandId }))).Commands!;
    assert.deepEqual([command.Status, command.TargetCount, command.CompletedCount, command.ErrorCount], ['Success', 1, 1, 0], 'ended once');
    assert.equal(await status(b, agent.nodeId), 'connected', 'connected through B now');
    console.log(`the unacknowledged job came again on B ${afterMs} ms after A took it`);
  });
});
