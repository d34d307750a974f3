// Inside a loopback-only network namespace (netns.ts): a runbook whose aws:runCommand step runs on a node
// that joined with the stock SSM Agent, and whose real output feeds an aws:branch (issue 22's real-agent
// test). The command's output and exit code come from the machine; the branch goes where they say.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  CreateDocumentCommand, GetAutomationExecutionCommand, GetCommandInvocationCommand,
  StartAutomationExecutionCommand,
} from '@aws-sdk/client-ssm';
import { startTestServer, type TestServer } from '../support/server.ts';
import { eventually, joinMachine, type startAgentDaemon } from './netns.ts';

let server: TestServer;
let agent: ReturnType<typeof startAgentDaemon>;
let nodeId: string;

const RUNBOOK = JSON.stringify({
  schemaVersion: '0.3',
  description: 'Read a file on the node and branch on what it says',
  parameters: { InstanceId: { type: 'String' }, Path: { type: 'String' } },
  mainSteps: [
    {
      name: 'read', action: 'aws:runCommand', onFailure: 'Continue',
      inputs: { DocumentName: 'AWS-RunShellScript', InstanceIds: ['{{ InstanceId }}'], Parameters: { commands: ['cat {{ Path }}'] } },
    },
    {
      name: 'decide', action: 'aws:branch',
      inputs: { Choices: [{ NextStep: 'missing', Variable: '{{ read.ResponseCode }}', NumericGreater: 0 }, { NextStep: 'linux', Variable: '{{ read.Output }}', Contains: 'ID=' }], Default: 'other' },
    },
    { name: 'missing', action: 'aws:sleep', inputs: { Duration: 'PT0S' }, isEnd: true },
    { name: 'linux', action: 'aws:runCommand', inputs: { DocumentName: 'AWS-RunShellScript', InstanceIds: ['{{ InstanceId }}'], Parameters: { commands: ['echo branch-linux'] } }, isEnd: true },
    { name: 'other', action: 'aws:sleep', inputs: { Duration: 'PT0S' } },
  ],
});

before(async () => {
  server = await startTestServer();
  ({ nodeId, agent } = await joinMachine(server));
  await server.client.send(new CreateDocumentCommand({ Name: 'ReadAndBranch', Content: RUNBOOK, DocumentType: 'Automation' }));
});
after(async () => {
  await agent?.stop();
  await server.stop();
});

async function runbook(Path: string) {
  const { AutomationExecutionId } = await server.client.send(new StartAutomationExecutionCommand({ DocumentName: 'ReadAndBranch', Parameters: { InstanceId: [nodeId], Path: [Path] } }));
  return eventually(async () => (await server.client.send(new GetAutomationExecutionCommand({ AutomationExecutionId }))).AutomationExecution!,
    (e) => !['Pending', 'InProgress', 'Waiting'].includes(e.AutomationExecutionStatus!), 'the runbook ends', 90_000);
}

test('the node\'s real output takes the branch: a file that exists goes to linux, whose command runs on the node too', async () => {
  const e = await runbook('/etc/os-release');
  assert.deepEqual([e.AutomationExecutionStatus, e.StepExecutions!.map((s) => [s.StepName, s.StepStatus])],
    ['Success', [['read', 'Success'], ['decide', 'Success'], ['linux', 'Success']]], JSON.stringify(e.StepExecutions));
  const read = e.StepExecutions![0];
  assert.match(read.Outputs!.Output[0], /ID=/);
  const linux = e.StepExecutions![2];
  const got = await server.client.send(new GetCommandInvocationCommand({ CommandId: linux.Outputs!.CommandId[0], InstanceId: nodeId }));
  assert.equal(got.StandardOutputContent, 'branch-linux\n');
});

test('a real failure (exit code 1 from cat) fails the step and the branch takes the missing path', async () => {
  const e = await runbook('/no/such/file');
  assert.deepEqual(e.StepExecutions!.map((s) => [s.StepName, s.StepStatus]), [['read', 'Failed'], ['decide', 'Success'], ['missing', 'Success']]);
  assert.equal(e.StepExecutions![0].Outputs!.ResponseCode[0], '1');
  assert.equal(e.AutomationExecutionStatus, 'Success', 'read was not critical (onFailure Continue)');
});
