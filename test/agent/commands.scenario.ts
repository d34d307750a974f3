// Inside a loopback-only network namespace (netns.ts): a registered stock SSM Agent really runs
// AWS-RunShellScript commands sent with the SDK; GetCommandInvocation shows the real output and exit codes.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  GetCommandInvocationCommand, SendCommandCommand,
} from '@aws-sdk/client-ssm';
import { startTestServer, type TestServer } from '../support/server.ts';
import { eventually, joinMachine, type startAgentDaemon } from './netns.ts';

let server: TestServer;
let agent: ReturnType<typeof startAgentDaemon>;
let nodeId: string;

before(async () => {
  server = await startTestServer();
  ({ nodeId, agent } = await joinMachine(server));
});
after(async () => {
  await agent?.stop();
  await server.stop();
});

async function runOnNode(commands: string[]) {
  const { Command } = await server.client.send(new SendCommandCommand({ DocumentName: 'AWS-RunShellScript', InstanceIds: [nodeId], Parameters: { commands } }));
  return eventually(() => server.client.send(new GetCommandInvocationCommand({ CommandId: Command!.CommandId, InstanceId: nodeId })),
    (got) => !['Pending', 'InProgress', 'Delayed'].includes(got.Status!), 'the command ends on the node', 60_000);
}

test('AWS-RunShellScript really runs on the node: its output and exit code 0', async () => {
  const got = await runOnNode(['hostname', 'id -u']);
  assert.deepEqual([got.Status, got.StatusDetails, got.ResponseCode], ['Success', 'Success', 0]);
  assert.match(got.StandardOutputContent!, /\n0\n$/, 'id -u of the agent (root)');
});

test('a failing script: the real exit code, stdout and stderr', async () => {
  const got = await runOnNode(['echo to-stdout', 'echo to-stderr >&2', 'exit 3']);
  assert.deepEqual([got.Status, got.ResponseCode, got.StandardOutputContent], ['Failed', 3, 'to-stdout\n']);
  // The agent adds its own line after the script's stderr, as AWS shows it too.
  assert.equal(got.StandardErrorContent, 'to-stderr\nfailed to run commands: exit status 3');
});
