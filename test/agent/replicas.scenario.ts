// Inside a loopback-only network namespace (netns.ts): two replicas of the service on one PostgreSQL
// database (a throwaway server started in the namespace), and two stock agents that reach them through a
// round-robin proxy, so each agent's polls, acknowledgements and replies land on both replicas. A window's
// command and a SendCommand still run exactly once on each machine, and each reply is applied once.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  CreateActivationCommand, CreateMaintenanceWindowCommand, DescribeInstanceInformationCommand, GetCommandInvocationCommand,
  GetMaintenanceWindowExecutionCommand, ListCommandInvocationsCommand, RegisterTargetWithMaintenanceWindowCommand,
  RegisterTaskWithMaintenanceWindowCommand, SendCommandCommand,
} from '@aws-sdk/client-ssm';
import { startPostgres, type ThrowawayPostgres } from '../../scripts/postgres.ts';
import { executionTree, fire } from '../support/control.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { agentMachine, eventually } from './netns.ts';
import { startRoundRobinProxy, type RoundRobinProxy } from './round-robin-proxy.ts';

let postgres: ThrowawayPostgres;
const replicas: TestServer[] = [];
let proxy: RoundRobinProxy;
const machines: ReturnType<typeof agentMachine>[] = [];
const agents: { stop(): Promise<void> }[] = [];
const nodeIds: string[] = [];

before(async () => {
  const { execFileSync } = await import('node:child_process');
  execFileSync('ip', ['link', 'set', 'lo', 'up']);
  // Other runs' servers are out of sight in this pid namespace: leave them alone.
  postgres = await startPostgres({ reapOrphans: false });
  for (let i = 0; i < 2; i++) replicas.push(await startTestServer({ store: postgres.url, postgresSchema: 'mw_agent_replicas', leaseSeconds: 2 }));
  proxy = await startRoundRobinProxy(replicas.map((r) => r.app.endpoint));
  const { ActivationId, ActivationCode } = await replicas[0].client.send(new CreateActivationCommand({
    IamRole: 'SSMServiceRole', RegistrationLimit: 2, Tags: [{ Key: 'Fleet', Value: 'replicated' }],
  }));
  for (let i = 0; i < 2; i++) {
    const machine = agentMachine(proxy.endpoint, `replicated-${i}`);
    machines.push(machine);
    nodeIds.push(await machine.register(ActivationCode!, ActivationId!));
    agents.push(machine.start());
  }
  await eventually(async () => (await replicas[1].client.send(new DescribeInstanceInformationCommand({}))).InstanceInformationList!.filter((n) => n.PingStatus === 'Online').length,
    (online) => online === 2, 'both nodes come Online', 60_000);
});
after(async () => {
  for (const agent of agents) await agent.stop();
  await proxy?.stop();
  for (const replica of replicas) await replica.stop();
  postgres?.stop();
});

/** Each machine's script appends a line to a file of its own: how many times it really ran there. */
const runsOn = (machine: number) => readFileSync(join(machines[machine].root, 'lib', 'runs'), 'utf8').trim().split('\n');
const script = (label: string) => [`echo ${label} >> /var/lib/amazon/ssm/runs`, 'hostname'];

test('a window through either replica: its command runs once on each machine, whichever replica each call reached', async () => {
  const [a, b] = replicas;
  const { WindowId } = await a.client.send(new CreateMaintenanceWindowCommand({ Name: 'replicated', Schedule: 'rate(1 day)', Duration: 1, Cutoff: 0, AllowUnassociatedTargets: false }));
  const { WindowTargetId } = await b.client.send(new RegisterTargetWithMaintenanceWindowCommand({ WindowId, ResourceType: 'INSTANCE', Targets: [{ Key: 'tag:Fleet', Values: ['replicated'] }] }));
  await a.client.send(new RegisterTaskWithMaintenanceWindowCommand({
    WindowId, TaskArn: 'AWS-RunShellScript', TaskType: 'RUN_COMMAND', Targets: [{ Key: 'WindowTargetIds', Values: [WindowTargetId!] }],
    MaxConcurrency: '1', MaxErrors: '0', TaskInvocationParameters: { RunCommand: { Parameters: { commands: script('window') } } },
  }));
  const executionId = await fire(a, WindowId!);
  await eventually(async () => (await b.client.send(new GetMaintenanceWindowExecutionCommand({ WindowExecutionId: executionId }))).Status,
    (status) => status !== 'IN_PROGRESS' && status !== 'PENDING', 'the window execution ends', 90_000);
  const { execution, tasks: [run] } = await executionTree(b.client, executionId);
  assert.equal(execution.Status, 'SUCCESS');
  assert.equal(run.invocations.length, 1);
  const nodes = (await a.client.send(new ListCommandInvocationsCommand({ CommandId: run.invocations[0].ExecutionId }))).CommandInvocations!;
  assert.deepEqual(nodes.map((n) => n.Status), ['Success', 'Success']);
  assert.deepEqual([runsOn(0), runsOn(1)], [['window'], ['window']]);
});

test('SendCommand to both machines through one replica, read through the other: each ran once, each reply applied once', async () => {
  const [a, b] = replicas;
  const { Command } = await b.client.send(new SendCommandCommand({ DocumentName: 'AWS-RunShellScript', InstanceIds: nodeIds, Parameters: { commands: script('direct') } }));
  for (const nodeId of nodeIds) {
    const got = await eventually(() => a.client.send(new GetCommandInvocationCommand({ CommandId: Command!.CommandId, InstanceId: nodeId })),
      (i) => !['Pending', 'InProgress'].includes(i.Status!), 'the command ends on the node', 60_000);
    assert.deepEqual([got.Status, got.ResponseCode], ['Success', 0]);
  }
  assert.deepEqual([runsOn(0), runsOn(1)], [['window', 'direct'], ['window', 'direct']]);
  // The proxy really spread the agents' calls: each replica took polls and replies.
  for (const served of proxy.served) {
    assert.ok((served.get('EC2WindowsMessageDeliveryService.GetMessages') ?? 0) > 0, JSON.stringify([...served]));
    assert.ok((served.get('EC2WindowsMessageDeliveryService.SendReply') ?? 0) > 0, JSON.stringify([...served]));
  }
});
