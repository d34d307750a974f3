// Two replicas on one PostgreSQL schema under concurrent SendCommand, CancelCommand and agent replies
// (issue 28, finding 6): a request whose write committed must not answer 500 because of the engine work
// that follows it (SDKs retry a 500, and SendCommand has no ClientToken, so the command would run twice),
// and a request's own transaction that PostgreSQL picks as a deadlock victim is run again, not failed.
// Every answer is counted; every command sent exists exactly once, as seen through both replicas.

import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { Agent } from 'node:http';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { AwsClient, awsCall } from '../../bench/aws-requests.ts';
import { AgentTransport, SimulatedAgent, successReply } from '../../bench/simulated-agent.ts';
import { startRoundRobinProxy, type RoundRobinProxy } from '../agent/round-robin-proxy.ts';
import { eventually } from '../support/eventually.ts';
import { startServiceProcess, type ServiceProcess } from '../support/process.ts';
import { tempDataDir } from '../support/server.ts';

const url = process.env.MW_TEST_POSTGRES_URL;
const SIMULATED_NODES = 12;
const AGENTS = 6;
const WAVES = 8;
const COMMANDS_PER_WAVE = 12;
const FINAL = new Set(['Success', 'Failed', 'Cancelled', 'TimedOut']);

test('two replicas under concurrent SendCommand, CancelCommand and agent replies: no 500, every command once', { skip: !url && !process.env.CI && 'MW_TEST_POSTGRES_URL is not set', timeout: 150_000 }, async () => {
  assert.ok(url, 'MW_TEST_POSTGRES_URL must be set (npm test starts PostgreSQL)');
  const schema = `mw_replica_no_500_${process.pid}`;
  const dir = tempDataDir();
  const nodesFile = join(dir, 'nodes.json');
  writeFileSync(nodesFile, JSON.stringify(Array.from({ length: SIMULATED_NODES }, (_, i) => ({ id: `i-${String(i).padStart(17, '0')}`, tags: { Fleet: 'simulated' } }))));
  // Simulated runs take no time (they end in the step that starts them, inside the request's wake); a poll
  // is held at most 2 s (a third of the ping timeout), so the agents' loops end soon after the load.
  const args = ['--store', url, '--postgres-schema', schema, '--lease-seconds', '5', '--invocation-seconds', '0', '--nodes', nodesFile,
    '--ping-timeout-seconds', '6', '--log-level', 'warn'];
  const replicas: ServiceProcess[] = [];
  const sockets = new Agent({ keepAlive: true, maxSockets: Infinity });
  let proxy: RoundRobinProxy | undefined;
  let stopping = false;
  after(async () => {
    stopping = true;
    sockets.destroy();
    await proxy?.stop();
    for (const replica of replicas) await replica.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  // One after another: the first creates the schema and runs the migrations.
  for (let i = 0; i < 2; i++) replicas.push(await startServiceProcess(args));
  const clients = replicas.map((r) => new AwsClient(r.endpoint));
  proxy = await startRoundRobinProxy(replicas.map((r) => r.endpoint));

  // Every answer, by operation and status.
  const answers = new Map<string, number>();
  const serverErrors: string[] = [];
  const count = (operation: string, status: number, body: unknown) => {
    const key = `${operation} ${status}`;
    answers.set(key, (answers.get(key) ?? 0) + 1);
    if (status >= 500) serverErrors.push(`${key}: ${JSON.stringify(body).slice(0, 300)}`);
  };
  async function api(replica: number, operation: string, input: unknown): Promise<Record<string, unknown>> {
    const answer = await clients[replica].send(awsCall(replicas[replica].endpoint, operation, input));
    const body = answer.body ? JSON.parse(answer.body) as Record<string, unknown> : {};
    count(operation, answer.status, body);
    return answer.status === 200 ? body : {};
  }

  // Agents registered through the round-robin proxy: their polls and replies alternate between replicas.
  const activation = await clients[0].call<{ ActivationId: string; ActivationCode: string }>('CreateActivation', { IamRole: 'SSMServiceRole', RegistrationLimit: AGENTS });
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicKeyText = publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
  const transport = new AgentTransport(proxy.endpoint, sockets, 'us-east-1');
  const agents = await Promise.all(Array.from({ length: AGENTS }, (_, i) =>
    SimulatedAgent.register(transport, activation, publicKeyText, privateKey, `no-500-agent-${i}`)));
  const agentIds = agents.map((a) => a.nodeId);

  async function agentLoop(agent: SimulatedAgent): Promise<void> {
    while (!stopping) {
      const poll = await agent.call('ec2messages', 'EC2WindowsMessageDeliveryService.GetMessages', { Destination: agent.nodeId, MessagesRequestId: crypto.randomUUID(), VisibilityTimeoutInSeconds: 10 })
        .catch(() => undefined);
      if (!poll) return; // the sockets were destroyed: the test is over
      count('GetMessages', poll.status, poll.body);
      for (const message of (poll.body.Messages ?? []) as { MessageId: string; Topic: string }[]) {
        if (!message.Topic.startsWith('aws.ssm.sendCommand.')) continue;
        for (const payload of [{ documentStatus: 'InProgress', runtimeStatus: null }, successReply('aws:runShellScript', 'done', new Date())]) {
          const reply = await agent.call('ec2messages', 'EC2WindowsMessageDeliveryService.SendReply', { MessageId: message.MessageId, ReplyId: crypto.randomUUID(), Payload: JSON.stringify(payload) })
            .catch(() => undefined);
          if (!reply) return;
          count('SendReply', reply.status, reply.body);
        }
      }
    }
  }
  const loops = agents.map((agent) => agentLoop(agent));

  // Waves of commands sent through both replicas at once; every third cancelled at once through the other one.
  const sent: string[] = [];
  for (let wave = 0; wave < WAVES; wave++) {
    await Promise.all(Array.from({ length: COMMANDS_PER_WAVE }, async (_, k) => {
      const replica = k % 2;
      const toAgents = k % 3 !== 0;
      const input = toAgents
        ? { DocumentName: 'AWS-RunShellScript', InstanceIds: agentIds, Parameters: { commands: [`echo ${wave}-${k}`] }, MaxConcurrency: '3' }
        : { DocumentName: 'AWS-RunShellScript', Targets: [{ Key: 'tag:Fleet', Values: ['simulated'] }], Parameters: { commands: [`echo ${wave}-${k}`] }, MaxConcurrency: '2' };
      const { Command } = await api(replica, 'SendCommand', input) as { Command?: { CommandId: string } };
      if (!Command) return;
      sent.push(Command.CommandId);
      if (k % 3 === 2) await api(1 - replica, 'CancelCommand', { CommandId: Command.CommandId });
    }));
  }

  // Every command ends (the agents' ones by their replies), then the loops stop.
  const listAll = async (replica: number) => {
    const ids: string[] = [];
    const statuses: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await clients[replica].call<{ Commands: { CommandId: string; Status: string }[]; NextToken?: string }>('ListCommands', { MaxResults: 50, NextToken });
      for (const c of page.Commands) {
        ids.push(c.CommandId);
        statuses.push(c.Status);
      }
      NextToken = page.NextToken;
    } while (NextToken);
    return { ids, statuses };
  };
  const summary = () => [...answers].sort().map(([key, n]) => `${key}: ${n}`).join(', ');
  await eventually(() => listAll(0), 
    // A 5xx fails at once; otherwise every command ends (one whose reply was refused never would).
    ({ statuses }) => serverErrors.length > 0 || (statuses.length === sent.length && statuses.every((s) => FINAL.has(s))), 'every command ends', 60_000)
    .catch((error: Error) => assert.fail(`${error.message.slice(0, 300)}... (answers: ${summary()}; 5xx: ${serverErrors.slice(0, 5).join(' | ')})`));
  stopping = true;
  await Promise.all(loops);

  assert.deepEqual(serverErrors, [], `no request answers 5xx (answers: ${summary()})`);
  assert.equal(sent.length, WAVES * COMMANDS_PER_WAVE, `every SendCommand answered 200 (answers: ${summary()})`);
  assert.ok((answers.get('SendReply 200') ?? 0) > 0 && (answers.get('CancelCommand 200') ?? 0) > 0, `replies and cancels were made (answers: ${summary()})`);
  for (const replica of [0, 1]) {
    const { ids } = await listAll(replica);
    assert.equal(ids.length, sent.length, `replica ${replica} lists every command once`);
    assert.deepEqual([...ids].sort(), [...sent].sort(), `replica ${replica} lists exactly the commands sent`);
  }
});
