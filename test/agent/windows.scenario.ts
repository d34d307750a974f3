// Inside a loopback-only network namespace (netns.ts): three stock agents register with one activation,
// come Online, and a maintenance window with a tag target and a RUN_COMMAND task runs `hostname; id -u`
// on each of them; then, with the second machine made to fail, MaxConcurrency 1 / MaxErrors 0 stops the
// third. The seeds' history operations and GetCommandInvocation show what really happened on each machine.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  CreateActivationCommand, CreateMaintenanceWindowCommand, DescribeInstanceInformationCommand, GetCommandInvocationCommand,
  GetMaintenanceWindowExecutionCommand, ListCommandInvocationsCommand, RegisterTargetWithMaintenanceWindowCommand,
  RegisterTaskWithMaintenanceWindowCommand,
} from '@aws-sdk/client-ssm';
import { executionTree, fire } from '../support/control.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { agentMachine, eventually } from './netns.ts';

let server: TestServer;
const machines: ReturnType<typeof agentMachine>[] = [];
const agents: { stop(): Promise<void> }[] = [];
const nodeIds: string[] = [];
let windowId: string;

before(async () => {
  server = await startTestServer();
  const { execFileSync } = await import('node:child_process');
  execFileSync('ip', ['link', 'set', 'lo', 'up']);
  const { ActivationId, ActivationCode } = await server.client.send(new CreateActivationCommand({
    IamRole: 'SSMServiceRole', RegistrationLimit: 3, Tags: [{ Key: 'Env', Value: 'lab' }],
  }));
  for (let i = 0; i < 3; i++) {
    const machine = agentMachine(server.app.endpoint, `machine-${i}`);
    machines.push(machine);
    nodeIds.push(await machine.register(ActivationCode!, ActivationId!));
    agents.push(machine.start());
  }
  await eventually(async () => (await server.client.send(new DescribeInstanceInformationCommand({}))).InstanceInformationList!.filter((n) => n.PingStatus === 'Online').length,
    (online) => online === 3, 'three nodes come Online', 60_000);
  ({ WindowId: windowId } = await server.client.send(new CreateMaintenanceWindowCommand({ Name: 'lab-patching', Schedule: 'rate(1 day)', Duration: 1, Cutoff: 0, AllowUnassociatedTargets: false })) as { WindowId: string });
  const { WindowTargetId } = await server.client.send(new RegisterTargetWithMaintenanceWindowCommand({ WindowId: windowId, ResourceType: 'INSTANCE', Targets: [{ Key: 'tag:Env', Values: ['lab'] }] }));
  await server.client.send(new RegisterTaskWithMaintenanceWindowCommand({
    WindowId: windowId, TaskArn: 'AWS-RunShellScript', TaskType: 'RUN_COMMAND', Targets: [{ Key: 'WindowTargetIds', Values: [WindowTargetId!] }],
    MaxConcurrency: '1', MaxErrors: '0',
    // Each machine has its own /etc/amazon/ssm: a file there makes that one fail.
    TaskInvocationParameters: { RunCommand: { Parameters: { commands: ['hostname; id -u', 'if [ -e /etc/amazon/ssm/fail ]; then echo broken >&2; exit 7; fi'] } } },
  }));
});
after(async () => {
  for (const agent of agents) await agent.stop();
  await server.stop();
});

async function runWindow() {
  const executionId = await fire(server, windowId);
  await eventually(async () => (await server.client.send(new GetMaintenanceWindowExecutionCommand({ WindowExecutionId: executionId }))).Status,
    (status) => status !== 'IN_PROGRESS' && status !== 'PENDING', 'the window execution ends', 90_000);
  return executionTree(server.client, executionId);
}

test('a window runs hostname; id -u on three real machines, one after another (MaxConcurrency 1)', async () => {
  const { execution, tasks: [run] } = await runWindow();
  assert.equal(execution.Status, 'SUCCESS');
  const [invocation] = run.invocations;
  assert.equal(invocation.Status, 'SUCCESS');
  const nodes = (await server.client.send(new ListCommandInvocationsCommand({ CommandId: invocation.ExecutionId, Details: true }))).CommandInvocations!;
  assert.deepEqual(nodes.map((n) => n.Status).sort(), ['Success', 'Success', 'Success']);
  for (const nodeId of nodeIds) {
    const got = await server.client.send(new GetCommandInvocationCommand({ CommandId: invocation.ExecutionId, InstanceId: nodeId }));
    assert.equal(got.ResponseCode, 0);
    assert.match(got.StandardOutputContent!, /^\S+\n0\n$/, `the machine's host name and uid 0: ${JSON.stringify(got.StandardOutputContent)}`);
  }
  const starts = nodes.map((n) => n.CommandPlugins![0].ResponseStartDateTime!.getTime()).sort();
  const ends = nodes.map((n) => n.CommandPlugins![0].ResponseFinishDateTime!.getTime()).sort();
  assert.ok(starts[1] >= ends[0] && starts[2] >= ends[1], 'one machine at a time');
});

test('the second machine fails: MaxErrors 0 stops the third; the history shows what happened on each', async () => {
  // The order the last command ran its machines in (its instances' order; the next resolves the same).
  const order = (await server.client.send(new ListCommandInvocationsCommand({}))).CommandInvocations!.slice(0, 3).map((n) => n.InstanceId!);
  writeFileSync(join(machines[nodeIds.indexOf(order[1])].root, 'etc', 'fail'), '');
  const { execution, tasks: [run] } = await runWindow();
  assert.equal(execution.Status, 'FAILED');
  const [invocation] = run.invocations;
  assert.deepEqual([invocation.Status, invocation.StatusDetails], ['FAILED', 'Failed']);
  const byNode = async (i: number) => server.client.send(new GetCommandInvocationCommand({ CommandId: invocation.ExecutionId, InstanceId: order[i] }));
  const [first, second, third] = [await byNode(0), await byNode(1), await byNode(2)];
  assert.deepEqual([first.Status, first.ResponseCode], ['Success', 0]);
  assert.deepEqual([second.Status, second.ResponseCode], ['Failed', 7]);
  assert.match(second.StandardErrorContent!, /^broken\n/);
  assert.deepEqual([third.Status, third.StatusDetails, third.ResponseCode], ['Cancelled', 'Terminated', -1], 'never sent to the third machine');
});
