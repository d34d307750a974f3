// Inside a loopback-only network namespace (netns.ts): what happens to a real node's commands beyond a clean
// run. Its agent enforces executionTimeout, is told to stop a cancelled command, reboots when a script asks
// (exit 194) and resumes after; a node whose agent stopped goes ConnectionLost (the ping timeout is 3 s
// here), its command times out undelivered, and it comes back Online when the agent starts again.

import assert from 'node:assert/strict';
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import {
  CancelCommandCommand, CreateActivationCommand, DescribeInstanceInformationCommand, GetCommandInvocationCommand,
  SendCommandCommand, type GetCommandInvocationCommandOutput,
} from '@aws-sdk/client-ssm';
import { startTestServer, type TestServer } from '../support/server.ts';
import { AGENT, eventually, prepareAgentFolders, startAgentDaemon } from './netns.ts';

const run = promisify(execFile);
let server: TestServer;
let agent: ReturnType<typeof startAgentDaemon> | undefined;
let nodeId: string;
let root: string;

const pingStatus = async () => (await server.client.send(new DescribeInstanceInformationCommand({}))).InstanceInformationList![0]?.PingStatus;

before(async () => {
  server = await startTestServer({ pingTimeoutSeconds: 3 });
  root = prepareAgentFolders(server.app.endpoint);
  // The agent reboots with `/sbin/shutdown -r +1`: in this scenario's own mount namespace that is a script
  // that only writes down that it was asked (and systemctl, which it links to, is not used here otherwise).
  const fakeShutdown = join(root, 'shutdown');
  writeFileSync(fakeShutdown, `#!/bin/sh\necho "$@" > ${root}/reboot-requested\n`);
  chmodSync(fakeShutdown, 0o755);
  execFileSync('mount', ['--bind', fakeShutdown, '/usr/sbin/shutdown']);
  const { ActivationId, ActivationCode } = await server.client.send(new CreateActivationCommand({ IamRole: 'SSMServiceRole' }));
  const { stdout } = await run(AGENT, ['-register', '-code', ActivationCode!, '-id', ActivationId!, '-region', 'us-east-1', '-y'], { timeout: 60_000 });
  nodeId = /Managed instance-id: (mi-[0-9a-f]{17})/.exec(stdout)![1];
  agent = startAgentDaemon();
  await eventually(pingStatus, (status) => status === 'Online', 'the node comes Online', 60_000);
});
after(async () => {
  await agent?.stop();
  await server.stop();
});

async function send(commands: string[], extra: { executionTimeout?: string; TimeoutSeconds?: number } = {}): Promise<string> {
  const { Command } = await server.client.send(new SendCommandCommand({
    DocumentName: 'AWS-RunShellScript', InstanceIds: [nodeId], TimeoutSeconds: extra.TimeoutSeconds,
    Parameters: { commands, ...(extra.executionTimeout ? { executionTimeout: [extra.executionTimeout] } : {}) },
  }));
  return Command!.CommandId!;
}

const invocation = (commandId: string) => server.client.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: nodeId }));

function ended(commandId: string, timeoutMs = 60_000): Promise<GetCommandInvocationCommandOutput> {
  return eventually(() => invocation(commandId), (got) => !['Pending', 'InProgress', 'Delayed', 'Cancelling'].includes(got.Status!), 'the command ends', timeoutMs);
}

const running = (pattern: string) => spawnSync('pgrep', ['-f', pattern]).status === 0;

test('executionTimeout: the agent stops the script and the invocation ends TimedOut / ExecutionTimedOut', async () => {
  // 5 s: the agent's smallest (it runs a smaller executionTimeout for its default of 3600 s).
  const got = await ended(await send(['echo started', 'sleep 27'], { executionTimeout: '5' }));
  assert.deepEqual([got.Status, got.StatusDetails], ['TimedOut', 'ExecutionTimedOut']);
  // The agent's code for a script it stopped (128 + SIGKILL), and what the script printed before.
  assert.equal(got.ResponseCode, 137);
  assert.equal(got.StandardOutputContent, 'started\n');
  assert.equal(running('sleep 27'), false);
});

test('CancelCommand while it runs: the agent gets the cancel message and kills the script', async () => {
  const commandId = await send(['sleep 31']);
  await eventually(async () => running('sleep 31'), (yes) => yes, 'the script runs on the node');
  await server.client.send(new CancelCommandCommand({ CommandId: commandId }));
  const got = await ended(commandId);
  assert.deepEqual([got.Status, got.StatusDetails], ['Cancelled', 'Cancelled']);
  await eventually(async () => running('sleep 31'), (yes) => !yes, 'the agent stopped the script');
});

test('exit 194 asks for a reboot: the command stays InProgress through it and ends when the resumed script exits 0', async () => {
  const marker = '/var/lib/amazon/ssm/rebooted-once';
  const commandId = await send([`if [ -f ${marker} ]; then echo after the reboot; exit 0; fi`, `touch ${marker}`, 'echo before the reboot', 'exit 194']);
  await eventually(async () => existsSync(join(root, 'reboot-requested')), (yes) => yes, 'the agent asks for a reboot');
  assert.match(readFileSync(join(root, 'reboot-requested'), 'utf8'), /^-r /);
  assert.equal((await invocation(commandId)).Status, 'InProgress');
  // The machine "reboots": its agent stops and starts again, and resumes the document it was running.
  await agent!.stop();
  agent = startAgentDaemon();
  const got = await ended(commandId);
  assert.deepEqual([got.Status, got.ResponseCode], ['Success', 0]);
  assert.match(got.StandardOutputContent!, /after the reboot/);
});

test('the agent stops: ConnectionLost, a command sent then times out undelivered; started again: Online, and only new commands run', async () => {
  await agent!.stop();
  agent = undefined;
  await eventually(pingStatus, (status) => status === 'ConnectionLost', 'the node is ConnectionLost', 15_000);
  const lost = await server.client.send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'PingStatus', Values: ['ConnectionLost'] }] }));
  assert.deepEqual(lost.InstanceInformationList!.map((i) => i.InstanceId), [nodeId]);

  const undelivered = await send(['echo never'], { TimeoutSeconds: 30 });
  const got = await ended(undelivered, 50_000);
  assert.deepEqual([got.Status, got.StatusDetails], ['TimedOut', 'DeliveryTimedOut']);

  agent = startAgentDaemon();
  await eventually(pingStatus, (status) => status === 'Online', 'the node is Online again', 60_000);
  const fresh = await ended(await send(['echo fresh']));
  assert.deepEqual([fresh.Status, fresh.StandardOutputContent], ['Success', 'fresh\n']);
  assert.equal((await invocation(undelivered)).StatusDetails, 'DeliveryTimedOut', 'the timed-out command was not run after all');
});
