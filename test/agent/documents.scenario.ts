// Inside a loopback-only network namespace (netns.ts): the stock SSM Agent runs documents a user wrote.
// A two-step YAML Command document: each step is its own plugin on the agent, and each one's output and
// exit code reach GetCommandInvocation with --plugin-name. An aws:runDocument step: the agent fetches the
// other document itself (GetDocument, signed with its node's credentials) and runs it with parameters.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  CreateDocumentCommand, GetCommandInvocationCommand, ListCommandInvocationsCommand,
  SendCommandCommand,
} from '@aws-sdk/client-ssm';
import { startTestServer, type TestServer } from '../support/server.ts';
import { eventually, joinMachine, type startAgentDaemon } from './netns.ts';

let server: TestServer;
let agent: ReturnType<typeof startAgentDaemon>;
let nodeId: string;

const TWO_STEPS = `schemaVersion: '2.2'
description: Two steps, each its own plugin
parameters:
  greeting:
    type: String
    default: hello
mainSteps:
  - action: aws:runShellScript
    name: greet
    inputs:
      runCommand:
        - echo {{ greeting }} from step one
  - action: aws:runShellScript
    name: fail
    inputs:
      runCommand:
        - echo step two speaks
        - echo step two complains >&2
        - exit 4
  - action: aws:runPowerShellScript
    name: windowsOnly
    precondition:
      StringEquals: [platformType, Windows]
    inputs:
      runCommand:
        - Write-Output never
`;

const CHILD = JSON.stringify({
  schemaVersion: '2.2',
  description: 'Run by another document',
  parameters: { word: { type: 'String', default: 'unset' } },
  mainSteps: [{ action: 'aws:runShellScript', name: 'child', inputs: { runCommand: ['echo child says {{ word }}'] } }],
});

const PARENT = JSON.stringify({
  schemaVersion: '2.2',
  description: 'Runs Child from the service',
  mainSteps: [
    { action: 'aws:runDocument', name: 'runChild', inputs: { documentType: 'SSMDocument', documentPath: 'Child', documentParameters: '{"word":"fetched"}' } },
  ],
});

before(async () => {
  server = await startTestServer();
  ({ nodeId, agent } = await joinMachine(server));
  await server.client.send(new CreateDocumentCommand({ Name: 'TwoSteps', Content: TWO_STEPS, DocumentFormat: 'YAML', DocumentType: 'Command' }));
  await server.client.send(new CreateDocumentCommand({ Name: 'Child', Content: CHILD, DocumentType: 'Command' }));
  await server.client.send(new CreateDocumentCommand({ Name: 'Parent', Content: PARENT, DocumentType: 'Command' }));
});
after(async () => {
  await agent?.stop();
  await server.stop();
});

async function runOnNode(DocumentName: string, Parameters?: Record<string, string[]>) {
  const { Command } = await server.client.send(new SendCommandCommand({ DocumentName, InstanceIds: [nodeId], Parameters }));
  const CommandId = Command!.CommandId!;
  const ended = await eventually(() => server.client.send(new GetCommandInvocationCommand({ CommandId, InstanceId: nodeId })),
    (got) => !['Pending', 'InProgress', 'Delayed'].includes(got.Status!), 'the command ends on the node', 90_000);
  return { CommandId, ended };
}

test('a two-step document: each step runs as its own plugin, with its own output and exit code', async () => {
  const { CommandId, ended } = await runOnNode('TwoSteps', { greeting: ['bonjour'] });
  assert.deepEqual([ended.Status, ended.ResponseCode], ['Failed', 4], JSON.stringify(ended));
  const greet = await server.client.send(new GetCommandInvocationCommand({ CommandId, InstanceId: nodeId, PluginName: 'greet' }));
  assert.deepEqual([greet.Status, greet.ResponseCode, greet.StandardOutputContent], ['Success', 0, 'bonjour from step one\n']);
  const fail = await server.client.send(new GetCommandInvocationCommand({ CommandId, InstanceId: nodeId, PluginName: 'fail' }));
  assert.deepEqual([fail.Status, fail.ResponseCode, fail.StandardOutputContent], ['Failed', 4, 'step two speaks\n']);
  assert.match(fail.StandardErrorContent!, /^step two complains\n/);
  const [invocation] = (await server.client.send(new ListCommandInvocationsCommand({ CommandId, Details: true }))).CommandInvocations!;
  assert.deepEqual(invocation.CommandPlugins!.map((p) => [p.Name, p.Status, p.ResponseCode]), [['greet', 'Success', 0], ['fail', 'Failed', 4], ['windowsOnly', 'Success', 0]]);
  assert.match(invocation.CommandPlugins![2].Output!, /skipped due to unsatisfied preconditions/, 'the agent skipped the Windows step itself');
});

test('aws:runDocument: the agent fetches the other document from the service and runs it with the parameters given', async () => {
  const { CommandId, ended } = await runOnNode('Parent');
  assert.deepEqual([ended.Status, ended.ResponseCode], ['Success', 0], JSON.stringify(ended));
  const step = await server.client.send(new GetCommandInvocationCommand({ CommandId, InstanceId: nodeId, PluginName: 'runChild' }));
  assert.match(step.StandardOutputContent!, /child says fetched/);
});
