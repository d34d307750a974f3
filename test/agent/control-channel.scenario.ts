// Inside a loopback-only network namespace (netns.ts): the stock SSM Agent joins the service over HTTPS, opens
// its ssmmessages control channel, and from then on gets Run Command over it: ec2messages is not polled again,
// a command runs and a cancel stops one, and when the channel drops (the service restarts) the agent opens it
// again and commands still reach it.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CancelCommandCommand, GetCommandInvocationCommand, SendCommandCommand } from '@aws-sdk/client-ssm';
import type { RequestRecord } from '../../src/wire/http-server.ts';
import { tempDataDir } from '../support/server.ts';
import { eventually, joinMachine, startTlsServer, type startAgentDaemon } from './netns.ts';

type TlsServer = Awaited<ReturnType<typeof startTlsServer>>;

let server: TlsServer;
let agent: ReturnType<typeof startAgentDaemon>;
let nodeId: string;
let agentRoot: string;
/** When each ec2messages poll came in and when each control channel opened, by the server's own account. */
const polls: number[] = [];
const channelsOpened: number[] = [];

function observed() {
  return {
    onAnswered: (record: RequestRecord) => {
      if (record.operation === 'GetMessages') polls.push(Date.now() - record.seconds * 1000);
    },
    log: (message: string) => {
      if (message === 'control channel opened') channelsOpened.push(Date.now());
    },
  };
}

before(async () => {
  // A data folder of the scenario's own: the restart below finds the node's registration in it.
  server = await startTlsServer({ ...observed(), dataDir: tempDataDir() });
  ({ nodeId, agent, root: agentRoot } = await joinMachine(server));
  await eventually(async () => channelsOpened.length, (n) => n > 0, 'the agent opens its control channel', 60_000);
});
after(async () => {
  await agent?.stop();
  await server?.stop();
});

async function run(commands: string[]) {
  const { Command } = await server.client.send(new SendCommandCommand({ DocumentName: 'AWS-RunShellScript', InstanceIds: [nodeId], Parameters: { commands } }));
  return Command!.CommandId!;
}
const invocation = (commandId: string) => server.client.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: nodeId }));
const ended = (commandId: string) => eventually(() => invocation(commandId), (got) => !['Pending', 'InProgress', 'Delayed'].includes(got.Status!), 'the command ends', 60_000);

test('with its control channel open, the agent polls ec2messages no more and runs a command sent over the channel', async () => {
  // Polling stops once the channel is open: the agent polls on for one more minute (mdsinteractor.go
  // stopMDSPollingJob, "an opportunity ... to pull from MDS before shutting down"), then its last held
  // poll ends within 15 s, and none begins after.
  const opened = channelsOpened[0];
  await eventually(async () => Date.now(), (now) => now > opened + 80_000, 'the agent\'s minute of polling on, and its last poll, pass', 90_000, 1_000);
  const lastPolls = polls.length;
  assert.ok(polls.every((at) => at < opened + 61_000), 'no GetMessages poll began more than a minute after the channel had opened');

  const commandId = await run(['echo over the control channel', 'id -u']);
  const got = await ended(commandId);
  assert.deepEqual([got.Status, got.ResponseCode, got.StandardOutputContent], ['Success', 0, 'over the control channel\n0\n']);
  // The agent's own log (written a little after the fact): the command came to it as an agent_job of its control channel.
  await eventually(async () => readFileSync(join(agentRoot, 'log', 'amazon-ssm-agent.log'), 'utf8'),
    (log) => log.split('\n').some((line) => line.includes('"echo over the control channel"') && line.includes('"UpstreamServiceName":"MessageGatewayService"')),
    'the agent logs the job as one from its control channel', 30_000, 500);
  assert.equal(polls.length, lastPolls, 'still no poll');
});

test('a cancel over the control channel stops a running command', async () => {
  const commandId = await run(['echo started', 'sleep 300']);
  await eventually(() => invocation(commandId), (got) => got.Status === 'InProgress', 'the command runs', 30_000);
  await server.client.send(new CancelCommandCommand({ CommandId: commandId }));
  const got = await ended(commandId);
  assert.equal(got.Status, 'Cancelled');
});

test('the channel dropped (the service restarts on the same port) is opened again, and commands still reach the node', async () => {
  const port = server.app.port;
  const { dataDir } = server;
  await server.stop();
  const before = channelsOpened.length;
  server = await startTlsServer({ ...observed(), port, dataDir });
  await eventually(async () => channelsOpened.length, (n) => n > before, 'the agent opens its control channel again', 90_000);
  const commandId = await run(['echo after the restart']);
  const got = await ended(commandId);
  assert.deepEqual([got.Status, got.StandardOutputContent], ['Success', 'after the restart\n']);
});
